"""Run every benchmark in turn (``make bench``); each prints its figures beside its target.

1. a cold build of 1,000 and 10,000 synthetic briefings   (bench/build.py)
2. the owner's edit loop at 1,000                          (bench/edit.py)
3. server time per view at 1,000 and 10,000                (bench/server_time.py)
4. HTTP: behind deploy/nginx against nginx static files    (bench/http.py; needs wrk and nginx)
5. the weight of a first view of the explorer              (bench/page_weight.py)

    python -m bench.run [--quick] [--skip-http] [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from . import build, edit, http, page_weight, server_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    parser.add_argument("--quick", action="store_true", help="fewer rounds and shorter runs, to try them out")
    parser.add_argument("--skip-http", action="store_true", help="leave out the wrk runs (no wrk or nginx)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rounds = 1 if args.quick else 3
    if args.quick:
        server_time.SECONDS_PER_PAGE = 0.5
    print(f"Portfolio benchmarks, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print("\n[1/5] cold build")
    build.report(build.measure([1000, 10000], rounds, args.workdir))
    print("\n[2/5] edit loop")
    edit.measure(1000, 9, args.workdir)
    print("\n[3/5] server time")
    for size in (1000, 10000):
        server_time.measure(size, args.workdir)
    if not args.skip_http:
        print("\n[4/5] HTTP")
        http.measure(args.workdir, 2.0 if args.quick else 4.0, rounds)
    print("\n[5/5] page weight")
    page_weight.measure()


if __name__ == "__main__":
    main()
