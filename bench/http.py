"""HTTP throughput with wrk (64 connections, loopback): the site behind deploy/nginx against nginx
serving the same pages as files, and the app alone under gunicorn for reference.

Rounds measure every server once per page, alternating the order; the ratio "behind nginx ÷
nginx static" is taken within each round and the median over rounds is reported (target ≥ 0.9,
with zero errors). The static server adds the headers every page shares, so both answer with
bodies of the same size.

    python -m bench.http [--seconds 4] [--rounds 3] [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from .common import (
    clean_environment,
    find_program,
    free_port,
    gunicorn_command,
    nginx_command,
    nginx_renderer,
    running,
    static_nginx,
)

PAGES = {"briefing page": "/briefings/54-activating-ai-safety-level-3-protections",
         "filtered explorer": "/briefings/?category=Safety&organization=Anthropic"}
CONNECTIONS = 64
# nginx and gunicorn write these themselves; every other header of the app's answer nginx static adds too.
OWN_HEADERS = {"date", "server", "connection", "keep-alive", "transfer-encoding", "content-length", "content-type",
               "etag", "x-cache-status", "x-portfolio-generation"}


def run_wrk(wrk: str, url: str, seconds: float) -> dict[str, float]:
    done = subprocess.run([wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds:g}s", url], capture_output=True,
                          text=True, check=True, timeout=seconds + 60)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", done.stdout)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return {"rps": float(rate[1]) if rate else 0.0, "errors": errors + (int(non_2xx[1]) if non_2xx else 0)}


def save_static_copies(app: str, docroot: Path) -> str:
    """Each page as the app answers it, saved where nginx static finds it; returns the add_header lines."""
    shared: list[tuple[str, str]] | None = None
    for path in PAGES.values():
        with urllib.request.urlopen(app + path, timeout=10) as response:
            body = response.read()
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in OWN_HEADERS]
        shared = headers if shared is None else [header for header in shared if header in headers]
        target = docroot / path.split("?")[0].lstrip("/")
        target = target / "index.html" if path.split("?")[0].endswith("/") else target
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return "\n".join(f'    add_header {name} "{value}";' for name, value in shared or [])


def proxy_config(out: Path, listen_port: int, app_port: int) -> Path:
    """deploy/nginx as shipped, but for wrk's own address: its 64 connections are one client, which
    the per-client limits would hold to a few requests a second (a CDN is exempted the same way)."""
    render = nginx_renderer()
    (out / "cache").mkdir(parents=True, exist_ok=True)
    site = render.render_site(f"127.0.0.1:{listen_port}", f"127.0.0.1:{app_port}", out / "cache",
                              unlimited=["127.0.0.1"])
    return render.write_standalone(out, site)


def measure(workdir: Path, seconds: float, rounds: int) -> list[dict[str, float | str]]:
    wrk, nginx = find_program("wrk"), find_program("nginx", "/usr/sbin/nginx")
    if wrk is None or nginx is None:
        raise RuntimeError("the HTTP benchmark needs wrk and nginx (apt-get install wrk nginx)")
    folder = workdir / "http"
    folder.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("app", "static", "cache")}
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    runs: dict[tuple[str, str], list[dict[str, float]]] = {}
    with ExitStack() as stack:
        env = clean_environment(PORT=str(ports["app"]), PORTFOLIO_DATABASE_URL=f"sqlite:///{folder / 'index.sqlite3'}",
                                PORTFOLIO_SITE_URL="http://127.0.0.1")
        stack.enter_context(running(gunicorn_command(), base["app"] + "/healthz", folder / "app.log", env))
        headers = save_static_copies(base["app"], folder / "docroot")
        static = static_nginx(folder / "nginx-static", ports["static"], folder / "docroot", headers)
        stack.enter_context(running(nginx_command(nginx, static), base["static"] + PAGES["briefing page"],
                                    folder / "static.log"))
        cache = proxy_config(folder / "nginx-cache", ports["cache"], ports["app"])
        stack.enter_context(running(nginx_command(nginx, cache), base["cache"] + "/healthz", folder / "cache.log"))
        for round_ in range(rounds):
            for label, path in PAGES.items():
                for server in ("app", "static", "cache") if round_ % 2 == 0 else ("cache", "static", "app"):
                    run_wrk(wrk, base[server] + path, 1.0)  # warm up (and fill the proxy's cache)
                    runs.setdefault((label, server), []).append(run_wrk(wrk, base[server] + path, seconds))
    rows: list[dict[str, float | str]] = []
    for label in PAGES:
        ratios = [c["rps"] / s["rps"] for c, s in zip(runs[(label, "cache")], runs[(label, "static")]) if s["rps"]]
        row: dict[str, float | str] = {"page": label, "cache_vs_static": statistics.median(ratios)}
        for server in ("app", "static", "cache"):
            row[f"{server}_rps"] = statistics.median(run["rps"] for run in runs[(label, server)])
            row[f"{server}_errors"] = sum(run["errors"] for run in runs[(label, server)])
        rows.append(row)
        print(f"  {label:18} app {row['app_rps']:8.0f} req/s   nginx static {row['static_rps']:8.0f}   behind nginx"
              f" {row['cache_rps']:8.0f}   ratio {row['cache_vs_static']:.2f} (rounds: "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; target ≥ 0.9)   errors {row['app_errors']}/"
              f"{row['static_errors']}/{row['cache_errors']}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    measure(args.workdir, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
