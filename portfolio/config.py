"""Configuration: one typed settings object — embedded defaults, then ``PORTFOLIO_*`` variables.

``create_app(Settings(...))`` takes the object whole (tests build theirs the same way);
``create_app()`` reads the environment. Every policy that depends on the settings (debug
off in production, live reload in development) is decided here, once, and the
app sees only the result (``Settings.flask_config``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import NonNegativeInt, PositiveInt, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
SQLITE_PREFIX = "sqlite:///"


class Settings(BaseSettings):
    """Every setting of the site; each field ``name`` comes from ``PORTFOLIO_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="PORTFOLIO_", env_ignore_empty=True, extra="forbid", frozen=True, validate_default=True
    )

    env: Literal["production", "development", "testing"] = "production"
    content_dir: Path = REPO_ROOT / "content"
    # SQLite only: the index uses FTS5 and every node keeps its own copy. A relative path is
    # resolved against the working directory here, once, so every part of the app (and every
    # worker) opens the same file.
    database_url: str = SQLITE_PREFIX + str(REPO_ROOT / "instance" / "index.sqlite3")
    # The public base URL (``https://silvia.example``): absolute URLs and redirects come from it
    # and requests naming another Host are refused. Empty: the request's (validated) Host.
    site_url: str = ""
    https: bool = False
    # Re-sync edited content on the next request; defaults to on in development only.
    auto_reload: bool = False
    page_size: PositiveInt = 12
    html_max_age: PositiveInt = 60
    html_shared_max_age: PositiveInt = 300
    html_stale_seconds: NonNegativeInt = 600
    # One access line per request on standard output (defaults to on in production), as text or JSON.
    access_log: bool = False
    log_format: Literal["text", "json"] = "text"
    # Peers whose X-Forwarded-For is believed (addresses or networks, comma-separated); gunicorn.conf.py
    # gives gunicorn the same list for X-Forwarded-Proto.
    trusted_proxies: str = "127.0.0.1,::1"

    @field_validator("database_url")
    @classmethod
    def _absolute_sqlite(cls, url: str) -> str:
        if not url.startswith(SQLITE_PREFIX) or url == SQLITE_PREFIX:
            raise ValueError(
                "must be a sqlite:/// URL: the index uses SQLite FTS5 and every node keeps its own copy"
            )
        return SQLITE_PREFIX + str(Path(url.removeprefix(SQLITE_PREFIX)).absolute())

    @field_validator("content_dir")
    @classmethod
    def _absolute_dir(cls, path: Path) -> Path:
        return path.absolute()

    @field_validator("site_url")
    @classmethod
    def _base_url(cls, url: str) -> str:
        url = url.rstrip("/")
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query
                    or parts.fragment or parts.username):
            raise ValueError("must be a scheme and host, like https://silvia.example (no path)")
        return url

    @model_validator(mode="before")
    @classmethod
    def _defaults_by_environment(cls, data: Any) -> Any:
        """Auto-reload defaults to on in development, the access log in production."""
        if isinstance(data, dict):
            env = data.get("env", "production")
            if data.get("auto_reload") is None:
                data = {**data, "auto_reload": env == "development"}
            if data.get("access_log") is None:
                data = {**data, "access_log": env == "production"}
        return data

    @property
    def database_path(self) -> Path:
        return Path(self.database_url.removeprefix(SQLITE_PREFIX))

    def flask_config(self) -> dict[str, Any]:
        """The settings as Flask config keys (upper case), policies applied."""
        config: dict[str, Any] = {name.upper(): value for name, value in self.model_dump(exclude={"env"}).items()}
        config["CONTENT_DIR"] = str(self.content_dir)
        config["SQLALCHEMY_DATABASE_URI"] = self.database_url
        config["TESTING"] = self.env == "testing"
        config["DEVELOPMENT"] = self.env == "development"  # drafts shown, live reload on
        if self.site_url:
            # Absolute URLs and redirects come from the site URL; any other Host is refused.
            parts = urlsplit(self.site_url)
            config["TRUSTED_HOSTS"] = [parts.hostname]
            config["SERVER_NAME"] = parts.netloc
            config["PREFERRED_URL_SCHEME"] = parts.scheme
        if self.env == "production":
            # Never the interactive debugger or tracebacks in production, whatever FLASK_DEBUG says.
            config["DEBUG"] = False
        return config
