"""HTTP throughput side by side, in one run, with wrk (64 connections, loopback only).

For a briefing page and a filtered explorer page, five servers answer with the same response
(wrk sends no Accept-Encoding, so every body is uncompressed; ``answers with`` lines show the
sizes of each server's status line and headers and of its body):

- app:          the site under gunicorn (gunicorn.conf.py);
- flask floor:  a bare Flask app under the same gunicorn settings returning the app's body and
                headers as constants (bench/floor_app.py) — what Flask and gunicorn cost by
                themselves;
- nginx static: nginx serving the same pages saved as files, adding the headers every page
                shares (its own ETag and Last-Modified stand in for the app's ETag) — the
                physical limit here;
- nginx cache:  the site behind the repo's caching proxy config (deploy/nginx);
- app, no render cache: the site with PORTFOLIO_RENDER_CACHE_SIZE=0 — what the render cache earns.

Rounds run every server once per page, alternating the order; a ratio is taken within each
round (two servers measured minutes apart on a shared machine are not comparable) and the
median over rounds is reported. Besides req/s, each run records the server's CPU time per
request (its process group's user + system time): other work on the machine moves req/s by
tens of percent between runs, CPU per request less (on a shared 2-core VM still by up to a
quarter between consecutive runs of one server), so it is a second view of a server's own cost.

Targets: app ≥ 90 % of the floor; nginx cache ≥ 90 % of nginx static; no errors.
``--soak 60`` then runs wrk for that long against the app and against nginx in front of it,
and reports any error. The run ends with the README's performance table, as Markdown.

    python -m bench.http --seconds 4 --rounds 5 --soak 60 [--servers floor,app,...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import urllib.parse
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
from .wrk import CONNECTIONS, THREADS, run_wrk

PAGES = {
    "briefing page": "/briefings/54-activating-asl-3-protections",
    "filtered explorer": "/briefings/?category=Safety&organization=Anthropic",
}


# Headers a server writes for itself (gunicorn and nginx both add Date, Server and Connection):
# everything else the app sends, the floor sends too, and nginx static adds what it can.
SERVER_HEADERS = {"date", "server", "connection", "keep-alive", "transfer-encoding", "content-length"}


def save_pages(app_url: str, folder: Path) -> tuple[Path, list[tuple[str, str]]]:
    """The app's answer for each page, saved so the other servers send the same response.

    Writes files for nginx static and a manifest (body file and headers) for the Flask floor.
    Returns the manifest and the headers every page shares (for nginx static's ``add_header``).
    """
    manifest = {}
    shared: list[tuple[str, str]] | None = None
    for index, path in enumerate(PAGES.values()):
        with urllib.request.urlopen(app_url + path, timeout=10) as response:
            body = response.read()
            headers = [(name, value) for name, value in response.headers.items()
                       if name.lower() not in SERVER_HEADERS]
        name = f"page-{index}.html"
        (folder / name).write_bytes(body)
        manifest[path] = {"file": name, "headers": headers}
        shared = headers if shared is None else [header for header in shared if header in headers]
        url_path = path.split("?")[0]
        static_file = folder / "docroot" / url_path.lstrip("/")
        if url_path.endswith("/"):
            static_file = static_file / "index.html"
        static_file.parent.mkdir(parents=True, exist_ok=True)
        static_file.write_bytes(body)
    manifest_path = folder / "manifest.json"
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    # nginx sets Content-Type from default_type and makes its own ETag and Last-Modified.
    extra = [(name, value) for name, value in shared or [] if name.lower() not in ("content-type", "etag")]
    return manifest_path, extra


def add_header_lines(headers: list[tuple[str, str]]) -> str:
    return "\n".join(f'    add_header {name} "{value}";' for name, value in headers)


def response_size(url: str) -> tuple[int, int]:
    """Bytes of the status line and headers, and of the body, of one answer (as wrk asks for it)."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    return len(head) + 4, len(body)


SERVERS = ("floor", "app", "nocache", "static", "cache")
# Each ratio compares two servers measured back to back in the same round.
PAIRS = {"app_vs_floor": ("app", "floor"), "cache_vs_static": ("cache", "static"), "app_vs_nocache": ("app", "nocache")}


def round_order(round_number: int, servers: tuple[str, ...]) -> list[str]:
    """Every other round goes backwards, so a pair's two servers take turns going first."""
    return list(servers) if round_number % 2 else list(reversed(servers))


def measure(workdir: Path, seconds: float, rounds: int = 3, warmup: float = 1.0, soak: float = 0.0,
            servers: tuple[str, ...] = SERVERS) -> dict:
    """Each server and page in turn, ``rounds`` times over.

    Returns ``rows`` (per page and server: the median round's figures and the response's size)
    and ``ratios`` (per page: the median over rounds of each round's ratio).
    """
    wrk = find_program("wrk")
    nginx = find_program("nginx", "/usr/sbin/nginx")
    if wrk is None or nginx is None:
        raise RuntimeError("the HTTP benchmark needs wrk and nginx (apt-get install wrk nginx)")
    folder = workdir / "http"
    folder.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in SERVERS}
    database = f"sqlite:///{folder / 'index.sqlite3'}"
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    runs: dict[tuple[str, str], list[dict]] = {}
    sizes: dict[tuple[str, str], tuple[int, int]] = {}
    with ExitStack() as stack:
        app_env = clean_environment(PORT=str(ports["app"]), PORTFOLIO_DATABASE_URL=database)
        groups = {"app": stack.enter_context(running(gunicorn_command(), base["app"] + "/healthz", folder / "app.log",
                                                     app_env)).pid}
        if "nocache" in servers:
            nocache_env = clean_environment(PORT=str(ports["nocache"]), PORTFOLIO_DATABASE_URL=database,
                                            PORTFOLIO_RENDER_CACHE_SIZE="0")
            groups["nocache"] = stack.enter_context(running(gunicorn_command(), base["nocache"] + "/healthz",
                                                            folder / "nocache.log", nocache_env)).pid
        manifest, shared_headers = save_pages(base["app"], folder)
        first_page = next(iter(PAGES.values()))
        if "floor" in servers:
            floor_env = clean_environment(PORT=str(ports["floor"]), PORTFOLIO_DATABASE_URL=database,
                                          BENCH_PAGES=str(manifest))
            groups["floor"] = stack.enter_context(running(gunicorn_command("bench.floor_app:app"),
                                                          base["floor"] + first_page, folder / "floor.log",
                                                          floor_env)).pid
        if "static" in servers:
            static_conf = static_nginx(folder / "nginx-static", ports["static"], folder / "docroot",
                                       add_header_lines(shared_headers))
            groups["static"] = stack.enter_context(running(nginx_command(nginx, static_conf),
                                                           base["static"] + first_page, folder / "nginx-static.log")).pid
        if "cache" in servers or soak:
            cache_conf = render_nginx(folder / "nginx-cache", ports["cache"], ports["app"])
            groups["cache"] = stack.enter_context(running(nginx_command(nginx, cache_conf), base["cache"] + "/healthz",
                                                          folder / "nginx-cache.log")).pid
        for label, path in PAGES.items():
            for server in servers:
                sizes[(label, server)] = response_size(base[server] + path)
                head, body = sizes[(label, server)]
                print(f"  {label:18} {server:7} answers with {head} bytes of status line and headers, {body} of body")
        for round_number in range(1, rounds + 1):
            for label, path in PAGES.items():
                for server in round_order(round_number, servers):
                    url = base[server] + path
                    run_wrk(wrk, url, warmup)
                    result = run_wrk(wrk, url, seconds, server_groups(server, groups))
                    runs.setdefault((label, server), []).append(result)
                    print(f"  round {round_number}  {label:18} {server:7} {result['rps']:9.0f} req/s"
                          f"  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:7.2f} ms"
                          f"  errors {result['errors']}  CPU {result['cpu_us']:6.0f} µs/request", flush=True)
        for server in ("app", "cache") if soak else ():
            result = run_wrk(wrk, base[server] + first_page, soak, server_groups(server, groups))
            runs.setdefault(("soak", server), []).append(result)
            print(f"  soak {soak:g} s, 64 connections  {server:7} {result['rps']:9.0f} req/s"
                  f"  p99 {result['p99_ms']:7.2f} ms  errors {result['errors']}", flush=True)
    rows = []
    for (label, server), results in runs.items():
        median_round = sorted(results, key=lambda result: result["rps"])[len(results) // 2]
        head, body = sizes.get((label, server), (0, 0))
        rows.append({"page": label, "server": server, "url": PAGES.get(label, ""), **median_round,
                     "cpu_us": median([result["cpu_us"] for result in results]),
                     "errors": sum(result["errors"] for result in results), "rounds": len(results),
                     "head_bytes": head, "body_bytes": body})
    return {"rows": rows, "ratios": ratios(runs)}


def server_groups(server: str, groups: dict[str, int]) -> tuple[int, ...]:
    """The processes that answer for ``server``: behind nginx, the app's misses count too."""
    return (groups["cache"], groups["app"]) if server == "cache" else (groups[server],)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def ratios(runs: dict[tuple[str, str], list[dict]]) -> list[dict]:
    """Per page: app/floor, cache/static and app/no-render-cache, each the median of the rounds'
    ratios of req/s, and (``…_cpu``) of CPU time per request, inverted so that 1.0 is as cheap."""
    table = []
    for page in PAGES:
        row: dict = {"page": page}
        for name, (top, bottom) in PAIRS.items():
            tops, bottoms = runs.get((page, top), []), runs.get((page, bottom), [])
            per_round = [a["rps"] / b["rps"] for a, b in zip(tops, bottoms) if b["rps"]]
            row[name] = median(per_round) if per_round else float("nan")
            row[name + "_rounds"] = per_round
            # The same comparison by CPU time per request (the bottom server's over the top's).
            by_cpu = [b["cpu_us"] / a["cpu_us"] for a, b in zip(tops, bottoms) if a["cpu_us"] > 0]
            row[name + "_cpu"] = median(by_cpu) if by_cpu else float("nan")
        table.append(row)
    return table


NAMES = {"floor": "bare Flask floor (same response)", "app": "**the app** (`make serve`)",
         "nocache": "the app, render cache off", "static": "nginx, static file (same headers)",
         "cache": "**the app behind `deploy/nginx`**"}


def busy_processes(threshold: float = 10.0) -> list[str]:
    """Other processes using the CPU (ps's average over each one's life), for the record."""
    result = subprocess.run(["ps", "-eo", "pid=,pcpu=,args="], capture_output=True, text=True, check=False)
    busy = []
    for line in result.stdout.splitlines():
        pid, cpu, args = (line.split(None, 2) + ["", "", ""])[:3]
        if pid.isdigit() and int(pid) != os.getpid() and float(cpu or 0) >= threshold:
            busy.append(f"{float(cpu):.0f}% {args.strip()[:90]}")
    return busy


def print_readme_table(result: dict, seconds: float, rounds: int, soak: float, started: dt.datetime,
                       loads: tuple[float, float]) -> None:
    """The figures the README's performance table quotes, as Markdown to paste."""
    print(f"\n**HTTP throughput** — measured {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average"
          f" {loads[0]:.1f} at the start and {loads[1]:.1f} at the end (`python -m bench.http --seconds {seconds:g}"
          f" --rounds {rounds} --soak {soak:g}`: wrk, {CONNECTIONS} connections, {THREADS} threads, loopback;"
          f" req/s and latencies are the median round, ratios the median of the rounds' ratios, each"
          f" round's ratio in brackets; server CPU is the user + system time of the server's processes"
          f" per request, median of the rounds)\n")
    print("| page | server | response bytes (head + body) | req/s | p50 ms | p99 ms | errors | server CPU µs/request |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in result["rows"]:
        if row["page"] == "soak":
            continue
        print(f"| {row['page']} | {NAMES[row['server']]} | {row['head_bytes']:,} + {row['body_bytes']:,} |"
              f" {row['rps']:,.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} |"
              f" {row['cpu_us']:,.0f} |")
    print("\n| page | app ÷ bare Flask (target ≥ 0.90) | behind nginx ÷ nginx static (target ≥ 0.90) |"
          " render cache on ÷ off | the same two by server CPU per request |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in result["ratios"]:
        cells = [f"**{row[name]:.2f}** ({', '.join(f'{value:.2f}' for value in row[name + '_rounds'])})"
                 if row[name + "_rounds"] else "not measured" for name in ("app_vs_floor", "cache_vs_static")]
        nocache = f"{row['app_vs_nocache']:.1f}×" if row["app_vs_nocache_rounds"] else "not measured"
        by_cpu = f"{row['app_vs_floor_cpu']:.2f} / {row['cache_vs_static_cpu']:.2f}"
        print(f"| {row['page']} | {cells[0]} | {cells[1]} | {nocache} | {by_cpu} |")
    soaks = [row for row in result["rows"] if row["page"] == "soak"]
    if soaks:
        print(f"\n| soak: {next(iter(PAGES))}, {soak:g} s, {CONNECTIONS} connections | req/s | p99 ms | errors |")
        print("| --- | ---: | ---: | ---: |")
        for row in soaks:
            print(f"| {NAMES[row['server']]} | {row['rps']:,.0f} | {row['p99_ms']:.1f} | **{row['errors']}** |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--soak", type=float, default=0.0, help="seconds of wrk against app and proxy at the end")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        help=f"which to measure, from {','.join(SERVERS)} (the app always runs)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    servers = tuple(name for name in SERVERS if name in args.servers.split(","))
    started = dt.datetime.now(dt.timezone.utc)
    start_load = os.getloadavg()[0]
    print(f"Started {started:%Y-%m-%d %H:%M} UTC, load average {start_load:.2f}; other busy processes:")
    for line in busy_processes() or ["(none above 10 % CPU)"]:
        print(f"  {line}")
    result = measure(args.workdir, args.seconds, args.rounds, soak=args.soak, servers=servers)
    print_readme_table(result, args.seconds, args.rounds, args.soak, started, (start_load, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
