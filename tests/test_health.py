"""/healthz tells the truth, and a broken index never becomes a 500.

What a load balancer and an operator check: 200 only when the index opens and is sound; 503 when
the site cannot serve its content (and every page is then a 503, not a 500); 200 with a warning
when the last publish was refused and the last good content is served; any Host is answered.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import make_app, set_front_matter

PAGES = ["/", "/about", "/briefings/", "/briefings/54-activating-ai-safety-level-3-protections", "/briefings/map",
         "/sitemap.xml", "/briefings/feed.xml", "/projects/", "/llms.txt"]


def health(client: FlaskClient, host: str = "localhost") -> tuple[int, dict]:
    response = client.get("/healthz", headers={"Host": host})
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
    assert "no-store" in response.headers["Cache-Control"]
    return response.status_code, response.get_json()


def assert_site_unavailable(client: FlaskClient) -> None:
    for path in PAGES:
        assert client.get(path).status_code == 503, path
    status, body = health(client)
    assert status == 503 and body["status"] == "unavailable", body
    assert body["reason"]


def test_a_sound_index_is_healthy(client: FlaskClient) -> None:
    status, body = health(client)
    assert status == 200 and body["status"] == "ok"
    assert body["briefings"] > 0 and body["content_version"]
    assert "warning" not in body


def test_a_missing_index_is_503_everywhere(content_dir: Path, tmp_path: Path) -> None:
    app = make_app(content_dir, tmp_path / "never.sqlite3", sync_first=False)
    assert_site_unavailable(app.test_client())


def overwrite_middle(path: Path, keep_time: bool) -> None:
    """Garbage over the middle of the file, as a failing disk or a stray writer would leave it."""
    info = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(info.st_size // 3)
        handle.write(os.urandom(info.st_size // 3))
    if keep_time:
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_a_corrupt_index_gives_503_and_a_failing_health_check(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    assert client.get("/briefings/").status_code == 200  # the sound index is open
    overwrite_middle(tmp_path / "index.sqlite3", keep_time=False)
    assert_site_unavailable(client)


def test_corruption_the_file_stamp_does_not_show_is_never_a_500(app: Flask, tmp_path: Path) -> None:
    # Same size and time: a worker cannot tell from the stat. A page that reads a broken part is a
    # 503 (not a 500); the health check reads the whole file and fails, and from then on every page is a 503.
    client = app.test_client()
    assert client.get("/briefings/").status_code == 200
    overwrite_middle(tmp_path / "index.sqlite3", keep_time=True)
    for path in PAGES:
        assert client.get(path).status_code in (200, 503), path
    assert health(client)[0] == 503
    assert_site_unavailable(client)


def test_an_index_missing_a_table_is_503(app: Flask, tmp_path: Path) -> None:
    # A file from another release (or a half-restored backup): it opens, but is not the index.
    client = app.test_client()
    with sqlite3.connect(tmp_path / "index.sqlite3") as connection:
        connection.execute("DROP TABLE briefing_text")
    assert_site_unavailable(client)


def test_a_garbage_file_in_the_index_place_is_503(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    assert client.get("/").status_code == 200
    replacement = tmp_path / "garbage"
    replacement.write_bytes(b"not a database" * 1000)
    os.replace(replacement, tmp_path / "index.sqlite3")
    assert_site_unavailable(client)


def test_a_refused_publish_keeps_the_site_up_with_a_warning(app: Flask, content_dir: Path) -> None:
    client = app.test_client()
    runner = app.test_cli_runner()
    set_front_matter(content_dir, 54, category="No Such Category")
    assert runner.invoke(args=["content", "sync"]).exit_code != 0
    status, body = health(client)
    assert status == 200 and body["status"] == "ok"
    assert "refused" in body["warning"]
    assert body["last_publish"]["result"] == "refused" and body["last_publish"]["problems"] >= 1
    assert client.get("/briefings/54-activating-ai-safety-level-3-protections").status_code == 200
    # Fixed and published again: the warning goes.
    set_front_matter(content_dir, 54, category="Safety")
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    status, body = health(client)
    assert status == 200 and "warning" not in body and body["last_publish"]["result"] == "published"


def test_health_answers_any_host_when_a_site_url_is_set(content_dir: Path, tmp_path: Path) -> None:
    app = make_app(content_dir, tmp_path / "site.sqlite3", site_url="https://silvia.example")
    client = app.test_client()
    for host in ("10.0.0.7:8000", "127.0.0.1", "silvia.example", "internal-lb.local"):
        status, body = health(client, host)
        assert status == 200 and body["status"] == "ok", host
    assert client.get("/about", headers={"Host": "10.0.0.7:8000"}).status_code == 400  # pages still refuse it


def test_a_restored_index_serves_again(app: Flask, tmp_path: Path, content_dir: Path) -> None:
    client = app.test_client()
    good = tmp_path / "good.sqlite3"
    shutil.copy(tmp_path / "index.sqlite3", good)
    overwrite_middle(tmp_path / "index.sqlite3", keep_time=True)
    assert client.get("/briefings/").status_code == 503
    os.replace(good, tmp_path / "index.sqlite3")
    assert client.get("/briefings/").status_code == 200
    assert health(client)[0] == 200
