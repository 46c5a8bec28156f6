"""The explorer on a phone and from the keyboard: where the first card lands, facets that never
clip, the "/" and Escape keys, the live region, and focus after "More briefings"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import OpenPage, assert_accessible, tab

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

# Every facet list: does it scroll inside itself, and is any of its items cut off or hidden?
CLIPPING_PROBE = """
() => [...document.querySelectorAll('.facet ul')].filter((list) => list.checkVisibility()).map((list) => {
  const box = list.getBoundingClientRect();
  const clipped = [...list.querySelectorAll('li')].filter((item) => {
    const own = item.getBoundingClientRect();
    const label = item.querySelector('label');
    return own.height === 0 || own.top < box.top - 0.5 || own.bottom > box.bottom + 0.5
      || label.scrollWidth > label.clientWidth + 1 || own.right > document.documentElement.clientWidth;
  }).map((item) => item.innerText.trim());
  return {legend: list.closest('fieldset').querySelector('legend').innerText,
          scrolls: list.scrollHeight > list.clientHeight + 1, overflow: getComputedStyle(list).overflowY, clipped};
})
"""


def first_card_top(page: Page) -> float:
    box = page.locator("#explorer-results .briefing-card").first.bounding_box()
    assert box is not None
    return box["y"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_first_card_is_in_the_first_screen(open_page: OpenPage, size: str, javascript: bool) -> None:
    page = open_page(java_script_enabled=javascript, **SIZES[size]).goto("/briefings/")
    height = SIZES[size]["viewport"]["height"]
    top = first_card_top(page)
    # Its number and title (the card's first ~90px) are on the first screen, not just its border.
    assert top + 90 <= height, f"first card starts at {top}px on a {height}px screen"
    filters = page.locator("details#filters")
    if size == "phone":
        expect(filters).not_to_have_attribute("open", "")
        expect(page.get_by_role("checkbox", name=re.compile("Key papers only"))).to_be_hidden()
    else:
        expect(page.get_by_role("checkbox", name=re.compile("Key papers only"))).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_filters_disclosure_says_how_many_are_active(open_page: OpenPage, javascript: bool) -> None:
    page = open_page(java_script_enabled=javascript, **PHONE).goto("/briefings/?category=Safety&key=1")
    summary = page.locator("details#filters > summary")
    expect(summary).to_have_text("Filters (2 active)")
    summary.click()
    key = page.get_by_role("checkbox", name=re.compile("Key papers only"))
    expect(key).to_be_visible()
    if javascript:
        key.uncheck()
        page.wait_for_url(re.compile(r"^[^?]*\?category=Safety$"))
        expect(summary).to_have_text("Filters (1 active)")
        expect(key).to_be_visible(), "the disclosure stays open after the results are swapped"
    first_card_top(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_no_facet_list_clips_its_items(open_page: OpenPage, size: str, javascript: bool) -> None:
    page = open_page(java_script_enabled=javascript, **SIZES[size]).goto("/briefings/")
    if size == "phone":
        page.locator("details#filters > summary").click()
    shows = page.locator(".more-values > summary")
    assert shows.count() >= 2, "long facets show their most common values and a 'Show all N'"
    lists = page.evaluate(CLIPPING_PROBE)
    assert len(lists) == 4 and all(not (item["scrolls"] or item["clipped"]) for item in lists), lists
    for index in range(shows.count()):
        shows.nth(index).click()
    lists = page.evaluate(CLIPPING_PROBE)
    assert len(lists) == 4 + shows.count(), lists
    assert all(not (item["scrolls"] or item["clipped"]) for item in lists), lists
    assert all(item["overflow"] == "visible" for item in lists), lists


def test_show_all_works_without_javascript(open_page: OpenPage) -> None:
    page = open_page(java_script_enabled=False, **PHONE).goto("/briefings/")
    page.locator("details#filters > summary").click()
    organization = page.get_by_role("group", name="Organization")
    show_all = organization.locator(".more-values > summary")
    expect(show_all).to_have_accessible_name(re.compile(r"^Show all \d+ organization values$"))
    rare = organization.locator(".more-values input").first
    expect(rare).to_be_hidden()
    show_all.click()
    expect(rare).to_be_visible()
    value = rare.get_attribute("value")
    rare.check()
    page.get_by_role("button", name="Apply the filters").click()  # the phone panel's button, without scripts
    page.wait_for_url(re.compile(r"organization="))
    page.locator("details#filters > summary").click()
    chosen = organization.locator(f"input[value='{value}']")
    expect(chosen).to_be_visible(), "a chosen value is shown without opening 'Show all'"
    expect(chosen).to_be_checked()


def test_slash_focuses_search_and_escape_clears_it(open_page: OpenPage) -> None:
    page = open_page(**DESKTOP).goto("/briefings/?q=jailbreak")
    expect(page.locator("#search-hint")).to_be_visible()
    expect(page.locator("#search-hint")).to_have_text("Press / to search, Esc to clear it")
    searched = page.locator(".result-count").inner_text()
    search = page.get_by_role("searchbox", name="Search briefings")
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    assert search.evaluate("el => el.selectionStart === 0 && el.selectionEnd === el.value.length")

    page.keyboard.press("Escape")
    expect(search).to_have_value("")
    expect(page.locator(".result-count")).not_to_have_text(searched)
    page.wait_for_url(re.compile(r"/briefings/$"))

    page.keyboard.type("a/b")
    expect(search).to_have_value("a/b"), "'/' typed in the search box is just a character"
    page.get_by_label("Sort").focus()
    page.keyboard.press("/")
    expect(page.get_by_label("Sort")).to_be_focused(), "'/' in another field does not steal focus"


def test_new_result_count_is_announced_politely(open_page: OpenPage) -> None:
    page = open_page(**DESKTOP).goto("/briefings/")
    announcer = page.locator("#results-announcer")
    expect(announcer).to_have_attribute("role", "status")
    assert announcer.evaluate("el => !el.closest('#explorer-results')"), "the live region outlives the swaps"
    page.get_by_role("checkbox", name=re.compile(r"^Safety \(\d+\)$")).check()
    page.wait_for_url(re.compile(r"category=Safety"))
    expect(announcer).to_have_text(re.compile(r"^\d+ briefings?(, page 1 of \d+)?$"))
    expect(announcer).to_have_text(page.locator(".result-count").inner_text().strip())
    safety = announcer.inner_text()
    page.get_by_role("searchbox", name="Search briefings").fill("zzzzqqqq")
    expect(announcer).to_have_text("No briefings match")
    page.go_back()
    page.wait_for_url(re.compile(r"category=Safety$"))
    expect(page.locator(".result-count")).to_have_text(safety)


def test_more_briefings_moves_focus_to_the_first_new_card(open_page: OpenPage) -> None:
    page = open_page(**DESKTOP).goto("/briefings/")
    cards = page.locator("#briefing-list .briefing-card")
    before = cards.count()
    more = page.get_by_role("link", name="More briefings")
    more.focus()
    page.keyboard.press("Enter")
    expect(cards).not_to_have_count(before)
    first_new = cards.nth(before).locator("h3 a")
    expect(first_new).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(cards.nth(before - 1).locator("a").last).to_be_focused()


def test_every_explorer_control_is_reachable_and_visibly_focused(open_page: OpenPage) -> None:
    """Tab from the top to the footer: each stop shows its focus (checked by ``tab``)."""
    page = open_page(**DESKTOP).goto("/briefings/")
    stops = []
    for _ in range(150):
        focus = tab(page)
        if focus["tag"] == "body" or (stops and focus["text"] == "Skip to content"):
            break
        stops.append(focus["tag"] + ":" + focus["text"].split("\n")[0])
    assert "input:" in stops or any(stop.startswith("input") for stop in stops)
    assert any(stop.startswith("select") for stop in stops[:12]), "the theme choice and sort are reachable"
    assert any(stop.startswith("summary:Filters") for stop in stops), stops
    assert any(stop.startswith("summary:Show all") for stop in stops), stops
    assert any("More briefings" in stop for stop in stops), stops
    assert stops[-1].endswith("Disclaimers"), stops[-3:]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_explorer_with_every_disclosure_open_has_no_axe_violations(open_page: OpenPage, scheme: str) -> None:
    page = open_page(color_scheme=scheme, **PHONE).goto("/briefings/?category=Safety")
    page.locator("details#filters > summary").click()
    shows = page.locator(".more-values > summary")
    for index in range(shows.count()):
        shows.nth(index).click()
    assert_accessible(page)


def test_chosen_dark_theme_on_a_light_system_has_no_axe_violations(open_page: OpenPage) -> None:
    page = open_page(color_scheme="light", **DESKTOP).goto("/briefings/")
    page.get_by_role("combobox", name="Colour theme").select_option("dark")
    assert_accessible(page)
    page.goto(page.url.replace("/briefings/", "/briefings/54-activating-ai-safety-level-3-protections"))
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/briefings/map", "/briefings/concepts"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_map_and_concepts_filters_follow_the_explorer_pattern(open_page: OpenPage, path: str, size: str) -> None:
    page = open_page(**SIZES[size]).goto(path)
    filters = page.locator("details#filters")
    expect(filters).to_have_count(1)
    key = page.get_by_role("checkbox", name=re.compile("Key papers only"))
    if size == "phone":
        expect(key).to_be_hidden()
        page.locator("details#filters > summary").click()
    expect(key).to_be_visible()
    lists = page.evaluate(CLIPPING_PROBE)
    assert lists and all(not (item["scrolls"] or item["clipped"]) for item in lists), lists
