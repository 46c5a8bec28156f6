"""HTTP caching and compression: validators, Cache-Control, a rendered-page cache, fingerprinted assets.

How a GET for a page travels:

1. ``RenderCacheMiddleware`` sits in front of Flask and looks the request up in this worker's
   render cache, keyed by the content version, the full URL, the page-or-fragment variant
   (``rendering.request_variant``) and the year (the footer prints it). A hit is answered at
   once, exactly as it was first sent, without building a Flask request at all.
2. On a miss Flask runs the view, and ``finish_response`` (after it) turns a 200 into a
   ``Representation``: the bytes, a strong ETag (a hash of those bytes: identical on every
   node, and changing exactly when the bytes do), ``Last-Modified`` (when the index was
   built), the view's own headers (Vary, Content-Type) and, when it may be shared, its gzip
   and brotli encodings, which the middleware stores once the response has been sent.
3. Either way the answer comes from ``Representation.answer``: ``304 Not Modified`` when the
   client's ``If-None-Match`` (or, without one, ``If-Modified-Since``) matches, else the bytes
   in the encoding the client prefers by its ``Accept-Encoding`` q-values.

The cache is emptied when a sync swaps in a new index (``IndexState.listeners``).

Static files are fingerprinted by ``asset_url`` (``/static/css/site.<hash>.css``) and served
from memory by ``serve_asset``, compressed once per process, with a one-year ``immutable``
lifetime when the URL carries the file's current hash.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import mimetypes
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import brotli
from flask import Flask, Response, abort, current_app, g, request, send_from_directory, url_for
from werkzeug.http import http_date, parse_accept_header, parse_date, parse_etags, quote_etag
from werkzeug.security import safe_join

from .content import state
from .rendering import request_variant

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

IMMUTABLE = "public, max-age=31536000, immutable"
ASSET_PLAIN_MAX_AGE = "public, max-age=300"
ERROR_CACHE_CONTROL = "public, max-age=60"
STALE_IF_ERROR = 86_400
NO_STORE = "no-store"

COMPRESSIBLE_TYPES = frozenset({
    "text/html", "text/css", "text/plain", "text/xml", "text/javascript", "application/javascript",
    "application/json", "application/xml", "application/atom+xml", "image/svg+xml",
})
MIN_COMPRESS_BYTES = 512
ENCODINGS = ("br", "gzip")
TAG_SUFFIX = {"identity": "", "br": "-br", "gzip": "-gz"}
BROTLI_PAGE_QUALITY = 5  # 0.2 ms for a page, within 2 % of the size of quality 9
BROTLI_ASSET_QUALITY = 11  # assets are compressed once per process: take the smallest
GZIP_LEVEL = 6
MAX_ASSET_BYTES = 4 * 1024 * 1024
FINGERPRINT = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[^./]+)$")
STORED_HEADER_SKIP = frozenset({"content-length", "content-encoding", "etag", "last-modified"})
REPRESENTATION_HEADERS = STORED_HEADER_SKIP | {"content-type", "vary", "cache-control"}
PENDING_ENTRY = "portfolio.render_cache.pending"
NOT_MODIFIED_HEADERS = frozenset({"cache-control", "vary", "etag", "last-modified"})

View = TypeVar("View", bound=Callable[..., Any])


def never_cache(view: View) -> View:
    """Mark a view's answers as never to be stored by any cache (the health check)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = current_app.make_response(view(*args, **kwargs))
        response.cache_control.no_store = True
        return response

    return wrapper  # type: ignore[return-value]


def choose_encoding(environ: WSGIEnvironment) -> str:
    """'br', 'gzip' or 'identity', by the client's Accept-Encoding q-values (br wins ties)."""
    accepted = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))
    return accepted.best_match(ENCODINGS, default="identity") or "identity"


def encode(body: bytes, encoding: str, brotli_quality: int) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=brotli_quality)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)  # mtime=0: same bytes every time
    return body


def worth_compressing(mimetype: str, size: int) -> bool:
    return mimetype in COMPRESSIBLE_TYPES and size >= MIN_COMPRESS_BYTES


@dataclass
class Representation:
    """One response's bytes and validators, ready to answer any client (and any 304)."""

    body: bytes
    headers: list[tuple[str, str]]
    etag: str
    last_modified: dt.datetime | None
    compressible: bool
    brotli_quality: int = BROTLI_PAGE_QUALITY
    encoded: dict[str, bytes] = field(default_factory=dict)
    _header_lists: dict[tuple[str, str | None], list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    # Headers later hooks added to the first answer (security headers), replayed on cache hits.
    outer_headers: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @classmethod
    def from_response(cls, response: Response, last_modified: dt.datetime | None) -> Representation:
        body = response.get_data()
        compressible = worth_compressing(response.mimetype or "", len(body))
        if compressible:
            response.vary.add("Accept-Encoding")
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in STORED_HEADER_SKIP]
        return cls(body, headers, strong_tag(body), last_modified, compressible)

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(data) for data in self.encoded.values())

    def encode_all(self) -> Representation:
        """Compress every encoding now, so a stored copy never compresses again."""
        if self.compressible:
            for encoding in ENCODINGS:
                self.body_for(encoding)
        return self

    def body_for(self, encoding: str) -> bytes:
        if encoding == "identity":
            return self.body
        data = self.encoded.get(encoding)
        if data is None:
            data = self.encoded[encoding] = encode(self.body, encoding, self.brotli_quality)
        return data

    def matches_validators(self, environ: WSGIEnvironment) -> bool:
        """If-None-Match (any encoding of these bytes) or, without it, If-Modified-Since."""
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            tags = parse_etags(if_none_match)
            return any(tags.contains_weak(self.etag + suffix) for suffix in TAG_SUFFIX.values())
        since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
        return bool(since and self.last_modified and self.last_modified <= since)

    def header_list(self, encoding: str, cache_control: str | None) -> list[tuple[str, str]]:
        """Every header for one encoding, formatted once and reused by each later answer."""
        key = (encoding, cache_control)
        headers = self._header_lists.get(key)
        if headers is None:
            headers = [(name, value) for name, value in self.headers
                       if not (cache_control and name.lower() == "cache-control")]
            if cache_control:
                headers.append(("Cache-Control", cache_control))
            if encoding != "identity":
                headers.append(("Content-Encoding", encoding))
            headers.append(("ETag", quote_etag(self.etag + TAG_SUFFIX[encoding])))
            if self.last_modified:
                headers.append(("Last-Modified", http_date(self.last_modified)))
            self._header_lists[key] = headers
        return headers

    def answer(self, environ: WSGIEnvironment, cache_control: str | None = None
               ) -> tuple[int, list[tuple[str, str]], bytes]:
        """(status, headers, body) for this request: 304, or the bytes in the preferred encoding."""
        encoding = choose_encoding(environ) if self.compressible else "identity"
        headers = self.header_list(encoding, cache_control)
        if self.matches_validators(environ):
            return 304, [(name, value) for name, value in headers if name.lower() in NOT_MODIFIED_HEADERS], b""
        return 200, headers, self.body_for(encoding)

    def respond(self, cache_control: str | None = None) -> Response:
        status, headers, body = self.answer(request.environ, cache_control)
        response = current_app.response_class(body, status=status, headers=headers)
        if status == 304:
            response.headers.remove("Content-Type")
        return response


def strong_tag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=12).hexdigest()


class RenderCache:
    """A least-recently-used map of rendered responses, bounded by entries and by bytes."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple[str, ...], Representation] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[str, ...]) -> Representation | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, ...], entry: Representation) -> None:
        size = entry.size
        if not self.enabled or size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = entry
            self.bytes += size
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.bytes -= evicted.size

    def clear(self, *_: Any) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


@dataclass
class Asset:
    name: str
    stat: tuple[int, int]
    digest: str
    representation: Representation


class Assets:
    """Files under static/, read into memory once (re-read when a file changes on disk)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._assets: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Asset | None:
        path = safe_join(str(self.folder), name)
        if path is None:
            return None
        try:
            info = os.stat(path)
        except (OSError, ValueError):  # ValueError: a NUL byte in the name
            return None
        if not os.path.isfile(path) or info.st_size > MAX_ASSET_BYTES:
            return None
        stat = (info.st_mtime_ns, info.st_size)
        asset = self._assets.get(name)
        if asset is None or asset.stat != stat:
            asset = self._load(name, Path(path), stat)
        return asset

    def _load(self, name: str, path: Path, stat: tuple[int, int]) -> Asset:
        body = path.read_bytes()
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        content_type = f"{mimetype}; charset=utf-8" if mimetype.startswith("text/") or mimetype.endswith(
            ("javascript", "json", "xml")) else mimetype
        modified = dt.datetime.fromtimestamp(stat[0] / 1e9, dt.timezone.utc).replace(microsecond=0)
        representation = Representation(
            body=body,
            headers=[("Content-Type", content_type)],
            etag=strong_tag(body),
            last_modified=modified,
            compressible=worth_compressing(mimetype, len(body)),
            brotli_quality=BROTLI_ASSET_QUALITY,
        )
        if representation.compressible:
            representation.headers.append(("Vary", "Accept-Encoding"))
        asset = Asset(name, stat, representation.etag[:12], representation.encode_all())
        with self._lock:
            self._assets[name] = asset
        return asset

    def fingerprinted(self, name: str) -> str:
        """``css/site.css`` → ``css/site.<12 hex>.css``; the name unchanged if there is no such file."""
        asset = self.get(name)
        if asset is None:
            return name
        stem, dot, ext = name.rpartition(".")
        if not dot or "/" in ext or not stem or stem.endswith("/"):
            return name
        return f"{stem}.{asset.digest}.{ext}"


def split_fingerprint(filename: str) -> tuple[str, str | None]:
    match = FINGERPRINT.match(filename)
    if not match:
        return filename, None
    return match["stem"] + match["ext"], match["digest"]


@dataclass
class HttpCache:
    """Per-app caching state: the policy, the render cache, the assets and the index's build time."""

    html_policy: str
    render_cache: RenderCache
    assets: Assets
    version: str = ""
    built_at: dt.datetime | None = None

    def follow_index(self) -> None:
        """Drop cached pages when the content version changes, and learn the new build time."""
        index = state()
        if index.version == self.version:
            return
        self.render_cache.clear()
        self.built_at = parse_built_at(index.built_at)
        self.version = index.version


def parse_built_at(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def html_cache_control(config: dict[str, Any]) -> str:
    """Browsers keep a page briefly; shared caches longer, serving stale while they refresh."""
    if config["AUTO_RELOAD"]:
        return "no-cache"
    return (
        f"public, max-age={config['HTML_MAX_AGE']}, s-maxage={config['HTML_SHARED_MAX_AGE']}, "
        f"stale-while-revalidate={config['HTML_STALE_SECONDS']}, stale-if-error={STALE_IF_ERROR}"
    )


def http_cache() -> HttpCache:
    cache: HttpCache = current_app.extensions["http_cache"]
    return cache


def cache_key(environ: WSGIEnvironment, version: str) -> tuple[str, ...]:
    """The content version, the full URL as the server saw it, the variant and the year."""
    return (
        version,
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}",
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        request_variant(environ),
        str(dt.date.today().year),
    )


class RenderCacheMiddleware:
    """Answers a render-cache hit before Flask builds a request; stores what Flask marks as cacheable.

    A hit replays the stored response exactly as it was first sent (security headers
    included), so it costs a dictionary lookup rather than a pass through the framework.
    When a sync has replaced the index file the request goes to Flask, which reloads the
    index and empties the cache.
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        cache: HttpCache = self.app.extensions["http_cache"]
        if cache.render_cache.enabled and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            index = self.app.extensions["content_index"]
            if not index.swapped():
                entry = cache.render_cache.get(cache_key(environ, index.version))
                if entry is not None:
                    return self.replay(entry, environ, start_response)
        sent: list[list[tuple[str, str]]] = []

        def remember_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent.append(headers)
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember_headers)
        pending = environ.pop(PENDING_ENTRY, None)
        if pending is not None and sent:
            key, entry = pending
            own = {name.lower() for name, _ in entry.header_list("identity", None)} | REPRESENTATION_HEADERS
            entry.outer_headers = [(name, value) for name, value in sent[-1] if name.lower() not in own]
            cache.render_cache.put(key, entry)
        return body

    @staticmethod
    def replay(entry: Representation, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        status, headers, body = entry.answer(environ)
        if status == 304:
            start_response("304 Not Modified", [*headers, *entry.outer_headers])
            return []
        start_response("200 OK", [*headers, *entry.outer_headers, ("Content-Length", str(len(body)))])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]


def finish_response(response: Response) -> Response:
    """After the view: set Cache-Control, then answer a 200 as a representation.

    A shareable 200 is handed to ``RenderCacheMiddleware`` to store once it has been sent.
    """
    if g.get("answered_as_asset"):
        return response
    cache = http_cache()
    cache.follow_index()
    set_cache_control(response, cache.html_policy)
    if not is_representable(response):
        compress_in_place(response)
        return response
    entry = Representation.from_response(response, cache.built_at)
    if cache.render_cache.enabled and request.endpoint not in (None, "static") and is_shareable(response):
        request.environ[PENDING_ENTRY] = (cache_key(request.environ, cache.version), entry.encode_all())
    return entry.respond()


def set_cache_control(response: Response, html_policy: str) -> None:
    if "Cache-Control" in response.headers:
        return
    status = response.status_code
    if request.method not in ("GET", "HEAD") or status >= 500:
        response.headers["Cache-Control"] = NO_STORE
    elif status in (200, 203, 301, 308):
        response.headers["Cache-Control"] = html_policy
    elif 400 <= status < 500:
        response.headers["Cache-Control"] = "no-cache" if html_policy == "no-cache" else ERROR_CACHE_CONTROL
    else:
        response.headers["Cache-Control"] = NO_STORE


def is_representable(response: Response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.direct_passthrough
        and not response.is_streamed
        and "Content-Encoding" not in response.headers
    )


def is_shareable(response: Response) -> bool:
    control = response.cache_control
    return not (control.no_store or control.private or control.no_cache) and "Set-Cookie" not in response.headers


def compress_in_place(response: Response) -> None:
    """Compress a response that is not cached (an error page, say) for this one client."""
    if response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers:
        return
    if response.status_code in (204, 304) or response.status_code < 200:
        return
    body = response.get_data()
    if not worth_compressing(response.mimetype or "", len(body)):
        return
    response.vary.add("Accept-Encoding")
    encoding = choose_encoding(request.environ)
    if encoding != "identity":
        response.set_data(encode(body, encoding, BROTLI_PAGE_QUALITY))
        response.headers["Content-Encoding"] = encoding


def serve_asset(filename: str) -> Response:
    """``/static/<name>`` or ``/static/<name with its hash>``: from memory, compressed, validated."""
    name, digest = split_fingerprint(filename)
    cache = http_cache()
    asset = cache.assets.get(name)
    if asset is None:
        big = safe_join(str(cache.assets.folder), filename)
        if big and os.path.isfile(big):
            g.answered_as_asset = True
            return send_from_directory(cache.assets.folder, filename, max_age=300)
        abort(404)
    g.answered_as_asset = True
    lifetime = IMMUTABLE if digest == asset.digest else ASSET_PLAIN_MAX_AGE
    return asset.representation.respond(cache_control=lifetime)


def asset_url(filename: str) -> str:
    """The URL of a static file with its content hash in the name, for templates."""
    return url_for("static", filename=http_cache().assets.fingerprinted(filename))


def init_app(app: Flask) -> None:
    config = app.config
    size = int(config["RENDER_CACHE_SIZE"])  # already 0 while content reloads (config.py)
    app.extensions["http_cache"] = HttpCache(
        html_policy=html_cache_control(config),
        render_cache=RenderCache(size, int(config["RENDER_CACHE_MB"]) * 1024 * 1024),
        assets=Assets(Path(app.static_folder or "static")),
    )
    app.extensions["content_index"].listeners.append(app.extensions["http_cache"].render_cache.clear)
    app.view_functions["static"] = serve_asset
    app.after_request(finish_response)
    app.wsgi_app = RenderCacheMiddleware(app, app.wsgi_app)  # type: ignore[method-assign]
    app.add_template_global(asset_url)
