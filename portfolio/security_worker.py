"""gunicorn's threaded worker, whose own error answers carry the site's security headers.

gunicorn refuses some requests before the app runs: a request line it cannot parse (400), one
longer than ``limit_request_line`` (414), header fields over their limits (431), and a few
more. ``Worker.handle_error`` picks the status and message, logs the request and writes a fixed
page with ``gunicorn.util.write_error``, which sends only Connection, Content-Type and
Content-Length. gunicorn offers no setting or hook for that page (benoitc/gunicorn#993), so this
worker keeps gunicorn's decision and its page and adds what every other answer of the site
has: the security headers, ``Cache-Control: no-store`` and a charset. ``gunicorn.conf.py``
names it as ``worker_class``.
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from .config import Settings
from .security import response_headers


class Capture:
    """Stands in for the client socket while gunicorn writes its error page, and keeps the bytes."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.written = b""

    def sendall(self, data: bytes) -> None:
        self.written += data

    def gettimeout(self) -> float:
        return 0.0  # already non-blocking, as far as write_nonblock is concerned: nothing to switch

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


def with_headers(answer: bytes, headers: list[tuple[str, str]]) -> bytes:
    """gunicorn's ``HTTP/1.1 <status>`` answer (latin-1 page) with our headers, the page as UTF-8."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0]
    body = body.decode("latin-1").encode("utf-8")
    lines = [
        ("Connection", "close"),
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *headers,
    ]
    return status_line + b"\r\n" + "".join(f"{name}: {value}\r\n" for name, value in lines).encode() + b"\r\n" + body


class SecureThreadWorker(ThreadWorker):
    """``gthread`` with the security headers on gunicorn's own 400/414/431 (and 403/500) pages."""

    security_headers: list[tuple[str, str]] = []

    def init_process(self) -> None:
        self.security_headers = response_headers(Settings().https)
        super().init_process()

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        capture = Capture(client)
        super().handle_error(req, capture, addr, exc)
        if not capture.written:  # gunicorn could not build its page: it sent nothing, nor do we
            return
        try:
            util.write_nonblock(client, with_headers(capture.written, self.security_headers))
        except Exception:
            self.log.debug("Failed to send error message.")
