"""Configuration: embedded defaults first, then ``PORTFOLIO_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """A setting from the environment has a value the site cannot use."""


def _flag(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


def _positive_int(name: str, value: str, minimum: int = 1) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"PORTFOLIO_{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"PORTFOLIO_{name} must be at least {minimum}, got {number}")
    return number


# name -> parser for each setting that may come from PORTFOLIO_<name>
ENV_SETTINGS: dict[str, Callable[[str], object]] = {
    "ENV": str,
    "CONTENT_DIR": str,
    "DATABASE_URL": str,
    "SITE_URL": str,
    "HTTPS": _flag,
    "AUTO_RELOAD": _flag,
    "PAGE_SIZE": lambda value: _positive_int("PAGE_SIZE", value),
    "HTML_MAX_AGE": lambda value: _positive_int("HTML_MAX_AGE", value),
    "HTML_SHARED_MAX_AGE": lambda value: _positive_int("HTML_SHARED_MAX_AGE", value),
    "HTML_STALE_SECONDS": lambda value: _positive_int("HTML_STALE_SECONDS", value, minimum=0),
    # 0 turns the rendered-page cache off (the benchmarks measure the site both ways)
    "RENDER_CACHE_SIZE": lambda value: _positive_int("RENDER_CACHE_SIZE", value, minimum=0),
    "RENDER_CACHE_MB": lambda value: _positive_int("RENDER_CACHE_MB", value),
}


def defaults(instance_path: str) -> dict[str, object]:
    """The embedded defaults: SQLite in the instance folder and the bundled content."""
    return {
        "ENV": "production",
        "CONTENT_DIR": str(REPO_ROOT / "content"),
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "index.sqlite3"),
        "SITE_URL": "",
        "HTTPS": False,
        "AUTO_RELOAD": None,
        "PAGE_SIZE": 12,
        "HTML_MAX_AGE": 60,
        "HTML_SHARED_MAX_AGE": 300,
        "HTML_STALE_SECONDS": 600,
        "RENDER_CACHE_SIZE": 2048,
        "RENDER_CACHE_MB": 32,
    }


def from_environment(environ: os._Environ[str] | dict[str, str] = os.environ) -> dict[str, object]:
    """Settings given as ``PORTFOLIO_<NAME>`` variables, parsed to their types."""
    settings: dict[str, object] = {}
    for name, parse in ENV_SETTINGS.items():
        raw = environ.get(f"PORTFOLIO_{name}")
        if raw is not None and raw != "":
            settings[name] = parse(raw)
    return settings


def finalise(settings: dict[str, object]) -> dict[str, object]:
    """Derive the settings that depend on others and check the combination."""
    env = str(settings["ENV"])
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f"PORTFOLIO_ENV must be production, development or testing, got {env!r}")
    if settings["AUTO_RELOAD"] is None:
        settings["AUTO_RELOAD"] = env == "development"
    url = str(settings["DATABASE_URL"])
    if not url.startswith("sqlite:///"):
        raise ConfigError(
            "PORTFOLIO_DATABASE_URL must be a sqlite:/// URL: the index uses SQLite FTS5 "
            f"and every node keeps its own copy (got {url!r})"
        )
    settings["SQLALCHEMY_DATABASE_URI"] = url
    settings["SITE_URL"] = str(settings["SITE_URL"]).rstrip("/")
    return settings
