"""`flask content links` against a local HTTP server: exactly the broken links are named.

Nothing here reaches the internet: the content is written for the test and every URL in it
points at a server on 127.0.0.1 (asserted before any request is made).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.common import free_port
from portfolio.links import occurrences

RELEASE = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        if self.path == "/silent":
            RELEASE.wait(30)  # accepts the connection and never answers
            return
        routes = {
            "/ok": (200, {}),
            "/moved": (301, {"Location": "/ok"}),
            "/moved-again": (308, {"Location": "/moved"}),
            "/found": (302, {"Location": "/ok"}),
            "/missing": (404, {}),
            "/error": (500, {}),
            "/forbidden": (403, {}),
        }
        status, headers = routes.get(self.path, (404, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    RELEASE.clear()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    RELEASE.set()
    httpd.shutdown()
    httpd.server_close()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


@pytest.fixture
def content(tmp_path: Path, server: str) -> Path:
    root = tmp_path / "links-content"  # not tmp_path/"content": the app fixture copies the bundled content there
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    write(root / "site.yml", f"title: Test\nnav:\n  - label: Elsewhere\n    href: {server}/ok\n")
    write(root / "briefings" / "001-fine.md",
          f"---\nnumber: 1\nurl: {server}/ok\npdf: {server}/found\n---\n## Summary\n\nSee [this]({server}/ok).\n")
    write(root / "briefings" / "002-broken.md",
          f"---\nnumber: 2\nurl: {server}/missing\ncode: {server}/error\n---\n## Summary\n\n"
          f"A [dead link]({server}/missing) and [a closed port]({closed}/x), "
          f"[a local one](/briefings/1) and <a href=\"{server}/forbidden\">raw HTML</a>.\n")
    write(root / "briefings" / "003-moved.md",
          f"---\nnumber: 3\nurl: {server}/moved\narxiv: \"1706.03762\"\n---\n## Summary\n\n[x]({server}/moved-again)\n")
    write(root / "projects" / "slow.md", f"---\ntitle: Slow\nlinks:\n  - label: Demo\n    href: {server}/silent\n---\nText.\n")
    write(root / "briefings" / "_template.md", f"---\nurl: {server}/missing\n---\n")
    (root / "closed-url.txt").write_text(closed)
    return root


def run_links(runner, content: Path, *extra: str):
    found, _ = occurrences(content)
    assert all(item.url.startswith("http://127.0.0.1:") for item in found), "a test must not reach the internet"
    return runner.invoke(args=["content", "links", "--content-dir", str(content), "--timeout", "4", *extra])


def test_every_url_is_local_before_anything_is_fetched(content, server):
    found, unreadable = occurrences(content)
    assert unreadable == []
    assert found and all(item.url.startswith("http://127.0.0.1:") for item in found)
    assert ("projects/slow.md", "links[0].href") in {(item.path, item.field) for item in found}
    assert not any(item.path.endswith("_template.md") for item in found)


def test_links_names_exactly_the_broken_links(runner, content, server):
    result = run_links(runner, content)
    assert result.exit_code == 1
    broken = [line for line in result.stdout.splitlines() if line and "suggestion:" not in line]
    closed = (content / "closed-url.txt").read_text()
    refused = [line for line in broken if line.startswith(f"briefings/002-broken.md: body: {closed}/x: ")]
    assert len(refused) == 1 and "connection failed" in refused[0]
    assert sorted(broken) == sorted([
        f"briefings/002-broken.md: url: {server}/missing: HTTP 404 Not Found",
        f"briefings/002-broken.md: code: {server}/error: HTTP 500 Internal Server Error",
        f"briefings/002-broken.md: body: {server}/missing: HTTP 404 Not Found",
        f"briefings/002-broken.md: body: {server}/forbidden: HTTP 403 Forbidden"
        " (the site may refuse automated clients: check it in a browser)",
        refused[0],
        f"projects/slow.md: links[0].href: {server}/silent: no answer within 4 s (timeout)",
    ])


def test_permanent_redirects_are_suggestions_not_failures(runner, content, server):
    result = run_links(runner, content)
    suggestions = [line for line in result.stdout.splitlines() if "suggestion:" in line]
    assert sorted(suggestions) == [
        f"briefings/003-moved.md: body: {server}/moved-again: suggestion: permanently moved to {server}/ok",
        f"briefings/003-moved.md: url: {server}/moved: suggestion: permanently moved to {server}/ok",
    ]
    assert "302" not in result.stdout and not any("/found" in line for line in result.stdout.splitlines())


def test_all_good_links_exit_zero(runner, tmp_path, server):
    root = tmp_path / "good"
    write(root / "briefings" / "001-a.md", f"---\nurl: {server}/ok\n---\n[a]({server}/moved)\n")
    result = run_links(runner, root)
    assert result.exit_code == 0, result.output
    assert "0 broken link(s), 1 permanent redirect(s) to update" in result.stderr


def test_unreadable_files_are_named_and_fail_the_run(runner, tmp_path, server):
    root = tmp_path / "bad"
    write(root / "briefings" / "001-a.md", "---\nurl: [unclosed\n---\n")
    result = run_links(runner, root)
    assert result.exit_code == 1
    assert result.stdout.startswith("briefings/001-a.md: ")
