"""Following ideas in a real browser, on a phone without JavaScript: from a briefing's "How did we
get here from…" form to the trail of connections, and along a reading path."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import OpenPage

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_how_did_we_get_here_leads_to_a_trail_that_fits_a_phone(open_page: OpenPage) -> None:
    page = open_page(java_script_enabled=False, viewport=PHONE).goto("/briefings/54-activating-ai-safety-level-3-protections")
    page.get_by_label("How did we get here from…").select_option("1")
    page.get_by_role("button", name="Show the path").click()
    page.wait_for_url("**/briefings/path?to=54&from=1")
    titles = page.locator(".chains .trail-title").all_inner_texts()
    assert titles[0].startswith("1. ") and titles[-1].startswith("54. ")
    assert page.locator(".chains .trail-step").count() == len(titles) - 1
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], "the trail must not scroll sideways on a phone"


def test_a_reading_path_walks_part_by_part(open_page: OpenPage) -> None:
    page = open_page(viewport=PHONE).goto("/paths/")
    page.get_by_role("link", name="From human preferences to today's post-training").click()
    page.locator(".trail-title a").first.click()
    part = page.get_by_role("navigation", name="Reading path: From human preferences to today's post-training")
    assert part.inner_text().startswith("Part 1 of 10")
    part.locator("a[rel=next]").click()
    assert page.get_by_role("navigation", name="Reading path: From human preferences to today's post-training") \
        .inner_text().startswith("Part 2 of 10")
