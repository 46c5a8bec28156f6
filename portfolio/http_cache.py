"""HTTP caching and compression, from libraries: werkzeug's ETags and conditional responses,
Flask-Compress for br/gzip, and one render cache inside Flask's request handling.

One ``after_request`` hook, ``finish``, runs last (``init_app`` registers it before every other
one, and Flask runs them last-registered first), on a response that is complete but for
these steps, in this order:

1. ``add_validators``: a strong ETag over the bytes (werkzeug ``add_etag``) and Cache-Control;
   Vary names Accept-Encoding, as Flask-Compress would add below;
2. ``RenderCache.store``: a shareable 200 page is kept, body and headers (the security
   headers included), under its key;
3. Flask-Compress: br or gzip by the client's Accept-Encoding; each compressed body is kept
   once per ETag (a bounded cache), so a page or file is compressed once, not per request;
4. ``answer_conditionally``: werkzeug ``make_conditional`` turns a matching If-None-Match
   into ``304 Not Modified``.

Before a view the render cache answers a hit (``RenderCache.answer``, which ``answer_hits``
registers after every other ``before_request`` hook), so a hit passes through the same checks
as a miss, and through every ``after_request`` hook: they find their work done in the stored
copy (its ETag, Cache-Control, Vary and security headers), so on a hit ``finish`` only
compresses for a client that accepts an encoding and answers a conditional request. The
cache is emptied when a sync swaps in a new index (``IndexState.listeners``): one path
answers, one invalidates.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, Response, g, request
from flask_compress import Compress

from .config import Settings
from .content import IndexState
from .rendering import variant

ERROR_CACHE_CONTROL = "public, max-age=60"
# Scheme-and-Host pairs a worker keeps pages for (localhost, 127.0.0.1, the public name, www.):
# without PORTFOLIO_SITE_URL, any other Host a client sends is answered but not cached.
ORIGINS_KEPT = 4
STALE_IF_ERROR = 86_400
COMPRESS_SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,  # within 2 % of quality 9's size for a page, in a fraction of the time
    "COMPRESS_MIN_SIZE": 512,
    "COMPRESS_STREAMS": False,  # nothing here streams; static files are read whole (static_files.py)
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,  # answer_conditionally does it for every response
    "COMPRESS_REGISTER": False,  # finish calls it, between the render cache and the conditional answer
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/plain", "text/xml", "text/javascript", "application/javascript",
        "application/json", "application/xml", "application/atom+xml", "image/svg+xml",
    ],
}


class BoundedCache:
    """A least-recently-used map bounded by entries and by bytes; safe across threads."""

    def __init__(self, max_entries: int, max_bytes: int, size: Callable[[Any], int] = len):
        self.max_entries, self.max_bytes, self.size = max_entries, max_bytes, size
        self.bytes = 0
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: Any, value: Any) -> None:
        size = self.size(value)
        if self.max_entries <= 0 or size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self.bytes += size - (self.size(old) if old is not None else 0)
            self._entries[key] = value
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                self.bytes -= self.size(self._entries.popitem(last=False)[1])

    def clear(self, *_: Any) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


@dataclass(frozen=True)
class Stored:
    body: bytes
    headers: list[tuple[str, str]]


class RenderCache:
    """Finished pages of this worker, by content version, full URL, page-or-fragment and year.

    Pages are kept for the first ``origins`` scheme-and-Host pairs they were stored for, for
    the life of the worker; a page for any other is rendered each time. With
    ``PORTFOLIO_SITE_URL`` set only its Host gets this far; without it each Host needs its own
    copy (a page's absolute URLs name it), and a client sending a new Host name on every
    request could otherwise fill the cache with copies and push out the names visitors use.
    """

    def __init__(self, response_class: type[Response], entries: int, max_bytes: int, origins: int = ORIGINS_KEPT):
        self.response_class = response_class
        self.entries = entries
        self.index: IndexState | None = None  # the index whose version keys the pages (``follow``)
        self.pages = BoundedCache(entries, max_bytes, size=lambda stored: len(stored.body))
        self.max_origins = origins
        self.origins: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.entries > 0 and self.index is not None

    def follow(self, index: IndexState) -> None:
        """Key pages by this index's version and empty the cache when a sync swaps in a new one."""
        self.index = index
        index.listeners.append(self.pages.clear)

    def admits(self, scheme: str, host: str) -> bool:
        """Whether pages for this origin are kept: one of the first ``max_origins`` seen."""
        origin = (scheme, host)
        if origin in self.origins:
            return True
        with self._lock:
            if len(self.origins) >= self.max_origins:
                return False
            self.origins.add(origin)
            return True

    def key(self, current: Request) -> tuple[str | bytes | int, ...]:
        # The scheme and the (validated) Host are part of the key: nothing cached under one Host
        # is served to another. The footer prints the (local) year.
        assert self.index is not None
        return (self.index.version, current.scheme, current.host, current.path, current.query_string, variant(),
                time.localtime().tm_year)

    def answer(self) -> Response | None:
        """A stored copy of this page, if there is one (a ``before_request`` hook)."""
        current = request._get_current_object()  # one proxy lookup: this runs on every request
        if current.method not in ("GET", "HEAD"):
            return None
        stored = self.pages.get(self.key(current))
        if stored is None:
            return None
        g.render_cache_hit = True
        return self.response_class(stored.body, headers=stored.headers)

    def store(self, response: Response, current: Request) -> None:
        """Keep a shareable 200 page as it is now (a miss: ``finish`` calls this)."""
        if not self.enabled or response.status_code != 200 or response.is_streamed:
            return
        if current.method in ("GET", "HEAD") and current.endpoint not in (None, "static") and is_shareable(response):
            if self.admits(current.scheme, current.host):
                self.pages.set(self.key(current), Stored(response.get_data(), list(response.headers.items())))


def is_shareable(response: Response) -> bool:
    control = response.cache_control
    return not (control.no_store or control.private or control.no_cache) and "Set-Cookie" not in response.headers


def html_cache_control(settings: Settings) -> str:
    """Browsers keep a page briefly; shared caches longer, serving stale while they refresh."""
    if settings.auto_reload:
        return "no-cache"
    return (
        f"public, max-age={settings.html_max_age}, s-maxage={settings.html_shared_max_age}, "
        f"stale-while-revalidate={settings.html_stale_seconds}, stale-if-error={STALE_IF_ERROR}"
    )


def cache_control_for(status: int, html_policy: str) -> str:
    if request.method not in ("GET", "HEAD") or status >= 500:
        return "no-store"
    if status in (200, 203, 301, 308):
        return html_policy
    if 400 <= status < 500:
        return "no-cache" if html_policy == "no-cache" else ERROR_CACHE_CONTROL
    return "no-store"


def compress_key(_: Any) -> str:
    """Flask-Compress keeps one compressed body per ETag: per file or page version, not per URL."""
    return str(g.get("compress_key") or f"unshared {id(g)}")


def init_app(app: Flask, settings: Settings) -> None:
    """Call before any other extension registers an ``after_request`` hook, so that ``finish``
    sees the finished response; ``answer_hits`` connects the render cache."""
    html_policy = html_cache_control(settings)
    render_cache = RenderCache(app.response_class, settings.render_cache_entries,
                               settings.render_cache_mb * 1024 * 1024)
    compressed = BoundedCache(4096, settings.render_cache_mb * 1024 * 1024)
    app.config.update(COMPRESS_SETTINGS, COMPRESS_CACHE_KEY=compress_key, COMPRESS_CACHE_BACKEND=lambda: compressed)
    compress = Compress(app)
    app.extensions["render_cache"] = render_cache

    def add_validators(response: Response) -> None:
        headers = response.headers
        status = response.status_code
        if "Cache-Control" not in headers:
            headers["Cache-Control"] = cache_control_for(status, html_policy)
        if 200 <= status < 300 and not response.is_streamed:
            etag = headers.get("ETag")
            if etag is None:
                response.add_etag()
                etag = headers["ETag"]
            # A range of a file (206) shares the file's ETag but not its bytes.
            g.compress_key = f"{etag} {status} {headers.get('Content-Range', '')}"
        # Flask-Compress adds this to every response; adding it first completes a stored copy.
        response.vary.add("Accept-Encoding")

    def answer_conditionally(response: Response, current: Request) -> None:
        environ = current.environ
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and response.status_code == 200 and current.method in ("GET", "HEAD"):
            response.make_conditional(current)

    @app.after_request
    def finish(response: Response) -> Response:
        current = request._get_current_object()  # one proxy lookup: this runs on every request
        hit = "render_cache_hit" in g
        # A stored copy is complete: without an Accept-Encoding it is sent as it is (identity).
        if not hit or "HTTP_ACCEPT_ENCODING" in current.environ:
            add_validators(response)
            if not hit:
                render_cache.store(response, current)
            response = compress.after_request(response)
        answer_conditionally(response, current)
        return response


def answer_hits(app: Flask) -> None:
    """Connect the render cache: it answers after every other ``before_request`` hook (call this
    once they are all registered), and a sync that swaps in a new index empties it."""
    render_cache: RenderCache = app.extensions["render_cache"]
    if render_cache.entries > 0:
        render_cache.follow(app.extensions["content_index"])
        app.before_request(render_cache.answer)
