"""In-process server time per view at N briefings: p50 and p95 of direct WSGI calls.

Each request is a call into the app (no network), timed from the call until the last byte of
the body: the queries and the template, which is the app's own cost (without the access line). Targets: every explorer
view under 5 ms p50 at 1,000 briefings (a search and a broad one-word search included), under
25 ms at 10,000.

    python -m bench.server_time [--sizes 1000 10000] [--workdir /tmp/portfolio-bench]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from portfolio import create_app
from portfolio.config import Settings
from portfolio.content import sync
from portfolio.extensions import db
from portfolio.models import Briefing

from .common import content_for, percentile

SECONDS_PER_PAGE = 2.0
MAX_REQUESTS = 400
EXPLORER_VIEWS = ("explorer", "two facets", "search", "search + two facets", "broad search", "page 3")


def pages(app: Flask) -> list[tuple[str, str]]:
    """(label, URL) of the views measured; the briefing is one from the middle of the range."""
    with app.app_context():
        numbers = db.session.scalars(select(Briefing.number).order_by(Briefing.number)).all()
        middle = db.session.get(Briefing, numbers[len(numbers) // 2])
        briefing = f"/briefings/{middle.number}-{middle.slug}"
    return [
        ("explorer", "/briefings/"),
        ("two facets", "/briefings/?category=Safety&organization=Anthropic"),
        ("search", "/briefings/?q=scaling+laws"),
        ("search + two facets", "/briefings/?q=scaling+laws&category=Safety&organization=Anthropic"),
        ("broad search", "/briefings/?q=model"),
        ("page 3", "/briefings/?page=3"),
        ("briefing page", briefing),
        ("map", "/briefings/map"),
        ("concepts", "/briefings/concepts"),
        ("feed", "/briefings/feed.xml"),
        ("path between two", f"/briefings/path?from={numbers[0]}&to={middle.number}"),
        ("reading path", "/paths/human-preferences-to-post-training"),
    ]


def request_times(app: Flask, url: str) -> list[float]:
    """Milliseconds per request, for up to SECONDS_PER_PAGE or MAX_REQUESTS after two warm-ups."""
    path, _, query = url.partition("?")
    environ = EnvironBuilder(path=path, query_string=query, base_url="http://127.0.0.1/").get_environ()
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
        statuses.append(status)

    def one() -> float:
        started = time.perf_counter()
        body = app(dict(environ), start_response)
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        return (time.perf_counter() - started) * 1000

    times = repeatedly(one)
    if any(not status.startswith("200") for status in statuses):
        raise RuntimeError(f"{url} answered {set(statuses)}")
    return times


def repeatedly(one: Callable[[], float]) -> list[float]:
    one(), one()
    times: list[float] = []
    deadline = time.perf_counter() + SECONDS_PER_PAGE
    while len(times) < MAX_REQUESTS and time.perf_counter() < deadline:
        times.append(one())
    return times


def measure(size: int, workdir: Path) -> list[dict[str, Any]]:
    content = content_for(size, workdir)
    database = workdir / f"server-{size}.sqlite3"
    sync(content, f"sqlite:///{database}")
    app = create_app(Settings(content_dir=content, database_url=f"sqlite:///{database}", access_log=False))
    rows = []
    for label, url in pages(app):
        times = request_times(app, url)
        rows.append({"size": size, "page": label, "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)})
        print(f"  {size:>6,}  {label:22} p50 {rows[-1]['p50_ms']:6.2f} ms  p95 {rows[-1]['p95_ms']:6.2f} ms"
              f"  ({len(times)} requests)", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/portfolio-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        measure(size, args.workdir)


if __name__ == "__main__":
    main()
