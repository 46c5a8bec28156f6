"""Live reload: a development-only endpoint that answers when a watched file changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.helpers import make_app, parse

SCRIPT = "js/live-reload"


def script_sources(page) -> list[str]:
    return [tag["src"] for tag in page.find_all("script", src=True)]


def test_production_has_no_reload_endpoint_and_no_script(content_dir, tmp_path):
    client = make_app(content_dir, tmp_path / "prod.sqlite3", env="production").test_client()
    assert client.get("/_dev/reload").status_code == 404
    assert client.get("/_dev/reload?since=0").status_code == 404
    assert not any(SCRIPT in src for src in script_sources(parse(client.get("/"))))


@pytest.fixture
def dev_app(content_dir, tmp_path) -> Iterator[Flask]:
    app = make_app(content_dir, tmp_path / "dev.sqlite3", env="development")
    yield app
    if "live_reload" in app.extensions:
        app.extensions["live_reload"].close()


def poll_after(client, since: int, results: list) -> threading.Thread:
    def run() -> None:
        results.append(client.get(f"/_dev/reload?since={since}").get_json()["changes"])
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_development_page_loads_the_script_from_its_own_origin(dev_app):
    page = parse(dev_app.test_client().get("/"))
    (src,) = [src for src in script_sources(page) if SCRIPT in src]
    assert src.startswith("/static/")


@pytest.mark.parametrize("since", ["x", "-1", "1e3", "9" * 40])
def test_a_bad_counter_is_a_400(dev_app, since):
    assert dev_app.test_client().get(f"/_dev/reload?since={since}").status_code == 400


def test_a_saved_briefing_answers_the_poll_and_shows_on_reload(dev_app, content_dir):
    client = dev_app.test_client()
    since = client.get("/_dev/reload").get_json()["changes"]
    time.sleep(0.3)  # the watcher starts with the first poll
    results: list[int] = []
    waiting = poll_after(dev_app.test_client(), since, results)
    (path,) = (content_dir / "briefings").glob("054-*.md")
    path.write_text(path.read_text("utf-8").replace("title: Activating AI Safety Level 3 Protections", "title: ASL-3 Is On"))
    waiting.join(timeout=15)
    assert results and results[0] != since
    heading = parse(client.get("/briefings/54", follow_redirects=True)).find("h1").get_text(" ", strip=True)
    assert heading.endswith("54. ASL-3 Is On")


def test_a_broken_save_answers_the_poll_and_the_page_shows_the_problem(dev_app, content_dir):
    client = dev_app.test_client()
    since = client.get("/_dev/reload").get_json()["changes"]
    time.sleep(0.3)
    results: list[int] = []
    waiting = poll_after(dev_app.test_client(), since, results)
    (content_dir / "about.md").write_text("---\ntitle: [\n---\n", "utf-8")
    waiting.join(timeout=15)
    assert results and results[0] != since
    page = parse(client.get("/about"))
    assert page.find("h1").get_text() == "About Me"
    banner = page.find("aside", attrs={"aria-label": "Content problems"})
    assert banner is not None and "about.md: front matter: malformed YAML" in banner.get_text()
