"""The influence map as a visitor reads it in Chromium: no connection is drawn through a briefing
it does not join, every briefing shows its title, the newest come first, and hovering or
focusing a briefing picks out its own connections."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from portfolio.config import REPO_ROOT
from portfolio.content import load_content
from tests.e2e.helpers import OpenPage, assert_accessible

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
VIEWS = ["/briefings/map", "/briefings/map?category=Safety", "/briefings/map?around=54",
         "/briefings/map?organization=Anthropic&key=1", "/briefings/map?around=19"]

# Every drawn connection sampled every 2 px along its length, in screen coordinates, against the
# screen box of every briefing it does not join. Returns the crossings found, and what was checked.
CROSSINGS = """() => {
  const svg = [...document.querySelectorAll('svg.influence-map')].find(s => s.getClientRects().length);
  const boxes = [...svg.querySelectorAll('a.node')].map(node => {
    const r = node.getBoundingClientRect();
    return {number: node.dataset.number, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  });
  const crossings = [];
  let edges = 0;
  for (const edge of svg.querySelectorAll('path.edge')) {
    if (!edge.getClientRects().length) continue;
    edges += 1;
    const ends = [edge.dataset.source, edge.dataset.target];
    const matrix = edge.getScreenCTM();
    const length = edge.getTotalLength();
    for (let at = 0; at <= length; at += 2) {
      const p = edge.getPointAtLength(at).matrixTransform(matrix);
      for (const box of boxes) {
        if (ends.includes(box.number)) continue;
        if (p.x > box.left && p.x < box.right && p.y > box.top && p.y < box.bottom) {
          crossings.push(`${ends[0]}→${ends[1]} crosses ${box.number}`);
          break;
        }
      }
    }
  }
  return {edges, nodes: boxes.length, crossings: [...new Set(crossings)]};
}"""


def visible_map(page: Page):
    return page.locator("svg.influence-map:visible")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", VIEWS)
def test_no_connection_is_drawn_through_a_briefing_it_does_not_join(open_page: OpenPage, path: str, size: str,
                                                                    scheme: str) -> None:
    page = open_page(viewport=SIZES[size], is_mobile=size == "phone", color_scheme=scheme).goto(path)
    found = page.evaluate(CROSSINGS)
    assert found["nodes"] > 1 and found["edges"] > 0
    assert found["crossings"] == [], f"{path} at {size}: {found['crossings'][:10]}"


def newest_documents(count: int) -> list[int]:
    """The bundled briefings' numbers by their documents' dates, newest first (the map's order)."""
    bundle, _ = load_content(REPO_ROOT / "content")
    ordered = sorted(bundle.briefings, key=lambda row: (row["date_key"], row["number"]), reverse=True)
    return [row["number"] for row in ordered[:count]]


@pytest.mark.parametrize("size", SIZES)
def test_every_briefing_shows_its_title_newest_first(open_page: OpenPage, size: str) -> None:
    page = open_page(viewport=SIZES[size], is_mobile=size == "phone").goto("/briefings/map")
    names = visible_map(page).locator("a.node").evaluate_all("nodes => nodes.map(n => n.textContent)")
    assert any("Activating AI Safety Level 3 Protections" in " ".join(name.split()) for name in names)
    numbers = visible_map(page).locator("a.node").evaluate_all("nodes => nodes.map(n => +n.dataset.number)")
    first_box = visible_map(page).locator("a.node").first.bounding_box()
    assert first_box is not None and first_box["y"] < SIZES[size]["height"] * 1.5  # the newest is near the top
    assert numbers[:5] == newest_documents(5)
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def highlighted(page: Page) -> set[tuple[str, str]]:
    return set(map(tuple, visible_map(page).locator("path.edge").evaluate_all(
        "edges => edges.filter(e => e.getClientRects().length && getComputedStyle(e).opacity === '1')"
        ".map(e => [e.dataset.source, e.dataset.target])")))


def test_focusing_a_briefing_picks_out_its_own_connections(open_page: OpenPage) -> None:
    page = open_page(viewport=SIZES["desktop"]).goto("/briefings/map?category=Safety")
    visible_map(page).locator("a.node[data-number='51']").focus()
    picked = highlighted(page)
    assert picked and all("51" in pair for pair in picked)
    assert ("54", "51") in picked  # written by 54, naming 51: shown on 51 too


def test_around_a_briefing_opens_on_it(open_page: OpenPage) -> None:
    page = open_page(viewport=SIZES["phone"], is_mobile=True).goto("/briefings/map?around=19")
    node = visible_map(page).locator("a.node[data-number='19']")
    box = node.bounding_box()
    assert box is not None and 0 <= box["y"] < SIZES["phone"]["height"]
    assert "centre" in (node.get_attribute("class") or "")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
def test_the_map_has_no_axe_violations(open_page: OpenPage, size: str, scheme: str) -> None:
    page = open_page(viewport=SIZES[size], is_mobile=size == "phone", color_scheme=scheme).goto("/briefings/map?around=54")
    assert_accessible(page)
