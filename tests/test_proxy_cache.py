"""The caching story behind a real shared cache: Debian's nginx with deploy/nginx in front of gunicorn.

Both run on free loopback ports in this test's own folders. Without nginx the module is
skipped, unless PORTFOLIO_REQUIRE_NGINX=1 (CI sets it), which turns the skip into a failure.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest
from bs4 import BeautifulSoup

from bench.common import (
    clean_environment,
    find_program,
    free_port,
    gunicorn_command,
    nginx_renderer,
    running,
)
from portfolio.config import REPO_ROOT
from portfolio.security_headers import HEADERS

NGINX = find_program("nginx", "/usr/sbin/nginx")
FRAGMENT = {"HX-Request": "true", "HX-Target": "explorer-results"}
LIMITED_CLIENT = "127.0.0.2"  # the fixtures exempt 127.0.0.1 from the per-client limits, as a CDN would be


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
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=10) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def send(url: str, path: str, headers: list[tuple[str, str]], source: str = "127.0.0.1") -> Answer:
    """A request with headers exactly as listed, repeated names and all (urllib would merge them)."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        connection.putrequest("GET", path)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def render_proxy(folder: Path, listen_port: int, upstreams: list[str], **options: object) -> Path:
    """deploy/nginx standalone in ``folder``, 127.0.0.1 exempt from the per-client limits."""
    render = nginx_renderer()
    cache = folder / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    site = render.render_site(f"127.0.0.1:{listen_port}", upstreams, cache, unlimited=["127.0.0.1"], **options)
    return render.write_standalone(folder, site)


def require_nginx() -> str:
    if NGINX is None:
        if os.environ.get("PORTFOLIO_REQUIRE_NGINX") == "1":
            pytest.fail("nginx is required (PORTFOLIO_REQUIRE_NGINX=1) but is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx); set PORTFOLIO_REQUIRE_NGINX=1 to require it")
    return NGINX


@dataclass
class Proxy:
    url: str
    app_url: str
    content: Path
    env: dict[str, str]
    app_log: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    nginx = require_nginx()
    root = tmp_path_factory.mktemp("proxy")
    content = root / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    app_port, proxy_port = free_port(), free_port()
    env = clean_environment(PORT=str(app_port), WEB_CONCURRENCY="2", PORTFOLIO_CONTENT_DIR=str(content),
                            PORTFOLIO_DATABASE_URL=f"sqlite:///{root / 'index.sqlite3'}",
                            PORTFOLIO_SITE_URL="http://127.0.0.1")
    with running(gunicorn_command(), f"http://127.0.0.1:{app_port}/healthz", root / "gunicorn.log", env):
        conf = render_proxy(root / "nginx", proxy_port, [f"127.0.0.1:{app_port}"])
        command = [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"]
        with running(command, f"http://127.0.0.1:{proxy_port}/healthz", root / "nginx.log"):
            yield Proxy(f"http://127.0.0.1:{proxy_port}", f"http://127.0.0.1:{app_port}", content, env,
                        root / "gunicorn.log")


@pytest.fixture(scope="module")
def proxy(site: Proxy) -> str:
    return site.url


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
    # The proxy keys its cache on these request headers, normalised, instead of following Vary
    # (which would keep a copy per raw Accept-Encoding string and cost a hash per hit), and passes
    # the app exactly the values it keyed on: a header the app starts to vary on must join both.
    conf = (REPO_ROOT / "deploy" / "nginx" / "portfolio.conf").read_text("utf-8")
    (key,) = [key for key in re.findall(r"proxy_cache_key\s+\"([^\"]+)\"", conf) if "$request_uri" in key]
    forwarded = dict(re.findall(r"proxy_set_header\s+([\w-]+)\s+\$(portfolio_\w+);", conf))
    keyed = {name.lower() for name, variable in forwarded.items() if f"${variable}|" in key + "|"}
    home = fetch(f"{proxy}/").html()
    stylesheet = home.find("link", rel="stylesheet")["href"]
    for path, headers in [("/briefings/?category=Safety", {}), ("/briefings/?category=Safety", FRAGMENT),
                          ("/about", {}), (stylesheet, {}), ("/sitemap.xml", {})]:
        vary = fetch(proxy + path, headers).headers.get("vary", "")
        named = {name.strip().lower() for name in vary.split(",") if name.strip()}
        assert named <= keyed, f"{path} varies on {named - keyed}, which the cache key does not name"
    assert {"accept-encoding", "hx-request", "hx-target", "hx-history-restore-request"} <= keyed


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


# --- issue 23: a cache no request can poison or bust ----------------------------------------------

def is_fragment(answer: Answer) -> bool:
    return answer.status == 200 and answer.html().find("html") is None


@pytest.mark.parametrize(("page", "attack"), [
    (2, [("HX-Request", "true"), ("HX-Request", "true"), ("HX-Target", "load-more"), ("HX-Target", "load-more")]),
    (3, [("HX-Request", "true"), ("HX-Target", "load-more"), ("HX-Target", "explorer-results")]),
    (4, [("HX-Request", "true"), ("HX-Request", "false"), ("HX-Target", "load-more")]),
    (5, [("HX-Request", "true"), ("HX-Target", "load-more, load-more")]),
])
def test_repeated_htmx_headers_cannot_poison_the_cache(proxy: str, page: int, attack: list[tuple[str, str]]) -> None:
    path = f"/briefings/?page={page}"
    send(proxy, path, attack)  # whatever the attacker gets, it must not be what visitors get
    for _ in range(2):  # the first visitor may fill the cache; the second is served from it
        more = send(proxy, path, [("HX-Request", "true"), ("HX-Target", "load-more")])
        assert is_fragment(more) and more.html().find("li", id="load-more") is not None, more.body[:300]
        page_answer = send(proxy, path, [])
        assert is_full_page(page_answer)


def test_an_unknown_parameter_costs_no_render_and_no_cache_entry(proxy: str) -> None:
    for n in range(3):
        answer = fetch(f"{proxy}/sitemap.xml?x={n}")
        assert answer.status == 301 and answer.headers["location"].endswith("/sitemap.xml")
        assert fetch(f"{proxy}/sitemap.xml?x={n}").cache != "HIT"  # nothing stored for it


@pytest.mark.parametrize("path", ["/nowhere", "/briefings/?category=Nope", "/briefings/?page=9999"])
def test_errors_are_not_cached(proxy: str, path: str) -> None:
    first, again = fetch(proxy + path), fetch(proxy + path)
    assert first.status == again.status and 400 <= first.status < 500
    assert again.cache != "HIT"


def test_metrics_are_refused_through_the_proxy_with_the_security_headers(site: Proxy) -> None:
    refused = fetch(f"{site.url}/metrics")
    assert refused.status == 404 and b"portfolio_" not in refused.body
    for name, value in HEADERS.items():
        assert refused.headers.get(name.lower()) == value, name
    assert fetch(f"{site.app_url}/metrics").status == 200  # the app's own port answers Prometheus


def test_too_many_requests_get_429_with_the_security_headers(proxy: str) -> None:
    answers = [send(proxy, "/robots.txt", [], source=LIMITED_CLIENT) for _ in range(150)]
    limited = [answer for answer in answers if answer.status == 429]
    assert limited, "150 requests at once from one address were all answered"
    assert all(answer.status in (200, 429) for answer in answers)
    for name, value in HEADERS.items():
        assert limited[0].headers.get(name.lower()) == value, name
    assert all(send(proxy, "/robots.txt", []).status == 200 for _ in range(150))  # an exempt address


def test_a_node_that_is_down_gets_nginx_error_page_with_the_security_headers(tmp_path: Path) -> None:
    nginx = require_nginx()
    port = free_port()
    conf = render_proxy(tmp_path / "nginx", port, [f"127.0.0.1:{free_port()}"])  # nothing listens there
    command = [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", "stderr"]
    with open(tmp_path / "nginx.log", "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        answer = None
        for _ in range(100):
            try:
                answer = fetch(f"http://127.0.0.1:{port}/about")
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert answer is not None
    assert answer.status >= 500 and b"unavailable" in answer.body
    for name, value in HEADERS.items():
        assert answer.headers.get(name.lower()) == value, name


def publish(site: Proxy) -> None:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "portfolio", "content", "sync"], cwd=REPO_ROOT,
                          env=site.env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_a_publish_and_a_rollback_are_seen_at_once(site: Proxy) -> None:
    about = site.content / "about.md"
    original = about.read_text("utf-8")
    url = f"{site.url}/about"
    fetch(url)
    assert fetch(url).cache == "HIT"
    try:
        about.write_text(original.rstrip() + "\n\nA sentence published just now.\n", "utf-8")
        publish(site)
        time.sleep(1.5)  # the proxy asks the nodes for their generation at most once a second
        fresh = fetch(url)
        assert b"A sentence published just now." in fresh.body and fresh.cache != "HIT"
    finally:
        about.write_text(original, "utf-8")
        publish(site)
    time.sleep(1.5)
    assert b"A sentence published just now." not in fetch(url).body


def test_the_access_log_names_the_client_not_the_proxy(site: Proxy) -> None:
    send(site.url, "/legal/privacy?who", [("X-Forwarded-For", "198.51.100.66")], source=LIMITED_CLIENT)
    for _ in range(50):
        lines = [line for line in site.app_log.read_text(errors="replace").splitlines() if "/legal/privacy?who" in line]
        if lines:
            break
        time.sleep(0.1)
    assert lines and lines[-1].split()[1] == LIMITED_CLIENT, lines
