"""HTTP caching and compression, from libraries: werkzeug's ETags and conditional responses,
Flask-Compress for br/gzip. The cache itself is in front of the app (deploy/nginx, or a CDN).

One ``after_request`` hook, ``finish``, runs last (``init_app`` registers it before every other
one, and Flask runs them last-registered first), on a response complete but for these steps:

1. Cache-Control by status (pages briefly in browsers, longer in shared caches; errors briefly);
2. a strong ETag over the bytes (werkzeug ``add_etag``);
3. Flask-Compress: br or gzip by the client's Accept-Encoding (``:br`` is added to the ETag);
4. werkzeug ``make_conditional`` turns a matching If-None-Match into ``304 Not Modified``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

from .config import Settings

ERROR_CACHE_CONTROL = "public, max-age=60"
STALE_IF_ERROR = 86_400
COMPRESS_SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,  # within 2 % of quality 9's size for a page, in a fraction of the time
    "COMPRESS_MIN_SIZE": 512,
    "COMPRESS_STREAMS": False,
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,  # finish does it for every response
    "COMPRESS_REGISTER": False,  # finish calls it, between the ETag and the conditional answer
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/plain", "text/xml", "text/javascript", "application/javascript",
        "application/json", "application/xml", "application/atom+xml", "image/svg+xml",
    ],
}


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


def init_app(app: Flask, settings: Settings) -> None:
    """Call before any other extension registers an ``after_request`` hook, so that ``finish``
    sees the finished response."""
    html_policy = html_cache_control(settings)
    app.config.update(COMPRESS_SETTINGS)
    compress = Compress(app)

    @app.after_request
    def finish(response: Response) -> Response:
        status = response.status_code
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = cache_control_for(status, html_policy)
        if 200 <= status < 300 and not response.is_streamed and "ETag" not in response.headers:
            response.add_etag()
        response = compress.after_request(response)
        if status == 200 and request.method in ("GET", "HEAD"):
            response.make_conditional(request)
        return response
