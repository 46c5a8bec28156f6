"""`make serve` as a visitor and an attacker meet it: the real gunicorn with gunicorn.conf.py
on a free loopback port, over a private copy of the content."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bench.common import clean_environment, free_port, gunicorn_command, running
from bench.idle_clients import hostile_clients, visitor_latencies
from portfolio.config import REPO_ROOT


@dataclass(frozen=True)
class Server:
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("gunicorn")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    port = free_port()
    env = clean_environment(PORT=str(port), PORTFOLIO_ENV="production", PORTFOLIO_CONTENT_DIR=str(root / "content"),
                            PORTFOLIO_DATABASE_URL=f"sqlite:///{root / 'index.sqlite3'}",
                            PORTFOLIO_SITE_URL=f"http://127.0.0.1:{port}")
    env.pop("WEB_CONCURRENCY", None)
    env.pop("GUNICORN_CMD_ARGS", None)
    with running(gunicorn_command(), f"http://127.0.0.1:{port}/healthz", root / "gunicorn.log", env):
        yield Server(port, root / "gunicorn.log")


def fetch_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode()


def raw_request(port: int, request: bytes, source: str = "127.0.0.1") -> bytes:
    """Send bytes as they are (no client library tidying them) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_idle_and_slow_clients_do_not_hold_up_a_visitor(server: Server) -> None:
    with hostile_clients(server.port, idle=20, slow=5):
        # Long enough to outlast the seconds a new connection may be given to send its request.
        times = visitor_latencies(f"{server.url}/briefings/", seconds=7, timeout=10)
    assert len(times) >= 5
    assert max(times) < 1.0, times


@pytest.mark.parametrize("kind", ["one_byte", "idle", "slow"])
def test_five_hundred_hostile_clients_leave_a_visitor_answered_within_a_second(server: Server, kind: str) -> None:
    # The port a container publishes: clients that send one byte, nothing, or a header line a
    # second hold a connection each; a visitor must still get the page, fast (1 s is a wide margin).
    with hostile_clients(server.port, **{"idle": 0, "slow": 0, kind: 500}):
        times = visitor_latencies(f"{server.url}/briefings/", seconds=7, timeout=10)
    assert len(times) >= 5
    assert max(times) < 1.0, times


@pytest.mark.parametrize("header", [b"SCRIPT_NAME: /zzz", b"SCRIPT_NAME: /briefings", b"PATH_INFO: /zzz",
                                    b"Script-Name: /briefings"])
def test_request_headers_cannot_move_the_app(server: Server, header: bytes) -> None:
    answer = raw_request(server.port, b"GET /briefings/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header
                         + b"\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    page = BeautifulSoup(body, "html.parser")
    assert page.find("link", rel="canonical")["href"] == f"{server.url}/briefings/"
    assert page.find("form", id="explorer-form")["action"] == "/briefings/"


@pytest.mark.parametrize("host", [b"xn--zz", b"a..b", b"a" * 64 + b".example", b"", b"exa mple.org"])
def test_a_bad_host_is_a_400_with_the_security_headers(server: Server, host: bytes) -> None:
    answer = raw_request(server.port, b"GET /about HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 400"), head[:200]
    assert "Content-Security-Policy: default-src 'self'" in head


def access_lines(server: Server, marker: str) -> list[str]:
    """The access lines naming ``marker`` (a path), once gunicorn's worker has written them."""
    for _ in range(50):
        lines = [line for line in server.log.read_text(errors="replace").splitlines() if marker in line]
        if lines:
            return lines
        time.sleep(0.1)
    return []


ISO_LINE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (\S+) "GET (\S+) HTTP/1\.1" (\d{3}) (\d+) [\d.]+s "(.*)" "(.*)"$')


def test_one_access_line_per_request_with_time_client_and_request(server: Server) -> None:
    raw_request(server.port, b"GET /about?from-log-test HTTP/1.1\r\nHost: 127.0.0.1\r\nReferer: https://r.example/\r\n"
                b"User-Agent: probe/1\r\nConnection: close\r\n\r\n")
    (line,) = access_lines(server, "/about?from-log-test")
    match = ISO_LINE.match(line)
    assert match, line
    assert match.groups() == ("127.0.0.1", "/about?from-log-test", "301", match[4], "https://r.example/", "probe/1")


def test_x_forwarded_for_is_believed_only_from_the_trusted_proxy(server: Server) -> None:
    # Straight to gunicorn from another address: the header is the client's own claim, and ignored.
    spoof = b"X-Forwarded-For: 198.51.100.66\r\n"
    raw_request(server.port, b"GET /robots.txt?spoofed HTTP/1.1\r\nHost: 127.0.0.1\r\n" + spoof
                + b"Connection: close\r\n\r\n", source="127.0.0.2")
    (line,) = access_lines(server, "/robots.txt?spoofed")
    assert ISO_LINE.match(line)[1] == "127.0.0.2", line
    # From the proxy's address (127.0.0.1 here), the address the proxy appended is the client.
    raw_request(server.port, b"GET /robots.txt?proxied HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"X-Forwarded-For: 10.9.9.9, 203.0.113.5\r\nConnection: close\r\n\r\n")
    (line,) = access_lines(server, "/robots.txt?proxied")
    assert ISO_LINE.match(line)[1] == "203.0.113.5", line


def test_metrics_add_up_every_worker(server: Server) -> None:
    for _ in range(20):  # new connections: both workers answer some
        raw_request(server.port, b"GET /legal/privacy HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    answer = raw_request(server.port, b"GET /metrics HTTP/1.1\r\nHost: 10.0.0.1\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    counted = re.search(rb'portfolio_http_requests_total\{method="GET",route="site.legal",status="200"\} (\d+)', body)
    assert counted and float(counted[1]) >= 20, body[:2000]
    assert b"portfolio_index_ready 1.0" in body


def test_production_refuses_to_start_without_a_site_url(tmp_path: Path) -> None:
    env = clean_environment(PORTFOLIO_ENV="production", PORTFOLIO_DATABASE_URL=f"sqlite:///{tmp_path / 'i.sqlite3'}",
                            PORT=str(free_port()))
    done = subprocess.run(gunicorn_command(), cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode != 0
    assert "PORTFOLIO_SITE_URL is required in production" in done.stderr + done.stdout


def test_a_reload_publishes_new_content_and_drops_no_request(tmp_path: Path) -> None:
    """`systemctl reload portfolio` is a HUP to the master: it syncs the edited content and new
    workers take over while requests keep arriving."""
    shutil.copytree(REPO_ROOT / "content", tmp_path / "content")
    briefing = next((tmp_path / "content" / "briefings").glob("054-*.md"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = clean_environment(PORT=str(port), PORTFOLIO_ENV="production", PORTFOLIO_CONTENT_DIR=str(tmp_path / "content"),
                            PORTFOLIO_DATABASE_URL=f"sqlite:///{tmp_path / 'index.sqlite3'}", PORTFOLIO_SITE_URL=url)
    page = f"{url}/briefings/54"
    with running(gunicorn_command(), f"{url}/healthz", tmp_path / "gunicorn.log", env) as master:
        text = briefing.read_text(encoding="utf-8")
        briefing.write_text(text.replace("\ntitle: ", "\ntitle: Reloaded ", 1), encoding="utf-8")
        assert "Reloaded" not in fetch_text(page), "production picked up an edit without a reload"
        failures, answered = [], 0
        master.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                body = fetch_text(page)
                answered += 1
            except OSError as error:
                failures.append(error)
                continue
            if "Reloaded" in body:
                break
        else:
            pytest.fail("the edit never appeared after the reload")
    assert not failures and answered > 1
