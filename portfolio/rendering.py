"""One template per page; an htmx request gets just the named block it asked for.

The htmx request headers are read here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block

# Every request header the choice between page and fragment depends on: a response that can
# be either varies on all of them, and a cache key must include them (deploy/nginx does).
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def is_fragment_request(environ: dict[str, Any] | None = None) -> bool:
    """An htmx swap wants a fragment; a history restore (or no htmx at all) wants the page.

    ``environ`` lets the render cache ask before Flask has built a request.
    """
    environ = request.environ if environ is None else environ
    return environ.get("HTTP_HX_REQUEST") == "true" and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"


def htmx_target(environ: dict[str, Any] | None = None) -> str:
    environ = request.environ if environ is None else environ
    return str(environ.get("HTTP_HX_TARGET", ""))


def request_variant(environ: dict[str, Any] | None = None) -> str:
    """Which representation a request asks for: 'page', or 'fragment:<target id>'."""
    return f"fragment:{htmx_target(environ)}" if is_fragment_request(environ) else "page"


def push_url(response: Response, url: str) -> None:
    """Have htmx record ``url`` in the address bar instead of the request's own URL.

    A form submitted by htmx sends every field, empty ones included; this keeps the
    shareable URL the same short one the page's own links use.
    """
    response.headers["HX-Push-Url"] = url


def render_page(template: str, blocks: dict[str, str] | None = None, **context: Any) -> Response:
    """Render ``template`` whole, or for htmx the block named for the request's target id.

    ``blocks`` maps an ``hx-target`` element id to the block that fills it. The response
    always varies on the htmx headers, since one URL answers with either.
    """
    block = (blocks or {}).get(htmx_target()) if is_fragment_request() else None
    body = render_block(template, block, **context) if block else render_template(template, **context)
    response = make_response(body)
    response.vary.update(VARY_HEADERS)
    return response
