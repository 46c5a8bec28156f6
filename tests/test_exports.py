"""Exports of explorer views (BibTeX, CSL-JSON) hold exactly what the explorer lists; /llms.txt lists every briefing."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import bibtexparser
import pytest

from portfolio.briefings import exports
from tests.helpers import parse

VIEWS = ["", "category=Safety", "tag=Paper&year=2023&year=2024", "q=scaling", "q=reward&sort=oldest",
         "organization=Anthropic&key=1&sort=number", "category=Nothing", "q=%21%21"]


def explorer_titles(client, query: str) -> list[str]:
    """Every card title the explorer shows for ``query``, following "More briefings" as a visitor
    would without scripts (each page lists every card up to it)."""
    titles: list[str] = []
    url = "/briefings/" + (f"?{query}" if query else "")
    while url:
        page = parse(client.get(url))
        titles = []
        for link in page.select("#briefing-list article h3 a"):
            for decoration in link.select(".star, .visually-hidden"):
                decoration.decompose()
            titles.append(re.sub(r"^\d+\. ", "", link.get_text(" ", strip=True)))
        more = page.select_one("#load-more a")
        url = more["href"] if more else ""
    return titles


@pytest.mark.parametrize("query", VIEWS)
def test_csl_export_holds_exactly_what_the_explorer_shows(client, query):
    shown = explorer_titles(client, query)
    response = client.get(f"/briefings/export.json?{query}")
    assert response.status_code == 200
    assert [item["title"] for item in json.loads(response.get_data())] == shown


@pytest.mark.parametrize("query", VIEWS)
def test_bibtex_export_parses_and_holds_the_same_entries(client, query):
    expected = [item["id"] for item in json.loads(client.get(f"/briefings/export.json?{query}").get_data())]
    library = bibtexparser.parse_string(client.get(f"/briefings/export.bib?{query}").get_data(as_text=True))
    assert not library.failed_blocks
    assert [entry.key for entry in library.entries] == expected


def test_explorer_links_its_exports_for_the_current_filters(client):
    page = parse(client.get("/briefings/?category=Safety&page=1&sort=oldest"))
    count = int(re.match(r"\d+", page.select_one(".result-count").get_text()).group())
    paragraph = page.select_one(".export-links")
    assert paragraph.get_text(" ", strip=True).startswith(f"Export these {count}:")
    links = {a.get_text(): a["href"] for a in paragraph.find_all("a")}
    assert links == {"BibTeX": "/briefings/export.bib?category=Safety&sort=oldest",
                     "CSL-JSON": "/briefings/export.json?category=Safety&sort=oldest"}
    assert len(json.loads(client.get(links["CSL-JSON"]).get_data())) == count


def test_a_later_page_still_exports_the_whole_view(client):
    page = parse(client.get("/briefings/?page=2"))
    href = page.select_one(".export-links a")["href"]
    assert "page=" not in href
    whole_view = client.get("/briefings/export.json?page=2", follow_redirects=True)
    assert whole_view.request.path == "/briefings/export.json" and not whole_view.request.args
    assert len(json.loads(whole_view.get_data())) == len(explorer_titles(client, ""))


def test_the_htmx_results_fragment_carries_the_export_links(client):
    response = client.get("/briefings/?tag=Policy", headers={"HX-Request": "true", "HX-Target": "explorer-results"})
    fragment = parse(response)
    assert fragment.select_one(".export-links a")["href"] == "/briefings/export.bib?tag=Policy"


def test_no_results_offer_no_export(client):
    assert parse(client.get("/briefings/?category=Nothing")).select_one(".export-links") is None


@pytest.mark.parametrize("query", ["year=20x4", "key=maybe", "sort=sideways", "q=" + "x" * 300,
                                   "category=%00", "key=1&key=1"])
@pytest.mark.parametrize("export", ["export.bib", "export.json"])
def test_bad_filter_values_get_the_explorers_400(client, export, query):
    explorer = client.get(f"/briefings/?{query}")
    response = client.get(f"/briefings/{export}?{query}")
    assert explorer.status_code == response.status_code == 400


def test_llms_txt_follows_the_convention_and_lists_every_briefing(client):
    response = client.get("/llms.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    assert lines[0] == "# Silvia Seceleanu"
    assert lines[2].startswith("> ")
    sections = [line[3:] for line in lines if line.startswith("## ")]
    assert sections[0] == "Frontier AI Paper Briefings" and sections[-1] == "Optional"
    start = lines.index("## Frontier AI Paper Briefings") + 2
    items = lines[start:lines.index("", start)]
    link = re.compile(r"^- \[(\d+)\. (.+)\]\((https?://[^)\s]+)\): (.+)$")
    parsed = [link.match(item) for item in items]
    assert all(parsed), [item for item, match in zip(items, parsed) if not match]
    assert len(parsed) == len(explorer_titles(client, ""))
    first = parsed[0]
    assert first[1] == "1" and first[2] == "Attention Is All You Need"
    assert client.get(urlsplit(first[3]).path).status_code == 200
    assert first[4].startswith("The Transformer")


def test_an_export_stops_at_its_limit_and_the_explorer_says_so(client, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 5)
    page = parse(client.get("/briefings/?sort=oldest"))
    total = len(explorer_titles(client, "sort=oldest"))
    assert page.select_one(".export-links").get_text(" ", strip=True).startswith(f"Export the first 5 of these {total}:")
    exported = json.loads(client.get("/briefings/export.json?sort=oldest").get_data())
    assert [item["title"] for item in exported] == explorer_titles(client, "sort=oldest")[:5]
    library = bibtexparser.parse_string(client.get("/briefings/export.bib?sort=oldest").get_data(as_text=True))
    assert len(library.entries) == 5
