"""A large sync parses briefings in a process pool; what it finds must not depend on that."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from portfolio.content import briefings
from portfolio.content.loader import load_content


@pytest.fixture
def pool_used(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Parse in parallel from the first file, and record each pool that is started."""
    if threading.active_count() > 1:
        pytest.skip("the pool only forks from a single-threaded process")
    started: list[int] = []
    real_pool = briefings.ProcessPoolExecutor

    def counting_pool(*args, **kwargs):
        started.append(1)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(briefings, "PARALLEL_FROM", 1)
    monkeypatch.setattr(briefings, "ProcessPoolExecutor", counting_pool)
    return started


def test_parallel_parse_gives_the_same_bundle(content_dir: Path, pool_used: list[int]) -> None:
    with pytest.MonkeyPatch.context() as serial:
        serial.setattr(briefings, "PARALLEL_FROM", 10**9)
        expected = load_content(content_dir)
    assert not pool_used
    assert load_content(content_dir) == expected
    assert pool_used


def test_parallel_parse_reports_the_same_problems(content_dir: Path, pool_used: list[int]) -> None:
    first = sorted((content_dir / "briefings").glob("*.md"))[0]
    first.write_text("---\nnumber: [\n---\n", "utf-8")
    second = sorted((content_dir / "briefings").glob("*.md"))[1]
    second.write_text(second.read_text("utf-8").replace("## Summary", "## Sumary"), "utf-8")
    with pytest.MonkeyPatch.context() as serial:
        serial.setattr(briefings, "PARALLEL_FROM", 10**9)
        _, expected = load_content(content_dir)
    _, problems = load_content(content_dir)
    assert pool_used
    assert problems == expected
    assert {problem.path for problem in problems} >= {f"briefings/{first.name}", f"briefings/{second.name}"}
