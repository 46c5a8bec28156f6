"""Can idle and slow clients starve the server? `make serve`'s gunicorn (the image's too) under
500 clients of one kind at a time: connections that send nothing, one byte, or a header line a
second (slowloris), while a visitor asks for a page every half second.

For each worker arrangement (the one in gunicorn.conf.py first, then the alternatives it
was chosen over, via GUNICORN_CMD_ARGS) it prints the visitor's median and slowest answer with
each kind of client connected, and wrk's throughput on a briefing page without them.

    python -m bench.idle_clients [--clients 500] [--seconds 8] [--wrk-seconds 4]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .common import (
    REPO_ROOT,
    clean_environment,
    find_program,
    free_port,
    gunicorn_command,
    percentile,
    running,
)

IDLE = 20
SLOW = 5
KINDS = ("one_byte", "idle", "slow")
PAGE = "/briefings/54-activating-ai-safety-level-3-protections"

# name -> gunicorn options overriding gunicorn.conf.py (GUNICORN_CMD_ARGS)
ARRANGEMENTS = {
    "gunicorn.conf.py as shipped (gevent)": "",
    "gthread, 32 threads (the old setting)": "--worker-class gthread --threads 32",
    "gthread, 512 threads": "--worker-class gthread --threads 512",
}


@contextmanager
def hostile_clients(port: int, idle: int = IDLE, slow: int = SLOW, one_byte: int = 0,
                    host: str = "127.0.0.1") -> Iterator[None]:
    """``idle`` connections that send nothing, ``slow`` ones sending one header line a second
    (slowloris) and ``one_byte`` ones that send the first byte of a request and then nothing."""
    stop = threading.Event()
    sockets = [socket.create_connection((host, port), timeout=5) for _ in range(idle)]
    for _ in range(one_byte):
        sock = socket.create_connection((host, port), timeout=5)
        sock.sendall(b"G")
        sockets.append(sock)

    def trickle(sock: socket.socket) -> None:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            line = 0
            while not stop.wait(1.0):
                sock.sendall(f"X-Slow-{line}: 1\r\n".encode())
                line += 1
        except OSError:
            pass

    slow_sockets = [socket.create_connection((host, port), timeout=5) for _ in range(slow)]
    threads = [threading.Thread(target=trickle, args=(sock,), daemon=True) for sock in slow_sockets]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # let the server accept them all
        yield
    finally:
        stop.set()
        for sock in sockets + slow_sockets:
            sock.close()
        for thread in threads:
            thread.join(timeout=2)


def visitor_latencies(url: str, seconds: float, spacing: float = 0.5, timeout: float = 40.0) -> list[float]:
    """Seconds each request to ``url`` took, one every ``spacing`` seconds for ``seconds``."""
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                response.read()
        except OSError:  # a timeout counts as the whole wait
            pass
        times.append(time.monotonic() - start)
        time.sleep(max(0.0, spacing - times[-1]))
    return times


def wrk_rate(url: str, seconds: float) -> str:
    wrk = find_program("wrk")
    if wrk is None:
        return "no wrk"
    out = subprocess.run([wrk, "-t2", "-c64", f"-d{seconds:g}s", url], capture_output=True, text=True, check=False,
                         timeout=seconds + 60).stdout
    rate = next((line.split()[-1] for line in out.splitlines() if line.startswith("Requests/sec")), "?")
    errors = "errors" if "Socket errors" in out or "Non-2xx" in out else "0 errors"
    return f"{float(rate):8.0f} req/s ({errors})" if rate != "?" else "?"


def measure(name: str, options: str, root: Path, clients: int, seconds: float, wrk_seconds: float) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_environment(PORT=str(port), PORTFOLIO_ENV="production", PORTFOLIO_SITE_URL=base,
                            PORTFOLIO_CONTENT_DIR=str(root / "content"),
                            PORTFOLIO_DATABASE_URL=f"sqlite:///{root / 'index.sqlite3'}", GUNICORN_CMD_ARGS=options)
    figures = []
    with running(gunicorn_command(), f"{base}/healthz", root / f"gunicorn-{port}.log", env):
        for kind in KINDS:
            with hostile_clients(port, **{"idle": 0, "slow": 0, kind: clients}):
                times = visitor_latencies(base + PAGE, seconds, timeout=10)
            figures.append(f"{kind} p50 {percentile(times, 0.5) * 1000:6.0f} max {max(times) * 1000:6.0f} ms")
        rate = wrk_rate(base + PAGE, wrk_seconds) if wrk_seconds else ""
    print(f"{name:38} " + " | ".join(figures) + f"   {rate}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500, help="hostile clients of each kind")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long the visitor keeps asking")
    parser.add_argument("--wrk-seconds", type=float, default=4.0, help="0 skips the throughput figure")
    args = parser.parse_args()
    print(f"{args.clients} clients of each kind in turn; a visitor asks for {PAGE} every 0.5 s (10 s timeout)")
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        shutil.copytree(REPO_ROOT / "content", root / "content")
        for name, options in ARRANGEMENTS.items():
            measure(name, options, root, args.clients, args.seconds, args.wrk_seconds)


if __name__ == "__main__":
    main()
