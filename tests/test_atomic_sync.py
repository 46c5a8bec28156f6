"""A sync writes a new index and puts it in place: a request sees the old content or the new, never a
mix or an error; a failed sync changes nothing; a corrupt index is a 503 until the next sync."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from portfolio.content import index, sync
from tests.helpers import make_app, parse

ASL3 = "/briefings/54-activating-ai-safety-level-3-protections"


def database_of(app) -> Path:
    return Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))


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


def test_a_sync_that_changes_every_file_under_concurrent_requests_answers_no_5xx(app, content_dir):
    paths = sorted((content_dir / "briefings").glob("*.md"))
    statuses: list[int] = []
    stop = threading.Event()

    def visit() -> None:
        with app.test_client() as client:
            while not stop.is_set():
                for url in ("/briefings/?q=model", ASL3, "/briefings/map", "/briefings/concepts", "/"):
                    statuses.append(client.get(url).status_code)

    visitors = [threading.Thread(target=visit) for _ in range(4)]
    for visitor in visitors:
        visitor.start()
    try:
        for round_ in range(3):
            for path in paths:
                path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\nEdit {round_}.\n", "utf-8")
            sync(content_dir, app.config["DATABASE_URL"])
    finally:
        stop.set()
        for visitor in visitors:
            visitor.join()
    assert len(statuses) > 50
    assert set(statuses) == {200}
    with app.test_client() as client:
        assert "Edit 2." in client.get(ASL3).get_data(as_text=True)


def test_a_sync_that_fails_while_writing_keeps_the_live_index(app, client, content_dir, monkeypatch):
    before = client.get(ASL3).get_data()
    written = index.insert_rows

    def fail_halfway(connection, bundle):
        written(connection, bundle)
        raise OSError("disk full")

    monkeypatch.setattr(index, "insert_rows", fail_halfway)
    path = next((content_dir / "briefings").glob("054-*.md"))
    path.write_text(path.read_text("utf-8").replace("## Summary\n", "## Summary\n\nNot published.\n"), "utf-8")
    with pytest.raises(OSError, match="disk full"):
        sync(content_dir, app.config["DATABASE_URL"])
    assert client.get(ASL3).get_data() == before
    database = database_of(app)
    assert not list(database.parent.glob(f"{database.name}.building-*"))


def test_a_sync_deletes_files_an_interrupted_sync_left_behind(app, content_dir):
    database = database_of(app)
    leftover = database.with_name(f"{database.name}.building-99999")
    leftover.write_bytes(b"half an index")
    sync(content_dir, app.config["DATABASE_URL"])
    assert not leftover.exists()


def test_a_directory_where_the_index_goes_stops_the_sync_and_is_left_alone(content_dir, tmp_path):
    database = tmp_path / "index.sqlite3"
    (database / "keep").mkdir(parents=True)
    with pytest.raises(OSError):
        sync(content_dir, f"sqlite:///{database}")
    assert (database / "keep").is_dir()


def test_a_sync_from_elsewhere_is_seen_on_the_next_request(app, client, content_dir):
    assert client.get(ASL3).status_code == 200
    path = next((content_dir / "briefings").glob("054-*.md"))
    path.write_text(path.read_text("utf-8").replace("## Summary\n", "## Summary\n\nSynced by the CLI.\n"), "utf-8")
    sync(content_dir, app.config["DATABASE_URL"])  # another process, as far as the app can tell
    assert "Synced by the CLI." in client.get(ASL3).get_data(as_text=True)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_index_is_a_503_until_the_next_sync_repairs_it(app, client, content_dir, damage):
    assert client.get(ASL3).status_code == 200
    database = database_of(app)
    data = database.read_bytes()
    database.write_bytes(b"not an index " * 1000 if damage == "garbage" else data[: len(data) // 3])
    for path in (ASL3, "/briefings/", "/", "/sitemap.xml", "/healthz"):
        assert client.get(path).status_code == 503, path
    sync(content_dir, app.config["DATABASE_URL"])
    assert client.get(ASL3).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_an_index_deleted_under_a_running_app_is_a_503(app, client, content_dir, tmp_path):
    assert client.get("/").status_code == 200
    database_of(app).unlink()
    assert client.get("/").status_code == 503
    other = make_app(content_dir, tmp_path / "other.sqlite3")
    assert other.test_client().get("/").status_code == 200
