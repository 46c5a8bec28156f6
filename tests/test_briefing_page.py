"""A briefing's page: canonical URLs, the seed's layout, two-way connections, graph and back link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portfolio.content import load_content
from portfolio.content.markdown import slugify
from portfolio.content.parsing import split_front_matter
from tests.helpers import parse

ASL3 = "/briefings/54-activating-ai-safety-level-3-protections"
RSP2 = "/briefings/19-responsible-scaling-policy-version-2-0"


@pytest.mark.parametrize("path", ["/briefings/54", "/briefings/54-wrong-slug", "/briefings/054-activating-ai-safety-level-3-protections",
                                  "/briefings/54-"])
def test_other_spellings_redirect_permanently(client, path):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == ASL3


def test_redirect_keeps_the_explorer_state(client):
    response = client.get("/briefings/54?from=category%3DSafety")
    assert response.status_code == 301
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"from": ["category=Safety"]}


@pytest.mark.parametrize("path", ["/briefings/9999", "/briefings/0", "/briefings/abc", "/briefings/99999999999"])
def test_unknown_briefings_are_404(client, path):
    assert client.get(path).status_code == 404


def test_page_follows_the_seed_layout(client):
    page = parse(client.get(ASL3))
    article = page.find("article", class_="briefing")
    assert article.find(class_="back-link").find("a").get_text() == "← Back to Explorer"
    assert article.find("p", class_="meta").get_text(" ", strip=True) == "Safety · Anthropic · May 2025"
    heading = article.find("h1")
    assert heading.find(class_="star").get_text() == "★"
    assert heading.get_text("", strip=True).endswith("54. Activating AI Safety Level 3 Protections")
    assert article.find("p", class_="subtitle").get_text() == (
        "Claude Opus 4 ships under ASL-3 protections as a precaution, without a finding that it needs them")
    assert [li.get_text() for li in article.find("ul", class_="tags").find_all("li")] == ["Policy"]
    sections = [h.get_text(strip=True) for h in article.find_all("h2")]
    assert sections == ["Summary", "Key Concepts", "Connections", "Related briefings", "Cite this"]
    assert "precautionary and provisional" in article.find("section").get_text()
    assert page.find("link", rel="canonical")["href"].endswith(ASL3)


def test_key_concepts_have_linkable_headings(client):
    concepts = parse(client.get(ASL3)).select("section.concept h3")
    assert len(concepts) == 3
    assert concepts[0].get_text(" ", strip=True).startswith("A precaution taken because the risk could not be ruled out")
    for heading in concepts:
        assert heading["id"] and heading.find("a", class_="anchor")["href"] == f"#{heading['id']}"
    assert len({h["id"] for h in concepts}) == 3


def connection_groups(page):
    section = page.find("section", class_="connections")
    groups = {}
    for heading in section.find_all("h3"):
        links = heading.find_next_sibling("ul").find_all("a")
        groups[heading.get_text(strip=True)] = [(a.get_text(strip=True), urlsplit(a["href"]).path) for a in links]
    return groups


def test_connections_are_shown_both_ways(client):
    page = parse(client.get(ASL3))
    groups = connection_groups(page)
    assert groups["Influenced by"] == [("19. Responsible Scaling Policy, Version 2.0", RSP2)]
    ((title, path),) = groups["Builds on"]
    assert title.startswith("51. Constitutional Classifiers") and path.startswith("/briefings/51-")
    influenced = sorted(path.split("-")[0] for _, path in groups["Influenced"])  # written by #73 and #78
    assert influenced == ["/briefings/73", "/briefings/78"]
    derived = connection_groups(parse(client.get(RSP2)))
    assert ("54. Activating AI Safety Level 3 Protections", ASL3) in derived["Influenced"]


def test_each_connection_says_why_it_matters_on_both_sides(client, content_dir):
    front, _ = split_front_matter((content_dir / "briefings" / "054-activating-ai-safety-level-3-protections.md").read_text())
    (note,) = [c["note"] for c in front["connections"] if c.get("influenced_by") == 19]
    for path in (ASL3, RSP2):  # written on #54, derived on #19
        items = parse(client.get(path)).select("section.connections ul.connection-list li")
        (item,) = [li for li in items if li.find("a")["href"] in (ASL3, RSP2) and li.find("a")["href"] != path]
        assert item.find(class_="connection-note").get_text() == note


def test_connection_items_show_their_month(client):
    item = parse(client.get(ASL3)).select_one("ul.connection-list li")
    assert item.find("time").get_text() == "Oct 2024"


def test_neighbourhood_graph_is_server_rendered_svg(client):
    page = parse(client.get(ASL3))
    svg = page.select_one("figure.graph .graph-wide svg.neighbourhood")
    nodes = {a["href"]: " ".join(a.get_text(" ").split()) for a in svg.find_all("a")}
    assert nodes[ASL3].startswith("54. Activating AI Safety Level 3 Protections")
    assert nodes[RSP2] == "Influenced by 19. Responsible Scaling Policy, Version 2.0 Oct 2024"
    assert sorted(" ".join(p["class"]) for p in svg.select("path.edge")) == [
        "edge k-builds_on", "edge k-influenced_by", "edge k-influenced_by", "edge k-influenced_by"]  # 51; 19, 73, 78
    assert all(edge.find("title").get_text().strip() for edge in svg.select("path.edge"))
    assert page.find("script", src=lambda s: s and "graph" in s) is None


def test_previous_and_next_by_number(client, content_dir):
    numbers = sorted(int(p.name[:3]) for p in (content_dir / "briefings").glob("*.md"))
    index = numbers.index(54)
    nav = parse(client.get(ASL3)).find("nav", class_="prev-next")
    previous = nav.find("a", rel="prev")
    assert previous.get_text().startswith(f"← {numbers[index - 1]}.")
    if index + 1 < len(numbers):
        assert nav.find("a", rel="next").get_text().split(".")[0] == str(numbers[index + 1])


def test_back_to_explorer_keeps_the_filters(client):
    explorer = parse(client.get("/briefings/?category=Safety&organization=Anthropic"))
    link = [a for a in explorer.select("#explorer-results article h3 a") if urlsplit(a["href"]).path == ASL3][0]
    briefing = parse(client.get(link["href"]))
    back = briefing.find(class_="back-link").find("a")["href"]
    assert parse_qs(urlsplit(back).query) == {"category": ["Safety"], "organization": ["Anthropic"]}
    followed = briefing.find("section", class_="connections").find("ul", class_="connection-list").find("a")["href"]
    onward = parse(client.get(followed))
    back_again = onward.find(class_="back-link").find("a")["href"]
    assert back_again == back


@pytest.mark.parametrize("value", ["year%3Dabc", "%ZZ", "page%3D-1", "x" * 1200, "q%3D%00"])
def test_a_bad_from_value_is_ignored(client, value):
    response = client.get(f"{ASL3}?from={value}")
    assert response.status_code == 200
    assert parse(response).find(class_="back-link").find("a")["href"] == "/briefings/"


def test_every_briefing_address_ends_on_a_whole_word_and_old_cut_addresses_redirect(client, content_dir):
    bundle, _ = load_content(content_dir)
    for briefing in bundle.briefings:
        whole = slugify(briefing["title"], max_length=10_000)
        assert whole.startswith(briefing["slug"])
        assert whole[len(briefing["slug"]):][:1] in ("", "-"), f"#{briefing['number']} {briefing['slug']} cuts a word"
    for old in ("/briefings/51-constitutional-classifiers-defending-against-universal-jailb",
                "/briefings/50-deepseek-r1-incentivizing-reasoning-capability-in-llms-via-r"):
        response = client.get(old)
        assert response.status_code == 301 and old.startswith(response.headers["Location"])
