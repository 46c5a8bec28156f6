"""A large sync parses briefings in a process pool; what it finds must not depend on that.

The comparison runs in a fresh interpreter: the pool only forks from a single-threaded
process, and a test session may have server threads running.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from portfolio.config import REPO_ROOT

COMPARE = """
import json, sys
from portfolio.content import briefings
from portfolio.content.loader import load_content

def published(bundle):
    return (bundle.site, bundle.pages, bundle.projects, bundle.briefings, bundle.tables, bundle.version)

briefings.PARALLEL_FROM = 10**9
serial = load_content(sys.argv[1])
pools = []
real_pool = briefings.ProcessPoolExecutor

def counting_pool(*args, **kwargs):
    pools.append(1)
    return real_pool(*args, **kwargs)

briefings.ProcessPoolExecutor = counting_pool
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
