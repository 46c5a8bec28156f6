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


def is_fragment_request() -> bool:
    """An htmx swap wants a fragment; a history restore (or no htmx at all) wants the page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"


def htmx_target() -> str:
    return request.headers.get("HX-Target", "")


def request_variant() -> str:
    """Which representation the request asks for: 'page', or 'fragment:<target id>'."""
    return f"fragment:{htmx_target()}" if is_fragment_request() else "page"


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
