"""Silvia Seceleanu's portfolio hub: a Flask + htmx app over Markdown content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, request

from . import cli, content, devtools, errors, http_cache, observability, query_params, security, static_files, urls
from .config import REPO_ROOT, Settings
from .briefings import bp as briefings_bp
from .extensions import db, htmx
from .llms import bp as llms_bp
from .media import bp as media_bp
from .paths import bp as paths_bp
from .previews import bp as previews_bp
from .publishing import bp as publishing_bp
from .site import bp as site_bp


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from ``settings`` (tests pass their own), else from PORTFOLIO_* variables.

    Nothing here reads or writes the content or the index: ``content sync``, gunicorn's master
    (gunicorn.conf.py) and the development auto-reload build it.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )
    settings = settings or Settings()
    app.config.update(settings.flask_config())

    db.init_app(app)
    htmx.init_app(app)
    # Flask runs after_request hooks last-registered first: http_cache's runs last, so the ETag
    # and compression cover a finished page (security headers and all).
    http_cache.init_app(app, settings)
    security.init_app(app)
    query_params.init_app(app)  # before the index is followed: an unknown parameter costs nothing
    cli.init_app(app)
    content.init_app(app)
    errors.init_app(app)
    urls.init_app(app)
    static_files.init_app(app)
    register_blueprints(app)
    observability.init_app(app)  # /metrics, /_generation; counts every answer
    devtools.init_app(app)
    app.context_processor(site_context)
    return app


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(site_bp)
    app.register_blueprint(briefings_bp, url_prefix="/briefings")
    app.register_blueprint(publishing_bp)
    app.register_blueprint(previews_bp)
    app.register_blueprint(llms_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(paths_bp)


def site_context() -> dict[str, Any]:
    index = content.state()
    return {
        "site": index.site,
        "content_version": index.version,
        "content_problems": index.problems if index.auto_reload else [],
        "current_year": dt.date.today().year,
        "is_current": is_current,
    }


def is_current(href: str) -> bool:
    """Whether a nav link is the page being shown (a section link also covers its pages)."""
    path = request.path
    if href == path:
        return True
    return href != "/" and href.endswith("/") and path.startswith(href)
