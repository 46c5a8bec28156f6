"""The Privacy Policy stays true of the software: what the scripts store, and that no page sets a cookie."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from portfolio.config import REPO_ROOT

SCRIPTS = sorted((REPO_ROOT / "static" / "js").glob("*.js"))


def policy_text(client: FlaskClient) -> str:
    soup = BeautifulSoup(client.get("/legal/privacy").get_data(as_text=True), "html.parser")
    return " ".join(soup.main.get_text(" ").split())


def scripts_using(pattern: str) -> list[str]:
    return [path.name for path in SCRIPTS if re.search(pattern, path.read_text())]


def test_policy_names_local_storage_exactly_when_a_script_uses_it(client: FlaskClient) -> None:
    text = policy_text(client)
    users = scripts_using(r"\blocalStorage\b")
    says_it_stores = re.search(r"keeps that choice in its local storage", text) is not None
    assert bool(users) == says_it_stores, f"scripts using localStorage: {users}; the policy says it stores: {says_it_stores}"
    if users:
        keys = {key for path in SCRIPTS for key in re.findall(r'var KEY = "(\w+)"', path.read_text())}
        assert keys == {"theme"}, f"the policy names only the 'theme' entry; scripts store under {keys}"
        assert "named theme" in text
        assert "never sent" in text
    assert "uses no local storage" not in text


def test_no_script_uses_cookies_or_other_storage() -> None:
    """The policy promises no cookies and names only local storage."""
    assert SCRIPTS, "static/js holds the site's own scripts"
    assert scripts_using(r"document\.cookie|sessionStorage|indexedDB|navigator\.sendBeacon") == []


def test_no_page_sets_a_cookie(client: FlaskClient) -> None:
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    paths = [urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    paths += ["/briefings/?category=Safety", "/no-such-page", "/briefings/?page=0", "/briefings/feed.xml"]
    for path in paths:
        response = client.get(path)
        assert "Set-Cookie" not in response.headers, f"{path} sets a cookie"
    fragment = client.get("/briefings/?key=1", headers={"HX-Request": "true", "HX-Target": "explorer-results"})
    assert "Set-Cookie" not in fragment.headers
    assert "no cookies" in policy_text(client)
