"""An incremental sync gives the same index as a full one, after any sequence of edits.

Random edit sequences (retitle, retag, add, delete, renumber, touch, draft, edit a page) are
applied to a copy of the bundled content; after each one the index kept up to date
incrementally (once with what the previous sync in this process wrote, as the development
server keeps it, once reading the parses back from the index, as `content sync` does) must
hold the same rows and answer full-text searches the same way as an index built from nothing.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio.config import REPO_ROOT
from portfolio.content import ContentError, sync
from tests.helpers import index_contents, search_answers

WORDS = ["Scaling", "Reward", "Models", "Interpretability", "Debate", "Sparse", "Agents", "Policy"]

edit = st.one_of(
    st.tuples(st.just("retitle"), st.integers(0, 999), st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)),
    st.tuples(st.just("retag"), st.integers(0, 999), st.sampled_from(["[Paper]", "[Policy]", "[Paper, Policy]"])),
    st.tuples(st.just("add"), st.integers(0, 999), st.integers(60, 90)),
    st.tuples(st.just("delete"), st.integers(0, 999), st.just(0)),
    st.tuples(st.just("renumber"), st.integers(0, 999), st.integers(60, 90)),
    st.tuples(st.just("touch"), st.integers(0, 999), st.just(0)),
    st.tuples(st.just("draft"), st.integers(0, 999), st.booleans()),
    st.tuples(st.just("about"), st.just(0), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)),
)


class Clock:
    """Distinct, increasing modification times in the past, as edits seconds apart would leave."""

    def __init__(self) -> None:
        self.now = 1_700_000_000 * 10**9

    def stamp(self, path: Path) -> None:
        self.now += 10**9
        os.utime(path, ns=(self.now, self.now))


def apply(content: Path, clock: Clock, operation: tuple[str, int, Any]) -> None:
    kind, pick, value = operation
    files = sorted((content / "briefings").glob("*.md"))
    path = files[pick % len(files)]
    text = path.read_text("utf-8")
    if kind == "retitle":
        path.write_text(re.sub(r"(?m)^title: .*$", f"title: {' '.join(value)}", text, count=1), "utf-8")
    elif kind == "retag":
        path.write_text(re.sub(r"(?m)^tags: .*$", f"tags: {value}", text, count=1), "utf-8")
    elif kind == "add":
        path = content / "briefings" / f"{value:03d}-added.md"
        path.write_text(re.sub(r"(?m)^number: .*$", f"number: {value}", text, count=1), "utf-8")
    elif kind == "delete":
        path.unlink()
        return
    elif kind == "renumber":
        path.write_text(re.sub(r"(?m)^number: .*$", f"number: {value}", text, count=1), "utf-8")
    elif kind == "draft":
        text = re.sub(r"(?m)^draft: .*\n", "", text)
        path.write_text(text.replace("\n---\n", f"\ndraft: {'true' if value else 'false'}\n---\n", 1), "utf-8")
    elif kind == "about":
        path = content / "about.md"
        about = path.read_text("utf-8")
        path.write_text(re.sub(r"(?m)^title: .*$", f"title: {' '.join(value)}", about, count=1), "utf-8")
    clock.stamp(path)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("incremental")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(edit, min_size=1, max_size=6))
def test_incremental_sync_equals_full_sync(workspace: Path, monkeypatch: pytest.MonkeyPatch, operations) -> None:
    monkeypatch.setattr("portfolio.content.loader.RACY_NS", 0)  # the clock below spaces edits apart
    shutil.rmtree(workspace, ignore_errors=True)
    content = workspace / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    clock = Clock()
    for path in content.rglob("*"):
        if path.is_file():
            clock.stamp(path)
    kept, reread = (f"sqlite:///{workspace / name}" for name in ("kept.sqlite3", "reread.sqlite3"))
    memory = sync(content, kept).written
    sync(content, reread)
    for number, operation in enumerate(operations):
        apply(content, clock, operation)
        full = workspace / f"full-{number}.sqlite3"
        outcomes = []
        for url, kwargs in ((f"sqlite:///{full}", {"full": True}), (kept, {"memory": memory}), (reread, {})):
            try:
                result = sync(content, url, **kwargs)
                outcomes.append(("ok", result.version, result.incremental))
                if url == kept:
                    memory = result.written
            except ContentError as error:
                outcomes.append(("refused", error.problems, None))
        assert [outcome[:2] for outcome in outcomes[1:]] == [outcomes[0][:2]] * 2
        if outcomes[0][0] == "ok":
            assert outcomes[1][2] and outcomes[2][2], "both later syncs patched the live index"
            expected_rows, expected_searches = index_contents(full), search_answers(full)
            for database in (workspace / "kept.sqlite3", workspace / "reread.sqlite3"):
                assert index_contents(database) == expected_rows
                assert search_answers(database) == expected_searches


@pytest.mark.parametrize("full", [True, False])
def test_the_parses_a_sync_keeps_for_the_next_hold_no_rows(content_dir, tmp_path, full):
    """Once written, a briefing's row and stored form live in the index: what the process keeps
    for its next sync holds neither (at 10,000 that is about 10 KB a briefing)."""
    database = f"sqlite:///{tmp_path / 'index.sqlite3'}"
    sync(content_dir, database)
    path = next((content_dir / "briefings").glob("054-*.md"))
    path.write_text(path.read_text("utf-8").replace("## Summary\n", "## Summary\n\nEdited.\n"), "utf-8")
    kept = sync(content_dir, database, full=full).written.cache
    assert kept and all(remembered.stored is None for remembered in kept.values())
    briefings = [remembered.parsed for remembered in kept.values() if remembered.source.kind == "briefing"]
    assert briefings and all(parsed.record == {} for parsed in briefings)
