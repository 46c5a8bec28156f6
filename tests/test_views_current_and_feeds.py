"""Superseded briefings: the notice on their page, the 'current only' filter, and per-view feeds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

ATOM = "{http://www.w3.org/2005/Atom}"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def card_numbers(page: BeautifulSoup) -> set[int]:
    return {int(re.search(r"(\d+)\.", h.get_text()).group(1)) for h in page.select("#explorer-results article h3")}


@pytest.mark.parametrize(("old", "new", "title", "month"), [
    ("34-anthropic-s-responsible-scaling-policy", 19, "Responsible Scaling Policy", "Oct 2024"),
    ("36-preparedness-framework-beta", 53, "Preparedness Framework", "Apr 2025"),
])
def test_superseded_briefing_opens_with_a_linked_notice(client, old, new, title, month):
    page = soup(client.get(f"/briefings/{old}"))
    notice = page.select_one("article .notice.superseded")
    assert notice is not None
    text = " ".join(notice.get_text().split())
    assert text.startswith(f"Superseded by {new}. {title}")
    why = text.split(f"({month}). ", 1)[1]  # and why, in the newer briefing's own words
    assert why.endswith(".") and len(why.split()) > 5
    assert notice.find("a")["href"].startswith(f"/briefings/{new}-")
    # it comes before the heading
    assert notice.find_next("h1") is not None


def test_current_briefings_have_no_notice(client):
    page = soup(client.get("/briefings/19-responsible-scaling-policy-v2-0-updated"))
    assert page.select_one(".notice.superseded") is None


def test_current_only_hides_superseded_briefings(client):
    everything = card_numbers(soup(client.get("/briefings/?category=Safety&year=2023")))
    current = soup(client.get("/briefings/?category=Safety&year=2023&current=1"))
    assert {34, 36} <= everything
    assert card_numbers(current) == everything - {34, 36}
    box = current.find("input", attrs={"name": "current"})
    assert box.has_attr("checked")
    chips = [a.get_text(" ", strip=True) for a in current.select("ul.chips a")]
    assert "Current only × (remove)" in chips


@pytest.mark.parametrize("value", ["2", "yes", "x"])
def test_bad_current_value_is_400(client, value):
    assert client.get(f"/briefings/?current={value}").status_code == 400
    assert client.get(f"/briefings/feed.xml?current={value}").status_code == 400


def feed(client, query: str) -> ET.Element:
    response = client.get(f"/briefings/feed.xml?{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


def entry_numbers(root: ET.Element) -> list[int]:
    return [int(e.findtext(f"{ATOM}title").split(".")[0]) for e in root.findall(f"{ATOM}entry")]


def test_feed_lists_just_the_view(client):
    root = feed(client, "organization=OpenAI&key=1")
    numbers = entry_numbers(root)
    page = soup(client.get("/briefings/?organization=OpenAI&key=1"))
    assert numbers and set(numbers) == card_numbers(page)
    assert "Organization: OpenAI" in root.findtext(f"{ATOM}title")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == "http://localhost/briefings/feed.xml?organization=OpenAI&key=1"
    assert links["alternate"] == "http://localhost/briefings/?organization=OpenAI&key=1"


def test_feed_of_current_only_and_search(client):
    assert 36 not in entry_numbers(feed(client, "q=preparedness&current=1"))
    assert 36 in entry_numbers(feed(client, "q=preparedness"))


@pytest.mark.parametrize("query", ["year=20x5", "key=2", "q=" + "x" * 300])
def test_feed_rejects_what_the_explorer_rejects(client, query):
    assert client.get(f"/briefings/feed.xml?{query}").status_code == 400
    assert client.get(f"/briefings/?{query}").status_code == 400


def test_explorer_advertises_the_feed_of_its_view(client):
    page = soup(client.get("/briefings/?category=Safety&sort=oldest&page=1"))
    alternate = page.find("link", attrs={"rel": "alternate", "type": "application/atom+xml"})
    assert alternate["href"] == "/briefings/feed.xml?category=Safety"
    subscribe = page.find("a", string=lambda s: s and "Subscribe" in s)
    assert subscribe is not None and subscribe["href"] == "/briefings/subscribe?category=Safety"
    explained = soup(client.get(subscribe["href"]))  # a page a person can read, with the feed's address
    assert explained.select_one("#feed-address").get_text() == "http://localhost/briefings/feed.xml?category=Safety"
