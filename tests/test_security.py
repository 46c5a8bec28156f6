"""Security headers on every response, a strict CSP that htmx runs under, no cookies, no tracebacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.helpers import make_app, parse, route_paths

# Other kinds of response: (method, path, request headers, expected status)
OTHER_RESPONSES = [
    ("GET", "/briefings/?category=Safety", {"HX-Request": "true", "HX-Target": "explorer-results"}, 200),
    ("GET", "/projects/?tag=Web+app", {"HX-Request": "true", "HX-Target": "project-results"}, 200),
    ("GET", "/briefings/54", {}, 301),
    ("GET", "/no-such-page", {}, 404),
    ("GET", "/static/no-such-file.css", {}, 404),
    ("GET", "/briefings/?page=0", {}, 400),
    ("POST", "/", {}, 405),
    ("HEAD", "/", {}, 200),
    ("OPTIONS", "/briefings/", {}, 200),
]

# <link rel> kinds that make the browser fetch something
LOADED_LINKS = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "modulepreload", "prefetch"}

REQUIRED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def every_response(app: Flask, client: FlaskClient) -> Iterator[tuple[str, TestResponse]]:
    for path in route_paths(app):
        yield f"GET {path}", client.get(path)
    for method, path, headers, status in OTHER_RESPONSES:
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == status, (method, path, response.status_code)
        yield f"{method} {path}", response
    etag = client.get("/static/css/site.css").headers.get("ETag")
    assert etag
    not_modified = client.get("/static/css/site.css", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    yield "GET /static/css/site.css (304)", not_modified


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} given twice"
        directives[name] = sources
    return directives


def test_every_response_carries_the_security_headers(app: Flask, client: FlaskClient) -> None:
    missing = []
    for request, response in every_response(app, client):
        expected = {**REQUIRED_HEADERS, "Content-Security-Policy": None, "Permissions-Policy": None}
        for name, value in expected.items():
            actual = response.headers.get(name)
            if actual is None or (value is not None and actual != value):
                missing.append(f"{request}: {name} = {actual!r}")
        if "Strict-Transport-Security" in response.headers:
            missing.append(f"{request}: HSTS sent although the site is not configured for HTTPS")
    assert not missing, "\n".join(missing)


def test_content_security_policy_is_strict(client: FlaskClient) -> None:
    policy = csp_directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert policy.get(directive, policy["default-src"]) == ["'self'"], directive
    every_source = [source for sources in policy.values() for source in sources]
    allowed = {"'self'", "'none'"}
    assert set(every_source) <= allowed, f"the policy allows more than the site itself: {set(every_source) - allowed}"


def test_permissions_policy_switches_off_unused_features(client: FlaskClient) -> None:
    features = dict(item.strip().split("=") for item in client.get("/").headers["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert features.get(feature) == "()", feature


def test_strict_transport_security_when_configured_for_https(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTFOLIO_HTTPS", "1")
    app = make_app(content_dir, tmp_path / "https.sqlite3")
    client = app.test_client()
    for path in ("/", "/static/css/site.css", "/no-such-page"):
        hsts = client.get(path).headers.get("Strict-Transport-Security", "")
        max_age = int(hsts.split(";")[0].removeprefix("max-age="))
        assert max_age >= 31_536_000, (path, hsts)


def test_no_cookies_on_any_response(app: Flask, client: FlaskClient) -> None:
    with_cookies = [request for request, response in every_response(app, client) if "Set-Cookie" in response.headers]
    assert not with_cookies
    assert not list(client._cookies)  # type: ignore[attr-defined]


def test_pages_have_no_inline_script_style_or_handlers(app: Flask, client: FlaskClient) -> None:
    """What the CSP would block never gets written: the browser suite proves it stays silent."""
    offences = []
    paths = [p for p in route_paths(app) if not p.startswith(("/static/", "/healthz"))]
    for path in [*paths, "/briefings/?q=scaling&category=Safety", "/no-such-page"]:
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        page = parse(response)
        offences += [f"{path}: inline <script>" for s in page.find_all("script")
                     if not s.get("src") and s.get("type") != "application/ld+json"]  # data, never run
        offences += [f"{path}: <style>" for _ in page.find_all("style")]
        for element in page.find_all(True):
            offences += [f"{path}: {element.name} {name}=" for name in element.attrs
                         if name == "style" or name.startswith(("on", "hx-on"))]
    assert not offences, "\n".join(offences)


def test_pages_load_resources_only_from_the_site(app: Flask, client: FlaskClient) -> None:
    foreign = []
    for path in [p for p in route_paths(app) if not p.startswith(("/static/", "/healthz"))]:
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        page = parse(response)
        for element in page.select("script[src], link[href], img[src], form[action], source[src]"):
            if element.name == "link" and not LOADED_LINKS & set(element.get("rel", [])):
                continue  # canonical and alternate links name an address; the browser loads nothing
            url = element.get("src") or element.get("href") or element.get("action")
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                foreign.append(f"{path}: <{element.name}> {url}")
    assert not foreign, "\n".join(foreign)


def test_htmx_is_configured_to_run_under_the_policy(client: FlaskClient) -> None:
    meta = parse(client.get("/")).find("meta", attrs={"name": "htmx-config"})
    config = json.loads(meta["content"])
    assert config["includeIndicatorStyles"] is False  # otherwise htmx injects a <style> element
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True


@pytest.fixture
def production_app(content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("FLASK_DEBUG", "1")  # a stray debug flag must not switch tracebacks on
    app = make_app(content_dir, tmp_path / "production.sqlite3", env="production")

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail from /srv/portfolio/internal.py")

    return app


def test_production_errors_are_styled_pages_without_tracebacks(production_app: Flask) -> None:
    assert production_app.debug is False
    response = production_app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    page = parse(response)
    assert page.find("h1").get_text(strip=True) == "Internal Server Error"
    assert page.find("nav", attrs={"aria-label": "Main"}) is not None, "the error page keeps the site's chrome"
    for leak in ("Traceback", "RuntimeError", "secret detail", "internal.py", "werkzeug", 'File "'):
        assert leak not in body
    assert response.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in response.headers


def test_production_client_errors_reveal_nothing_either(production_app: Flask) -> None:
    client = production_app.test_client()
    for path, status in (("/no-such-page", 404), ("/briefings/?page=-1", 400), ("/briefings/?key=%00", 400)):
        response = client.get(path)
        assert response.status_code == status
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and "File \"" not in body
        assert parse(response).find("h1") is not None
