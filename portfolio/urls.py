"""Where URLs come from: one builder for a briefing's address, and absolute URLs from
``PORTFOLIO_SITE_URL`` when it is set (else from the request's validated Host).

With a site URL every redirect points at it too, so no Host or scheme a client sends ever
appears in an answer.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, url_for


def briefing_ident(number: int, slug: str) -> str:
    """The last segment of a briefing's address: ``54-activating-asl-3-protections``."""
    return f"{number}-{slug}"


def briefing_path(number: int, slug: str) -> str:
    """``/briefings/54-activating-asl-3-protections``: the one place a briefing's URL is built."""
    return url_for("briefings.briefing", ident=briefing_ident(number, slug))


def absolute_url(path: str) -> str:
    """``/about`` → ``https://silvia.example/about`` (from SITE_URL, else the request's host)."""
    base = current_app.config["SITE_URL"] or request.host_url.rstrip("/")
    return base + path


def redirect_to_site_url(response: Response) -> Response:
    """With SITE_URL set, a redirect to this site names SITE_URL, not the request's Host or scheme."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if not parts.netloc or parts.netloc == request.host:
            query = f"?{parts.query}" if parts.query else ""
            response.headers["Location"] = current_app.config["SITE_URL"] + (parts.path or "/") + query
    return response


def init_app(app: Flask) -> None:
    app.add_template_global(absolute_url)
    app.add_template_global(briefing_path)
    if app.config["SITE_URL"]:
        app.after_request(redirect_to_site_url)
