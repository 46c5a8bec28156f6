"""On paper: a briefing prints as an article (print stylesheet under emulate_media("print"))."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import OpenPage

pytestmark = pytest.mark.browser

BRIEFING = "/briefings/54-activating-ai-safety-level-3-protections"

SHOWN = "(selector) => [...document.querySelectorAll(selector)].filter((el) => el.checkVisibility()).length"
AFTER = "(el) => getComputedStyle(el, '::after').content"


def shown(page: Page, selector: str) -> int:
    return int(page.evaluate(SHOWN, selector))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_briefing_prints_as_an_article(open_page: OpenPage, scheme: str) -> None:
    page = open_page(color_scheme=scheme, viewport={"width": 1280, "height": 800}).goto(BRIEFING)
    assert shown(page, ".site-header nav a") > 0 and shown(page, ".back-link") == 1, "on screen first"
    page.emulate_media(media="print")
    for chrome in [".site-header", ".site-footer", ".back-link", ".prev-next", ".theme-choice", "button", ".button", ".skip-link"]:
        assert shown(page, chrome) == 0, f"{chrome} is printed"
    for article in ["h1", "#summary", ".concept", ".connections", ".graph .graph-wide svg"]:
        assert shown(page, article) > 0, f"{article} is missing on paper"

    # Black on white whatever the screen's theme.
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"

    # Each link's address follows it; links inside the graph and in-page anchors stay as they are.
    link = page.locator(".connection-list a").first
    href = link.get_attribute("href")
    assert link.evaluate(AFTER) == f'" <{href}>"'
    assert page.locator(".graph a").first.evaluate(AFTER) in ("none", "normal")

    # The graph stays legible: dark text on light boxes, no smaller than on screen.
    graph_text = page.locator(".graph a.node text:not(.node-kind)").first
    assert graph_text.evaluate("el => getComputedStyle(el).fill") == "rgb(0, 0, 0)"
    assert graph_text.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 12
    assert page.locator(".graph a.node:not(.centre) rect").first.evaluate("el => getComputedStyle(el).fill") == "rgb(255, 255, 255)"
    picture = page.locator(".graph .graph-wide svg")
    assert picture.bounding_box()["width"] >= int(picture.get_attribute("width"))  # its own size, never shrunk


def test_explorer_prints_only_its_results(open_page: OpenPage) -> None:
    page = open_page(viewport={"width": 1280, "height": 800}).goto("/briefings/?category=Safety")
    page.emulate_media(media="print")
    for chrome in [".explorer-bar", ".facets", ".chips", ".load-more", ".site-header"]:
        assert shown(page, chrome) == 0, f"{chrome} is printed"
    assert shown(page, ".briefing-card") > 0 and shown(page, ".result-count") == 1
