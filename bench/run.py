"""Run every benchmark and print one table (``make bench``).

1. content sync at 1,000 and 10,000 synthetic briefings      target: 10,000 in < 5 s
   the owner's edit loop at 10,000 (bench/edit_time.py)       target: an edit visible in < 1 s
2. in-process server time at 10,000 briefings                target: p50 < 5 ms (render cache off),
                                                             < 10 ms for a broad one-word search
3. HTTP throughput with wrk: app, Flask floor, nginx static, app behind the nginx cache
                                                             targets: app ≥ 90 % of floor,
                                                             cache ≥ 90 % of static, no errors
4. page weight of a first view of the explorer               target: < 60 KB

Everything listens on 127.0.0.1 and is stopped at the end. Results are also written as JSON
to WORKDIR/results.json. Figures move with whatever else the machine is doing: the load
average at the start is printed with them.

    python -m bench.run [--quick] [--skip-http] [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from pathlib import Path

from . import edit_time, http, page_weight, server_time, sync_time

SYNC_TARGET_S = 5.0
EDIT_TARGET_S = 1.0
SERVER_TARGET_MS = 5.0
BROAD_SEARCH_TARGET_MS = 10.0  # a one-word search matching about half the briefings
APP_VS_FLOOR_TARGET = 0.9
CACHE_VS_STATIC_TARGET = 0.9
WEIGHT_TARGET_KB = 60.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.system()} {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
            f"load average {load:.2f} at start")


def print_sync(rows: list[dict]) -> None:
    print("\nContent sync (synthetic briefings, fresh process each)")
    print(f"  {'briefings':>10}  {'seconds':>8}")
    for row in rows:
        mark = f"  target < {SYNC_TARGET_S:g} s: {verdict(row['seconds'] < SYNC_TARGET_S)}" if row["briefings"] >= 10000 else ""
        print(f"  {row['briefings']:>10,}  {row['seconds']:>8.2f}{mark}")


def print_edit(row: dict) -> None:
    print(f"\nEdit loop at {row['briefings']:,} briefings (development; save → next request shows it)")
    print(f"  full sync {row['full_sync_s']:.2f} s; edit visible: first after start {row['first_edit_s'] * 1000:.0f} ms, "
          f"then median {row['edit_median_s'] * 1000:.0f} ms; with the live-reload watcher median "
          f"{row['watched_edit_median_s'] * 1000:.0f} ms   target < {EDIT_TARGET_S:g} s: "
          f"{verdict(max(row['edit_median_s'], row['watched_edit_median_s']) < EDIT_TARGET_S)}")


def print_server(rows: list[dict]) -> None:
    print("\nServer time at 10,000 briefings (in-process WSGI, ms)")
    print(f"  {'page':36} {'cache off p50':>13} {'p95':>7} {'cache on p50':>13} {'p95':>7}   target p50")
    pages = dict.fromkeys(row["page"] for row in rows)
    for page in pages:
        off = next(row for row in rows if row["page"] == page and not row["render_cache"])
        on = next(row for row in rows if row["page"] == page and row["render_cache"])
        limit = BROAD_SEARCH_TARGET_MS if "broad search" in page else SERVER_TARGET_MS
        target = f"< {limit:g} ms: {verdict(off['p50_ms'] < limit)}"
        print(f"  {page:36} {off['p50_ms']:>13.2f} {off['p95_ms']:>7.2f} {on['p50_ms']:>13.3f} {on['p95_ms']:>7.3f}   {target}")


def print_http(result: dict, seconds: float, rounds: int) -> None:
    rows = result["rows"]
    print(f"\nHTTP throughput (wrk, {http.CONNECTIONS} connections, {http.THREADS} threads, "
          f"median of {rounds} × {seconds:g} s, loopback)")
    names = {"floor": "Flask floor", "app": "app (gunicorn)", "static": "nginx static", "cache": "app behind nginx cache",
             "nocache": "app, no render cache"}
    print(f"  {'page':18} {'server':24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU µs/req':>11}")
    for row in rows:
        print(f"  {row['page']:18} {names[row['server']]:24} {row['rps']:>9.0f} {row['p50_ms']:>8.2f}"
              f" {row['p99_ms']:>8.2f} {row['errors']:>7} {row['cpu_us']:>11.0f}")
    errors = sum(row["errors"] for row in rows)
    for ratio in result["ratios"]:
        print(f"  {ratio['page']}: app/floor {ratio['app_vs_floor']:.0%} "
              f"(target ≥ {APP_VS_FLOOR_TARGET:.0%}: {verdict(ratio['app_vs_floor'] >= APP_VS_FLOOR_TARGET)}), "
              f"nginx cache/static {ratio['cache_vs_static']:.0%} "
              f"(target ≥ {CACHE_VS_STATIC_TARGET:.0%}: {verdict(ratio['cache_vs_static'] >= CACHE_VS_STATIC_TARGET)}); "
              f"by server CPU per request {ratio['app_vs_floor_cpu']:.0%} and {ratio['cache_vs_static_cpu']:.0%}")
    print(f"  errors: {errors} ({verdict(errors == 0)})")


def print_weight(result: dict) -> None:
    kb = result["bytes"] / 1024
    print(f"\nPage weight, first view of {result['path']}: {kb:.1f} KB in {result['requests']} requests, "
          f"compressed, htmx included (target < {WEIGHT_TARGET_KB:g} KB: {verdict(kb < WEIGHT_TARGET_KB)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    parser.add_argument("--quick", action="store_true", help="shorter runs, for trying the benchmarks out")
    parser.add_argument("--skip-http", action="store_true", help="leave out the wrk runs (no wrk or nginx)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    seconds, rounds = (2.0, 1) if args.quick else (4.0, 3)
    if args.quick:
        server_time.SECONDS_PER_PAGE = 0.5
    started = dt.datetime.now(dt.timezone.utc)
    results: dict = {"date": started.isoformat(timespec="seconds"), "machine": machine()}
    print(f"Portfolio benchmarks, {started:%Y-%m-%d %H:%M} UTC, {results['machine']}")

    print("\n[1/4] content sync")
    results["sync"] = sync_time.measure([1000, 10000], args.workdir)
    results["edit"] = edit_time.measure(10000, args.workdir)
    print("\n[2/4] server time at 10,000 briefings")
    largest = results["sync"][-1]
    results["server"] = server_time.measure(Path(largest["content"]), Path(largest["database"]))
    if args.skip_http:
        results["http"] = {}
    else:
        print("\n[3/4] HTTP throughput")
        results["http"] = http.measure(args.workdir, seconds, rounds)
    print("\n[4/4] page weight")
    results["weight"] = page_weight.measure()

    print("\n" + "=" * 100)
    print(f"Results, {started:%Y-%m-%d} — {results['machine']}")
    print_sync(results["sync"])
    print_edit(results["edit"])
    print_server(results["server"])
    if results["http"]:
        print_http(results["http"], seconds, rounds)
    print_weight(results["weight"])
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2), "utf-8")
    print(f"\n(JSON: {args.workdir / 'results.json'})")


if __name__ == "__main__":
    main()
