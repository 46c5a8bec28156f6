"""The owner's edit loop at N briefings: save one file, then the next request shows it.

A development app (``make run``) over a copy of synthetic content: each edit changes one
briefing's title, and the time is from the save until a request for its page answers with the
new title (that request notices the edit, syncs and renders). The first request after the start
builds with no parse kept yet; later edits reuse every unchanged file's parse. Target: under
0.5 s at 1,000 briefings (the median of the later edits).

    python -m bench.edit [--count 1000] [--edits 9] [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import time
from pathlib import Path

from flask import Flask
from werkzeug.test import EnvironBuilder

from portfolio import create_app
from portfolio.config import Settings

from .common import content_for


def get(app: Flask, path: str) -> tuple[str, str]:
    environ = EnvironBuilder(path=path, base_url="http://127.0.0.1/").get_environ()
    status: list[str] = []
    body = app(environ, lambda s, h, e=None: status.append(s))
    try:
        return status[0], b"".join(body).decode()
    finally:
        getattr(body, "close", lambda: None)()


def measure(count: int, edits: int, workdir: Path) -> dict[str, float]:
    content = workdir / f"edit-content-{count}"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(content_for(count, workdir), content)
    database = workdir / f"edit-index-{count}.sqlite3"
    database.unlink(missing_ok=True)
    app = create_app(Settings(env="development", content_dir=content, database_url=f"sqlite:///{database}"))
    started = time.perf_counter()
    get(app, "/")
    first = time.perf_counter() - started
    files = sorted((content / "briefings").glob("*.md"))
    seconds = []
    for edit in range(edits):
        path = files[(edit + 1) * len(files) // (edits + 2)]
        number = int(re.search(r"(?m)^number: (\d+)$", path.read_text("utf-8"))[1])
        title = f"Edited Title {edit}"
        text = re.sub(r"(?m)^title: .*$", f"title: {title}", path.read_text("utf-8"), count=1)
        started = time.perf_counter()
        path.write_text(text, "utf-8")
        status, body = get(app, f"/briefings/{number}-edited-title-{edit}")
        seconds.append(time.perf_counter() - started)
        if not status.startswith("200") or title not in body:
            raise RuntimeError(f"edit {edit} not visible: {status}")
    median = statistics.median(seconds)
    print(f"  {count:,} briefings: first build on start {first:.2f} s; an edit visible on the next request: "
          f"median {median * 1000:.0f} ms (runs: {', '.join(f'{s * 1000:.0f}' for s in seconds)} ms)")
    return {"briefings": count, "start_s": first, "edit_median_s": median}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=9)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    measure(args.count, args.edits, args.workdir)


if __name__ == "__main__":
    main()
