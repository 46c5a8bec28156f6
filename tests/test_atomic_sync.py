"""A request during a sync sees the old content or the new, never a mix or an error."""

from __future__ import annotations

import sys
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from sqlite3 import OperationalError

import pytest

from portfolio.content import new_index, sync
from portfolio.content.file_swap import exchange, wait_for_removals
from tests.helpers import parse

ASL3 = "/briefings/54-activating-asl-3-protections"


def test_requests_during_repeated_syncs_see_whole_versions(app, client, content_dir):
    path = next((content_dir / "briefings").glob("054-*.md"))
    original = path.read_text("utf-8")
    versions = {
        "A": original.replace("## Summary\n", "## Summary\n\nVersion marker A.\n"),
        "B": original.replace("## Summary\n", "## Summary\n\nVersion marker B.\n"),
    }
    stop = threading.Event()
    errors: list[BaseException] = []

    def publish_repeatedly() -> None:
        try:
            while not stop.is_set():
                for text in versions.values():
                    path.write_text(text, "utf-8")
                    sync(content_dir, app.config["DATABASE_URL"])
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    publisher = threading.Thread(target=publish_repeatedly)
    path.write_text(versions["A"], "utf-8")
    sync(content_dir, app.config["DATABASE_URL"])
    publisher.start()
    seen: set[str] = set()
    deadline = time.monotonic() + 20
    requests = 0
    try:
        while (requests < 100 or seen != {"A", "B"}) and time.monotonic() < deadline:
            requests += 1
            time.sleep(0.002)
            response = client.get(ASL3)
            assert response.status_code == 200
            summary = parse(response).find("section").get_text()
            markers = {name for name in versions if f"Version marker {name}." in summary}
            assert len(markers) == 1, summary
            seen |= markers
    finally:
        stop.set()
        publisher.join()
    assert not errors
    assert seen == {"A", "B"}


def test_a_full_sync_that_fails_while_filling_search_keeps_the_live_index(app, client, content_dir, monkeypatch):
    """The FTS tables of a new index fill in a thread; its failure must reach the sync and undo it."""
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    sync(content_dir, app.config["DATABASE_URL"])
    before = client.get(ASL3).get_data()
    fill = new_index.NewIndex._fill

    def fill_without_the_staged_text(index):  # runs in the filling thread
        index.connection.exec_driver_sql(f"DROP TABLE {new_index.STAGED.briefings}")
        fill(index)

    monkeypatch.setattr(new_index.NewIndex, "_fill", fill_without_the_staged_text)
    path = next((content_dir / "briefings").glob("054-*.md"))
    path.write_text(path.read_text("utf-8").replace("## Summary\n", "## Summary\n\nNot published.\n"), "utf-8")
    with pytest.raises(OperationalError, match="no such table"):
        sync(content_dir, app.config["DATABASE_URL"], full=True)
    assert client.get(ASL3).get_data() == before
    assert not list(database.parent.glob(f"{database.name}.building-*"))


def test_a_new_index_has_the_statistics_a_whole_analyze_gives(content_dir, tmp_path):
    """Tables complete early are analysed in the filling thread, the rest at the end: together
    the planner must see what one ANALYZE of the finished file would give it."""
    database = tmp_path / "index.sqlite3"
    sync(content_dir, f"sqlite:///{database}", full=True)
    with sqlite3.connect(database) as connection:
        written = sorted(connection.execute("SELECT * FROM sqlite_stat1"))
        connection.execute("DELETE FROM sqlite_stat1")
        connection.execute("ANALYZE")
        assert sorted(connection.execute("SELECT * FROM sqlite_stat1")) == written
    assert {row[0] for row in written} >= {"briefing", "concept", "source_file", "related_briefing", "connection"}


def open_handles_to(directory: Path) -> list[str]:
    """What this process's open file descriptors point to under ``directory`` (Linux /proc)."""
    links = []
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            target = str(descriptor.readlink())
        except OSError:  # closed while listing (the listing's own descriptor)
            continue
        if target.startswith(str(directory)):
            links.append(target)
    return links


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc to list open files")
def test_a_replaced_index_is_deleted_and_not_held_open(content_dir, tmp_path):
    """A full sync leaves the file it replaced to a thread to delete: once it has, no copy of an
    old index may remain, under any name or as an open handle (each would keep 235 MB of disk)."""
    database = tmp_path / "index.sqlite3"
    for _ in range(3):
        sync(content_dir, f"sqlite:///{database}", full=True)
    wait_for_removals()
    assert open_handles_to(tmp_path) == []
    assert not list(tmp_path.glob("index.sqlite3.building-*"))


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux's")
def test_exchange_swaps_two_files_in_one_step(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text("new index")
    second.write_text("live index")
    assert exchange(first, second)
    assert (first.read_text(), second.read_text()) == ("live index", "new index")
    assert not exchange(first, tmp_path / "missing")  # nothing to swap with: put_in_place renames instead


def test_a_directory_where_the_index_goes_stops_the_sync_and_is_left_alone(content_dir, tmp_path):
    database = tmp_path / "index.sqlite3"
    database.mkdir()
    (database / "notes.txt").write_text("not an index")
    with pytest.raises(IsADirectoryError):
        sync(content_dir, f"sqlite:///{database}", full=True)
    wait_for_removals()
    assert (database / "notes.txt").read_text() == "not an index"
    assert not list(tmp_path.glob("index.sqlite3.building-*"))


@pytest.mark.parametrize("full", [True, False])
def test_a_sync_deletes_files_an_interrupted_sync_left_behind(content_dir, tmp_path, full):
    """A sync killed while building (or before its thread deleted the old index) leaves a
    ``.building-<pid>`` file; the next sync, holding the lock, knows no other sync is building."""
    database = tmp_path / "index.sqlite3"
    sync(content_dir, f"sqlite:///{database}")
    left = [tmp_path / "index.sqlite3.building-4242", tmp_path / "index.sqlite3.building-7"]
    for path in left:
        path.write_bytes(b"half an index" * 1000)
    unrelated = tmp_path / "other.sqlite3.building-4242"
    unrelated.write_bytes(b"not ours")
    result = sync(content_dir, f"sqlite:///{database}", full=full)
    wait_for_removals()
    assert result.incremental is not full
    assert not any(path.exists() for path in left)
    assert unrelated.read_bytes() == b"not ours"
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM briefing").fetchone()[0] == result.briefings
