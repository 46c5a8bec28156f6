"""Words on the page: no placeholder text anywhere a visitor can see it, and only what is known."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

PLACEHOLDER = re.compile(
    r"goes here|lorem ipsum|\blorem\b|\bTODO\b|\bTBD\b|\bFIXME\b|placeholder|replace (it|this) with|your own words",
    re.IGNORECASE,
)


def every_page(client: FlaskClient) -> list[str]:
    """Every URL in the sitemap, plus the pages the sitemap leaves out (filtered views, errors)."""
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    paths = [urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    return paths + ["/briefings/?q=zzzzqqqq", "/projects/?tag=Health", "/no-such-page"]


def visible_text(html: str) -> str:
    """What a reader sees or hears: the text, alt and aria-label attributes, and the title."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "template"]):
        hidden.decompose()
    labels = [str(el.get(attr)) for attr in ("alt", "aria-label", "title", "placeholder") for el in soup.find_all(attrs={attr: True})]
    return " ".join([soup.get_text(" "), *labels])


def test_no_page_shows_placeholder_text(client: FlaskClient) -> None:
    paths = every_page(client)
    assert len(paths) > 60, "the sitemap should list every page and briefing"
    found = {}
    for path in paths:
        text = visible_text(client.get(path).get_data(as_text=True))
        hits = sorted({match.group(0) for match in PLACEHOLDER.finditer(text)})
        if hits:
            found[path] = hits
    assert not found, f"placeholder text on the page: {found}"


def test_scan_catches_placeholder_wording() -> None:
    """The scan is not vacuous: the old wording is caught."""
    assert PLACEHOLDER.search("A project by Silvia Seceleanu. A one-line description goes here.")
    assert PLACEHOLDER.search("*This page is a placeholder: replace it with your own words*")


def test_home_page_describes_each_project_by_what_is_known(client: FlaskClient) -> None:
    soup = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    cards = {card.h3.get_text(strip=True): card.get_text(" ", strip=True) for card in soup.select(".project-card")}
    assert "name generator" in cards["Little Human Names"]
    assert "enrolling in clinical trials" in cards["Clinical Trial Enroller"]
    assert "Pokebowl" in cards
    about = BeautifulSoup(client.get("/about").get_data(as_text=True), "html.parser").main.get_text(" ", strip=True)
    assert "Silvia Seceleanu" in about and "briefings" in about.lower()
