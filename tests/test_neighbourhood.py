"""The neighbourhood graph: chronological sides, wrapped titles, no empty bands, '+k more' to the map."""

from __future__ import annotations


from bs4 import BeautifulSoup

from portfolio.briefings import graph

SCALING_LAWS = "/briefings/7-scaling-laws-for-neural-language-models"
GPT_OSS = "/briefings/61-gpt-oss-120b-gpt-oss-20b-model-card"  # one connection: influenced by #53


def svg(client, path: str) -> BeautifulSoup:
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    return page.find("figure", class_="graph")


def nodes(figure) -> dict[int, dict]:
    found = {}
    for link in figure.select(".graph-wide svg a.node"):
        rect = link.find("rect")
        found[int(link["data-number"])] = {
            "x": int(rect["x"]), "y": int(rect["y"]), "h": int(rect["height"]), "centre": "centre" in link["class"],
            "lines": [t.get_text() for t in link.find_all("text")],
            "kind": " ".join(t.get_text() for t in link.select("text.node-kind"))}
    return found


def test_drawn_on_stands_left_and_influenced_right_in_date_order(client):
    found = nodes(svg(client, SCALING_LAWS))
    centre = found.pop(7)
    assert centre["centre"]
    left = [n for n, node in found.items() if node["x"] < centre["x"]]
    right = sorted((node["y"], n) for n, node in found.items() if node["x"] > centre["x"])
    assert left == [5]  # 7 is influenced by 5
    assert [n for _, n in right] == [8, 10, 16, 21, 28]  # oldest at the top


def test_one_connection_makes_a_small_full_picture(client):
    figure = svg(client, GPT_OSS)
    drawing = figure.select_one(".graph-wide svg.neighbourhood")
    found = nodes(figure)
    assert set(found) == {61, 53}
    assert found[53]["x"] < found[61]["x"]
    assert int(drawing["width"]) <= 350  # two columns fit a 390 px phone
    tallest = max(node["h"] for node in found.values())
    assert int(drawing["height"]) <= tallest + 8  # no empty band above or below


def test_whole_titles_wrap_at_spaces_under_the_kind_in_words(client):
    found = nodes(svg(client, SCALING_LAWS))
    title = "10. Switch Transformers: Scaling to Trillion Parameter Models with Simple and Efficient Sparsity"
    kind, *lines, month = found[10]["lines"]
    assert kind == found[10]["kind"] == "Influenced"  # #10 names #7 as an influence
    assert " ".join(lines) == title
    assert all(len(line) <= graph.CHARS_PER_LINE or " " not in line for line in lines)
    assert month == "Jan 2021"
    assert found[5]["kind"] == "Influenced by" and found[7]["kind"] == ""


def test_wrap_keeps_words_whole():
    assert graph.wrap("A mathematical framework for transformer circuits", 18) == (
        "A mathematical", "framework for", "transformer", "circuits")


def test_more_than_fit_are_counted_and_linked_to_the_map(client, monkeypatch):
    monkeypatch.setattr(graph, "MAX_PER_SIDE", 2)
    figure = svg(client, SCALING_LAWS)
    assert len(nodes(figure)) == 1 + 1 + 2
    more = figure.find("figcaption").find("a")
    assert more.get_text() == "+3 more: see them all on the influence map"
    assert more["href"] == "/briefings/map?around=7"


def test_the_map_around_a_briefing_is_its_neighbourhood(client):
    page = BeautifulSoup(client.get("/briefings/map?around=7").get_data(as_text=True), "html.parser")
    numbers = {int(a["data-number"]) for a in page.select("svg.map-wide a.node")}
    assert numbers == {7, 5, 8, 10, 16, 21, 28}
    assert client.get("/briefings/map?around=x").status_code == 400
    assert client.get("/briefings/?around=0").status_code == 400


def test_phones_get_the_same_picture_stacked(client):
    figure = svg(client, SCALING_LAWS)
    wide = figure.select_one(".graph-wide svg")
    narrow = figure.select_one(".graph-narrow svg")
    assert int(narrow["width"]) <= 350 < int(wide["width"])
    names = lambda drawing: sorted(a.get_text(" ", strip=True) for a in drawing.select("a.node"))  # noqa: E731
    assert names(narrow) == names(wide)
    tops = {int(a["data-number"]): int(a.find("rect")["y"]) for a in narrow.select("a.node")}
    assert tops[5] < tops[7] < min(tops[n] for n in (8, 10, 16, 21, 28))  # drawn on above, influenced below
    assert sorted(p["class"][1] for p in narrow.select("path.edge")) == sorted(p["class"][1] for p in wide.select("path.edge"))
