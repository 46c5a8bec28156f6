"""The phone-sized menu, a keyboard-only pass and dark mode, as a visitor meets them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import COLOURS_PROBE, OpenPage, Visit, contrast, luminance, tab, tab_until

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

def test_phone_menu_opens_and_leads_on(open_page: OpenPage) -> None:
    page = open_page(**PHONE).goto("/")
    about_link = page.locator("#site-nav a", has_text="About Me")
    expect(about_link).to_be_hidden()
    menu = page.get_by_text("Menu", exact=True)
    expect(menu).to_be_visible()
    menu.tap()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(about_link).to_be_visible()
    about_link.tap()
    page.wait_for_url(re.compile(r"/about$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#site-nav a", has_text="About Me")).to_be_hidden()


def test_phone_menu_works_from_the_keyboard(open_page: OpenPage) -> None:
    page = open_page(**PHONE).goto("/")
    assert tab(page)["text"] == "Skip to content"
    assert "home" in tab(page)["text"]
    tab(page)
    toggle = page.get_by_role("checkbox", name="Menu")
    expect(toggle).to_be_focused()
    label_outline = page.locator(".menu-button").evaluate("el => getComputedStyle(el).outlineStyle")
    assert label_outline == "solid", "the Menu button shows no focus (the checkbox itself is invisible)"
    page.keyboard.press("Space")
    expect(page.locator("#site-nav a", has_text="About Me")).to_be_visible()
    assert tab(page)["text"] == "About Me"


def test_with_the_phone_menu_open_the_keyboard_goes_down_the_page(open_page: OpenPage) -> None:
    page = open_page(**PHONE).goto("/")
    tab_until(page, "document.activeElement.id === 'menu-toggle'")
    page.keyboard.press("Space")
    tops = []
    for _ in range(8):  # the menu's links, the theme choice, then the page
        tab(page)
        tops.append(page.evaluate("document.activeElement.getBoundingClientRect().top"))
    assert tops == sorted(tops), f"focus jumps back up the page: element tops {tops}"


@pytest.mark.parametrize("path", ["/", "/briefings/", "/briefings/54-activating-ai-safety-level-3-protections", "/about"])
def test_phone_pages_do_not_scroll_sideways(open_page: OpenPage, path: str) -> None:
    page = open_page(**PHONE).goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than a phone screen"


def test_keyboard_only_pass(visit: Visit) -> None:
    page = visit.goto("/")
    nav_labels = page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()

    first = tab(page)
    assert (first["tag"], first["text"]) == ("a", "Skip to content")
    tab(page)
    expect(page.locator(":focus")).to_have_accessible_name("Silvia Seceleanu, home")
    assert [tab(page)["text"] for _ in nav_labels] == nav_labels
    assert tab(page)["tag"] == "select", "after the navigation, the colour theme choice"
    expect(page.locator(":focus")).to_have_accessible_name("Colour theme")
    assert tab(page)["text"] == "About me", "after the header, Tab goes to the page's content"
    stops = []
    for _ in range(100):  # every remaining stop down to the footer shows its focus (checked by tab)
        focus = tab(page)
        if focus["tag"] == "body" or focus["text"] == "Skip to content":
            break
        stops.append(focus["text"])
    assert stops[0] == "Explore the briefings"
    assert stops[-3:] == page.get_by_role("navigation", name="Legal").get_by_role("link").all_inner_texts()

    page.reload()
    tab(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))  # waits: the jump is not instant on a loaded machine
    expect(page.locator("main")).to_be_focused()
    link = tab(page)
    assert link["inMain"] and link["text"] == "About me", link
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/about$"))


def test_explorer_from_the_keyboard(visit: Visit) -> None:
    """Search, tick a filter with Space (focus stays on it after the swap), open a result with Enter."""
    page = visit.goto("/briefings/")
    tab(page)
    page.keyboard.press("Enter")
    tab_until(page, "document.activeElement.id === 'q'", limit=20)  # past the header's links
    expect(page.get_by_label("Search briefings")).to_be_focused()
    before = page.locator(".result-count").inner_text()
    page.keyboard.type("jailbreak", delay=20)
    expect(page.locator(".result-count")).not_to_have_text(before)
    page.wait_for_url(re.compile(r"q=jailbreak"))
    searched = page.locator(".result-count").inner_text()

    tab_until(page, "document.activeElement.type === 'checkbox'")
    key_papers = page.get_by_role("checkbox", name=re.compile(r"Key papers only"))
    expect(key_papers).to_be_focused()
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"key=1"))
    expect(page.locator(".result-count")).not_to_have_text(searched)
    expect(key_papers).to_be_checked()
    expect(key_papers).to_be_focused()

    title = tab_until(page, "!!document.activeElement.closest('.briefing-card')")["text"]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/briefings/\d+-"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.search(r"\d+\. .+", title)[0])


@pytest.mark.parametrize("path", ["/", "/briefings/?q=scaling", "/briefings/54-activating-ai-safety-level-3-protections"])
def test_dark_mode_is_readable(open_page: OpenPage, path: str) -> None:
    page = open_page(color_scheme="dark").goto(path)
    body_text, body_background = page.evaluate(COLOURS_PROBE, "body")[0]
    assert luminance(body_background) < 0.05, f"dark mode background is not dark: {body_background}"
    pairs = []
    for selector in ("body", "h1", "main p", "main a", ".meta", ".count", "mark", ".tags li", "button"):
        pairs += [(selector, text, background) for text, background in page.evaluate(COLOURS_PROBE, selector)]
    poor = [(selector, text, background, round(contrast(text, background), 2))
            for selector, text, background in pairs if contrast(text, background) < 4.5]
    assert not poor, f"text below 4.5:1 contrast in dark mode: {poor}"


def test_dark_mode_graph_labels_are_readable(open_page: OpenPage) -> None:
    page = open_page(color_scheme="dark").goto("/briefings/54-activating-ai-safety-level-3-protections")
    colours = page.evaluate(
        """() => [...document.querySelectorAll('.graph svg a.node')].map((node) => [
             getComputedStyle(node.querySelector('text')).fill,
             getComputedStyle(node.querySelector('rect')).fill])"""
    )
    assert colours
    assert all(contrast(text, box) >= 4.5 for text, box in colours), colours


def test_leaving_the_search_box_sends_no_second_search(visit: Visit) -> None:
    """Typing searches; tabbing on to the filters must not search again (its answer would replace
    the results, and the focused filter with them, under the visitor)."""
    page = visit.goto("/briefings/")
    searches: list[str] = []
    page.on("request", lambda request: searches.append(request.url) if "q=jailbreak" in request.url else None)
    page.get_by_label("Search briefings").click()
    page.keyboard.type("jailbreak", delay=20)
    page.wait_for_url(re.compile(r"q=jailbreak"))
    page.wait_for_timeout(500)
    assert len(searches) == 1
    page.keyboard.press("Tab")
    page.wait_for_timeout(800)
    assert len(searches) == 1, searches
