"""The owner's loop: creating the app reads nothing, checking publishes nothing, sync syncs once."""

from __future__ import annotations

import os
from pathlib import Path

from portfolio import create_app
from portfolio.config import Settings
from portfolio.content import sync
from portfolio.content.index import read_meta
from tests.helpers import make_app, parse

ABOUT_TITLE = "title: About Me"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_creating_the_app_touches_no_file(content_dir, tmp_path):
    database = tmp_path / "db" / "index.sqlite3"
    before = snapshot(tmp_path)
    for env in ("production", "development"):
        create_app(Settings(env=env, content_dir=content_dir, database_url=f"sqlite:///{database}"))
    assert snapshot(tmp_path) == before
    assert not database.parent.exists()


def test_check_leaves_the_live_index_byte_identical(content_dir, tmp_path):
    database = tmp_path / "index.sqlite3"
    app = make_app(content_dir, database, env="production")
    served = database.read_bytes()
    stat = os.stat(database)
    about = content_dir / "about.md"
    about.write_text(about.read_text("utf-8").replace(ABOUT_TITLE, "title: Checked Not Published"), "utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert database.read_bytes() == served
    assert os.stat(database).st_mtime_ns == stat.st_mtime_ns
    assert parse(app.test_client().get("/about")).find("h1").get_text() == "About Me"


def test_new_leaves_the_live_index_byte_identical(content_dir, tmp_path):
    database = tmp_path / "index.sqlite3"
    app = make_app(content_dir, database, env="production")
    served = database.read_bytes()
    result = app.test_cli_runner().invoke(args=["content", "new", "briefing", "--title", "Not Yet"])
    assert result.exit_code == 0, result.output
    assert database.read_bytes() == served


def test_sync_after_an_edit_publishes_it_and_names_the_index_it_wrote(content_dir, tmp_path):
    database = tmp_path / "index.sqlite3"
    app = make_app(content_dir, database, env="production")
    about = content_dir / "about.md"
    about.write_text(about.read_text("utf-8").replace(ABOUT_TITLE, "title: Published"), "utf-8")
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert result.output.count("synced ") == 1
    assert f"into {database} in " in result.output
    assert parse(app.test_client().get("/about")).find("h1").get_text() == "Published"


def test_without_an_index_production_answers_503_until_a_sync(content_dir, tmp_path):
    database = tmp_path / "index.sqlite3"
    app = make_app(content_dir, database, sync_first=False, env="production")
    assert app.test_client().get("/").status_code == 503
    assert not database.exists()
    sync(content_dir, f"sqlite:///{database}")
    assert app.test_client().get("/").status_code == 200
    assert read_meta(database)["drafts"] == "hidden"


def test_a_relative_database_url_serves(content_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", "sqlite:///rel.sqlite3")
    monkeypatch.setenv("PORTFOLIO_CONTENT_DIR", str(content_dir))
    app = create_app()
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rel.sqlite3").is_file()
    response = app.test_client().get("/about")
    assert response.status_code == 200
    assert parse(response).find("h1").get_text() == "About Me"
