"""``content new``: a ready-to-edit draft with the next free number, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.content import load_content
from portfolio.content.parsing import split_front_matter


def test_new_briefing_takes_the_next_free_number_and_asks_for_every_choice(runner, content_dir):
    highest = max(int(p.name[:3]) for p in (content_dir / "briefings").glob("*.md"))
    title = "Model Spec: A Reading of the Principles Behind Assistant Behaviour in Deployment"
    result = runner.invoke(args=["content", "new", "briefing", "--title", title])
    assert result.exit_code == 0, result.output
    created = Path(result.output.strip())
    assert created.name == f"{highest + 1:03d}-model-spec-a-reading-of-the-principles-behind-assistant.md"
    front, _ = split_front_matter(created.read_text("utf-8"))
    assert set(front) >= {"number", "title", "subtitle", "category", "organizations", "date", "key", "tags",
                          "authors", "url", "arxiv", "doi", "pdf", "code", "added", "updated", "sources",
                          "connections", "draft"}
    _, problems = load_content(content_dir, include_drafts=True)
    rel = f"briefings/{created.name}"
    # Nothing is chosen for her: content check asks for each choice in plain words.
    assert [str(problem) for problem in problems] == [
        f"{rel}: category: empty: fill it in",
        f"{rel}: date: must be a month YYYY-MM or a date YYYY-MM-DD",
        f"{rel}: organizations: required: every organisation of the document, as a list, e.g. [Anthropic]",
        f"{rel}: subtitle: empty: fill it in",
    ]
    published, problems = load_content(content_dir)
    assert highest + 1 not in {b["number"] for b in published.briefings}


def test_new_project_is_ready_to_edit(runner, content_dir):
    result = runner.invoke(args=["content", "new", "project", "--title", "Garden Planner"])
    assert result.exit_code == 0, result.output
    assert Path(result.output.strip()) == content_dir / "projects" / "garden-planner.md"
    bundle, problems = load_content(content_dir, include_drafts=True)
    assert problems == []
    assert "garden-planner" in {p["slug"] for p in bundle.projects}
    published, _ = load_content(content_dir)
    assert "garden-planner" not in {p["slug"] for p in published.projects}


@pytest.mark.parametrize("kind", ["briefing", "project"])
@pytest.mark.parametrize(("title", "message"), [
    ("", "a title needs at least one word"),
    ("  \t ", "a title needs at least one word"),
    ("x" * 201, "at most 200 characters (this one has 201)"),
])
def test_new_refuses_a_title_content_check_would_refuse(runner, content_dir, kind, title, message):
    before = sorted(content_dir.rglob("*.md"))
    result = runner.invoke(args=["content", "new", kind, "--title", title])
    assert result.exit_code == 2
    assert f"Invalid value for '--title': {message}" in result.output
    assert sorted(content_dir.rglob("*.md")) == before


def test_new_writes_a_title_of_several_lines_as_one(runner, content_dir):
    result = runner.invoke(args=["content", "new", "project", "--title", "  Garden\n  Planner: Two  "])
    assert result.exit_code == 0, result.output
    bundle, problems = load_content(content_dir, include_drafts=True)
    assert problems == []
    assert "Garden Planner: Two" in {p["title"] for p in bundle.projects}
    assert Path(result.output.strip()).name == "garden-planner-two.md"


def test_new_refuses_to_overwrite(runner, content_dir):
    result = runner.invoke(args=["content", "new", "project", "--title", "Pokebowl"])
    assert result.exit_code != 0
    assert "already exists" in result.output
