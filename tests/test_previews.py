"""Social preview images: checked as images, named by every page, cached like any response."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from PIL import Image, ImageStat

from portfolio.previews import Card

BRIEFING = "/briefings/54-activating-ai-safety-level-3-protections"


def meta(html: str, key: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    assert tag is not None, f"no <meta> {key}"
    return str(tag["content"])


def image_path(client: FlaskClient, page: str) -> str:
    html = client.get(page, follow_redirects=True).get_data(as_text=True)
    url = meta(html, "og:image")
    assert meta(html, "twitter:image") == url
    assert meta(html, "twitter:card") == "summary_large_image"
    assert url.startswith("http"), "og:image must be an absolute URL"
    return urlsplit(url).path


def open_png(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


@pytest.mark.parametrize("page", [BRIEFING, "/", "/briefings/", "/about", "/legal/privacy"])
def test_every_page_names_a_1200_by_630_png(client: FlaskClient, page: str) -> None:
    path = image_path(client, page)
    assert re.fullmatch(r"/previews/(site|briefing-\d+)\.[0-9a-f]{12}\.png", path), path
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = open_png(response.get_data())
    assert (image.format, image.size) == ("PNG", (1200, 630))
    grey = image.convert("L")
    assert ImageStat.Stat(grey).stddev[0] > 20, "the image is blank (no contrast)"
    # Text was drawn: plenty of dark pixels on the light background, in the title's area too.
    title_area = grey.crop((80, 230, 1120, 420)) if "briefing-" in path else grey.crop((80, 130, 1120, 230))
    assert sum(1 for value in title_area.get_flattened_data() if value < 100) > 2000


def test_a_briefing_has_its_own_image_and_other_pages_share_the_site_image(client: FlaskClient) -> None:
    briefing = image_path(client, BRIEFING)
    assert briefing.startswith("/previews/briefing-54.")
    site = {image_path(client, page) for page in ["/", "/briefings/", "/about", "/projects/"]}
    assert len(site) == 1 and site.pop().startswith("/previews/site.")
    other = image_path(client, "/briefings/14")
    assert client.get(briefing).get_data() != client.get(other).get_data()


def test_image_is_cached_like_any_response(client: FlaskClient) -> None:
    path = image_path(client, BRIEFING)
    first = client.get(path)
    etag = first.headers["ETag"]
    assert not etag.startswith("W/"), "a strong ETag"
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get(path).get_data() == first.get_data(), "the same bytes every time"


def test_old_fingerprint_redirects_and_bad_names_are_not_found(client: FlaskClient) -> None:
    current = image_path(client, BRIEFING)
    stale = client.get("/previews/briefing-54.000000000000.png")
    assert stale.status_code == 302 and stale.headers["Location"].endswith(current)
    for bad in ["briefing-999999.abc", "briefing-054.abc", "briefing-.abc", "nothing.abc", "briefing-5x.abc"]:
        assert client.get(f"/previews/{bad}.png").status_code == 404, bad


def test_fingerprint_follows_the_words_on_the_image() -> None:
    card = Card("Frontier AI Paper Briefings", "54.", "Activating AI Safety Level 3 Protections", "Safety · Anthropic · May 2025", "S")
    same = Card(*(card.kicker, card.number, card.title, card.meta, card.site))
    renamed = Card(card.kicker, card.number, card.title + " (revised)", card.meta, card.site)
    assert card.fingerprint == same.fingerprint != renamed.fingerprint


def test_a_very_long_title_still_fits(client: FlaskClient) -> None:
    from portfolio.previews import render

    body = render(Card("K", "9999.", "Word " * 80, "A · B · Jan 2020", "Site"))
    assert open_png(body).size == (1200, 630)
