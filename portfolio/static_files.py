"""Static files: Flask serves them (``send_from_directory``: ETag, 304, ranges); this adds one
spelling per file and a content hash in each URL the templates print.

``asset_url("css/site.css")`` is ``/static/css/site.css?v=<hash of the bytes>``: a URL with the
current hash may be kept for a year (``immutable``), any other for five minutes. A path that is
not the file's one spelling (``a/../b``, ``./``, a trailing slash, a hidden file) is a 404,
so no spelling can make the server read, compress or keep a file twice.
"""

from __future__ import annotations

import hashlib
import posixpath
import threading
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, send_from_directory, url_for
from werkzeug.security import safe_join

IMMUTABLE_SECONDS = 31_536_000
PLAIN_SECONDS = 300


class Fingerprints:
    """The hash of each static file's bytes, recomputed when the file changes on disk."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._digests: dict[str, tuple[tuple[int, int], str]] = {}
        self._lock = threading.Lock()

    def digest(self, filename: str) -> str | None:
        joined = safe_join(str(self.folder), filename)
        if joined is None:
            return None
        path = Path(joined)
        try:
            info = path.stat()
        except (OSError, ValueError):
            return None
        stamp = (info.st_mtime_ns, info.st_size)
        known = self._digests.get(filename)
        if known is not None and known[0] == stamp:
            return known[1]
        if not path.is_file():
            return None
        digest = hashlib.blake2b(path.read_bytes(), digest_size=6).hexdigest()
        with self._lock:
            self._digests[filename] = (stamp, digest)
        return digest


def is_one_spelling(filename: str) -> bool:
    parts = filename.split("/")
    return posixpath.normpath(filename) == filename and not any(part.startswith(".") for part in parts)


def fingerprints() -> Fingerprints:
    found: Fingerprints = current_app.extensions["fingerprints"]
    return found


def serve_static(filename: str) -> Response:
    if not is_one_spelling(filename):
        abort(404)
    digest = fingerprints().digest(filename)
    if digest is None:
        abort(404)
    fresh = request.args.get("v") == digest
    # conditional=False: no byte ranges. These files are small and go out compressed, and a 206's
    # Content-Range counts bytes of the file, not of a compressed body; 304s come from http_cache.
    response = send_from_directory(
        fingerprints().folder, filename, max_age=IMMUTABLE_SECONDS if fresh else PLAIN_SECONDS, conditional=False
    )
    response.cache_control.immutable = fresh or None
    # Read the file whole (small, and in the page cache) so Flask-Compress compresses it once
    # per ETag from its cache instead of streaming a fresh compression to every client.
    response.direct_passthrough = False
    response.make_sequence()
    return response


def asset_url(filename: str) -> str:
    """The URL of a static file with its content hash, for templates."""
    return url_for("static", filename=filename, v=fingerprints().digest(filename))


def init_app(app: Flask) -> None:
    app.extensions["fingerprints"] = Fingerprints(Path(app.static_folder or "static"))
    app.view_functions["static"] = serve_static
    app.add_template_global(asset_url)

