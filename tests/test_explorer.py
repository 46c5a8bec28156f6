"""The briefings explorer: facets as data, search, paging, htmx fragments and hostile queries."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from portfolio.briefings import facets, queries
from portfolio.briefings.filters import BadQuery, ExplorerQuery
from portfolio.briefings.views import explorer_url
from portfolio.content import load_content
from tests.helpers import parse


@pytest.fixture
def bundle(content_dir):
    loaded, problems = load_content(content_dir)
    assert problems == []
    return loaded


def run(app, **params):
    state = ExplorerQuery.parse(MultiDict(params))
    with app.test_request_context("/briefings/"):
        return queries.run(state, 1000, explorer_url)


def facet(results, name):
    (found,) = [f for f in results.facets if f.name == name]
    return {item["value"]: item for item in found.values}


def card_numbers(page, selector="#explorer-results article h3"):
    """The briefing numbers of the cards, in page order ('★ Key paper: 54. Title' → 54)."""
    return [int(re.search(r"(\d+)\.", h.get_text(" ", strip=True))[1]) for h in page.select(selector)]


def test_facet_counts_match_the_content(app, bundle):
    results = run(app)
    assert results.total == len(bundle.briefings)
    for name in ("category", "year"):
        expected = Counter(b[name] for b in bundle.briefings)
        assert {value: item["count"] for value, item in facet(results, name).items()} == expected
    expected_organizations = Counter(o for b in bundle.briefings for o in b["organizations"])
    assert {value: item["count"] for value, item in facet(results, "organization").items()} == expected_organizations
    expected_tags = Counter(tag for b in bundle.briefings for tag in b["tags"])
    assert {value: item["count"] for value, item in facet(results, "tag").items()} == expected_tags
    assert results.key_count == sum(b["key"] for b in bundle.briefings)


def test_facet_counts_reflect_the_other_filters(app, bundle):
    results = run(app, category="Safety")
    safety = [b for b in bundle.briefings if b["category"] == "Safety"]
    assert results.total == len(safety)
    assert {v: i["count"] for v, i in facet(results, "organization").items()} == Counter(
        o for b in safety for o in b["organizations"])
    categories = facet(results, "category")
    assert categories["Safety"]["selected"] is True
    assert {v: i["count"] for v, i in categories.items()} == Counter(b["category"] for b in bundle.briefings)


def test_values_within_a_facet_are_alternatives_and_facets_combine(app, bundle):
    results = run(app, category=["Safety", "Alignment"], organization="Anthropic")
    expected = {b["number"] for b in bundle.briefings
                if b["category"] in ("Safety", "Alignment") and "Anthropic" in b["organizations"]}
    assert {b.number for b, _ in results.items} == expected
    assert expected


def test_toggle_urls_add_and_remove_one_value(app):
    results = run(app, category="Safety", page="2")
    safety_url = facet(results, "category")["Safety"]["toggle_url"]
    assert safety_url == "/briefings/"
    anthropic = parse_qs(urlsplit(facet(results, "organization")["Anthropic"]["toggle_url"]).query)
    assert anthropic == {"category": ["Safety"], "organization": ["Anthropic"]}


def test_key_papers_and_year_filters(app, bundle):
    results = run(app, key="1", year="2024")
    expected = {b["number"] for b in bundle.briefings if b["key"] and b["year"] == 2024}
    assert {b.number for b, _ in results.items} == expected


def test_tag_filter(app, bundle):
    results = run(app, tag="Policy")
    assert {b.number for b, _ in results.items} == {b["number"] for b in bundle.briefings if "Policy" in b["tags"]}


def test_search_finds_words_in_any_field_and_highlights_them(app, bundle):
    results = run(app, q="monosemanticity")
    assert results.items
    by_number = {b["number"]: b for b in bundle.briefings}
    for briefing, snippet in results.items:
        found = by_number[briefing.number]
        text = " ".join([found["title"], found["subtitle"], found["summary_text"],
                         *[c["heading"] + " " + c["text"] for c in found["concepts"]]]).lower()
        assert "monosemantic" in text
        assert snippet is not None and "<mark>" in snippet


def test_search_ranks_title_matches_first(app):
    results = run(app, q="responsible scaling policy")
    assert "Responsible Scaling Policy" in results.items[0][0].title


def test_search_is_case_and_accent_insensitive(app):
    plain = {b.number for b, _ in run(app, q="superposition").items}
    assert plain and {b.number for b, _ in run(app, q="SUPERPÒSITION").items} == plain


@pytest.mark.parametrize("sort", ["newest", "oldest", "number"])
def test_sorts(app, sort):
    items = [b for b, _ in run(app, sort=sort).items]
    keys = {"newest": lambda b: (-b.date_key, -b.number), "oldest": lambda b: (b.date_key, b.number),
            "number": lambda b: b.number}[sort]
    assert items == sorted(items, key=keys)


def test_explorer_page_cards(client, bundle):
    page = parse(client.get("/briefings/?sort=number"))
    numbers = card_numbers(page)
    assert numbers == sorted(b["number"] for b in bundle.briefings)[:len(numbers)]
    card = [a for a in page.select("#explorer-results article") if "54." in a.find("h3").get_text()][0] \
        if 54 in numbers else None
    first = page.select_one("#explorer-results article")
    assert first.find(class_="meta").get_text(" ", strip=True).count("·") == 2
    assert first.find(class_="subtitle").get_text(strip=True)
    assert card is None or card.find(class_="star")


def test_explorer_form_is_a_real_get_form(client):
    form = parse(client.get("/briefings/")).find("form", id="explorer-form")
    assert form["method"] == "get" and form["action"] == "/briefings/"
    assert form["hx-get"] == "/briefings/" and form["hx-target"] == "#explorer-results"
    assert form["hx-push-url"] == "true"
    search = form.find("input", attrs={"name": "q"})
    assert search["type"] == "search" and "delay:" in search["hx-trigger"]
    assert form.find("button", attrs={"type": "submit"})
    names = {i["name"] for i in form.find_all("input", attrs={"type": "checkbox"})}
    assert names == {"key", "current", "category", "organization", "tag", "year"}


def test_selected_filters_show_and_are_removable(client):
    page = parse(client.get("/briefings/?category=Safety&organization=Anthropic&q=scaling"))
    chips = page.find("ul", class_="chips").find_all("a")
    labels = [a.get_text(" ", strip=True) for a in chips]
    assert labels[0].startswith("Search “scaling”")
    assert any(label.startswith("Category: Safety") for label in labels)
    assert labels[-1] == "Clear all" and chips[-1]["href"] == "/briefings/"
    org_chip = [a for a in chips if a.get_text().startswith("Organization")][0]
    assert parse_qs(urlsplit(org_chip["href"]).query) == {"q": ["scaling"], "category": ["Safety"]}
    checked = {(i["name"], i["value"]) for i in page.select("input[type=checkbox][checked]")}
    assert checked == {("category", "Safety"), ("organization", "Anthropic")}
    assert page.find("input", attrs={"name": "q"})["value"] == "scaling"


def test_htmx_request_gets_only_results_and_facets(client):
    response = client.get("/briefings/?category=Safety", headers={"HX-Request": "true", "HX-Target": "explorer-results"})
    assert "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    fragment = parse(response)
    assert fragment.find("aside", class_="facets") and fragment.find("section", class_="results")
    assert fragment.find("input", attrs={"name": "q"}) is None


def test_history_restore_gets_the_full_page(client):
    response = client.get("/briefings/?category=Safety", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "explorer-results"})
    assert parse(response).find("form", id="explorer-form") is not None
    plain = client.get("/briefings/?category=Safety")
    assert "HX-Request" in plain.headers["Vary"]


def test_paging_with_links_and_load_more(app, client, bundle):
    app.config["PAGE_SIZE"] = 5
    first = parse(client.get("/briefings/?sort=number"))
    ordered = sorted(b["number"] for b in bundle.briefings)
    assert card_numbers(first) == ordered[:5]
    more = first.find(id="load-more").find("a")
    assert more["href"] == "/briefings/?sort=number&page=2#from-2" and more["hx-target"] == "#load-more"
    second_full = parse(client.get(more["href"]))
    assert card_numbers(second_full) == ordered[:10]  # without scripts the list grows, and the link lands on the new ones
    assert second_full.find(id="from-2") is not None
    fragment = client.get(more["hx-get"], headers={"HX-Request": "true", "HX-Target": "load-more"})
    items = parse(fragment)
    assert card_numbers(items, "article h3") == ordered[5:10]
    assert items.find(id="load-more").find("a")["hx-get"] == "/briefings/?sort=number&page=3"
    assert "<html" not in fragment.get_data(as_text=True)


def test_the_last_page_is_shown_and_a_page_past_it_is_not_found(app, client, bundle):
    app.config["PAGE_SIZE"] = 5
    last_page = -(-len(bundle.briefings) // 5)
    page = parse(client.get(f"/briefings/?page={last_page}"))
    assert len(page.select("#briefing-list .briefing-card")) == len(bundle.briefings)
    assert page.find(id="load-more") is None
    assert client.get(f"/briefings/?page={last_page + 1}").status_code == 404


def test_an_unknown_filter_value_is_a_400_that_names_it(client):
    response = client.get("/briefings/?category=Astrology")
    assert response.status_code == 400
    assert "There is no category “Astrology” in the briefings." in parse(response).get_text()


def test_empty_state_offers_to_clear_the_filters(client):
    page = parse(client.get("/briefings/?category=Safety&organization=Meta&key=1&year=2019"))
    assert card_numbers(page) == []
    assert page.find(class_="empty").find("a", string="Clear all filters")["href"] == "/briefings/"


def test_search_without_words_says_so(client):
    response = client.get("/briefings/?q=%22%28%29%2A")
    assert response.status_code == 200
    assert "no letters or numbers" in parse(response).find(class_="empty").get_text()


HOSTILE_SEARCHES = ['"', '""', "(", ")", "AND", "OR", "NOT", "a AND", "NEAR(a b)", "NEAR", "*", "a*", "^a", "title:x",
                    "x:y:z", "-a", "- -", "'", "\\", "%", "a OR OR b", "{title}: x", "\U0001F600", "日本語", "ﷺ", "\u200b",
                    "a" * 200, " ".join(["w"] * 100), "+", "!", "🙂 AND (", "NOT NOT NOT", "a\"b", "col:*"]


@pytest.mark.parametrize("text", HOSTILE_SEARCHES)
def test_hostile_search_text_is_searched_as_plain_words(client, text):
    response = client.get("/briefings/", query_string={"q": text})
    assert response.status_code == 200
    assert parse(response).find(class_="result-count") is not None


@pytest.mark.parametrize("query", ["year=abc", "year=20245", "year=%F0%9F%99%82", "page=abc", "page=0", "page=-1",
                                   "page=99999999999", "sort=sideways", "key=maybe", "q=" + "a" * 201, "q=a&q=b",
                                   "page=1&page=2", "category=%00", "category=" + "c" * 500])
def test_bad_query_values_are_400(client, query):
    response = client.get(f"/briefings/?{query}")
    assert response.status_code == 400
    page = parse(response)
    assert page.find("h1").get_text() == "Bad Request"


def test_unknown_parameters_redirect_to_the_address_without_them(client):
    response = client.get("/briefings/?utm_source=x&category=Safety&colour=red")
    assert response.status_code == 301
    assert response.headers["Location"] == "/briefings/?category=Safety"


def test_explorer_state_round_trips_through_its_url():
    state = ExplorerQuery.parse(MultiDict([("q", "rlhf"), ("category", "Safety"), ("year", "2024"), ("key", "1"),
                                           ("sort", "oldest"), ("page", "3")]))
    assert ExplorerQuery.from_query_string(state.query_string()) == state
    with pytest.raises(BadQuery):
        ExplorerQuery.parse(MultiDict([("year", "twenty")]))


def test_htmx_form_submission_pushes_the_short_url(client):
    query = "q=&category=Safety&organization=&sort=newest"
    response = client.get(f"/briefings/?{query}", headers={"HX-Request": "true", "HX-Target": "explorer-results"})
    assert response.headers["HX-Push-Url"] == "/briefings/?category=Safety"
    more = client.get("/briefings/?page=2", headers={"HX-Request": "true", "HX-Target": "load-more"})
    assert "HX-Push-Url" not in more.headers


@pytest.mark.parametrize(("query", "expected"), [
    ("sort=newest", ""), ("q=rlhf&sort=relevance", "q=rlhf"), ("q=rlhf&sort=newest", "q=rlhf&sort=newest"),
    ("sort=oldest", "sort=oldest"),
])
def test_default_sort_is_left_out_of_urls(query, expected):
    assert ExplorerQuery.from_query_string(query).query_string() == expected


def test_long_facets_show_the_most_common_values_and_every_chosen_one():
    """Beyond FACET_SHOWN values a facet keeps the rest behind "Show all"; a chosen value is never hidden."""
    FACET_SHOWN, Facet = facets.FACET_SHOWN, facets.Facet

    def values(count: int, chosen: int | None = None) -> list[dict]:
        return [{"value": f"v{n}", "count": 100 - n, "selected": n == chosen} for n in range(count)]

    short = Facet("organization", "Organization", values(FACET_SHOWN + 1), 0)
    assert short.common == short.values and short.rest == [], "hiding one value saves nothing"
    long = Facet("organization", "Organization", values(10, chosen=8), 1)
    assert [item["value"] for item in long.common] == ["v0", "v1", "v2", "v3", "v4", "v8"]
    assert [item["value"] for item in long.rest] == ["v5", "v6", "v7", "v9"]
    assert not any(item["selected"] for item in long.rest)



# The concept index counts briefings in its facets whatever the search finds among concepts, so
# its facets keep their values; the list and the map count what the search found.
EMPTY_VIEWS = {"/briefings/": [], "/briefings/map": [], "/briefings/concepts": ["Category", "Organization", "Type", "Year"]}


@pytest.mark.parametrize("path", EMPTY_VIEWS)
def test_a_search_that_finds_nothing_names_the_search_and_shows_no_empty_facets(client, path):
    page = parse(client.get(f"{path}?q=zzzqqq"))
    message = page.select_one(".empty p").get_text(" ", strip=True)
    assert re.fullmatch(r"No (briefing|key concept) matches “zzzqqq”\. Try other or fewer words\.", message), message
    count = page.select_one(".result-count")  # still there for screen readers, not said twice on screen
    assert count.get_text(strip=True).startswith("No ") and "visually-hidden" in count["class"]
    assert [legend.get_text(strip=True) for legend in page.select(".facets legend")] == EMPTY_VIEWS[path]


@pytest.mark.parametrize("path", EMPTY_VIEWS)
def test_nothing_found_with_a_filter_names_the_filters_and_keeps_their_facet(client, path):
    page = parse(client.get(f"{path}?q=zzzqqq&category=Safety"))
    message = page.select_one(".empty p").get_text(" ", strip=True)
    assert message.endswith("matches “zzzqqq” with these filters. Try fewer words or filters."), message
    assert "Category" in [legend.get_text(strip=True) for legend in page.select(".facets legend")]
    chosen = page.select_one(".facets input[name=category][value=Safety]")
    assert chosen is not None and chosen.has_attr("checked")


def test_filters_that_find_nothing_say_so_without_a_search(client):
    page = parse(client.get("/briefings/?category=Safety&year=2017"))
    assert page.select_one(".empty p").get_text(" ", strip=True) == "No briefing matches these filters. Try removing a filter."


@pytest.mark.parametrize(("path", "query", "canonical"), [
    ("/briefings/", "organization=anthropic", "organization=Anthropic"),
    ("/briefings/", "category=SAFETY&organization=openai&sort=oldest", "category=Safety&organization=OpenAI&sort=oldest"),
    ("/briefings/map", "tag=policy", "tag=Policy"),
    ("/briefings/feed.xml", "organization=google+deepmind", "organization=Google+DeepMind"),
])
def test_a_filter_value_in_another_case_redirects_to_its_spelling(client, path, query, canonical):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{path}?{canonical}"
    assert client.get(response.headers["Location"]).status_code == 200


def test_page_n_lists_every_page_up_to_n_and_more_fetches_page_n_alone(client):
    whole = parse(client.get("/briefings/?page=3"))
    cards = whole.select("#briefing-list .briefing-card")
    assert len(cards) == 36 and whole.select_one("#briefing-list li#from-3") is not None
    more = whole.select_one("#load-more a")
    assert more["hx-get"] == "/briefings/?page=4" and more["hx-replace-url"] == "/briefings/?page=4"
    fragment = parse(client.get("/briefings/?page=3", headers={"HX-Request": "true", "HX-Target": "load-more"}))
    appended = fragment.select(".briefing-card")
    assert len(appended) == 12
    assert [card.h3.get_text() for card in appended] == [card.h3.get_text() for card in cards[24:]]


def test_the_sort_defaults_to_relevance_for_a_search_and_newest_otherwise(client):
    for query, default, others in (("", "Newest first", ["oldest", "added", "number"]),
                                   ("q=scaling", "Relevance", ["newest", "oldest", "added", "number"])):
        options = parse(client.get(f"/briefings/?{query}")).select("select#sort option")
        assert (options[0]["value"], options[0].get_text()) == ("", default) and options[0].has_attr("selected")
        assert [option["value"] for option in options[1:]] == others
