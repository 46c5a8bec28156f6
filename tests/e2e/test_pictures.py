"""The map, the neighbourhood graph and the concept index in Chromium: text size, sideways scrolling, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import OpenPage, assert_accessible

pytestmark = pytest.mark.browser

PICTURE_PAGES = [
    "/briefings/map",
    "/briefings/map?organization=OpenAI&key=1",
    "/briefings/54-activating-ai-safety-level-3-protections",
    "/briefings/53-preparedness-framework-version-2",
    "/briefings/7-scaling-laws-for-neural-language-models",
]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}

# The rendered size of each visible SVG text: its computed font size times the scale of its
# screen transform (what a scaled-down SVG would shrink).
SMALLEST_TEXT = """() => {
  const sizes = [];
  for (const text of document.querySelectorAll('svg text')) {
    if (!text.getClientRects().length) continue;
    const matrix = text.getScreenCTM();
    const scale = Math.hypot(matrix.a, matrix.b);
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * scale);
  }
  return {count: sizes.length, smallest: Math.min(...sizes)};
}"""


def page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", PICTURE_PAGES)
def test_svg_text_is_never_below_12_px_and_the_page_never_scrolls_sideways(open_page: OpenPage, path: str, size: str):
    page = open_page(viewport=SIZES[size], is_mobile=size == "phone").goto(path)
    measured = page.evaluate(SMALLEST_TEXT)
    assert measured["count"] > 0
    assert measured["smallest"] >= 12, f"{path} at {size}: smallest SVG text {measured['smallest']:.1f} px"
    assert not page_scrolls_sideways(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/briefings/map", "/briefings/map?category=Safety",
                                  "/briefings/concepts", "/briefings/concepts?q=reward",
                                  "/briefings/7-scaling-laws-for-neural-language-models",
                                  "/briefings/34-anthropic-s-responsible-scaling-policy"])
def test_new_pages_have_no_axe_violations(open_page: OpenPage, path: str, scheme: str):
    page = open_page(viewport=SIZES["desktop"], color_scheme=scheme).goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page)


def test_view_as_map_switches_in_place_and_back(open_page: OpenPage):
    page = open_page(viewport=SIZES["desktop"]).goto("/briefings/?category=Safety")
    page.get_by_role("link", name="View as map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Influence map")
    page.wait_for_url("**/briefings/map?category=Safety")
    nodes = page.locator("svg.influence-map a.node")
    expect(nodes.first).to_be_visible()
    page.get_by_role("link", name="View as list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frontier AI Paper Briefings")
    page.wait_for_url("**/briefings/?category=Safety")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Influence map")


def test_map_nodes_are_links_with_names(open_page: OpenPage):
    page = open_page(viewport=SIZES["desktop"]).goto("/briefings/map?category=Safety")
    link = page.get_by_role("link", name="54. Activating AI Safety Level 3 Protections May 2025 · Safety")
    expect(link).to_have_count(1)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Activating AI Safety Level 3 Protections")


def test_concept_search_updates_in_place(open_page: OpenPage):
    page = open_page(viewport=SIZES["desktop"]).goto("/briefings/concepts")
    page.get_by_label("Search concepts").fill("reward")
    page.wait_for_url("**/briefings/concepts?q=reward")
    headings = page.locator("ul.concept-index li > a")
    expect(headings.first).to_be_visible()
    assert headings.count() < 40


def test_the_title_follows_each_in_place_update(open_page: OpenPage):
    """htmx takes the new <title> from the fragment: list <-> map switches and filter changes."""
    page = open_page(viewport=SIZES["desktop"]).goto("/briefings/?category=Safety")
    expect(page).to_have_title("Frontier AI Paper Briefings (filtered) · Silvia Seceleanu")
    page.get_by_role("link", name="View as map").click()
    page.wait_for_url("**/briefings/map?category=Safety")
    expect(page).to_have_title("Influence map (filtered) · Frontier AI Paper Briefings")
    assert page.locator("#briefings-view > title, .explorer-body > title").count() == 0
    page.get_by_role("link", name="Clear all").click()
    page.wait_for_url("**/briefings/map")
    expect(page).to_have_title("Influence map · Frontier AI Paper Briefings")
    page.get_by_role("link", name="View as list").click()
    page.wait_for_url("**/briefings/")
    expect(page).to_have_title("Frontier AI Paper Briefings · Silvia Seceleanu")
    page.go_back()
    expect(page).to_have_title("Influence map · Frontier AI Paper Briefings")
