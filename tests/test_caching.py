"""HTTP caching: validators and 304s, Cache-Control, the render cache, compression, fingerprinted assets."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from portfolio.config import REPO_ROOT
from portfolio.content import sync
from portfolio.static_files import asset_url
from portfolio.extensions import db
from tests.helpers import make_app, parse

BRIEFING = "/briefings/54-activating-ai-safety-level-3-protections"
EXPLORER = "/briefings/?category=Safety"
FRAGMENT = {"HX-Request": "true", "HX-Target": "explorer-results"}
HTML_PAGES = ["/", "/about", "/projects/", "/projects/pokebowl", "/legal/privacy", "/briefings/", BRIEFING]


@contextmanager
def counting_queries(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app runs while the block is open."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def edit_briefing_54(content_dir: Path, old: str, new: str) -> None:
    path = next((content_dir / "briefings").glob("054-*.md"))
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


# Validators and 304 -----------------------------------------------------------------------


@pytest.mark.parametrize("path", HTML_PAGES)
def test_pages_carry_a_strong_etag(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    etag, weak = response.get_etag()
    assert etag and not weak


@pytest.mark.parametrize("path", [BRIEFING, EXPLORER, "/sitemap.xml"])
def test_if_none_match_gets_304_with_the_caching_headers(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert again.headers.get("Vary") == first.headers.get("Vary")


def test_a_stale_etag_gets_the_page(client: FlaskClient) -> None:
    response = client.get(BRIEFING, headers={"If-None-Match": '"not-this-one"'})
    assert response.status_code == 200 and parse(response).find("h1")


def test_page_and_fragment_of_one_url_have_different_etags(client: FlaskClient) -> None:
    page = client.get(EXPLORER)
    fragment = client.get(EXPLORER, headers=FRAGMENT)
    assert page.headers["ETag"] != fragment.headers["ETag"]
    # The page's validator does not make a fragment request "not modified".
    crossed = client.get(EXPLORER, headers={**FRAGMENT, "If-None-Match": page.headers["ETag"]})
    assert crossed.status_code == 200 and "<html" not in crossed.get_data(as_text=True)


def test_etags_are_the_same_on_every_node(content_dir: Path, tmp_path: Path) -> None:
    """Two apps built from the same content (two nodes) give the same validators."""
    one = make_app(content_dir, tmp_path / "one.sqlite3").test_client()
    two = make_app(content_dir, tmp_path / "two.sqlite3").test_client()
    for path in [BRIEFING, EXPLORER]:
        assert one.get(path).headers["ETag"] == two.get(path).headers["ETag"]


def test_a_content_change_changes_the_etag_and_drops_cached_pages(app: Flask, client: FlaskClient,
                                                                      content_dir: Path) -> None:
    feed_before = client.get("/briefings/feed.xml")
    assert client.get(BRIEFING).status_code == 200
    edit_briefing_54(content_dir, "Activating AI Safety Level 3 Protections", "Activating ASL-3 Safeguards")
    sync(content_dir, app.config["DATABASE_URL"])
    after = client.get("/briefings/54-activating-asl-3-safeguards")
    assert after.status_code == 200
    assert "Activating ASL-3 Safeguards" in parse(after).find("h1").get_text()
    assert client.get(BRIEFING).status_code == 301  # the old cached page is gone with the old version
    assert "Activating ASL-3 Safeguards" in client.get("/briefings/?q=safeguards").get_data(as_text=True)
    feed_after = client.get("/briefings/feed.xml", headers={"If-None-Match": feed_before.headers["ETag"]})
    assert feed_after.status_code == 200
    assert feed_after.headers["ETag"] != feed_before.headers["ETag"]


# Cache-Control ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*HTML_PAGES, EXPLORER, "/sitemap.xml", "/robots.txt", "/briefings/feed.xml"])
def test_html_and_feeds_may_be_kept_briefly_and_served_stale(client: FlaskClient, path: str) -> None:
    control = client.get(path).cache_control
    assert control.public
    assert control.max_age == 60
    assert control.s_maxage == 300
    assert control["stale-while-revalidate"] == "600"


def test_cache_lifetimes_come_from_the_settings(content_dir: Path, tmp_path: Path) -> None:
    app = make_app(content_dir, tmp_path / "i.sqlite3", html_max_age=5, html_shared_max_age=30,
                   html_stale_seconds=45)
    control = app.test_client().get("/").cache_control
    assert (control.max_age, control.s_maxage, control["stale-while-revalidate"]) == (5, 30, "45")


def test_fragments_say_they_vary_on_the_htmx_headers(client: FlaskClient) -> None:
    response = client.get(EXPLORER, headers=FRAGMENT)
    assert {"HX-Request", "HX-Target", "HX-History-Restore-Request"} <= set(response.vary)
    assert response.cache_control.public


def test_health_check_is_never_stored(app: Flask, client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.cache_control.no_store
    with counting_queries(app) as statements:
        client.get("/healthz")
    assert statements, "the health check must look at the database every time"


def test_error_pages_are_cached_only_briefly(client: FlaskClient) -> None:
    missing = client.get("/briefings/99999")
    assert missing.status_code == 404
    assert missing.cache_control.max_age == 60 and missing.cache_control.s_maxage is None
    assert "ETag" not in missing.headers
    bad = client.get("/briefings/?year=abc")
    assert bad.status_code == 400 and bad.cache_control.max_age == 60


def test_server_errors_are_not_stored(content_dir: Path, tmp_path: Path) -> None:
    app = make_app(content_dir, tmp_path / "i.sqlite3")

    def broken() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/broken", view_func=broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert response.cache_control.no_store


def test_development_revalidates_every_time_and_caches_nothing(content_dir: Path, tmp_path: Path) -> None:
    app = make_app(content_dir, tmp_path / "i.sqlite3", auto_reload=True)
    client = app.test_client()
    assert client.get(BRIEFING).headers["Cache-Control"] == "no-cache"
    with counting_queries(app) as statements:
        client.get(BRIEFING)
    assert statements


@pytest.mark.parametrize("headers", [{}, {"Accept-Encoding": "br"}, FRAGMENT])
def test_a_repeated_answer_is_the_same_and_validates(client: FlaskClient, headers: dict[str, str]) -> None:
    first = client.get(EXPLORER, headers=headers)
    second = client.get(EXPLORER, headers=headers)
    def same(response):  # werkzeug's conditional answer stamps the Date
        return sorted((name, value) for name, value in response.headers.items() if name != "Date")

    assert same(second) == same(first)
    assert second.get_data() == first.get_data()
    assert "Content-Security-Policy" in second.headers
    not_modified = client.get(EXPLORER, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_head_gets_the_headers_without_a_body(client: FlaskClient) -> None:
    get = client.get(BRIEFING)
    head = client.head(BRIEFING)
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


# Compression ------------------------------------------------------------------------------


DECODERS = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.mark.parametrize(("accept", "expected"), [
    ("gzip, deflate, br", "br"),
    ("br", "br"),
    ("gzip", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("gzip;q=1.0, br;q=0.5", "gzip"),
    ("gzip;q=0.2, br;q=0.9", "br"),
    ("*", "br"),
    ("identity", None),
    ("deflate", None),
])
def test_compression_follows_accept_encoding(client: FlaskClient, accept: str, expected: str | None) -> None:
    plain = client.get(BRIEFING).get_data()
    response = client.get(BRIEFING, headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response.vary
    body = response.get_data()
    assert (DECODERS[expected](body) if expected else body) == plain
    if expected:
        assert len(body) < len(plain) / 2


@pytest.mark.parametrize("path", ["/sitemap.xml", "/briefings/feed.xml", "/briefings/?q=scaling"])
def test_xml_and_fragments_are_compressed_too(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept-Encoding": "gzip", **(FRAGMENT if "?" in path else {})})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == client.get(path, headers=FRAGMENT if "?" in path else {}).get_data()


def test_each_encoding_has_its_own_etag_which_validates_it(client: FlaskClient) -> None:
    tags = {accept: client.get(BRIEFING, headers={"Accept-Encoding": accept}).headers["ETag"]
            for accept in ("br", "gzip", "identity")}
    assert len(set(tags.values())) == 3
    for accept, tag in tags.items():
        response = client.get(BRIEFING, headers={"Accept-Encoding": accept, "If-None-Match": tag})
        assert response.status_code == 304
        assert response.get_data() == b""
    crossed = client.get(BRIEFING, headers={"Accept-Encoding": "br", "If-None-Match": tags["gzip"]})
    assert crossed.status_code == 200 and crossed.headers["Content-Encoding"] == "br"


def test_tiny_bodies_are_not_compressed(client: FlaskClient) -> None:
    response = client.get("/robots.txt", headers={"Accept-Encoding": "br, gzip"})
    assert len(response.get_data()) < 512
    assert "Content-Encoding" not in response.headers


# Fingerprinted static files ---------------------------------------------------------------


def asset_links(client: FlaskClient) -> dict[str, str]:
    head = parse(client.get("/")).head
    return {
        "css": head.find("link", rel="stylesheet")["href"],
        "icon": head.find("link", rel="icon")["href"],
        "js": head.find("script", src=re.compile("htmx"))["src"],
    }


def test_pages_link_assets_by_content_hash(client: FlaskClient) -> None:
    links = asset_links(client)
    assert re.fullmatch(r"/static/css/site\.css\?v=[0-9a-f]{12}", links["css"])
    assert re.fullmatch(r"/static/img/favicon\.svg\?v=[0-9a-f]{12}", links["icon"])
    assert re.fullmatch(r"/static/vendor/htmx\.min\.js\?v=[0-9a-f]{12}", links["js"])


@pytest.mark.parametrize("kind", ["css", "icon", "js"])
def test_fingerprinted_assets_are_immutable_for_a_year(client: FlaskClient, kind: str) -> None:
    url = asset_links(client)[kind]
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain_name = url.removeprefix("/static/").split("?")[0]
    assert response.get_data() == (REPO_ROOT / "static" / plain_name).read_bytes()


def test_the_hash_follows_the_file(content_dir: Path, tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_text("body { color: black; }\n", "utf-8")
    app = make_app(content_dir, tmp_path / "i.sqlite3")
    app.static_folder = str(static)
    app.extensions["fingerprints"].folder = static
    with app.test_request_context("/"):
        before = asset_url("css/site.css")
        (static / "css" / "site.css").write_text("body { color: navy; }\n", "utf-8")
        after = asset_url("css/site.css")
    assert before != after
    client = app.test_client()
    assert client.get(after).get_data() == b"body { color: navy; }\n"
    old = client.get(before)  # a page cached before the change still gets a stylesheet
    assert old.status_code == 200 and "immutable" not in old.headers["Cache-Control"]


def test_unfingerprinted_static_urls_still_work_with_a_short_lifetime(client: FlaskClient) -> None:
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.cache_control.max_age == 300 and "immutable" not in response.headers["Cache-Control"]
    again = client.get("/static/css/site.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_javascript_and_css_are_compressed(client: FlaskClient) -> None:
    links = asset_links(client)
    for url in (links["css"], links["js"]):
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert response.headers["Content-Encoding"] == "br"
        assert brotli.decompress(response.get_data()) == client.get(url).get_data()


@pytest.mark.parametrize("path", ["/static/nope.css", "/static/../pyproject.toml", "/static/%2e%2e/wsgi.py",
                                  "/static/css/site.css/x"])
def test_missing_or_escaping_static_paths_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_range_of_a_file_is_never_served_for_the_whole_file(client: FlaskClient) -> None:
    whole = client.get("/static/css/site.css", headers={"Accept-Encoding": "gzip"})
    part = client.get("/static/css/site.css", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    again = client.get("/static/css/site.css", headers={"Accept-Encoding": "gzip"})
    assert part.status_code in (200, 206)
    assert gzip.decompress(again.get_data()) == gzip.decompress(whole.get_data())
    assert len(gzip.decompress(whole.get_data())) == (REPO_ROOT / "static" / "css" / "site.css").stat().st_size


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_range_request_gets_bytes_that_match_what_the_headers_say(client: FlaskClient, encoding: str) -> None:
    """A 206's Content-Range counts bytes of the file; a compressed part of it would not match."""
    on_disk = (REPO_ROOT / "static" / "css" / "site.css").read_bytes()
    response = client.get("/static/css/site.css", headers={"Accept-Encoding": encoding, "Range": "bytes=100-"})
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    elif response.headers.get("Content-Encoding") == "br":
        body = brotli.decompress(body)
    if response.status_code == 206:
        assert "Content-Encoding" not in response.headers
        assert response.headers["Content-Range"] == f"bytes 100-{len(on_disk) - 1}/{len(on_disk)}"
        assert body == on_disk[100:]
    else:
        assert response.status_code == 200
        assert "Content-Range" not in response.headers
        assert body == on_disk
