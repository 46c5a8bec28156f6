"""HTTP throughput side by side, in one run, with wrk (64 connections, loopback only).

For a briefing page and a filtered explorer page, four servers answer with the same bytes:

- app:          the site under gunicorn (gunicorn.conf.py);
- flask floor:  a bare Flask app under the same gunicorn settings returning those bytes as
                a constant (bench/floor_app.py) — what Flask and gunicorn cost by themselves;
- nginx static: nginx serving the same pages saved as files — the physical limit here;
- nginx cache:  the site behind the repo's caching proxy config (deploy/nginx);
- app, no render cache: the site with PORTFOLIO_RENDER_CACHE_SIZE=0 — what the render cache earns.

Each pair runs a few rounds, interleaved, and the median round is kept: other work on the
machine moves single runs by tens of percent.

Targets: app ≥ 90 % of the floor; nginx cache ≥ 90 % of nginx static; no errors.
``--soak 60`` then runs wrk for that long against the app and against nginx in front of it,
and reports any error.

    python -m bench.http --seconds 4 --rounds 3 [--soak 60]
"""

from __future__ import annotations

import argparse
import json
import re
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
    render_nginx,
    running,
    static_nginx,
)

PAGES = {
    "briefing page": "/briefings/54-activating-asl-3-protections",
    "filtered explorer": "/briefings/?category=Safety&organization=Anthropic",
}
CONNECTIONS = 64
THREADS = 2
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}



def parse_wrk(output: str) -> dict:
    """Requests/s, p50 and p99 latency (ms) and error counts from ``wrk --latency`` output."""

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match[1]) * UNITS_MS[match[2]] if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0) + (int(non_2xx[1]) if non_2xx else 0)
    return {"rps": float(rate[1]) if rate else 0.0, "p50_ms": latency("50"), "p99_ms": latency("99"),
            "errors": errors}


def run_wrk(wrk: str, url: str, seconds: float) -> dict:
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", url]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return parse_wrk(result.stdout)


def save_pages(app_url: str, folder: Path) -> Path:
    """The app's bytes for each page: files for nginx static and a manifest for the Flask floor."""
    manifest = {}
    for index, path in enumerate(PAGES.values()):
        with urllib.request.urlopen(app_url + path, timeout=10) as response:
            body, content_type = response.read(), response.headers["Content-Type"]
        name = f"page-{index}.html"
        (folder / name).write_bytes(body)
        manifest[path] = {"file": name, "content_type": content_type}
        url_path = path.split("?")[0]
        static_file = folder / "docroot" / url_path.lstrip("/")
        if url_path.endswith("/"):
            static_file = static_file / "index.html"
        static_file.parent.mkdir(parents=True, exist_ok=True)
        static_file.write_bytes(body)
    manifest_path = folder / "manifest.json"
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    return manifest_path


def measure(workdir: Path, seconds: float, rounds: int = 3, warmup: float = 1.0, soak: float = 0.0) -> list[dict]:
    """Each server and page in turn, ``rounds`` times over; the median round per pair is kept."""
    wrk = find_program("wrk")
    nginx = find_program("nginx", "/usr/sbin/nginx")
    if wrk is None or nginx is None:
        raise RuntimeError("the HTTP benchmark needs wrk and nginx (apt-get install wrk nginx)")
    folder = workdir / "http"
    folder.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in ("app", "floor", "static", "cache", "nocache")}
    database = f"sqlite:///{folder / 'index.sqlite3'}"
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    with ExitStack() as servers:
        app_env = clean_environment(PORT=str(ports["app"]), PORTFOLIO_DATABASE_URL=database)
        servers.enter_context(running(gunicorn_command(), base["app"] + "/healthz", folder / "app.log", app_env))
        nocache_env = clean_environment(PORT=str(ports["nocache"]), PORTFOLIO_DATABASE_URL=database,
                                        PORTFOLIO_RENDER_CACHE_SIZE="0")
        servers.enter_context(running(gunicorn_command(), base["nocache"] + "/healthz", folder / "nocache.log",
                                      nocache_env))
        manifest = save_pages(base["app"], folder)
        floor_env = clean_environment(PORT=str(ports["floor"]), PORTFOLIO_DATABASE_URL=database,
                                      BENCH_PAGES=str(manifest))
        first_page = next(iter(PAGES.values()))
        servers.enter_context(running(gunicorn_command("bench.floor_app:app"), base["floor"] + first_page,
                                      folder / "floor.log", floor_env))
        static_conf = static_nginx(folder / "nginx-static", ports["static"], folder / "docroot")
        servers.enter_context(running(nginx_command(nginx, static_conf),
                                      base["static"] + first_page, folder / "nginx-static.log"))
        cache_conf = render_nginx(folder / "nginx-cache", ports["cache"], ports["app"])
        servers.enter_context(running(nginx_command(nginx, cache_conf), base["cache"] + "/healthz",
                                      folder / "nginx-cache.log"))
        runs: dict[tuple[str, str], list[dict]] = {}
        for round_number in range(1, rounds + 1):
            for label, path in PAGES.items():
                for server in ("floor", "app", "nocache", "static", "cache"):
                    url = base[server] + path
                    run_wrk(wrk, url, warmup)
                    result = run_wrk(wrk, url, seconds)
                    runs.setdefault((label, server), []).append(result)
                    print(f"  round {round_number}  {label:18} {server:7} {result['rps']:9.0f} req/s"
                          f"  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:7.2f} ms"
                          f"  errors {result['errors']}", flush=True)
        for server in ("app", "cache") if soak else ():
            result = run_wrk(wrk, base[server] + next(iter(PAGES.values())), soak)
            runs.setdefault(("soak", server), []).append(result)
            print(f"  soak {soak:g} s, 64 connections  {server:7} {result['rps']:9.0f} req/s"
                  f"  p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}", flush=True)
    rows = []
    for (label, server), results in runs.items():
        median = sorted(results, key=lambda result: result["rps"])[len(results) // 2]
        rows.append({"page": label, "server": server, "url": PAGES.get(label, ""), **median,
                     "errors": sum(result["errors"] for result in results), "rounds": len(results)})
    return rows


def ratios(rows: list[dict]) -> list[dict]:
    """app/floor, cache/static and app/app-without-render-cache per page, as fractions."""
    by = {(row["page"], row["server"]): row["rps"] for row in rows}
    return [
        {"page": page,
         "app_vs_floor": by[(page, "app")] / by[(page, "floor")] if by[(page, "floor")] else 0.0,
         "cache_vs_static": by[(page, "cache")] / by[(page, "static")] if by[(page, "static")] else 0.0,
         "app_vs_nocache": by[(page, "app")] / by[(page, "nocache")] if by[(page, "nocache")] else 0.0}
        for page in PAGES
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--soak", type=float, default=0.0, help="seconds of wrk against app and proxy at the end")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    rows = measure(args.workdir, args.seconds, args.rounds, soak=args.soak)
    for row in ratios(rows):
        print(f"  {row['page']}: app/floor {row['app_vs_floor']:.0%}, nginx cache/static {row['cache_vs_static']:.0%},"
              f" render cache on/off {row['app_vs_nocache']:.1f}x")


if __name__ == "__main__":
    main()
