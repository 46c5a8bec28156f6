"""The explorer keeps the reader's place: a filter ticked mid-page does not throw them down it, a
typed search is ordered as its URL is, Back after "More briefings" brings the same cards back
where they were, and on a phone the filters open as a panel over the results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import OpenPage

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def checkbox(page: Page, label: str):
    return page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)} \(\d+\)$"))


def titles(page: Page) -> list[str]:
    return page.locator("#explorer-results .briefing-card h3").all_inner_texts()


def settled(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.wait_for_timeout(150)


def test_ticking_a_filter_mid_page_keeps_the_readers_place(open_page: OpenPage) -> None:
    page = open_page(**DESKTOP).goto("/briefings/")
    page.evaluate("window.scrollTo(0, 425)")
    box = checkbox(page, "Anthropic")
    assert box.bounding_box() is not None
    box.click()
    page.wait_for_url("**/briefings/?organization=Anthropic")
    settled(page)
    assert abs(page.evaluate("window.scrollY") - 425) <= 60


def test_a_typed_search_is_ordered_as_its_address_is(open_page: OpenPage) -> None:
    page = open_page(**DESKTOP).goto("/briefings/")
    page.get_by_label("Search briefings").press_sequentially("jailbreak", delay=20)
    page.wait_for_url("**/briefings/?q=jailbreak")
    settled(page)
    typed = titles(page)
    page.goto(page.url)
    assert titles(page) == typed
    assert typed[0].startswith("51.")  # the best match first, not the newest


def test_a_chosen_sort_is_kept_when_searching(open_page: OpenPage) -> None:
    page = open_page(**DESKTOP).goto("/briefings/")
    page.get_by_label("Sort").select_option("oldest")
    page.wait_for_url("**/briefings/?sort=oldest")
    settled(page)
    page.get_by_label("Search briefings").press_sequentially("jailbreak", delay=20)
    page.wait_for_url(re.compile(r"q=jailbreak&sort=oldest$"))
    settled(page)
    numbers = [int(re.search(r"(\d+)\. ", title).group(1)) for title in titles(page)]
    assert numbers == sorted(numbers)


def test_back_after_more_briefings_brings_the_cards_back_where_they_were(open_page: OpenPage) -> None:
    page = open_page(**DESKTOP).goto("/briefings/")
    cards = page.locator("#explorer-results .briefing-card")
    first = cards.count()
    for _ in range(2):
        page.get_by_role("link", name="More briefings").click()
        expect(cards).not_to_have_count(first)
        first = cards.count()
        settled(page)
    loaded = titles(page)
    target = cards.nth(len(loaded) - 4)
    target.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    target.locator("h3 a").click()
    page.wait_for_url(re.compile(r"/briefings/\d+-"))
    page.go_back()
    expect(cards).to_have_count(len(loaded))
    assert titles(page) == loaded
    page.wait_for_function(f"() => Math.abs(window.scrollY - {scrolled}) <= 60", timeout=3000)


def test_on_a_phone_the_filters_open_over_the_results_with_big_targets(open_page: OpenPage) -> None:
    page = open_page(**PHONE).goto("/briefings/")
    page.locator("details#filters > summary").click()
    panel = page.locator("details#filters[open]")
    expect(panel).to_be_visible()
    box = page.locator(".filters-panel").bounding_box()
    assert box is not None and box["y"] <= 1 and box["height"] >= 800  # over the page, not above it
    for label in page.locator(".filters-panel .facet label:visible").all()[:12]:
        assert label.bounding_box()["height"] >= 44
    checkbox(page, "Anthropic").click()
    page.wait_for_url("**/briefings/?organization=Anthropic")
    settled(page)
    show = page.locator(".filters-panel .show-results")
    count = re.search(r"\d+", page.locator(".result-count").inner_text())
    expect(show).to_have_accessible_name(f"Show {count.group(0)} briefings")
    assert show.bounding_box()["height"] >= 44
    show.click()
    expect(page.locator("details#filters")).not_to_have_attribute("open", "")
    first = page.locator("#explorer-results .briefing-card").first.bounding_box()
    assert first is not None and 0 <= first["y"] < PHONE["viewport"]["height"]


def test_on_a_phone_without_javascript_the_panel_applies_the_filters(open_page: OpenPage) -> None:
    page = open_page(java_script_enabled=False, **PHONE).goto("/briefings/")
    page.locator("details#filters > summary").click()
    checkbox(page, "Anthropic").check()
    page.get_by_role("button", name="Apply the filters").click()
    page.wait_for_url(re.compile(r"organization=Anthropic"))
    assert all("Anthropic" in meta for meta in page.locator(".briefing-card .meta").all_inner_texts())
