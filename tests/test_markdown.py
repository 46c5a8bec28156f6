"""The Markdown the owner writes: what it renders to."""

from __future__ import annotations

from bs4 import BeautifulSoup

from portfolio.content.markdown import render

def test_commonmark_and_github_extensions_render():
    page = BeautifulSoup(render(
        "| Model | Score |\n|---|---|\n| A | 1 |\n\n~~old~~\n\n```python\nx = 1\n```\n\nSee[^n].\n\n[^n]: A note."
    ), "html.parser")
    assert [cell.get_text() for cell in page.find_all("td")] == ["A", "1"]
    assert page.find("del").get_text() == "old"
    assert page.find("pre").get_text() == "x = 1\n"
    assert "A note." in page.get_text()


def test_headings_get_ids_from_their_words_and_stay_unique():
    page = BeautifulSoup(render("## What we keep\n\ntext\n\n## What we keep\n\nmore"), "html.parser")
    assert [h2["id"] for h2 in page.find_all("h2")] == ["what-we-keep", "what-we-keep-2"]
    assert page.find("a") is None  # no visible "#" permalink beside a heading
