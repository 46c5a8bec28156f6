"""Drafts: invisible everywhere in production, shown with a badge in development."""

from __future__ import annotations

from pathlib import Path

from portfolio.content import load_content
from tests.helpers import make_app, parse

DRAFT = 71  # Constitutional Classifiers++: builds on #51, and nothing connects to it
DRAFT_PAGE = "/briefings/71"  # redirects to its full address
DRAFT_TITLE = "Constitutional Classifiers++"
INFLUENCE = 51  # what #71 builds on
PROJECT = "/projects/garden-planner"
DRAFT_PROJECT = "---\ntitle: Garden Planner\nsummary: Plans a garden.\nstatus: active\norder: 9\ndraft: true\n---\nSoon.\n"


def make_draft(path: Path) -> None:
    path.write_text(path.read_text("utf-8").replace("\n---\n", "\ndraft: true\n---\n", 1), "utf-8")


def draft_content(content: Path) -> None:
    (briefing,) = (content / "briefings").glob(f"{DRAFT:03d}-*.md")
    make_draft(briefing)
    (content / "projects" / "garden-planner.md").write_text(DRAFT_PROJECT, "utf-8")


def visible_text(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_draft_exists_nowhere_in_production(content_dir, tmp_path):
    draft_content(content_dir)
    client = make_app(content_dir, tmp_path / "prod.sqlite3", env="production").test_client()
    published = len(load_content(content_dir)[0].briefings)
    assert client.get(DRAFT_PAGE).status_code == 404
    assert client.get(f"/briefings/{DRAFT}").status_code == 404
    assert client.get(PROJECT).status_code == 404
    explorer = parse(client.get("/briefings/?category=Safety&organization=Anthropic"))
    assert DRAFT_TITLE not in explorer.get_text()
    everything = parse(client.get("/briefings/"))
    assert everything.find(class_="result-count").get_text(strip=True).startswith(f"{published} briefings")
    search = parse(client.get("/briefings/?q=classifiers"))
    assert DRAFT_TITLE not in search.get_text()
    assert DRAFT_TITLE not in visible_text(client, f"/briefings/{INFLUENCE}")  # no link back to it
    for url in ("/", "/projects/", "/briefings/feed.xml", "/sitemap.xml"):
        text = visible_text(client, url)
        assert DRAFT_TITLE not in text and f"/briefings/{DRAFT}-" not in text, url
        assert "Garden Planner" not in text and PROJECT not in text, url
    assert client.get("/healthz").get_json()["briefings"] == published


def test_a_draft_is_shown_with_a_badge_in_development(content_dir, tmp_path):
    draft_content(content_dir)
    client = make_app(content_dir, tmp_path / "dev.sqlite3", env="development").test_client()
    page = parse(client.get(DRAFT_PAGE, follow_redirects=True))
    heading = page.find("h1")
    assert heading.find(class_="draft-badge").get_text() == "Draft"
    assert heading.get_text(" ", strip=True).startswith(f"Draft {DRAFT}. {DRAFT_TITLE}")
    card = [a for a in parse(client.get("/projects/")).select(".project-card h3") if "Garden Planner" in a.get_text()]
    assert card and card[0].find(class_="draft-badge") is not None
    published = parse(client.get(f"/briefings/{INFLUENCE}", follow_redirects=True)).find("h1")
    assert published.find(class_="draft-badge") is None


def test_a_published_briefing_connecting_to_a_draft_is_a_named_problem(content_dir, tmp_path):
    (target,) = (content_dir / "briefings").glob("019-*.md")
    make_draft(target)
    runner = make_app(content_dir, tmp_path / "i.sqlite3", sync_first=False).test_cli_runner()
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    (source,) = (content_dir / "briefings").glob("054-*.md")
    expected = (f"briefings/{source.name}: connections[0].influenced_by: briefing #19 is a draft "
                f"(briefings/{target.name}): publish it, or connect from it instead")
    assert expected in result.output.splitlines()
    bundle, problems = load_content(content_dir, include_drafts=True)
    assert problems == []  # a development build shows both


def test_a_menu_link_to_a_draft_project_is_a_named_problem(content_dir):
    make_draft(content_dir / "projects" / "pokebowl.md")
    _, problems = load_content(content_dir)
    assert [str(p) for p in problems] == ["site.yml: nav[2].href: no page at '/projects/pokebowl'"]
