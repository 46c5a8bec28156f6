"""`make serve` as a visitor and an attacker meet it: the real gunicorn with gunicorn.conf.py
on a free loopback port, over a private copy of the content."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup

from bench.common import clean_environment, free_port, gunicorn_command, running
from bench.idle_clients import hostile_clients, visitor_latencies
from portfolio.config import REPO_ROOT


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("gunicorn")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    port = free_port()
    env = clean_environment(PORT=str(port), PORTFOLIO_ENV="production", PORTFOLIO_CONTENT_DIR=str(root / "content"),
                            PORTFOLIO_DATABASE_URL=f"sqlite:///{root / 'index.sqlite3'}")
    env.pop("WEB_CONCURRENCY", None)
    env.pop("GUNICORN_CMD_ARGS", None)
    with running(gunicorn_command(), f"http://127.0.0.1:{port}/healthz", root / "gunicorn.log", env):
        yield port


def raw_request(port: int, request: bytes) -> bytes:
    """Send bytes as they are (no client library tidying them) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_idle_and_slow_clients_do_not_hold_up_a_visitor(server: int) -> None:
    with hostile_clients(server, idle=20, slow=5):
        # Long enough to outlast the seconds a new connection may hold a thread while it waits for data.
        times = visitor_latencies(f"http://127.0.0.1:{server}/briefings/", seconds=7, timeout=10)
    assert len(times) >= 5
    assert max(times) < 1.0, times


@pytest.mark.parametrize("header", [b"SCRIPT_NAME: /zzz", b"SCRIPT_NAME: /briefings", b"PATH_INFO: /zzz",
                                    b"Script-Name: /briefings"])
def test_request_headers_cannot_move_the_app(server: int, header: bytes) -> None:
    answer = raw_request(server, b"GET /briefings/ HTTP/1.1\r\nHost: localhost\r\n" + header
                         + b"\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    page = BeautifulSoup(body, "html.parser")
    assert page.find("link", rel="canonical")["href"] == "http://localhost/briefings/"
    assert page.find("form", id="explorer-form")["action"] == "/briefings/"


@pytest.mark.parametrize("host", [b"xn--zz", b"a..b", b"a" * 64 + b".example", b"", b"exa mple.org"])
def test_a_bad_host_is_a_400_with_the_security_headers(server: int, host: bytes) -> None:
    answer = raw_request(server, b"GET /about HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 400"), head[:200]
    assert "Content-Security-Policy: default-src 'self'" in head
