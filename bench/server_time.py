"""In-process server time at 10,000 briefings: p50 and p95 per page, render cache off and on.

Each request is a direct WSGI call into the app (no network, no test-client wrapper), timed
from the call until the last byte of the body. With the render cache off every request
queries SQLite and renders the template: that is the query cost. With it on, a repeated
request is answered from memory: that is what a busy page costs.

For a search page the same run also times SQLite alone running the search's FTS5 queries
(its matches, its first page by bm25, that page's snippets) through a bare ``sqlite3``
connection: the floor no Python above it can go under, printed beside the page's time.

    python -m bench.server_time --content /tmp/portfolio-bench/content-10000 \\
        --database /tmp/portfolio-bench/index-10000.sqlite3
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from portfolio import create_app
from portfolio.config import Settings
from portfolio.briefings.queries import SearchMatches, fts_expression
from portfolio.extensions import db
from portfolio.models import Briefing

from .common import percentile

SECONDS_PER_PAGE = 2.0
MAX_REQUESTS = 500


def pages(app: Flask) -> list[tuple[str, str]]:
    """(label, URL) of the pages measured; the briefing is one from the middle of the range."""
    with app.app_context():
        numbers = db.session.scalars(select(Briefing.number).order_by(Briefing.number)).all()
        middle = db.session.get(Briefing, numbers[len(numbers) // 2])
        briefing = f"/briefings/{middle.number}-{middle.slug}"
    return [
        ("explorer, page 1", "/briefings/"),
        ("explorer, two facets", "/briefings/?category=Safety&organization=Anthropic"),
        ("explorer, search", "/briefings/?q=scaling+laws"),
        ("explorer, search + two facets", "/briefings/?q=scaling+laws&category=Safety&organization=Anthropic"),
        ("briefing page", briefing),
        ("explorer, broad search", "/briefings/?q=scaling"),
    ]


def repeatedly(one: Callable[[], float]) -> list[float]:
    """``one()``'s milliseconds, for up to SECONDS_PER_PAGE or MAX_REQUESTS after two warm-ups."""
    one(), one()
    times: list[float] = []
    deadline = time.perf_counter() + SECONDS_PER_PAGE
    while len(times) < MAX_REQUESTS and time.perf_counter() < deadline:
        times.append(one())
    return times


def request_times(app: Flask, url: str) -> list[float]:
    """Milliseconds per request, for up to SECONDS_PER_PAGE or MAX_REQUESTS after two warm-ups."""
    path, _, query = url.partition("?")
    environ = EnvironBuilder(path=path, query_string=query, base_url="http://127.0.0.1/").get_environ()
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
        statuses.append(status)

    def one() -> float:
        started = time.perf_counter()
        body = app(dict(environ, **{"wsgi.input": io.BytesIO()}), start_response)
        try:
            b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        return (time.perf_counter() - started) * 1000

    times = repeatedly(one)
    if any(not status.startswith("200") for status in statuses):
        raise RuntimeError(f"{url} answered {set(statuses)}")
    return times


def sqlite_floor(database: Path, words: str, page_size: int) -> float:
    """p50 milliseconds of a search's FTS5 queries alone (matches, first page by bm25, its snippets)."""
    matches = SearchMatches(fts_expression(words))
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        def one() -> float:
            started = time.perf_counter()
            connection.execute(*matches.members_sql()).fetchall()
            numbers = [row[0] for row in connection.execute(*matches.ranked_sql(0, page_size)).fetchall()]
            connection.execute(*matches.snippets_sql(numbers)).fetchall()
            return (time.perf_counter() - started) * 1000

        return percentile(repeatedly(one), 0.50)
    finally:
        connection.close()


def measure(content: Path, database: Path) -> list[dict]:
    rows = []
    for cache_on in (False, True):
        app = create_app(Settings(content_dir=content, database_url=f"sqlite:///{database}",
                                  render_cache_size=2048 if cache_on else 0))
        for label, url in pages(app):
            times = request_times(app, url)
            row = {"page": label, "url": url, "render_cache": cache_on, "requests": len(times),
                   "p50_ms": percentile(times, 0.50), "p95_ms": percentile(times, 0.95)}
            words = parse_qs(urlsplit(url).query).get("q", [""])[0]
            floor = ""
            if words and not cache_on:
                row["sqlite_floor_p50_ms"] = sqlite_floor(database, words, app.config["PAGE_SIZE"])
                floor = (f"  (SQLite alone {row['sqlite_floor_p50_ms']:.2f} ms, "
                         f"{row['p50_ms'] / row['sqlite_floor_p50_ms']:.1f}×)")
            rows.append(row)
            print(f"  {label:34} cache {'on ' if cache_on else 'off'}  p50 {row['p50_ms']:7.2f} ms"
                  f"  p95 {row['p95_ms']:7.2f} ms  ({len(times)} requests){floor}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    args = parser.parse_args()
    measure(args.content, args.database)


if __name__ == "__main__":
    main()
