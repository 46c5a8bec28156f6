"""The query parameters each endpoint reads, in one place; a request naming any other is sent,
before any view runs, to the same address without it (301).

Every distinct query string is a new entry for a cache in front of the app and, without this, a
new render: ``/sitemap.xml?x=1``, ``?x=2``, ... cost a whole sitemap each (0.3-0.7 s and 1.3 MB at
10,000 briefings). Redirecting instead of refusing keeps links that others decorate working
(``?utm_source=...``, ``?fbclid=...``). The values of listed parameters are the views' business:
their parsers answer a bad one with a 400.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Flask, redirect, request
from werkzeug.wrappers import Response

# The explorer's filters and search, read by every view of the briefings (queries.py's one engine).
FILTERS = frozenset({"q", "category", "organization", "tag", "year", "key", "current", "around"})

ALLOWED: dict[str, frozenset[str]] = {
    "briefings.explorer": FILTERS | {"sort", "page"},
    "briefings.influence_map": FILTERS,  # filters_only(): no sort, no page
    "briefings.concepts": FILTERS | {"page"},  # always A to Z
    "briefings.export_bib": FILTERS | {"sort"},  # the explorer's order, every page
    "briefings.export_json": FILTERS | {"sort"},
    "publishing.briefings_feed": FILTERS,
    "publishing.subscribe": FILTERS,
    "briefings.briefing": frozenset({"from"}),  # the explorer state a visitor came from
    "paths.between": frozenset({"from", "to"}),
    "site.projects": frozenset({"tag"}),
    "static": frozenset({"v"}),  # the content hash that makes a URL immutable
    "devtools.reload": frozenset({"since"}),
}


def canonical_location(allowed: frozenset[str]) -> str | None:
    """This request's address without the parameters it does not read, or None if it reads them all."""
    if all(name in allowed for name in request.args):
        return None
    kept = [(name, value) for name, value in request.args.items(multi=True) if name in allowed]
    path = quote(request.path)
    return f"{path}?{urlencode(kept)}" if kept else path


def redirect_unknown_parameters() -> Response | None:
    """``before_request``: a redirect for a routed request that names a parameter its view does not read."""
    if request.endpoint is None:  # not routed: the 404 or 405 follows
        return None
    location = canonical_location(ALLOWED.get(request.endpoint, frozenset()))
    return None if location is None else redirect(location, 301)


def init_app(app: Flask) -> None:
    app.before_request(redirect_unknown_parameters)
