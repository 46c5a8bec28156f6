"""``content sync`` wall time for synthetic content of N briefings (target: 10,000 in under 5 s).

Each sync runs in a fresh interpreter, as ``flask content sync`` would, so imports are not
shared between runs; the time printed is the sync itself (read, validate, render, write).

    python -m bench.sync_time 1000 10000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from portfolio.config import REPO_ROOT

from .common import content_for

TIMED_SYNC = """
import json, sys
from portfolio.content.sync import sync
result = sync(sys.argv[1], "sqlite:///" + sys.argv[2], full=True)  # cold: never patch an earlier run's index
print(json.dumps({"seconds": result.seconds, "briefings": result.briefings}))
"""


def timed_sync(content: Path, database: Path) -> float:
    result = subprocess.run([sys.executable, "-c", TIMED_SYNC, str(content), str(database)], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True, timeout=600)
    return float(json.loads(result.stdout.splitlines()[-1])["seconds"])


def measure(counts: list[int], workdir: Path) -> list[dict]:
    rows = []
    for count in counts:
        content = content_for(count, workdir)
        database = workdir / f"index-{count}.sqlite3"
        seconds = timed_sync(content, database)
        rows.append({"briefings": count, "seconds": seconds, "content": str(content), "database": str(database)})
        print(f"  sync of {count:,} briefings: {seconds:.2f} s", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    measure(args.counts, args.workdir)


if __name__ == "__main__":
    main()
