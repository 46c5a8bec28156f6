"""A full cold build (``content sync``) of N synthetic briefings, each in a fresh interpreter.

Targets: 1,000 briefings in under 2 s; 10,000 in at most 12 times the 1,000 build. Sizes are
run in turn, round after round, so a slow minute of the machine hits every size alike; the
figures are medians over the rounds, and the ratio is the median of each round's own ratio.

    python -m bench.build [--sizes 1000 10000] [--rounds 3] [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from portfolio.config import REPO_ROOT

from .common import clean_environment, content_for

ONE_BUILD = """
import json, sys, time
from portfolio.content import sync
started = time.perf_counter()
result = sync(sys.argv[1], "sqlite:///" + sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - started, "briefings": result.briefings}))
"""


def cold_build(content: Path, database: Path) -> float:
    database.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", ONE_BUILD, str(content), str(database)], cwd=REPO_ROOT,
                          env=clean_environment(), capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout)["seconds"])


def measure(sizes: list[int], rounds: int, workdir: Path) -> dict[int, list[float]]:
    contents = {size: content_for(size, workdir) for size in sizes}
    times: dict[int, list[float]] = {size: [] for size in sizes}
    for round_ in range(rounds):
        for size in sizes if round_ % 2 == 0 else reversed(sizes):
            times[size].append(cold_build(contents[size], workdir / f"build-{size}.sqlite3"))
    return times


def report(times: dict[int, list[float]]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for size, seconds in times.items():
        figures[f"build_{size}_s"] = statistics.median(seconds)
        print(f"  cold build, {size:>6,} briefings: median {statistics.median(seconds):.2f} s "
              f"(runs: {', '.join(f'{s:.2f}' for s in seconds)})")
    if 1000 in times and 10000 in times:
        ratio = statistics.median(big / small for small, big in zip(times[1000], times[10000]))
        figures["build_ratio"] = ratio
        print(f"  10,000 / 1,000: median ratio {ratio:.1f} (target at most 12)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    report(measure(args.sizes, args.rounds, args.workdir))


if __name__ == "__main__":
    main()
