"""What an operator reads: one access line per request, Prometheus metrics at /metrics, and the
index generation that deploy/nginx puts in its cache key (/_generation).

Both are measured around the whole app (``measured``), until the server has sent the last byte:
the access line has an ISO 8601 time, the client (the address in X-Forwarded-For only when the
peer is a trusted proxy, PORTFOLIO_TRUSTED_PROXIES, which gunicorn.conf.py also gives gunicorn),
method, path, status, bytes, seconds, referrer and user agent, as text or, with
PORTFOLIO_LOG_FORMAT=json, one JSON object. The app writes it rather than gunicorn's logger so
that gunicorn's master never imports the app (a reload then loads new code). Under gunicorn every
worker counts into PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py) and /metrics adds them up.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .content.state import IndexState, release_fingerprint, state

bp = Blueprint("observability", __name__)

GENERATION_HEADER = "X-Portfolio-Generation"
ROUTE = "portfolio.route"  # environ key: the endpoint that answered, for the metrics
METHODS = frozenset({"GET", "HEAD"})  # other methods are counted as "other": labels stay few
ACCESS = logging.getLogger("portfolio.access")
ACCESS.setLevel(logging.INFO)
ACCESS.propagate = False

REQUESTS = Counter("portfolio_http_requests_total", "Requests answered, by route, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("portfolio_http_request_duration_seconds", "Time to answer, by route", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))


# --- metrics -------------------------------------------------------------------------------------

class IndexCollector(Collector):
    """The served index and the last publish, read when scraped (so no worker keeps a stale gauge)."""

    def __init__(self, index: IndexState):
        self.index = index

    def collect(self) -> Iterator[Metric]:
        index = self.index
        yield GaugeMetricFamily("portfolio_index_ready", "1 when an index is served, else 0", value=int(index.ready))
        yield InfoMetricFamily("portfolio_index", "The index served: its content version and release",
                               value={"version": index.version, "release": release_fingerprint()})
        built = epoch(index.built_at)
        if built:
            yield GaugeMetricFamily("portfolio_index_built_timestamp_seconds", "When the served index was built",
                                    value=built)
            yield GaugeMetricFamily("portfolio_index_age_seconds", "Seconds since the served index was built",
                                    value=time.time() - built)
        record = index.last_publish()
        if record:
            yield GaugeMetricFamily("portfolio_last_publish_success",
                                    "1 if the last publish was made, 0 if it was refused",
                                    value=int(record.get("result") == "published"))
            yield GaugeMetricFamily("portfolio_last_publish_problems", "Problems found by the last publish",
                                    value=float(record.get("problems") or 0))
            yield GaugeMetricFamily("portfolio_last_publish_timestamp_seconds", "When the last publish ran",
                                    value=epoch(str(record.get("at", ""))))


def epoch(iso: str) -> float:
    """Seconds since 1970 of an ISO 8601 UTC time ('2026-12-07T01:00:00Z'); 0 for none."""
    try:
        return dt.datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


def request_metrics() -> bytes:
    """Every worker's request counts (multiprocess mode under gunicorn), else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text on the app's port; deploy/nginx refuses it from outside."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(IndexCollector(state()))
    response = current_app.response_class(request_metrics() + generate_latest(registry), mimetype=None)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.cache_control.no_store = True
    return response


@bp.get("/_generation")
def generation() -> Response:
    """The served generation in a header and the body: deploy/nginx asks for it (at most once a
    second) and puts it in its cache key, so a publish or a rollback is seen at once."""
    response = current_app.response_class(current_generation(), mimetype="text/plain")
    response.cache_control.no_store = True
    return response


def current_generation() -> str:
    """The content version and the release: a page changes with either (empty without an index)."""
    version = state().version
    return f"{version}-{release_fingerprint()[:12]}" if version else ""


class Measured:
    """A response body that counts the bytes it hands the server and reports when it is closed."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]):
        self.body, self.done, self.sent = body, done, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done(self.sent)


def measured(wsgi_app: Any, access_log: bool, json_lines: bool, trusted: list[str]) -> Any:
    """Count, time and (``access_log``) log every answer around the whole app: its last hooks,
    compression, 304s and the sending of the body included."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.perf_counter()
        statuses: list[str] = []

        def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        def done(sent: int) -> None:
            seconds = time.perf_counter() - started
            status = statuses[-1][:3] if statuses else "500"
            route = environ.get(ROUTE, "unrouted")
            method = environ.get("REQUEST_METHOD", "") if environ.get("REQUEST_METHOD") in METHODS else "other"
            REQUESTS.labels(route, method, status).inc()
            LATENCY.labels(route).observe(seconds)
            if access_log:
                record = access_record(environ, status, sent, seconds, trusted)
                ACCESS.info(json.dumps(record) if json_lines else text_line(record))

        return Measured(wsgi_app(environ, capture), done)

    return app


def name_route_and_generation(response: Response) -> Response:
    """``after_request``: the route for the metrics, and the generation the answer was made from
    (deploy/nginx stores a page only under the generation of the node that made it)."""
    request.environ[ROUTE] = request.endpoint or "unrouted"
    response.headers[GENERATION_HEADER] = current_generation()
    return response


def init_app(app: Flask) -> None:
    if app.config["ACCESS_LOG"] and not ACCESS.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        ACCESS.addHandler(handler)
    trusted = [entry.strip() for entry in app.config["TRUSTED_PROXIES"].split(",") if entry.strip()]
    app.wsgi_app = measured(app.wsgi_app, app.config["ACCESS_LOG"], app.config["LOG_FORMAT"] == "json",  # type: ignore[method-assign,assignment]
                            trusted)
    app.after_request(name_route_and_generation)
    app.register_blueprint(bp)


# --- the access line ------------------------------------------------------------------------------

def client_address(environ: dict[str, Any], trusted: list[str]) -> str:
    """The peer's address, or, when the peer is a trusted proxy, the nearest address in
    X-Forwarded-For that is not one (proxies append, so the right end is the one to believe)."""
    peer = str(environ.get("REMOTE_ADDR") or "-")
    if not is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        if not valid_address(hop):
            break  # whatever stands left of a malformed entry was written by the client
        if not is_trusted(hop, trusted):
            return hop
    return peer


def valid_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_trusted(address: str, trusted: list[str]) -> bool:
    if "*" in trusted:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def access_record(environ: dict[str, Any], status: str, sent: int, seconds: float,
                  trusted: list[str]) -> dict[str, Any]:
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "client": client_address(environ, trusted),
        "method": environ.get("REQUEST_METHOD", "-"),
        "path": environ.get("RAW_URI") or environ.get("PATH_INFO", "-"),
        "protocol": environ.get("SERVER_PROTOCOL", "-"),
        "status": int(status) if status.isdigit() else 0,
        "bytes": sent,
        "duration": round(seconds, 6),
        "referrer": environ.get("HTTP_REFERER", ""),
        "user_agent": environ.get("HTTP_USER_AGENT", ""),
    }


def text_line(record: dict[str, Any]) -> str:
    """``2026-12-07T01:00:00.123Z 203.0.113.9 "GET /about HTTP/1.1" 200 5120 0.012s "ref" "ua"``;
    quoted parts are JSON strings, so no header can forge a line or a field."""
    request_line = f"{record['method']} {record['path']} {record['protocol']}"
    return (f"{record['time']} {record['client']} {json.dumps(request_line)} {record['status']} {record['bytes']} "
            f"{record['duration']:.6f}s {json.dumps(record['referrer'])} {json.dumps(record['user_agent'])}")
