"""The settings object: environment variables, their checks, and the policies derived from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from portfolio.config import Settings


def test_environment_variables_are_read_with_the_portfolio_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTFOLIO_PAGE_SIZE", "7")
    monkeypatch.setenv("PORTFOLIO_HTTPS", "yes")
    monkeypatch.setenv("PORTFOLIO_SITE_URL", "https://silvia.example/")
    monkeypatch.setenv("PORTFOLIO_HTML_MAX_AGE", "")  # empty means unset, as in a shell
    settings = Settings()
    assert (settings.page_size, settings.https, settings.site_url) == (7, True, "https://silvia.example")
    assert settings.html_max_age == 60


@pytest.mark.parametrize(("name", "value"), [
    ("PORTFOLIO_PAGE_SIZE", "0"), ("PORTFOLIO_PAGE_SIZE", "many"), ("PORTFOLIO_ENV", "staging"),
    ("PORTFOLIO_DATABASE_URL", "postgresql://db/site"), ("PORTFOLIO_HTTPS", "perhaps"),
])
def test_a_bad_value_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        Settings()
    assert name.removeprefix("PORTFOLIO_").lower() in str(error.value)


def test_a_relative_database_url_resolves_once_against_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(database_url="sqlite:///data/index.sqlite3")
    assert settings.database_path == tmp_path / "data" / "index.sqlite3"
    assert settings.flask_config()["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/data/index.sqlite3"


def test_development_reloads_content_and_production_does_not() -> None:
    assert Settings(env="development").auto_reload is True
    assert Settings().auto_reload is False


def test_production_forces_debug_off_and_flask_sees_no_env_key() -> None:
    config = Settings().flask_config()
    assert config["DEBUG"] is False
    assert "ENV" not in config
    assert "DEBUG" not in Settings(env="development").flask_config()
