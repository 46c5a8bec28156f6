"""Several nodes behind deploy/nginx: one restarted under load, and no visitor sees a failure.

Two gunicorn nodes (as `make serve` runs them, each with its own index) behind the repo's nginx
config with both in its upstream pool; eight clients ask for pages that reach a node on every
request (/healthz is never cached) and pages the proxy caches, while each node in turn is stopped
(SIGTERM, gunicorn's graceful stop) and started again. nginx must retry the idempotent requests
a stopping node cannot answer on the other one: not one request may fail.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.common import (
    REPO_ROOT,
    clean_environment,
    free_port,
    gunicorn_command,
    nginx_renderer,
    running,
    wait_until_up,
)
from tests.test_proxy_cache import render_proxy, require_nginx

FAIL_TIMEOUT = nginx_renderer().Limits().fail_timeout
PATHS = ["/healthz", "/about", "/healthz", "/briefings/", "/healthz", "/briefings/?category=Safety"]
CLIENTS = 8


@dataclass
class Node:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(gunicorn_command(), cwd=REPO_ROOT, env=self.env, stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", self.process, self.log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def served(self) -> int:
        return self.log.read_text(errors="replace").count('"GET /healthz HTTP/1.0"') + \
            self.log.read_text(errors="replace").count('"GET /healthz HTTP/1.1"')


@dataclass
class Load:
    """Clients asking through the proxy on kept-alive connections until told to stop."""

    url: str
    stop: threading.Event = field(default_factory=threading.Event)
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, offset: int) -> None:
        host, port = self.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=15)
        n = offset
        while not self.stop.is_set():
            path = PATHS[n % len(PATHS)]
            n += 1
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                outcome = f"{path}: {type(error).__name__}"
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=15)
            with self.lock:
                self.outcomes[outcome] += 1
        connection.close()


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[Node]]:
    found = []
    for name in ("a", "b"):
        folder = tmp_path / name
        shutil.copytree(REPO_ROOT / "content", folder / "content")
        port = free_port()
        env = clean_environment(PORT=str(port), WEB_CONCURRENCY="1", PORTFOLIO_CONTENT_DIR=str(folder / "content"),
                                PORTFOLIO_DATABASE_URL=f"sqlite:///{folder / 'index.sqlite3'}",
                                PORTFOLIO_SITE_URL="http://127.0.0.1")
        found.append(Node(port, env, folder / "gunicorn.log"))
    try:
        for node in found:
            node.start()
        yield found
    finally:
        for node in found:
            node.stop()


def test_restarting_each_node_under_load_fails_no_request(nodes: list[Node], tmp_path: Path) -> None:
    nginx = require_nginx()
    port = free_port()
    conf = render_proxy(tmp_path / "nginx", port, [f"127.0.0.1:{node.port}" for node in nodes])
    command = [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"]
    with running(command, f"http://127.0.0.1:{port}/healthz", tmp_path / "nginx.log"):
        load = Load(f"http://127.0.0.1:{port}")
        clients = [threading.Thread(target=load.client, args=(n,)) for n in range(CLIENTS)]
        for client in clients:
            client.start()
        try:
            time.sleep(1.5)
            for node in nodes:  # docs/deploying.md's rolling restart
                node.stop()
                time.sleep(1.0)  # the pool is one node short for a moment
                node.start()
                time.sleep(FAIL_TIMEOUT + 1.5)  # nginx tries a failed node again after fail_timeout
        finally:
            load.stop.set()
            for client in clients:
                client.join(timeout=30)
    total = sum(load.outcomes.values())
    failures = {outcome: n for outcome, n in load.outcomes.items() if outcome != "200"}
    print(f"{total} requests through the proxy while each node restarted: {dict(load.outcomes)}")
    assert total > 200, load.outcomes
    assert not failures, f"{sum(failures.values())} of {total} requests failed: {failures}"
    assert all(node.served() > 10 for node in nodes), "a node answered no health checks"
