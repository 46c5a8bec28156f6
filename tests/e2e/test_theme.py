"""The colour theme: system by default, an explicit choice kept in localStorage (never a cookie)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import OpenPage

pytestmark = pytest.mark.browser

DARK_BACKGROUND = "rgb(21, 23, 28)"
LIGHT_BACKGROUND = "rgb(251, 250, 248)"


def background(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def stored_theme(page: Page) -> str | None:
    return page.evaluate("localStorage.getItem('theme')")  # type: ignore[no-any-return]


@pytest.mark.parametrize(("scheme", "colour"), [("light", LIGHT_BACKGROUND), ("dark", DARK_BACKGROUND)])
def test_system_setting_applies_by_default(open_page: OpenPage, scheme: str, colour: str) -> None:
    page = open_page(color_scheme=scheme).goto("/")
    choice = page.get_by_role("combobox", name="Colour theme")
    expect(choice).to_be_visible()
    expect(choice).to_have_value("system")
    assert background(page) == colour
    assert page.evaluate("document.documentElement.dataset.theme") is None


@pytest.mark.parametrize("path", ["/", "/briefings/", "/briefings/54-activating-ai-safety-level-3-protections"])
def test_choice_survives_a_reload_and_sets_no_cookie(open_page: OpenPage, path: str) -> None:
    visit = open_page(color_scheme="light", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = visit.goto(path)
    page.get_by_role("combobox", name="Colour theme").select_option("dark")
    assert background(page) == DARK_BACKGROUND
    assert stored_theme(page) == "dark"

    page.reload()
    expect(page.get_by_role("combobox", name="Colour theme")).to_have_value("dark")
    assert background(page) == DARK_BACKGROUND
    visit.goto("/about")  # another page of the site keeps it too
    assert background(page) == DARK_BACKGROUND
    assert page.context.cookies() == [], "the theme (or anything else) was kept in a cookie"
    assert page.evaluate("document.cookie") == ""

    page.get_by_role("combobox", name="Colour theme").select_option("system")
    assert stored_theme(page) is None, "going back to the system setting forgets the choice"
    assert background(page) == LIGHT_BACKGROUND


def test_choice_is_applied_before_first_paint(open_page: OpenPage) -> None:
    """A blocking script in <head> sets the theme: the first frame already has the chosen colours."""
    visit = open_page(color_scheme="dark")
    page = visit.goto("/")
    page.get_by_role("combobox", name="Colour theme").select_option("light")
    # Record the body's colour at the first moment it exists, before any later script could act.
    page.context.add_init_script(
        "new MutationObserver((_, observer) => { if (document.body) {"
        " window.__firstBackground = getComputedStyle(document.body).backgroundColor; observer.disconnect(); } })"
        ".observe(document, {childList: true, subtree: true});"
    )
    page.reload()
    assert page.evaluate("window.__firstBackground") == LIGHT_BACKGROUND
    head_script = page.locator("head script[src*='/js/theme']")
    expect(head_script).to_have_count(1)
    assert head_script.evaluate("el => !el.defer && !el.async"), "theme.js must block, or the wrong theme flashes"


def test_without_javascript_the_control_is_hidden_and_the_system_applies(open_page: OpenPage) -> None:
    page = open_page(color_scheme="dark", java_script_enabled=False).goto("/")
    expect(page.locator(".theme-choice")).to_be_hidden()
    assert background(page) == DARK_BACKGROUND
