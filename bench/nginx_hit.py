"""What nginx does per request: a proxy-cache hit (deploy/nginx) against a static file, counted.

Wall time and CPU time move with whatever else the machine runs; these counts do not. One
nginx process (``master_process off``) serves each page over one keep-alive connection while
callgrind counts its user-space instructions, then again while strace counts its system
calls; the figure per request is the difference between a run of 600 requests and one of 100
(start-up and shutdown cancel out). Requests carry no Accept-Encoding, as wrk's do. Needs
nginx, valgrind and strace (apt-get install nginx valgrind strace).

    python -m bench.nginx_hit [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import http.client
import re
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

from .common import clean_environment, find_program, free_port, gunicorn_command, render_nginx, running, static_nginx
from .http import PAGES, add_header_lines, save_pages

RUNS = (100, 600)


def single_process(conf: Path) -> Path:
    conf.write_text(conf.read_text().replace("worker_processes auto;", "worker_processes 1;\nmaster_process off;"))
    return conf


def send(port: int, path: str, count: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(count):
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        connection.getresponse().read()
    connection.close()


def count(nginx: str, conf: Path, port: int, path: str, tool: str, requests: int, out: Path) -> int:
    """Instructions (callgrind) or system calls (strace) of one nginx serving ``requests`` requests."""
    command = [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"]
    if tool == "callgrind":
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tracer = None
    try:
        deadline = time.monotonic() + 60
        while True:  # the first request also fills the proxy cache, if there is one
            try:
                send(port, path, 1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        if tool == "strace":
            tracer = subprocess.Popen(["strace", "-c", "-o", str(out), "-p", str(server.pid)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        send(port, path, requests)
        if tracer is not None:
            tracer.send_signal(2)
            tracer.wait(timeout=30)
    finally:
        for _ in range(60):  # a signal can be lost while nginx runs under valgrind: repeat it
            server.terminate()
            try:
                server.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue
    text = out.read_text()
    pattern = r"^summary:\s+(\d+)" if tool == "callgrind" else r"^\s*100\.00\s+\S+\s+\S+\s+(\d+)"
    return int(re.search(pattern, text, re.MULTILINE)[1])


def per_request(nginx: str, conf: Path, port: int, path: str, tool: str, folder: Path) -> float:
    small, large = (count(nginx, conf, port, path, tool, runs, folder / f"{tool}-{runs}.out") for runs in RUNS)
    return (large - small) / (RUNS[1] - RUNS[0])


def measure(workdir: Path) -> list[dict]:
    nginx = find_program("nginx", "/usr/sbin/nginx")
    missing = [name for name, found in (("nginx", nginx), ("valgrind", find_program("valgrind")),
                                        ("strace", find_program("strace"))) if found is None]
    if missing:
        raise RuntimeError(f"bench.nginx_hit needs {', '.join(missing)} (apt-get install nginx valgrind strace)")
    assert nginx is not None
    folder = workdir / "nginx-hit"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    with ExitStack() as stack:
        app_port = free_port()
        env = clean_environment(PORT=str(app_port), PORTFOLIO_DATABASE_URL=f"sqlite:///{folder / 'index.sqlite3'}")
        stack.enter_context(running(gunicorn_command(), f"http://127.0.0.1:{app_port}/healthz", folder / "app.log", env))
        _, shared = save_pages(f"http://127.0.0.1:{app_port}", folder)
        servers = {}
        for name in ("static", "cache"):
            port = free_port()
            conf = (static_nginx(folder / name, port, folder / "docroot", add_header_lines(shared)) if name == "static"
                    else render_nginx(folder / name, port, app_port))
            servers[name] = (single_process(conf), port)
        for label, path in PAGES.items():
            for name, (conf, port) in servers.items():
                rows.append({"page": label, "server": name,
                             "instructions": per_request(nginx, conf, port, path, "callgrind", folder),
                             "syscalls": per_request(nginx, conf, port, path, "strace", folder)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    for row in measure(args.workdir):
        print(f"{row['page']:18} {row['server']:7} {row['instructions']:8,.0f} user-space instructions"
              f"  {row['syscalls']:5.1f} system calls per request")


if __name__ == "__main__":
    main()
