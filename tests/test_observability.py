"""What an operator reads: Prometheus metrics at /metrics and one access line per request.

The metrics are asked of the app (its test client); the access line's fields are checked here
on the functions gunicorn's logger calls, and for real through gunicorn in test_gunicorn.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from portfolio.observability import access_record, client_address, text_line
from tests.helpers import make_app, set_front_matter

TRUSTED = ["127.0.0.1", "::1"]


def scrape(client: FlaskClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response.headers["Cache-Control"]
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def requests_counted(samples: dict, route: str, status: str) -> float:
    key = ("portfolio_http_requests_total", (("method", "GET"), ("route", route), ("status", status)))
    return samples.get(key, 0.0)


def test_requests_are_counted_and_timed_by_route(client: FlaskClient) -> None:
    before = scrape(client)
    for path, status in [("/briefings/", 200)] * 3 + [("/nowhere", 404)]:
        response = client.get(path)
        assert response.status_code == status
        response.close()  # a server closes the body once it is sent: then the answer is counted
    after = scrape(client)
    assert requests_counted(after, "briefings.explorer", "200") - requests_counted(before, "briefings.explorer", "200") == 3
    assert requests_counted(after, "unrouted", "404") - requests_counted(before, "unrouted", "404") == 1
    count = ("portfolio_http_request_duration_seconds_count", (("route", "briefings.explorer"),))
    assert after[count] - before.get(count, 0) == 3


def test_the_index_and_the_last_publish_are_reported(app: Flask, client: FlaskClient, content_dir: Path) -> None:
    samples = scrape(client)
    assert samples[("portfolio_index_ready", ())] == 1
    (info,) = [labels for name, labels in samples if name == "portfolio_index_info"]
    assert dict(info)["version"] and dict(info)["release"]
    assert 0 <= samples[("portfolio_index_age_seconds", ())] < 3600
    set_front_matter(content_dir, 54, category="No Such Category")
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code != 0
    samples = scrape(client)
    assert samples[("portfolio_last_publish_success", ())] == 0
    assert samples[("portfolio_last_publish_problems", ())] >= 1
    assert samples[("portfolio_index_ready", ())] == 1  # the last good index is still served


def test_metrics_answer_any_host(content_dir: Path, tmp_path: Path) -> None:
    app = make_app(content_dir, tmp_path / "site.sqlite3", site_url="https://silvia.example")
    assert app.test_client().get("/metrics", headers={"Host": "10.0.0.7:8000"}).status_code == 200


# --- the access line -------------------------------------------------------------------------

@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("203.0.113.9", "", "203.0.113.9"),
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # a client cannot name itself by header
    ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # through the proxy
    ("127.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client's own header, then the proxy's entry
    ("127.0.0.1", "1.2.3.4, 198.51.100.7, 127.0.0.1", "198.51.100.7"),  # two proxies
    ("127.0.0.1", "<script>, 198.51.100.7", "198.51.100.7"),
    ("127.0.0.1", "198.51.100.7, not-an-address", "127.0.0.1"),
    ("127.0.0.1", "", "127.0.0.1"),
])
def test_the_client_address_trusts_x_forwarded_for_only_from_the_proxy(peer: str, forwarded: str, client: str) -> None:
    environ = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(environ, TRUSTED) == client


def test_an_access_line_has_every_field_and_no_forgeable_quotes() -> None:
    environ = {"REMOTE_ADDR": "203.0.113.9", "REQUEST_METHOD": "GET", "RAW_URI": "/briefings/?q=a%22b",
               "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_REFERER": 'https://x.example/"quoted"',
               "HTTP_USER_AGENT": 'Mozilla/5.0 "200 0"'}
    record = access_record(environ, "200", 5120, 0.0123, TRUSTED)
    assert record["time"].endswith("Z") and "T" in record["time"]
    assert {key: record[key] for key in ("client", "method", "path", "status", "bytes")} == {
        "client": "203.0.113.9", "method": "GET", "path": "/briefings/?q=a%22b", "status": 200, "bytes": 5120}
    assert record["duration"] == pytest.approx(0.0123)
    line = text_line(record)
    assert line.startswith(record["time"] + ' 203.0.113.9 "GET /briefings/?q=a%22b HTTP/1.1" 200 5120 0.012300s ')
    assert line.endswith(' "https://x.example/\\"quoted\\"" "Mozilla/5.0 \\"200 0\\""')
    assert json.loads(json.dumps(record)) == record
