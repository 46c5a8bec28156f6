"""``content sync`` wall time for synthetic content of N briefings (target: 10,000 in under 5 s).

Each sync runs in a fresh interpreter, as ``flask content sync`` would, so imports are not
shared between runs; the time printed is the sync itself (read, validate, render, write), and
beside it the CPU time of that interpreter and its parse workers (which moves less than the
wall time when the machine is busy).
``--phases`` also prints when each step of the last size's sync ended, seconds from its start.
``--against TREE`` alternates syncs of this tree with syncs of another checkout (in this
interpreter, importing that tree's code) on the same content, ``--runs`` times each, and prints
both medians and the median of the pairwise ratios: this VM's speed moves by a quarter from
one few minutes to the next, so a ratio from the same minutes is the figure to trust.

    python -m bench.sync_time 1000 10000
    python -m bench.sync_time 10000 --phases
    git worktree add /tmp/before HEAD~3 && python -m bench.sync_time 10000 --against /tmp/before --runs 8
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from portfolio.config import REPO_ROOT

from .common import content_for

TIMED_SYNC = """
import json, sys, time
from portfolio.content.sync import sync
steps = []
if sys.argv[3:] == ["--phases"]:
    import importlib
    started = time.perf_counter()
    def timed(module, name):
        *owners, attribute = name.split(".")
        owner = importlib.import_module(module)
        for part in owners:
            owner = getattr(owner, part)
        inner = getattr(owner, attribute)
        def step(*args, **kwargs):
            result = inner(*args, **kwargs)
            steps.append((name, time.perf_counter() - started))
            return result
        setattr(owner, attribute, step)
    for module, name in PHASES:
        timed(module, name)
import resource
result = sync(sys.argv[1], "sqlite:///" + sys.argv[2], full=True)  # cold: never patch an earlier run's index
cpu = sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
          for field in ("ru_utime", "ru_stime"))
print(json.dumps({"seconds": result.seconds, "briefings": result.briefings, "steps": steps, "cpu": cpu}))
"""
# Steps of a cold sync, as (module, function): each is timed where the sync looks it up.
PHASES = [
    ("portfolio.content.loader", "read_files"),  # parse every file (workers); write each briefing's and file's rows
    ("portfolio.content.loader", "cross_check"),
    ("portfolio.content.loader", "derive"),  # whole-set rows: connections, related briefings, cite keys
    ("portfolio.content.new_index", "NewIndex._wait"),  # the FTS tables filled and analysed by their thread
    ("portfolio.content.new_index", "write_whole_tables"),
    ("portfolio.content.new_index", "NewIndex.finish"),  # and ANALYZE of the rest, commit
    ("portfolio.content.sync", "write_new_index"),  # and the new file swapped in for the old one
]


def timed_sync(content: Path, database: Path, phases: bool = False, tree: Path = REPO_ROOT) -> dict:
    """One cold sync in a fresh interpreter; ``python -c`` imports ``portfolio`` from ``tree`` (its cwd)."""
    code = TIMED_SYNC.replace("PHASES", repr(PHASES))
    command = [sys.executable, "-c", code, str(content), str(database), *(["--phases"] if phases else [])]
    result = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(result.stdout.splitlines()[-1])


def compare(counts: list[int], workdir: Path, against: Path, runs: int) -> None:
    """Cold syncs of the other tree and this one, alternating, on the same content."""
    for count in counts:
        content = content_for(count, workdir)
        theirs, ours = [], []
        for _ in range(runs):
            theirs.append(timed_sync(content, workdir / f"index-{count}-against.sqlite3", tree=against)["seconds"])
            ours.append(timed_sync(content, workdir / f"index-{count}.sqlite3")["seconds"])
        ratio = statistics.median(mine / other for other, mine in zip(theirs, ours))
        print(f"  sync of {count:,} briefings, {runs} runs each, medians: {against} {_spread(theirs)}, "
              f"this tree {_spread(ours)}; this ÷ that {ratio:.2f} (median of the pairwise ratios)", flush=True)


def _spread(seconds: list[float]) -> str:
    return f"{statistics.median(seconds):.2f} s ({min(seconds):.2f}–{max(seconds):.2f})"


def measure(counts: list[int], workdir: Path, phases: bool = False) -> list[dict]:
    rows = []
    for count in counts:
        content = content_for(count, workdir)
        database = workdir / f"index-{count}.sqlite3"
        timed = timed_sync(content, database, phases and count == counts[-1])
        seconds = float(timed["seconds"])
        rows.append({"briefings": count, "seconds": seconds, "cpu_seconds": timed["cpu"], "content": str(content),
                     "database": str(database)})
        print(f"  sync of {count:,} briefings: {seconds:.2f} s ({timed['cpu']:.1f} s of CPU in all its processes,"
              " imports included)", flush=True)
        for name, at in timed["steps"]:
            print(f"    {at:6.2f} s  {name} done", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    parser.add_argument("--phases", action="store_true", help="when each step of the last sync ended")
    parser.add_argument("--against", type=Path, help="another checkout of this repository to alternate with")
    parser.add_argument("--runs", type=int, default=8, help="syncs of each tree with --against")
    args = parser.parse_args()
    if args.against and not (args.against / "portfolio" / "content" / "sync.py").is_file():
        parser.error(f"--against {args.against}: not a checkout of this repository")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.against:
        compare(args.counts, args.workdir, args.against.resolve(), args.runs)
    else:
        measure(args.counts, args.workdir, args.phases)


if __name__ == "__main__":
    main()
