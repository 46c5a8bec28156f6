"""'Cite this' in Chromium: the Copy button copies the entry; without JavaScript the entry is plain text."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import OpenPage, Visit

pytestmark = pytest.mark.browser

ATTENTION = "/briefings/1-attention-is-all-you-need"


def test_copy_button_copies_the_bibtex_entry(open_page: OpenPage) -> None:
    visit: Visit = open_page(viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"])
    page = visit.goto(ATTENTION)
    button = page.get_by_role("button", name="Copy BibTeX")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".copy-status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("section.cite pre").text_content()
    assert copied.startswith("@") and copied.rstrip().endswith("}")


def test_without_javascript_the_entry_is_there_and_no_dead_button(open_page: OpenPage) -> None:
    visit = open_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = visit.goto(ATTENTION)
    expect(page.locator("section.cite pre")).to_contain_text("@")
    expect(page.get_by_role("button", name="Copy BibTeX")).to_be_hidden()
    links = page.locator("section.cite .downloads a")
    expect(links).to_have_text(["BibTeX", "RIS", "CSL-JSON"])
