"""The influence map: the SVG parsed as a visitor's browser would see it, and its text alternative."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portfolio.briefings import map_views
from portfolio.content import load_content
from tests.helpers import make_app, set_front_matter


@pytest.fixture
def bundle(content_dir: Path):
    loaded, problems = load_content(content_dir)
    assert problems == []
    return loaded


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def svg_nodes(page: BeautifulSoup, drawing: str = "map-wide") -> dict[int, dict]:
    """The briefings of one drawing (wide or narrow), in the order drawn."""
    nodes = {}
    for link in page.select(f"svg.{drawing} a.node"):
        number = int(link["data-number"])
        nodes[number] = {"href": link["href"], "text": " ".join(link.get_text(" ").split()),
                         "y": float(link.find("rect")["y"]), "key": "key" in link["class"]}
    return nodes


def matching(bundle, **field) -> list[dict]:
    return [b for b in bundle.briefings if all(b[k] == v for k, v in field.items())]


@pytest.mark.parametrize("drawing", ["map-wide", "map-narrow"])
def test_every_briefing_is_a_linked_row_with_its_whole_title(client, bundle, drawing):
    nodes = svg_nodes(soup(client.get("/briefings/map")), drawing)
    assert set(nodes) == {b["number"] for b in bundle.briefings}
    for briefing in bundle.briefings:
        node = nodes[briefing["number"]]
        assert node["href"] == f"/briefings/{briefing['number']}-{briefing['slug']}"
        assert node["text"].startswith(f"{briefing['number']}. {' '.join(briefing['title'].split())} ")
        assert briefing["category"] in node["text"]
        assert node["key"] == briefing["key"]


def test_newest_first_a_year_mark_before_each_year(client, bundle):
    page = soup(client.get("/briefings/map"))
    drawn = list(svg_nodes(page))
    by_date = sorted(bundle.briefings, key=lambda b: (b["year"], b["month"], b["day"] or 0, b["number"]), reverse=True)
    assert drawn == [b["number"] for b in by_date]
    years = [int(text.get_text()) for text in page.select("svg.map-wide g.year text")]
    assert years == sorted({b["year"] for b in bundle.briefings}, reverse=True)


@pytest.mark.parametrize("query", ["", "category=Safety", "organization=OpenAI&key=1", "q=scaling", "current=1"])
def test_edges_and_text_alternative_match_the_picture(client, bundle, query):
    page = soup(client.get(f"/briefings/map?{query}"))
    shown = set(svg_nodes(page))
    expected = [c for c in bundle.tables["connection"] if c["source"] in shown and c["target"] in shown]
    edges = page.select("svg.map-wide path.edge:not(.echo)")
    assert sorted((int(e["data-source"]), int(e["data-target"]), e["class"][1]) for e in edges) == \
        sorted((c["source"], c["target"], f"k-{c['kind']}") for c in expected)
    echoes = page.select("svg.map-wide path.edge.echo")  # drawn again, hidden, in the named briefing's row
    assert sorted((e["data-source"], e["data-target"]) for e in echoes) == sorted((e["data-source"], e["data-target"]) for e in edges)
    listed = page.select(".map-text .map-list > li")
    assert {int(li.find("a").get_text().split(".")[0]) for li in listed} == shown
    assert len(listed) == len(shown)
    links = page.select(".map-text .map-links li")
    assert len(links) == len(expected)
    count = page.find(id="map-count").get_text(" ", strip=True)
    assert count == f"{len(shown)} briefing{'s' if len(shown) != 1 else ''}, {len(expected)} connection{'s' if len(expected) != 1 else ''}"


def test_current_only_drops_superseded_briefings(client):
    assert {34, 36} <= set(svg_nodes(soup(client.get("/briefings/map"))))
    assert not {34, 36} & set(svg_nodes(soup(client.get("/briefings/map?current=1"))))


def test_legend_names_every_kind(client):
    legend = soup(client.get("/briefings/map")).find("ul", class_="edge-legend")
    assert [li.get_text(strip=True) for li in legend.find_all("li")][:4] == [
        "Influenced by", "Builds on", "Responds to", "Supersedes"]


def test_same_content_same_bytes(content_dir, tmp_path):
    bodies = []
    for name in ("one", "two"):
        app = make_app(content_dir, tmp_path / f"{name}.sqlite3")
        bodies.append(app.test_client().get("/briefings/map").get_data())
    assert bodies[0] == bodies[1]


@pytest.mark.parametrize("query", ["year=99", "key=maybe", "current=2", "around=x"])
def test_bad_values_are_400(client, query):
    assert client.get(f"/briefings/map?{query}").status_code == 400


def test_a_large_view_is_capped_with_ways_to_narrow_it(client, bundle, monkeypatch):
    monkeypatch.setattr(map_views, "MAX_NODES", 10)
    page = soup(client.get("/briefings/map"))
    nodes = svg_nodes(page)
    keys = sorted((b for b in bundle.briefings if b["key"]), key=lambda b: (b["year"], b["month"], b["day"] or 0))
    assert len(nodes) == 10 and all(nodes[n]["key"] for n in nodes)
    assert set(nodes) == {b["number"] for b in keys[-10:]}
    narrow = page.find("nav", class_="narrow-map")
    assert f"{len(bundle.briefings) - 10} more are not drawn" in narrow.get_text()
    hrefs = [a["href"] for a in narrow.find_all("a")]
    assert hrefs[0] == "/briefings/map?key=1" and "/briefings/map?year=2025" in hrefs


def test_switching_between_list_and_map_keeps_the_filters(client):
    explorer = soup(client.get("/briefings/?category=Safety&sort=oldest"))
    to_map = explorer.find("a", string="View as map")
    assert to_map["href"] == "/briefings/map?category=Safety"
    assert to_map["hx-target"] == "#briefings-view" and to_map["hx-push-url"] == "true"
    back = soup(client.get(to_map["href"])).find("a", string="View as list")
    assert back["href"] == "/briefings/?category=Safety"


def test_htmx_switch_gets_the_view_alone_with_its_url(client):
    response = client.get("/briefings/map?category=Safety", headers={"HX-Request": "true", "HX-Target": "briefings-view"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="map-form"' in body
    assert response.headers["HX-Push-Url"] == "/briefings/map?category=Safety"


def test_content_text_in_the_picture_is_escaped(content_dir, tmp_path):
    """The SVG is written by hand (map_svg.py): a title's markup characters stay text."""
    title = 'Tom & Jerry\'s "<b>Policy</b>"'
    set_front_matter(content_dir, 54, title=title)
    page = soup(make_app(content_dir, tmp_path / "index.sqlite3").test_client().get("/briefings/map"))
    svg = page.select_one("svg.influence-map")
    assert svg.find("b") is None
    assert svg_nodes(page)[54]["text"].startswith("54. Tom & Jerry's \"<b>Policy</b>\"")


@pytest.mark.parametrize(("url", "target"), [
    ("/briefings/map?category=Safety", "briefings-view"), ("/briefings/map?key=1", "map-results"),
    ("/briefings/?category=Safety", "briefings-view"), ("/briefings/", "explorer-results"),
    ("/briefings/concepts?q=reward", "concepts-results"),
])
def test_a_fragment_leads_with_its_page_title(client, url, target):
    """htmx sets document.title from a <title> at the fragment's root: it must be the full page's."""
    page_title = soup(client.get(url)).title.get_text()
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": target}).get_data(as_text=True)
    assert fragment.startswith("<title>")
    assert BeautifulSoup(fragment, "html.parser").find("title", recursive=False).get_text() == page_title
