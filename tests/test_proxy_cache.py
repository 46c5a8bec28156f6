"""The caching story behind a real shared cache: Debian's nginx with deploy/nginx in front of gunicorn.

Both run on free loopback ports in this test's own folders. Without nginx the module is
skipped, unless PORTFOLIO_REQUIRE_NGINX=1 (CI sets it), which turns the skip into a failure.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import brotli
import pytest
from bs4 import BeautifulSoup

from bench.common import clean_environment, find_program, free_port, gunicorn_command, render_nginx, running
from portfolio.config import REPO_ROOT

NGINX = find_program("nginx", "/usr/sbin/nginx")
FRAGMENT = {"HX-Request": "true", "HX-Target": "explorer-results"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def cache(self) -> str:
        return self.headers.get("x-cache-status", "")

    def html(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")


def fetch(url: str, headers: dict[str, str] | None = None) -> Answer:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if NGINX is None:
        if os.environ.get("PORTFOLIO_REQUIRE_NGINX") == "1":
            pytest.fail("nginx is required (PORTFOLIO_REQUIRE_NGINX=1) but is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx); set PORTFOLIO_REQUIRE_NGINX=1 to require it")
    root = tmp_path_factory.mktemp("proxy")
    content = root / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    app_port, proxy_port = free_port(), free_port()
    env = clean_environment(PORT=str(app_port), WEB_CONCURRENCY="2", PORTFOLIO_CONTENT_DIR=str(content),
                            PORTFOLIO_DATABASE_URL=f"sqlite:///{root / 'index.sqlite3'}")
    with running(gunicorn_command(), f"http://127.0.0.1:{app_port}/healthz", root / "gunicorn.log", env):
        conf = render_nginx(root / "nginx", proxy_port, app_port)
        nginx = [NGINX, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"]
        with running(nginx, f"http://127.0.0.1:{proxy_port}/healthz", root / "nginx.log"):
            yield f"http://127.0.0.1:{proxy_port}"


def is_full_page(answer: Answer) -> bool:
    page = answer.html()
    return page.find("html") is not None and page.find("form", id="explorer-form") is not None


def is_results_fragment(answer: Answer) -> bool:
    fragment = answer.html()
    return fragment.find("html") is None and fragment.find("section", class_="results") is not None


def test_a_fragment_cached_first_is_never_served_for_the_page(proxy: str) -> None:
    url = f"{proxy}/briefings/?category=Safety"
    fragment = fetch(url, FRAGMENT)
    assert fragment.status == 200 and is_results_fragment(fragment) and fragment.cache == "MISS"
    page = fetch(url)
    assert is_full_page(page) and page.cache == "MISS"
    page_again = fetch(url)
    assert is_full_page(page_again) and page_again.cache == "HIT"
    fragment_again = fetch(url, FRAGMENT)
    assert is_results_fragment(fragment_again) and fragment_again.cache == "HIT"
    assert fragment_again.body == fragment.body and page_again.body == page.body


def test_a_page_cached_first_is_never_served_for_the_fragment(proxy: str) -> None:
    url = f"{proxy}/briefings/?organization=Anthropic"
    page = fetch(url)
    assert is_full_page(page) and page.cache == "MISS"
    assert fetch(url).cache == "HIT"
    fragment = fetch(url, FRAGMENT)
    assert is_results_fragment(fragment) and fragment.cache == "MISS"
    assert is_results_fragment(fetch(url, FRAGMENT))


def test_history_restore_gets_the_page_not_a_cached_fragment(proxy: str) -> None:
    url = f"{proxy}/briefings/?category=Scaling"
    assert is_results_fragment(fetch(url, FRAGMENT))
    restore = fetch(url, {**FRAGMENT, "HX-History-Restore-Request": "true"})
    assert is_full_page(restore)


def test_encodings_are_cached_apart_and_decode_to_the_same_page(proxy: str) -> None:
    url = f"{proxy}/briefings/54-activating-ai-safety-level-3-protections"
    plain = fetch(url)
    assert "content-encoding" not in plain.headers
    for accept, encoding, decode in [("gzip, deflate, br", "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)]:
        first = fetch(url, {"Accept-Encoding": accept})
        again = fetch(url, {"Accept-Encoding": accept})
        assert first.headers["content-encoding"] == encoding == again.headers["content-encoding"]
        assert again.cache == "HIT"
        assert decode(again.body) == plain.body
    identity_again = fetch(url)
    assert "content-encoding" not in identity_again.headers and identity_again.body == plain.body


def test_browsers_asking_for_the_same_encoding_share_one_cached_copy(proxy: str) -> None:
    # Each browser spells Accept-Encoding its own way; the key reduces it to br, gzip or nothing,
    # so the second spelling is a hit on the copy the first one stored.
    url = f"{proxy}/projects/"
    first = fetch(url, {"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert first.headers["content-encoding"] == "br" and first.cache == "MISS"
    other = fetch(url, {"Accept-Encoding": "br, gzip"})
    assert other.headers["content-encoding"] == "br" and other.cache == "HIT"
    assert other.body == first.body
    assert "Accept-Encoding" in other.headers["vary"]  # browsers and other caches still see what it varies on


def test_the_cache_key_names_every_header_the_app_varies_on(proxy: str) -> None:
    # The proxy keys its cache on these request headers instead of following Vary (which would
    # keep a copy per raw Accept-Encoding string and cost a hash per hit): a header the app
    # starts to vary on must be added to the key.
    conf = (REPO_ROOT / "deploy" / "nginx" / "portfolio.conf").read_text("utf-8")
    key = re.search(r"proxy_cache_key\s+\"([^\"]+)\"", conf)[1]
    keyed = {name.replace("_", "-") for name in re.findall(r"\$http_(\w+)", key)} | {"accept-encoding"}
    home = fetch(f"{proxy}/").html()
    stylesheet = home.find("link", rel="stylesheet")["href"]
    for path, headers in [("/briefings/?category=Safety", {}), ("/briefings/?category=Safety", FRAGMENT),
                          ("/about", {}), (stylesheet, {}), ("/sitemap.xml", {})]:
        vary = fetch(proxy + path, headers).headers.get("vary", "")
        named = {name.strip().lower() for name in vary.split(",") if name.strip()}
        assert named <= keyed, f"{path} varies on {named - keyed}, which the cache key does not name"
    assert "encoding" in key and "hx_request" in key


def test_conditional_requests_get_304_through_the_proxy(proxy: str) -> None:
    url = f"{proxy}/about"
    first = fetch(url)
    again = fetch(url, {"If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.body == b""


def test_fingerprinted_assets_are_cached_as_immutable(proxy: str) -> None:
    home = fetch(f"{proxy}/").html()
    stylesheet = home.find("link", rel="stylesheet")["href"]
    first = fetch(proxy + stylesheet)
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert fetch(proxy + stylesheet).cache == "HIT"


def test_the_health_check_is_never_cached(proxy: str) -> None:
    assert fetch(f"{proxy}/healthz").cache in ("BYPASS", "MISS")
    assert fetch(f"{proxy}/healthz").cache != "HIT"
