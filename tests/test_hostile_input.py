"""Property tests: no query string, path, or request header a visitor can send gets a 5xx.

Hypothesis throws random text (all of Unicode, control characters, invalid UTF-8 bytes),
huge numbers, FTS5 syntax and repeated keys at every route of the app. A bad request must get
a clear 4xx (or the page, when the value is harmless) — never a server error.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from portfolio.config import REPO_ROOT
from tests.helpers import make_app, route_paths

# The module's tests share one app (read-only requests), so its fixtures outlive an example.
BOUNDED = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

KNOWN_KEYS = ["q", "category", "organization", "tag", "year", "key", "sort", "page", "from"]
NASTY_VALUES = [
    "", " ", "0", "-1", "1e9", "99999999999999999999999999", "NaN", "²", "٢٠٢٥", "２０２５", "0x10", "1.5",
    "\x00", "\x7f", "\u200b", "\ufeff", "\ud800", "%", "%00", "%zz", "+", "&", "=", "#", "?", "/", "\\",
    '"', "'", "*", "-", "^", "(", ")", ":", "NEAR(a b)", "a OR b", "NOT", "title:x", '"unclosed', "a*b",
    "<script>alert(1)</script>", "../../etc/passwd", "Safety", "Anthropic", "Policy", "2025", "1", "true",
    "relevance", "newest", "q=a&category=Safety", "category%3DSafety", "x" * 5000, "9" * 400, "é" * 300,
]

text_values = st.one_of(
    st.sampled_from(NASTY_VALUES),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=3000),
    st.integers().map(str),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=20))


def encode(text: str) -> str:
    """Percent-encode like a browser; lone surrogates become the bytes a broken client would send."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


query_pair = st.one_of(
    st.tuples(keys, text_values).map(lambda kv: f"{encode(kv[0])}={encode(kv[1])}"),
    st.tuples(keys, st.binary(max_size=20)).map(lambda kv: f"{encode(kv[0])}={quote_from_bytes(kv[1], safe='')}"),
    st.sampled_from(["", "&", "=", "q", "page", "key=", "=x", "%", "%zz=1", "page=1=2", "q=%E0%A4", "q=%FF%FE"]),
)
# Lists allow the same key many times over: ?page=1&page=2, 40 categories, ...
query_strings = st.one_of(
    st.lists(query_pair, max_size=12).map("&".join),
    st.tuples(st.sampled_from(KNOWN_KEYS), text_values, st.integers(2, 60)).map(
        lambda t: "&".join([f"{t[0]}={encode(t[1])}"] * t[2])
    ),
)
segments = st.one_of(
    st.sampled_from(["", ".", "..", "%2e%2e", "%00", "%FF", "0", "-", "54", "54-", "54-x", "0-x", "00054",
                     "9999999", "99999999", "1" * 200, "54-activating-ai-safety-level-3-protections", "pokebowl", "privacy",
                     "css", "site.css", "%2Fetc%2Fpasswd", "..%2F..%2Fpyproject.toml", "a%20b", "feed.xml"]),
    st.text(max_size=40).map(encode),
    st.binary(max_size=30).map(lambda raw: quote_from_bytes(raw, safe="")),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=2000).map(encode),
)
# Request headers the app (or its caching and compression) reads.
HEADER_NAMES = ["HX-Request", "HX-Target", "HX-History-Restore-Request", "HX-Current-URL", "HX-Trigger",
                "Accept-Encoding", "If-None-Match", "If-Modified-Since", "Range", "Accept", "Cache-Control"]
header_values = st.one_of(
    st.sampled_from(["true", "false", "", "explorer-results", "load-more", "project-results", "main", "*",
                     "gzip, br;q=abc", "br;q=1e999", "identity;q=0", '"abc", W/"x"', "W/", "bytes=0-0",
                     "bytes=99999999999999-", "bytes=-1,-2,-3", "Sat, 99 Zzz 9999 99:99:99 GMT", "0", "-1"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=80),
)
headers = st.dictionaries(st.sampled_from(HEADER_NAMES), header_values, max_size=5)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app over a private copy of the content for every example of this module."""
    root = tmp_path_factory.mktemp("hostile-input")
    shutil.copytree(REPO_ROOT / "content", root / "content")
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("PORTFOLIO_")]:
            patch.delenv(name)
        yield make_app(root / "content", root / "index.sqlite3")


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def decoded_body(response: TestResponse) -> bytes:
    """The body with any Content-Encoding the site chose (a hostile Accept-Encoding may get one) undone."""
    encoding = response.headers.get("Content-Encoding", "identity")
    if encoding == "gzip":
        return gzip.decompress(response.get_data())
    if encoding == "br":
        import brotli  # the site's own dependency for compression

        return bytes(brotli.decompress(response.get_data()))
    assert encoding == "identity", f"unexpected Content-Encoding {encoding!r}"
    return response.get_data()


def assert_clear_answer(response: TestResponse, request: str) -> None:
    assert response.status_code < 500, f"{request} → {response.status_code}"
    if response.status_code >= 400 and response.mimetype == "text/html" and not request.startswith("HEAD"):
        assert b"<h1" in decoded_body(response), f"{request} → {response.status_code} without the styled error page"


def get_raw_path(client: FlaskClient, raw_path: str, query: str = "") -> TestResponse:
    """Request a path exactly as a WSGI server passes it on: percent-decoded bytes as latin-1.

    (The test client would read a path such as ``//host/x`` as a URL with a host.)
    """
    path_info = unquote_to_bytes(raw_path).decode("latin-1")
    overrides = {"PATH_INFO": path_info, "REQUEST_URI": raw_path, "RAW_URI": raw_path}
    return client.get("/", query_string=query, environ_overrides=overrides)


ROUTES = [
    "/", "/about", "/projects/", "/projects/pokebowl", "/legal/privacy", "/healthz", "/briefings/",
    "/briefings/54-activating-ai-safety-level-3-protections", "/static/css/site.css", "/sitemap.xml", "/robots.txt",
    "/briefings/feed.xml", "/previews/briefing-54.000000000000.png", "/previews/site.000000000000.png",
    "/briefings/map", "/briefings/concepts",
    "/briefings/54.bib", "/briefings/54.ris", "/briefings/54.json", "/briefings/export.bib",
    "/briefings/export.json", "/llms.txt", "/media/0000000000000000/figure.png",
    "/paths/", "/paths/human-preferences-to-post-training", "/paths/human-preferences-to-post-training/feed.xml",
    "/briefings/path", "/briefings/subscribe", "/metrics", "/_generation",
]


def test_routes_list_covers_the_app(app: Flask) -> None:
    """A new route joins ROUTES, so the property tests below reach it."""
    missing = {path for path in route_paths(app) if not path.startswith("/static/")} - set(ROUTES)
    assert not missing, f"add {missing} to ROUTES"


@pytest.mark.parametrize("route", ROUTES)
@BOUNDED
@given(query=query_strings)
@example(query="page=99999999999999999999999")
@example(query="year=٢٠٢٥&year=²")
@example(query="q=%00&key=%FF")
@example(query="from=" + encode("q=" + "a" * 900 + "&page=0"))
def test_any_query_string_gets_a_clear_answer(client: FlaskClient, route: str, query: str) -> None:
    response = client.get(route, query_string=query)
    assert_clear_answer(response, f"GET {route}?{query[:300]}")


FTS_SYNTAX = ['"', "*", "-", "+", "^", ":", "(", ")", "{", "}", "NEAR", "AND", "OR", "NOT", "title:", "'", "\\", "%"]
search_text = st.lists(
    st.one_of(st.sampled_from(FTS_SYNTAX), st.text(alphabet=st.characters(exclude_categories=["Cc", "Cs"]), max_size=12)),
    max_size=12,
).map(" ".join).filter(lambda text: len(text) <= 200)
VOCABULARY = ["Safety", "Alignment", "Anthropic", "OpenAI", "Google DeepMind", "Paper", "Policy", "Unknown", "é", "<b>"]
well_formed_explorer_query = st.fixed_dictionaries(
    {
        "category": st.lists(st.sampled_from(VOCABULARY), max_size=4),
        "organization": st.lists(st.sampled_from(VOCABULARY), max_size=4),
        "tag": st.lists(st.sampled_from(VOCABULARY), max_size=3),
        "year": st.lists(st.integers(1000, 9999).map(str), max_size=3),
        "key": st.lists(st.sampled_from(["1", "on", "true"]), max_size=1),
        "q": st.lists(search_text, max_size=1),
        "sort": st.lists(st.sampled_from(["newest", "oldest", "number", "relevance"]), max_size=1),
        "page": st.lists(st.integers(1, 100_000).map(str), max_size=1),
    }
)
htmx_targets = st.sampled_from([{}, {"HX-Request": "true", "HX-Target": "explorer-results"},
                                {"HX-Request": "true", "HX-Target": "load-more"},
                                {"HX-Request": "true", "HX-History-Restore-Request": "true"}])


@BOUNDED
@given(params=well_formed_explorer_query, request_headers=htmx_targets)
def test_any_well_formed_explorer_query_is_answered(
    client: FlaskClient, params: dict[str, list[str]], request_headers: dict[str, str]
) -> None:
    """Any mix of filters, any search text (FTS5 syntax included) and any page: a 200, page or
    fragment; or a 400 naming a value no briefing has; or a 404 for a page past the last."""
    query = "&".join(f"{name}={encode(value)}" for name, values in params.items() for value in values)
    response = client.get("/briefings/", query_string=query, headers=request_headers)
    context = f"/briefings/?{query} {request_headers} → {response.status_code}"
    assert response.status_code in (200, 400, 404), context
    if response.status_code == 400:
        assert "There is no " in response.get_data(as_text=True), context
    if response.status_code == 404:
        assert params["page"] and int(params["page"][0]) > 1, context


@BOUNDED
@given(query=query_strings, request_headers=headers, method=st.sampled_from(["GET", "HEAD"]))
def test_explorer_with_any_query_and_htmx_headers(
    client: FlaskClient, query: str, request_headers: dict[str, str], method: str
) -> None:
    response = client.open("/briefings/", method=method, query_string=query, headers=request_headers)
    assert_clear_answer(response, f"{method} /briefings/?{query[:300]} {request_headers}")


@BOUNDED
@given(route=st.sampled_from(ROUTES), request_headers=headers)
def test_any_request_headers_get_a_clear_answer(
    client: FlaskClient, route: str, request_headers: dict[str, str]
) -> None:
    response = client.get(route, headers=request_headers)
    assert_clear_answer(response, f"GET {route} {request_headers}")


@pytest.mark.parametrize("prefix", ["/projects/", "/legal/", "/briefings/", "/static/", "/static/css/", "/"])
@BOUNDED
@given(segment=segments, query=st.one_of(st.just(""), query_strings))
@example(segment="%00", query="")  # once a 500 from /static/ (os.stat: embedded null byte)
@example(segment="..%2F..%2Fpyproject.toml", query="")
@example(segment="99999999999999999999", query="")
@example(segment="54-x", query="from=" + encode("category=Safety&category=" + "x" * 200))
def test_any_path_segment_gets_a_clear_answer(client: FlaskClient, prefix: str, segment: str, query: str) -> None:
    response = get_raw_path(client, prefix + segment, query)
    assert_clear_answer(response, f"GET {prefix}{segment[:200]}?{query[:200]}")


@BOUNDED
@given(parts=st.lists(segments, min_size=1, max_size=6))
def test_any_path_gets_a_clear_answer(client: FlaskClient, parts: list[str]) -> None:
    path = "/" + "/".join(parts)
    response = get_raw_path(client, path)
    assert_clear_answer(response, f"GET {path[:300]}")


@BOUNDED
@given(query=query_strings, ident=st.sampled_from(["54-activating-ai-safety-level-3-protections", "54", "19-x"]))
def test_briefing_back_link_state_from_any_query(client: FlaskClient, query: str, ident: str) -> None:
    """The ``from`` parameter carries an explorer query inside a query: hostile at both levels."""
    response = client.get(f"/briefings/{ident}", query_string="from=" + encode(query))
    assert_clear_answer(response, f"GET /briefings/{ident}?from={query[:300]}")
