"""The owner's loop in a real browser: an open page reloads itself when a briefing is saved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import LiveServer, OpenPage, copy_content, serve

pytestmark = pytest.mark.browser

TITLE = "title: Activating AI Safety Level 3 Protections"


@pytest.fixture
def dev_site(tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    content = copy_content(tmp_path)
    with serve(content, tmp_path / "dev.sqlite3", env="development") as site:
        yield site, content


def mark(page: Page) -> None:
    """A flag that only a reload clears."""
    page.evaluate("() => { window.__notReloaded = true; }")


def reloaded(page: Page, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate("() => window.__notReloaded") is None:
                return True
        except Exception:  # the page is navigating
            pass
        time.sleep(0.05)
    return False


def test_a_saved_briefing_reloads_the_open_page(open_page: OpenPage, dev_site) -> None:
    site, content = dev_site
    visit = open_page(site=site)
    page = visit.goto("/briefings/54-activating-ai-safety-level-3-protections")
    page.wait_for_timeout(700)  # the script's first poll starts the watcher
    mark(page)
    (path,) = (content / "briefings").glob("054-*.md")
    path.write_text(path.read_text("utf-8").replace(TITLE, "title: ASL-3 Edited Live"), "utf-8")
    assert reloaded(page)
    expect(page.locator("h1")).to_contain_text("54. ASL-3 Edited Live")


def test_a_broken_save_reloads_into_the_problems_banner(open_page: OpenPage, dev_site) -> None:
    site, content = dev_site
    visit = open_page(site=site)
    page = visit.goto("/about")
    page.wait_for_timeout(700)
    mark(page)
    (content / "about.md").write_text("---\ntitle: [\n---\n", "utf-8")
    assert reloaded(page)
    expect(page.locator("aside[aria-label='Content problems']")).to_contain_text("about.md: front matter")
    expect(page.locator("h1")).to_have_text("About Me")
