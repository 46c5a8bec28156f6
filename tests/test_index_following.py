"""A running app follows the index file: a sync anywhere is seen on the next request, and an
unchanged index costs a request no system call (under gunicorn's threads each one hands the
GIL to another thread, which the HTTP benchmark measured at tens of µs per request)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portfolio.content import IndexState, sync
from tests.helpers import make_app, parse, set_front_matter

state_module = sys.modules[IndexState.__module__]  # the package's ``state`` name is the accessor

BRIEFING = "/briefings/54-activating-asl-3-protections"


def title_of(client: FlaskClient) -> str:
    return parse(client.get(BRIEFING)).find("h1").get_text(strip=True)


@pytest.fixture
def stats(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every look at the index file on disk by a running app."""
    seen: list[Path] = []
    original = IndexState.file_identity

    def counting(self: IndexState) -> tuple[int, int] | None:
        seen.append(self.db_path)
        return original(self)

    monkeypatch.setattr(IndexState, "file_identity", counting)
    return seen


def test_an_unchanged_index_is_not_looked_at_on_disk_per_request(client: FlaskClient, stats: list[Path]) -> None:
    for _ in range(3):
        client.get(BRIEFING)
    stats.clear()
    for _ in range(20):
        assert client.get(BRIEFING).status_code == 200
    assert stats == []


def test_a_sync_from_elsewhere_is_seen_on_the_next_request(app: Flask, client: FlaskClient, content_dir: Path,
                                                            stats: list[Path]) -> None:
    for _ in range(3):
        title_of(client)
    set_front_matter(content_dir, 54, title="Activating ASL-3 Safeguards")
    sync(content_dir, app.config["DATABASE_URL"])  # as `flask content sync` in another process would
    assert client.get(BRIEFING).status_code == 301  # the briefing's address follows its new title
    assert stats, "the sync moved the hint, so the file was looked at"
    stats.clear()
    client.get(BRIEFING)
    client.get(BRIEFING)
    assert len(stats) <= 1


def test_an_index_copied_over_the_live_one_is_seen_within_the_restat_interval(
        app: Flask, client: FlaskClient, content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        title_of(client)
    other_content = tmp_path / "other-content"
    shutil.copytree(content_dir, other_content)
    set_front_matter(other_content, 54, title="A title from a copied index")
    sync(other_content, f"sqlite:///{tmp_path / 'other.sqlite3'}")
    live = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    os.replace(tmp_path / "other.sqlite3", live)  # an operator's copy, not a sync: the hint did not move
    later = state_module.monotonic() + state_module.RESTAT_SECONDS + 1
    monkeypatch.setattr(state_module, "monotonic", lambda: later)
    assert client.get("/briefings/54-a-title-from-a-copied-index").status_code == 200
    assert client.get(BRIEFING).status_code == 301


def test_an_app_without_a_hint_file_still_follows_the_index(app: Flask, client: FlaskClient, content_dir: Path) -> None:
    live = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    for hint in live.parent.glob(f"{live.name}.generation"):
        hint.unlink()
    fresh = make_app(content_dir, live, sync_first=False)
    fresh_client = fresh.test_client()
    assert fresh_client.get(BRIEFING).status_code == 200
    set_front_matter(content_dir, 54, title="Activating ASL-3 Safeguards")
    sync(content_dir, app.config["DATABASE_URL"])
    assert fresh_client.get(BRIEFING).status_code == 301
