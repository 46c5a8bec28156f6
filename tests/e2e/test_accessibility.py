"""axe-core in the browser on every page type, in the light and the dark colour scheme."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import OpenPage, assert_accessible

pytestmark = pytest.mark.browser

# (page type, path, expected status)
PAGE_TYPES = [
    ("home", "/", 200),
    ("about", "/about", 200),
    ("projects", "/projects/", 200),
    ("projects by tag", "/projects/?tag=Health", 200),
    ("projects, unknown tag", "/projects/?tag=Nothing", 200),
    ("project", "/projects/pokebowl", 200),
    ("explorer", "/briefings/", 200),
    ("explorer filtered", "/briefings/?category=Safety&organization=Anthropic&q=scaling", 200),
    ("explorer with no results", "/briefings/?q=zzzzqqqq", 200),
    ("explorer page 2", "/briefings/?page=2", 200),
    ("briefing", "/briefings/54-activating-ai-safety-level-3-protections", 200),
    ("legal page", "/legal/privacy", 200),
    ("reading paths", "/paths/", 200),
    ("reading path", "/paths/human-preferences-to-post-training", 200),
    ("path between two", "/briefings/path?from=1&to=54", 200),
    ("no path between two", "/briefings/path?from=3&to=5", 200),
    ("path chooser", "/briefings/path", 200),
    ("not found", "/no-such-page", 404),
    ("bad query", "/briefings/?page=0", 400),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("name", "path", "status"), PAGE_TYPES, ids=[name for name, _, _ in PAGE_TYPES])
def test_page_has_no_axe_violations(open_page: OpenPage, name: str, path: str, status: int, scheme: str) -> None:
    visit = open_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    if status != 200:
        visit.watch.allow_console_error(rf"status of {status}")
    page = visit.goto(path, expect_status=status)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page)


def test_briefing_graph_is_scanned(open_page: OpenPage) -> None:
    """The briefing above draws its connection graph: linked SVG nodes axe must also pass."""
    page = open_page().goto("/briefings/54-activating-ai-safety-level-3-protections")
    graph = page.get_by_role("group", name="Connection graph of briefing 54")
    expect(graph).to_be_visible()
    assert graph.get_by_role("link").count() >= 2


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/briefings/?category=Safety", "/briefings/54-activating-ai-safety-level-3-protections"])
def test_phone_layout_with_menu_open_has_no_axe_violations(open_page: OpenPage, path: str, scheme: str) -> None:
    page = open_page(viewport={"width": 390, "height": 844}, color_scheme=scheme, is_mobile=True).goto(path)
    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert_accessible(page)
