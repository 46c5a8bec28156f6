"""Following ideas: the shortest chains of connections between two briefings, and the reading
paths the owner writes in content/paths/."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portfolio.content.parsing import split_front_matter
from portfolio.extensions import db
from portfolio.models import Briefing, Connection
from portfolio.paths.chains import Edge, Graph
from tests.helpers import make_app, parse, set_front_matter

ATOM = "{http://www.w3.org/2005/Atom}"
PREFERENCES = "human-preferences-to-post-training"


def graph_of(pairs: list[tuple[int, int]]) -> Graph:
    """A graph where (a, b) means b names a; briefing n is dated n months into 2020."""
    order = {n: (20200000 + n * 100, n) for pair in pairs for n in pair}
    return Graph([Edge(a, b, "builds_on", f"{b} builds on {a}") for a, b in pairs], order)


def numbers(chain: list[Edge]) -> list[int]:
    return [chain[0].earlier, *(edge.later for edge in chain)]


def test_only_the_shortest_chains_are_given_all_of_them_in_time_order() -> None:
    graph = graph_of([(1, 3), (3, 9), (1, 2), (2, 9), (1, 4), (4, 5), (5, 9), (2, 5)])
    found = graph.shortest(1, 9, limit=5)
    assert [numbers(chain) for chain in found.chains] == [[1, 2, 9], [1, 3, 9]]
    assert (found.total, found.steps) == (2, 2)


def test_many_shortest_chains_give_the_first_few_and_how_many_there_are() -> None:
    middles = range(2, 10)
    graph = graph_of([(1, m) for m in middles] + [(m, 10) for m in middles])
    found = graph.shortest(1, 10, limit=5)
    assert [numbers(chain) for chain in found.chains] == [[1, m, 10] for m in range(2, 7)]
    assert found.total == 8


def test_a_chain_never_walks_back_against_a_connection() -> None:
    graph = graph_of([(1, 2), (3, 2)])  # 2 names both 1 and 3: nothing leads from 1 to 3
    assert graph.shortest(1, 3, limit=5).chains == []
    assert numbers(graph.shortest(1, 2, limit=5).chains[0]) == [1, 2]


def page_chains(client: FlaskClient, start: int, goal: int) -> list[list[int]]:
    page = parse(client.get(f"/briefings/path?from={start}&to={goal}"))
    return [[int(link.get_text().split(".")[0]) for link in trail.select(".trail-title a")]
            for trail in page.select(".chains ol.trail")]


def reachable_within(app: Flask, start: int, steps: int) -> set[int]:
    """Briefings that name, directly or through others, ``start`` within ``steps`` connections."""
    with app.app_context():
        pairs = db.session.execute(select(Connection.target, Connection.source)).all()
    reached = {start}
    for _ in range(steps):
        reached |= {later for earlier, later in pairs if earlier in reached}
    return reached


def test_the_path_from_1_to_54_is_real_forward_and_shortest(app: Flask, client: FlaskClient) -> None:
    (chain,) = page_chains(client, 1, 54)
    assert (chain[0], chain[-1]) == (1, 54)
    with app.app_context():
        for earlier, later in zip(chain, chain[1:]):
            connection = db.session.scalar(select(Connection).where(Connection.source == later, Connection.target == earlier))
            assert connection is not None, f"{later} does not name {earlier}"
            assert db.session.get(Briefing, earlier).date_key <= db.session.get(Briefing, later).date_key
    assert 54 not in reachable_within(app, 1, len(chain) - 2)
    assert page_chains(client, 1, 54) == [chain]  # the same pair, the same answer


def test_each_step_says_its_kind_and_why(client: FlaskClient) -> None:
    page = parse(client.get("/briefings/path?from=2&to=6"))
    step = page.select_one(".trail .trail-step")
    assert step.select_one(".trail-kind").get_text(strip=True).endswith("Built upon by")
    assert "reward model" in step.select_one(".trail-note").get_text()
    assert page.select_one(".result-count").get_text(strip=True) == "One shortest chain, 1 connection long."


def test_no_chain_says_so_and_suggests_pairs_that_do_connect(client: FlaskClient) -> None:
    page = parse(client.get("/briefings/path?from=3&to=5"))
    assert "No chain of connections leads from 3 to 5" in page.select_one(".chains .notice").get_text()
    suggestions = [link["href"] for link in page.select(".chains .connection-list a")]
    assert suggestions
    for href in suggestions:
        assert parse(client.get(href)).select(".chains ol.trail"), f"{href} suggests a pair with no chain"


@pytest.mark.parametrize("query", ["from=46&to=54", "from=1&to=46"])
def test_a_briefing_without_connections_has_no_chain_either_way(client: FlaskClient, query: str) -> None:
    page = parse(client.get(f"/briefings/path?{query}"))
    assert "No chain of connections leads" in page.select_one(".chains .notice").get_text()


def test_a_later_starting_point_offers_the_other_direction(client: FlaskClient) -> None:
    page = parse(client.get("/briefings/path?from=54&to=1"))
    notice = page.select_one(".chains .notice")
    assert "covers a later document" in notice.get_text()
    assert page_chains(client, 1, 54) and notice.a["href"] == "/briefings/path?from=1&to=54"


@pytest.mark.parametrize("query, message", [
    ("from=x&to=54", "must be a briefing number"),
    ("to=54", "Choose a briefing for 'from'"),
    ("from=1", "Choose a briefing for 'to'"),
    ("from=999&to=54", "There is no briefing #999"),
    ("from=54&to=54", "two different briefings"),
    ("from=1&from=2&to=54", "at most once"),
    ("from=-1&to=54", "must be a briefing number"),
    ("from=%00&to=54", "control characters"),
])
def test_bad_or_missing_numbers_get_a_400_that_says_why(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/briefings/path?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


def test_the_chooser_offers_every_briefing_and_works_without_scripts(app: Flask, client: FlaskClient) -> None:
    page = parse(client.get("/briefings/path"))
    form = page.select_one("form.between-form")
    assert form["method"] == "get" and form["action"] == "/briefings/path"
    with app.app_context():
        count = db.session.query(Briefing).count()
    for name in ("from", "to"):
        assert len(form.select(f"select[name={name}] option[value!='']")) == count


def test_a_briefing_page_asks_how_we_got_here_from_the_briefings_that_lead_to_it(client: FlaskClient) -> None:
    page = parse(client.get("/briefings/54-activating-ai-safety-level-3-protections"))
    form = page.select_one("form.origins-form")
    assert form.select_one("input[name=to]")["value"] == "54"
    offered = [int(option["value"]) for option in form.select("select[name=from] option") if option["value"]]
    assert 1 in offered and 51 in offered
    assert 73 not in offered  # a later briefing cannot lead here
    for number in offered[:3] + offered[-3:]:
        assert page_chains(client, number, 54)


def path_file(content: Path, slug: str) -> tuple[dict, str]:
    return split_front_matter((content / "paths" / f"{slug}.md").read_text("utf-8"))


def test_the_paths_page_lists_every_path(client: FlaskClient, content_dir: Path) -> None:
    page = parse(client.get("/paths/"))
    titles = {link.get_text(strip=True) for link in page.select(".path-list h2 a")}
    assert titles == {path_file(content_dir, file.stem)[0]["title"] for file in (content_dir / "paths").glob("*.md")}
    assert len(titles) >= 3


def test_a_path_page_shows_its_introduction_then_its_briefings_in_order(client: FlaskClient, content_dir: Path) -> None:
    front, body = path_file(content_dir, PREFERENCES)
    page = parse(client.get(f"/paths/{PREFERENCES}"))
    assert page.h1.get_text(strip=True) == front["title"]
    assert body.split("\n\n")[0].strip()[:80] in page.select_one(".prose").get_text()
    stops = page.select("ol.trail > li")
    assert [int(stop.select_one(".trail-title a").get_text().split(".")[0]) for stop in stops] == \
        [step["briefing"] for step in front["steps"]]
    assert [stop.select_one(".trail-why").get_text(strip=True) for stop in stops] == [step["why"] for step in front["steps"]]
    assert stops[0].select_one("time").get_text() == "Jun 2017"


def test_a_briefing_in_a_path_says_which_part_and_links_to_its_neighbours(client: FlaskClient, content_dir: Path) -> None:
    steps = [step["briefing"] for step in path_file(content_dir, PREFERENCES)[0]["steps"]]
    middle = steps[5]
    part = parse(client.get(f"/briefings/{middle}", follow_redirects=True)).select_one("nav.path-part")
    assert f"Part 6 of {len(steps)} in" in part.get_text(" ", strip=True)
    assert part.select_one("a[rel=prev]").get_text().startswith(f"← {steps[4]}.")
    assert part.select_one("a[rel=next]").get_text().startswith(f"{steps[6]}.")
    first = parse(client.get(f"/briefings/{steps[0]}", follow_redirects=True)).select_one("nav.path-part")
    assert "Part 1 of" in first.get_text() and first.select_one("a[rel=prev]") is None
    last = parse(client.get(f"/briefings/{steps[-1]}", follow_redirects=True))
    mine = [nav for nav in last.select("nav.path-part") if PREFERENCES in nav.a["href"]]
    assert mine[0].select_one("a[rel=next]") is None


def test_a_path_feed_has_an_entry_per_briefing_and_a_new_step_appears(content_dir: Path, tmp_path: Path) -> None:
    path = content_dir / "paths" / f"{PREFERENCES}.md"
    front, body = split_front_matter(path.read_text("utf-8"))
    app = make_app(content_dir, tmp_path / "one.sqlite3")
    before = ET.fromstring(app.test_client().get(f"/paths/{PREFERENCES}/feed.xml").data)
    ids = {entry.find(f"{ATOM}id").text for entry in before.iter(f"{ATOM}entry")}
    assert len(ids) == len(front["steps"])
    front["steps"].append({"briefing": 58, "why": "A later step that joins the path."})
    path.write_text(f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n{body}", "utf-8")
    after = ET.fromstring(make_app(content_dir, tmp_path / "two.sqlite3").test_client()
                          .get(f"/paths/{PREFERENCES}/feed.xml").data)
    added = {entry.find(f"{ATOM}id").text for entry in after.iter(f"{ATOM}entry")} - ids
    assert len(added) == 1 and added.pop().endswith("#part-58")


def test_paths_are_in_the_sitemap_llms_txt_and_the_explorer(client: FlaskClient) -> None:
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    llms = client.get("/llms.txt").get_data(as_text=True)
    for address in ("/paths/", f"/paths/{PREFERENCES}"):
        assert f"{address}</loc>" in sitemap
        assert f"{address})" in llms
    explorer = parse(client.get("/briefings/"))
    assert explorer.select_one("header a[href='/paths/']")
    assert explorer.select_one("header a[href='/briefings/path']")


@pytest.mark.parametrize("step, message", [
    ({"briefing": 999, "why": "Missing."}, "steps[2].briefing: briefing #999 does not exist"),
    ({"briefing": 2, "why": "Again."}, "briefing #2 is listed twice"),
])
def test_check_names_a_path_with_a_missing_or_repeated_briefing(content_dir: Path, tmp_path: Path, step: dict,
                                                                 message: str) -> None:
    path = content_dir / "paths" / "mine.md"
    steps = [{"briefing": 2, "why": "First."}, {"briefing": 6, "why": "Second."}, step]
    path.write_text(f"---\n{yaml.safe_dump({'title': 'Mine', 'summary': 'A test path.', 'steps': steps})}---\nIntro.\n")
    result = make_app(content_dir, tmp_path / "index.sqlite3").test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code != 0
    assert "paths/mine.md" in result.output and message in result.output


def test_check_names_a_path_that_lists_a_draft(content_dir: Path, tmp_path: Path) -> None:
    set_front_matter(content_dir, 6, draft=True)
    result = make_app(content_dir, tmp_path / "index.sqlite3").test_cli_runner().invoke(args=["content", "check"])
    assert f"paths/{PREFERENCES}.md: steps[1].briefing: briefing #6 is a draft" in result.output


def test_check_names_a_connection_to_a_later_document(content_dir: Path, tmp_path: Path) -> None:
    set_front_matter(content_dir, 2, connections=[{"builds_on": 54, "note": "Written the wrong way round."}])
    result = make_app(content_dir, tmp_path / "index.sqlite3").test_cli_runner().invoke(args=["content", "check"])
    assert "connections[0].builds_on: briefing #54 covers a later document (2025-05)" in result.output
