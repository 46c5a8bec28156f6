"""Fixtures: every test gets its own copy of the content and its own SQLite index."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from portfolio.config import REPO_ROOT
from tests.helpers import make_app

BUNDLED_CONTENT = REPO_ROOT / "content"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings from the developer's shell must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("PORTFOLIO_"):
            monkeypatch.delenv(name)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the bundled content, free to edit or break."""
    target = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, target)
    return target


@pytest.fixture
def app(content_dir: Path, tmp_path: Path) -> Flask:
    return make_app(content_dir, tmp_path / "index.sqlite3")


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
