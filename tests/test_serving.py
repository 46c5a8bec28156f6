"""Serving as an attacker probes it: static path spellings, Host headers, oversized filter
states, methods and page numbers. Each answer is a clear 4xx with the site's security headers,
never a 500 and never a page cached under one Host and served for another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import make_app, parse

SITE = "https://silvia.example"


def absolute_urls(html: str) -> list[str]:
    """Every absolute URL a page states about itself: canonical, og:url and JSON-LD ids/urls."""
    page = BeautifulSoup(html, "html.parser")
    urls = [link["href"] for link in page.find_all("link", rel="canonical")]
    urls += [meta["content"] for meta in page.find_all("meta", property="og:url")]
    for script in page.find_all("script", type="application/ld+json"):
        data = json.loads(script.string)
        if data.get("@type") in ("ScholarlyArticle", "Report"):
            # The document a briefing covers lives elsewhere; only its links back to briefings are ours.
            data = [part["subjectOf"] for part in [data, *data.get("isBasedOn", [])]]
        urls += [value for value in walk(data) if value.startswith(("http:", "https:"))
                 and "schema.org" not in value]
    return urls


def walk(data: object) -> list[str]:
    if isinstance(data, dict):
        return [value for item in data.values() for value in walk(item)]
    if isinstance(data, list):
        return [value for item in data for value in walk(item)]
    return [data] if isinstance(data, str) else []


# --- finding 2: one spelling per static file ---------------------------------------------

@pytest.mark.parametrize("path", [
    "/static/vendor/x123/../htmx.min.js",
    "/static/css/./site.css",
    "/static/css/site.css/",
])
def test_only_the_canonical_spelling_of_a_static_file_is_served(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept-Encoding": "br"})
    assert response.status_code == 404
    assert response.headers["Content-Security-Policy"]


def test_a_static_file_answers_with_its_own_type(client: FlaskClient) -> None:
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"


# --- finding 3: hostile Host headers --------------------------------------------------------

# (xn--zz, a broken IDNA label, trips werkzeug's test client itself: test_gunicorn sends it for real.)
@pytest.mark.parametrize("host", ["a" * 64 + ".example", "a..b", ".", "exa mple.org", "[::1"])
def test_a_bad_host_is_a_400_with_security_headers(client: FlaskClient, host: str) -> None:
    for path in ("/", "/briefings/", "/about", "/robots.txt", "/nowhere"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path)
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "a..b", ".", ""])
def test_before_the_first_sync_a_bad_host_is_still_a_400(content_dir: Path, tmp_path: Path, host: str) -> None:
    # Without an index every request is a 503 page, which builds URLs: a Host no URL can be
    # built for must be refused before that, as it is once there is an index.
    app = make_app(content_dir, tmp_path / "never-synced.sqlite3", sync_first=False)
    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == 400
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert app.test_client().get("/").status_code == 503


# --- finding 4: an empty Host never poisons a cache -----------------------------------------

def test_an_empty_host_never_reaches_another_visitor(client: FlaskClient) -> None:
    empty = client.get("/about", headers={"Host": ""})
    assert empty.status_code in (200, 400)
    assert "http:/about" not in empty.get_data(as_text=True)
    client.get("/robots.txt", headers={"Host": ""})
    normal = client.get("/about")
    assert parse(normal).find("link", rel="canonical")["href"] == "http://localhost/about"
    assert "Sitemap: http://localhost/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)


def test_without_a_site_url_a_page_for_one_host_is_not_served_to_another(client: FlaskClient) -> None:
    client.get("/about", headers={"Host": "evil.example"})
    assert parse(client.get("/about")).find("link", rel="canonical")["href"] == "http://localhost/about"
    other = client.get("/about", headers={"Host": "mirror.example"})
    assert parse(other).find("link", rel="canonical")["href"] == "http://mirror.example/about"


# --- finding 5: with PORTFOLIO_SITE_URL, every absolute URL and redirect comes from it ----------

@pytest.fixture
def site_client(content_dir: Path, tmp_path: Path) -> FlaskClient:
    app: Flask = make_app(content_dir, tmp_path / "site.sqlite3", site_url=SITE)
    return app.test_client()


def test_with_a_site_url_other_hosts_are_refused(site_client: FlaskClient) -> None:
    for host in ("evil.example", "127.0.0.1:5000", ""):
        response = site_client.get("/about", headers={"Host": host})
        assert response.status_code == 400, host
        assert "evil.example" not in response.get_data(as_text=True)
        assert response.headers["Content-Security-Policy"]


def test_with_a_site_url_every_absolute_url_starts_with_it(site_client: FlaskClient) -> None:
    headers = {"Host": "silvia.example"}
    for path in ("/", "/about", "/briefings/", "/briefings/54-activating-ai-safety-level-3-protections"):
        urls = absolute_urls(site_client.get(path, headers=headers).get_data(as_text=True))
        assert urls, path
        assert all(url.startswith(SITE + "/") for url in urls), (path, urls)
    robots = site_client.get("/robots.txt", headers=headers).get_data(as_text=True)
    assert f"Sitemap: {SITE}/sitemap.xml" in robots


@pytest.mark.parametrize(("path", "target"), [
    ("/briefings", "/briefings/"),
    ("/projects", "/projects/"),
    ("/briefings/54", "/briefings/54-activating-ai-safety-level-3-protections"),
])
def test_with_a_site_url_redirects_point_at_it(site_client: FlaskClient, path: str, target: str) -> None:
    response = site_client.get(path, headers={"Host": "silvia.example"})
    assert response.status_code in (301, 308)
    assert response.headers["Location"] == SITE + target


# --- finding 6: output size is bounded by the content, not the request ----------------------

@pytest.mark.parametrize("query", [
    "category=Nope", "organization=Nobody", "tag=Rumour", "year=1901",
    "&".join(f"category=x{i}" for i in range(30)),
])
def test_unknown_filter_values_are_a_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/briefings/?{query}")
    assert response.status_code == 400
    assert len(response.get_data()) < 20_000


def test_a_long_query_string_cannot_inflate_a_page(client: FlaskClient) -> None:
    query = "&".join(f"year={1990 + i}" for i in range(30)) + "&" + "&".join(f"tag=T{i:03d}" for i in range(30))
    response = client.get(f"/briefings/?{query}")
    assert response.status_code == 400
    assert len(response.get_data()) < 20_000


# --- finding 8: methods and page numbers ------------------------------------------------------

def test_a_wrong_method_names_the_allowed_ones(client: FlaskClient) -> None:
    response = client.post("/about")
    assert response.status_code == 405
    assert set(response.allow) >= {"GET", "HEAD"}
    assert "POST" not in response.allow


def test_a_page_past_the_last_is_not_found(client: FlaskClient) -> None:
    response = client.get("/briefings/?page=99999")
    assert response.status_code == 404
    assert client.get("/briefings/?page=1").status_code == 200
