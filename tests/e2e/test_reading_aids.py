"""The way to the paper, subscribing, and the concept index's A-Z bar, as a visitor meets them in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import OpenPage, assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def test_read_the_paper_is_one_big_link_near_the_top_on_a_phone(open_page: OpenPage) -> None:
    page = open_page(**PHONE).goto("/briefings/31")
    link = page.get_by_role("link", name="Read the paper on arXiv 2305.18290 (another site)")
    box = link.bounding_box()
    assert box is not None and box["height"] >= 44 and box["y"] + box["height"] <= PHONE["viewport"]["height"]
    assert link.get_attribute("href") == "https://arxiv.org/abs/2305.18290"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_subscribing_opens_a_page_a_person_can_read(open_page: OpenPage, scheme: str) -> None:
    page = open_page(color_scheme=scheme, **DESKTOP).goto("/briefings/?category=Safety")
    page.get_by_role("link", name="Subscribe to this view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subscribe to this view")
    address = page.locator("#feed-address")
    expect(address).to_have_text(page.url.split("/briefings/")[0] + "/briefings/feed.xml?category=Safety")
    expect(page.get_by_role("button", name="Copy the address")).to_be_visible()
    assert_accessible(page)


def test_the_alphabet_bar_jumps_to_a_letter_and_stays_in_view(open_page: OpenPage) -> None:
    page = open_page(**PHONE).goto("/briefings/concepts")
    bar = page.get_by_role("navigation", name="Jump to a letter")
    bar.get_by_role("link", name="M", exact=True).click()
    heading = page.locator("h2#letter-m")
    page.wait_for_function("() => location.hash === '#letter-m'")
    box, bar_box = heading.bounding_box(), bar.bounding_box()
    assert box is not None and bar_box is not None
    assert bar_box["y"] <= 1  # the bar stays at the top of the screen
    assert bar_box["y"] + bar_box["height"] <= box["y"] < PHONE["viewport"]["height"]  # the letter shows below it
    assert_accessible(page)
