"""The Key Concepts index: every heading A to Z, linked to its anchor, filtered and searched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from portfolio.content import load_content
from portfolio.content.collation import concept_sort_key
from portfolio.content.parsing import split_front_matter
from tests.helpers import briefing_file, make_app


@pytest.fixture
def bundle(content_dir: Path):
    loaded, problems = load_content(content_dir)
    assert problems == []
    return loaded


def entries(client, query: str = "") -> list[tuple[str, str, str]]:
    """Every concept the index lists for ``query``, over all its pages."""
    found: list[tuple[str, str, str]] = []
    url = f"/briefings/concepts?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        found += [(li.a.get_text(), li.a["href"], li.find(class_="meta").get_text(" ", strip=True))
                  for li in page.select("ul.concept-index li")]
        following = page.find("a", string="Next page")
        url = following["href"] if following else ""
    return found


def test_every_concept_alphabetically_with_its_briefing(client, bundle):
    found = entries(client)
    expected = sorted(((c["heading"], b["number"]) for b in bundle.briefings for c in b["concepts"]),
                      key=lambda pair: (concept_sort_key(pair[0]), pair[1]))
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


def test_concepts_sort_and_group_without_a_leading_article_case_or_accent(content_dir, tmp_path):
    """'The Zebra Rule' is looked up under Z, 'Émile's Method' under E; headings show as written."""
    path = briefing_file(content_dir, 54)
    front, body = split_front_matter(path.read_text("utf-8"))
    concepts = "\n\n".join(f"### {heading}\n\nQuetzalwobble, a word no other concept uses." for heading in (
        "The Zebra Rule", "An Apple Rule", "Émile's Method", "eager evaluation", "Zeta", "A Bitter Lesson",
        "“The Quoted” Claim"))
    body = body.split("## Key Concepts")[0] + "## Key Concepts\n\n" + concepts + "\n"
    path.write_text("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body, "utf-8")
    client = make_app(content_dir, tmp_path / "index.sqlite3").test_client()
    page = BeautifulSoup(client.get("/briefings/concepts?q=quetzalwobble").get_data(as_text=True), "html.parser")
    groups = [(h2.get_text(), [li.a.get_text() for li in h2.find_next_sibling("ul").select("li")])
              for h2 in page.select("h2.concept-letter")]
    assert groups == [
        ("A", ["An Apple Rule"]),
        ("B", ["A Bitter Lesson"]),
        ("E", ["eager evaluation", "Émile's Method"]),
        ("Q", ["“The Quoted” Claim"]),
        ("Z", ["The Zebra Rule", "Zeta"]),
    ]


@pytest.mark.parametrize(("heading", "key"), [
    ("The Bitter Lesson", "bitter lesson"), ("An Apple", "apple"), ("A/B tests", "a/b tests"),
    ("Anthropic's policy", "anthropic's policy"), ("Theory of mind", "theory of mind"), ("Émergence", "emergence"),
    ("“The Quoted” claim", "quoted” claim"), ("A 10x gain", "10x gain"), ("The", "the"),
])
def test_concept_sort_key(heading, key):
    assert concept_sort_key(heading) == key


@pytest.mark.parametrize("query", ["", "q=reward", "category=Safety", "category=Safety&q=policy", "key=1&current=1",
                                   "around=54"])
def test_the_count_says_how_many_are_listed(client, query):
    response = client.get(f"/briefings/concepts?{query}")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    listed = len(entries(client, query))
    assert listed > 0
    pages = -(-listed // 200)
    assert page.find(id="concepts-count").get_text(strip=True) == (
        f"{listed} concept{'' if listed == 1 else 's'}" + (f", page 1 of {pages}" if pages > 1 else ""))
