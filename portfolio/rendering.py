"""One template per page; an htmx request gets just the named block it asked for.

Whether a request wants the page or a fragment is decided once, here, from ``request.htmx``
(htmx-flask): an htmx swap wants the block for its target id; a history restore (or no htmx
at all) wants the whole page.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from htmx_flask import make_response
from jinja2_fragments.flask import render_block

# Every request header the choice between page and fragment depends on: a response that can
# be either varies on all of them, and a cache key must include them (deploy/nginx does).
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def fragment_target() -> str | None:
    """The id of the element htmx will swap, or None when the request wants the whole page."""
    htmx = request.htmx  # type: ignore[attr-defined]
    if not htmx or htmx.history_restore_request:
        return None
    return str(htmx.target or "")


def render_page(template: str, blocks: dict[str, str] | None = None, push_url: str | None = None,
                **context: Any) -> Response:
    """Render ``template`` whole, or for htmx the block named for the request's target id.

    ``blocks`` maps an ``hx-target`` element id to the block that fills it. A fragment may
    carry ``push_url``: the URL htmx records in the address bar instead of the request's own
    (a form submitted by htmx sends every field, empty ones included; this keeps the short
    canonical URL). A fragment starts with the page's ``<title>``. The response always varies on
    the htmx headers, since one URL answers with either.
    """
    target = fragment_target()
    block = (blocks or {}).get(target) if target is not None else None
    if block:
        # The page's <title> leads the fragment: htmx takes a title at the fragment's root as the
        # document's new title (and leaves it out of the swap), so the tab and history name the view.
        title = render_block(template, "title", **context).strip()
        fragment = render_block(template, block, **context)
        response = make_response(f"<title>{title}</title>\n{fragment}", push_url=push_url)
    else:
        response = make_response(render_template(template, **context))
    response.vary.update(VARY_HEADERS)
    return response
