"""The influence map, the concept index and a briefing page: server time at 1,000 and 10,000 briefings,
render cache off; and what the related-briefings step adds to a sync.

Synthetic content comes from ``bench.generate`` (made here when missing). Each figure is the
median (p50) and p95 of direct WSGI calls, as in ``bench.server_time``; the related step is
timed on its own over the loaded records (median of three), beside the whole sync it is part of.

    python -m bench.map_time [--workdir /tmp/portfolio-bench] [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from portfolio import create_app
from portfolio.config import Settings
from portfolio.content import load_content, sync
from portfolio.content.related import document_terms, forget, related

from .common import content_for, percentile
from .server_time import request_times

MAP_TARGET_MS = 50.0  # at 1,000 briefings, render cache off


def measure(sizes: list[int], workdir: Path) -> list[dict]:
    rows = []
    for size in sizes:
        content = content_for(size, workdir)
        database = workdir / f"map-index-{size}.sqlite3"
        database.unlink(missing_ok=True)  # a cold, full sync: an existing index would only be patched
        started = time.perf_counter()
        sync(content, f"sqlite:///{database}")
        sync_seconds = time.perf_counter() - started
        bundle, _problems = load_content(content)
        words = {briefing["number"]: document_terms(briefing) for briefing in bundle.briefings}
        step = []
        for _ in range(3):
            forget()  # a cold sync's cost: every list computed afresh
            started = time.perf_counter()
            related(words, bundle.tables["connection"])
            step.append(time.perf_counter() - started)
        print(f"  {size:>6,} briefings: full sync {sync_seconds:.2f} s, of which related briefings "
              f"{statistics.median(step):.2f} s (median of 3)", flush=True)
        rows.append({"briefings": size, "what": "sync (whole)", "seconds": sync_seconds})
        rows.append({"briefings": size, "what": "related-briefings step", "seconds": statistics.median(step)})
        app = create_app(Settings(content_dir=content, database_url=f"sqlite:///{database}", render_cache_size=0))
        for label, url in (
            ("explorer, page 1 (reference)", "/briefings/"),
            ("map, everything (capped)", "/briefings/map"),
            ("map, one category", "/briefings/map?category=Safety"),
            ("map by organization, key papers", "/briefings/map?lanes=organization&key=1"),
            ("concept index, page 1", "/briefings/concepts"),
            ("concept index, search", "/briefings/concepts?q=scaling"),
        ):
            times = request_times(app, url)
            row = {"briefings": size, "what": label, "url": url,
                   "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}
            rows.append(row)
            mark = ""
            if url == "/briefings/map" and size == 1000:
                mark = f"  target < {MAP_TARGET_MS:g} ms: {'PASS' if row['p50_ms'] < MAP_TARGET_MS else 'MISS'}"
            print(f"  {size:>6,}  {label:34} p50 {row['p50_ms']:7.2f} ms  p95 {row['p95_ms']:7.2f} ms{mark}",
                  flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    measure(args.sizes, args.workdir)


if __name__ == "__main__":
    main()
