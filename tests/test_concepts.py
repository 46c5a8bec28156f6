"""The Key Concepts index: every heading A to Z, linked to its anchor, filtered and searched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portfolio.content import load_content


@pytest.fixture
def bundle(content_dir: Path):
    loaded, problems = load_content(content_dir)
    assert problems == []
    return loaded


def entries(client, query: str = "") -> list[tuple[str, str, str]]:
    response = client.get(f"/briefings/concepts?{query}")
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [(li.a.get_text(), li.a["href"], li.find(class_="meta").get_text(" ", strip=True))
            for li in page.select("ul.concept-index li")]


def test_every_concept_alphabetically_with_its_briefing(client, bundle):
    found = entries(client)
    expected = sorted(((c["heading"], b["number"]) for b in bundle.briefings for c in b["concepts"]),
                      key=lambda pair: (pair[0].casefold(), pair[1]))
    assert [(heading, int(re.search(r"in (\d+)\.", meta).group(1))) for heading, _, meta in found] == expected
    titles = {b["number"]: b["title"] for b in bundle.briefings}
    for heading, href, meta in found:
        number = int(re.search(r"in (\d+)\.", meta).group(1))
        assert meta.startswith(f"in {number}. {titles[number]} · ")
        assert re.fullmatch(rf"/briefings/{number}-[a-z0-9-]+#[a-z0-9-]+", href)


def test_each_link_lands_on_its_heading(client):
    for heading, href, _ in entries(client, "category=Safety")[:12]:
        path, anchor = href.split("#")
        page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
        target = page.find(id=anchor)
        assert target is not None and target.name == "h3"
        assert target.get_text(" ", strip=True).startswith(heading)


def test_facets_narrow_the_briefings_and_q_searches_concepts(client, bundle):
    safety = {b["number"] for b in bundle.briefings if b["category"] == "Safety"}
    found = entries(client, "category=Safety")
    assert found and {int(re.search(r"in (\d+)\.", m).group(1)) for _, _, m in found} <= safety
    searched = entries(client, "q=reward")
    assert searched
    for heading, href, _ in searched:
        number = int(re.search(r"/briefings/(\d+)-", href).group(1))
        (briefing,) = [b for b in bundle.briefings if b["number"] == number]
        (concept,) = [c for c in briefing["concepts"] if c["heading"] == heading]
        assert "reward" in (concept["heading"] + " " + concept["text"]).lower()


def test_htmx_gets_the_results_alone(client):
    response = client.get("/briefings/concepts?q=reward", headers={"HX-Request": "true", "HX-Target": "concepts-results"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and "concept-index" in body
    assert response.headers["HX-Push-Url"] == "/briefings/concepts?q=reward"


@pytest.mark.parametrize("query", ["page=0", "year=abc", "key=2", "current=x", "q=" + "y" * 300])
def test_bad_values_are_400(client, query):
    assert client.get(f"/briefings/concepts?{query}").status_code == 400


def test_search_syntax_is_just_words(client):
    assert entries(client, 'q="') == []
    assert client.get('/briefings/concepts?q=reward" OR "x').status_code == 200
