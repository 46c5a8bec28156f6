"""A large sync parses briefings in a process pool; what it finds must not depend on that.

The comparison runs in a fresh interpreter: the pool only forks from a single-threaded
process, and a test session may have server threads running.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio.config import REPO_ROOT
from portfolio.content import briefings, sync
from tests.helpers import index_contents, search_answers

# Starts each script below: the process pools the parse starts are counted.
COUNTING_POOL = """
import json, sys
from portfolio.content import briefings

pools = []
real_pool = briefings.ProcessPoolExecutor

def counting_pool(*args, **kwargs):
    pools.append(1)
    return real_pool(*args, **kwargs)

briefings.ProcessPoolExecutor = counting_pool
"""

COMPARE = COUNTING_POOL + """
from portfolio.content.loader import load_content

def published(bundle):
    return (bundle.site, bundle.pages, bundle.projects, bundle.briefings, bundle.tables, bundle.version)

briefings.PARALLEL_FROM = 10**9
serial = load_content(sys.argv[1])
briefings.PARALLEL_FROM = 1
parallel = load_content(sys.argv[1])
print(json.dumps({
    "pool_used": bool(pools),
    "same_bundle": published(parallel[0]) == published(serial[0]),
    "same_problems": parallel[1] == serial[1],
    "problems": [str(problem) for problem in parallel[1]],
    "briefings": len(parallel[0].briefings),
}))
"""

FULL_SYNC_WITH_WORKERS = COUNTING_POOL + """
from portfolio.content import sync

briefings.PARALLEL_FROM = 1
sync(sys.argv[1], "sqlite:///" + sys.argv[2], full=True)
print("pool used" if pools else "no pool")
"""


def compare_serial_and_parallel(content_dir: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", COMPARE, str(content_dir)], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def test_parallel_parse_gives_the_same_bundle(content_dir: Path) -> None:
    outcome = compare_serial_and_parallel(content_dir)
    assert outcome["pool_used"]
    assert outcome["same_bundle"] and outcome["same_problems"]
    assert outcome["problems"] == [] and outcome["briefings"] > 50


def test_parallel_parse_reports_the_same_problems(content_dir: Path) -> None:
    first, second = sorted((content_dir / "briefings").glob("*.md"))[:2]
    first.write_text("---\nnumber: [\n---\n", "utf-8")
    second.write_text(second.read_text("utf-8").replace("## Summary", "## Sumary"), "utf-8")
    outcome = compare_serial_and_parallel(content_dir)
    assert outcome["pool_used"]
    assert outcome["same_problems"]
    named = {problem.split(":")[0] for problem in outcome["problems"]}
    assert {f"briefings/{first.name}", f"briefings/{second.name}"} <= named


def test_a_new_index_built_by_workers_is_the_index_built_in_one_process(content_dir: Path, tmp_path: Path) -> None:
    """Workers send a new index each briefing's rows (not its record): the file must hold what
    a sync parsing everything in one process writes, row for row and search for search."""
    serial, parallel = tmp_path / "serial.sqlite3", tmp_path / "parallel.sqlite3"
    sync(content_dir, f"sqlite:///{serial}", full=True)  # 55 briefings: under PARALLEL_FROM, no pool
    result = subprocess.run([sys.executable, "-c", FULL_SYNC_WITH_WORKERS, str(content_dir), str(parallel)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split("\n")[-2] == "pool used"
    assert index_contents(parallel) == index_contents(serial)
    assert search_answers(parallel) == search_answers(serial)


@pytest.mark.parametrize("count", [1, 39, 41, 55, 10_000])
def test_the_parts_given_to_workers_cover_every_file_in_order_and_shrink(count: int) -> None:
    files = [(f"briefings/{index:05}.md", None) for index in range(count)]
    parts = list(briefings.shrinking_parts(files, 2))
    assert [work for part in parts for work in part] == files
    sizes = [len(part) for part in parts]
    assert sizes == sorted(sizes, reverse=True) and min(sizes) >= 1
    assert sizes[-1] <= briefings.SMALLEST_PART  # a small last part: the workers end together
    assert max(sizes) <= briefings.LARGEST_PART  # each part's results one message of bounded size
