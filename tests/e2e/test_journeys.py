"""What a visitor sees in a real browser: the explorer journey with and without JavaScript.

Each journey runs under the page watch of conftest.py: a console error, a CSP violation or a
request to another origin fails it, including during htmx swaps.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import OpenPage, Visit, assert_accessible

pytestmark = pytest.mark.browser

CATEGORY = "Safety"
ORGANIZATION = "Anthropic"
SEARCH = "responsible scaling"
MARKER = "window.__sameDocument"


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def card_metas(page: Page) -> list[str]:
    return page.locator("#explorer-results .briefing-card .meta").all_inner_texts()


def card_titles(page: Page) -> list[str]:
    return page.locator("#explorer-results .briefing-card h3").all_inner_texts()


def result_count(page: Page) -> str:
    return page.locator(".result-count").inner_text()


def checkbox(page: Page, label: str):
    """A facet checkbox by its value (the label also carries a count: 'Safety (12)')."""
    return page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)} \(\d+\)$"))


def expect_query(page: Page, **expected: list[str]) -> None:
    """Wait until the URL's query holds exactly these filter values (sort and paging aside)."""

    def matches(url: str) -> bool:
        query = parse_qs(urlsplit(url).query)
        query.pop("sort", None)
        return query == expected

    page.wait_for_url(matches)


def expect_filtered_cards(page: Page, category: str, organization: str | None = None) -> None:
    """Every card is in the category and (a joint document among its organisations) by the organisation."""
    metas = card_metas(page)
    assert metas, "expected some result cards"
    assert all(meta.startswith(f"{category} · ") for meta in metas), metas
    if organization:
        assert all(organization in meta.split(" · ")[1].split(", ") for meta in metas), metas


def test_explorer_journey_updates_in_place_and_keeps_history(visit: Visit) -> None:
    page = visit.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Silvia Seceleanu")
    page.get_by_role("link", name="Explore the briefings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frontier AI Paper Briefings")
    unfiltered = result_count(page)
    page.evaluate(f"{MARKER} = true")

    cards = page.locator("#explorer-results .briefing-card")
    first_page = cards.count()
    page.get_by_role("link", name="More briefings").click()
    expect(cards).not_to_have_count(first_page)
    assert cards.count() > first_page
    assert urlsplit(page.url).query == "page=2", "the address after loading more brings the same cards back"

    checkbox(page, CATEGORY).check()
    expect_query(page, category=[CATEGORY])
    expect(page.locator(".result-count")).not_to_have_text(unfiltered)
    expect_filtered_cards(page, CATEGORY)
    by_category = result_count(page)

    checkbox(page, ORGANIZATION).check()
    expect_query(page, category=[CATEGORY], organization=[ORGANIZATION])
    expect(page.locator(".result-count")).not_to_have_text(by_category)
    expect_filtered_cards(page, CATEGORY, ORGANIZATION)
    by_both = result_count(page)
    titles_by_both = card_titles(page)

    page.get_by_label("Search briefings").press_sequentially(SEARCH, delay=20)
    expect_query(page, q=[SEARCH], category=[CATEGORY], organization=[ORGANIZATION])
    expect(page.locator(".result-count")).not_to_have_text(by_both)
    expect_filtered_cards(page, CATEGORY, ORGANIZATION)
    searched_titles = card_titles(page)
    assert any("Responsible Scaling Policy" in title for title in searched_titles), searched_titles
    assert len(searched_titles) < len(titles_by_both)
    assert page.evaluate(MARKER) is True, "the filters reloaded the whole page instead of swapping results"
    assert_accessible(page)

    page.go_back()
    expect_query(page, category=[CATEGORY], organization=[ORGANIZATION])
    expect(page.locator(".result-count")).to_have_text(by_both)
    expect(page.get_by_label("Search briefings")).to_have_value("")
    assert card_titles(page) == titles_by_both
    page.go_back()
    expect_query(page, category=[CATEGORY])
    expect(page.locator(".result-count")).to_have_text(by_category)
    expect(checkbox(page, ORGANIZATION)).not_to_be_checked()
    page.go_forward()
    expect_query(page, category=[CATEGORY], organization=[ORGANIZATION])
    expect(page.locator(".result-count")).to_have_text(by_both)
    expect(checkbox(page, ORGANIZATION)).to_be_checked()
    page.go_forward()
    expect_query(page, q=[SEARCH], category=[CATEGORY], organization=[ORGANIZATION])
    expect(page.get_by_label("Search briefings")).to_have_value(SEARCH)
    assert card_titles(page) == searched_titles
    assert page.evaluate(MARKER) is True, "Back/Forward reloaded the whole page"

    follow_briefings_and_come_back(page, searched_titles)
    expect(page.get_by_label("Search briefings")).to_have_value(SEARCH)


def follow_briefings_and_come_back(page: Page, expected_titles: list[str]) -> None:
    """Open the first result, follow a connection, then '← Back to Explorer'."""
    explorer_query = query_of(page)
    first = page.locator("#explorer-results .briefing-card h3 a").first
    title = re.search(r"\d+\. .+", first.inner_text())[0]  # "54. Title", without the key-paper star
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_role("heading", name="Connections")).to_be_visible()

    connection = page.locator(".connection-list a").first
    connection_title = connection.inner_text()
    connection.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(connection_title)
    assert "from" in query_of(page), "a connection link dropped the explorer state"

    page.get_by_role("link", name="← Back to Explorer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frontier AI Paper Briefings")
    assert urlsplit(page.url).path == "/briefings/"
    query = query_of(page)
    for name in ("q", "category", "organization"):
        assert query.get(name) == explorer_query.get(name), (name, page.url)
    expect(checkbox(page, CATEGORY)).to_be_checked()
    expect(checkbox(page, ORGANIZATION)).to_be_checked()
    assert card_titles(page) == expected_titles


def test_explorer_journey_without_javascript(open_page: OpenPage) -> None:
    visit = open_page(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = visit.goto("/")
    page.get_by_role("link", name="Explore the briefings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frontier AI Paper Briefings")
    apply = page.get_by_role("button", name="Apply")

    checkbox(page, CATEGORY).check()
    apply.click()
    expect_query(page, category=[CATEGORY])
    expect_filtered_cards(page, CATEGORY)
    by_category = result_count(page)

    checkbox(page, ORGANIZATION).check()
    apply.click()
    expect_query(page, category=[CATEGORY], organization=[ORGANIZATION])
    expect_filtered_cards(page, CATEGORY, ORGANIZATION)
    by_both = result_count(page)

    page.get_by_label("Search briefings").fill(SEARCH)
    page.get_by_label("Search briefings").press("Enter")
    expect_query(page, q=[SEARCH], category=[CATEGORY], organization=[ORGANIZATION])
    expect_filtered_cards(page, CATEGORY, ORGANIZATION)
    searched_titles = card_titles(page)
    assert any("Responsible Scaling Policy" in title for title in searched_titles), searched_titles

    page.go_back()
    expect_query(page, category=[CATEGORY], organization=[ORGANIZATION])
    expect(page.locator(".result-count")).to_have_text(by_both)
    page.go_back()
    expect_query(page, category=[CATEGORY])
    expect(page.locator(".result-count")).to_have_text(by_category)
    page.go_forward()
    page.go_forward()
    expect_query(page, q=[SEARCH], category=[CATEGORY], organization=[ORGANIZATION])
    assert card_titles(page) == searched_titles

    follow_briefings_and_come_back(page, searched_titles)
    expect(page.get_by_label("Search briefings")).to_have_value(SEARCH)


def test_project_tags_filter_in_place(visit: Visit) -> None:
    page = visit.goto("/projects/")
    all_projects = page.locator(".project-card").count()
    page.evaluate(f"{MARKER} = true")
    tag_link = page.locator(".tag-filter a").nth(1)
    tag = tag_link.inner_text().rsplit(" (", 1)[0]
    tag_link.click()
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("tag") == [tag])
    expect(page.locator(".tag-filter a[aria-current]")).to_contain_text(tag)
    assert 0 < page.locator(".project-card").count() <= all_projects
    for card in page.locator(".project-card").all():
        expect(card.get_by_role("list", name="Tags")).to_contain_text(tag)
    assert page.evaluate(MARKER) is True
    page.go_back()
    page.wait_for_url(visit.site("/projects/"))
    expect(page.locator(".project-card")).to_have_count(all_projects)
