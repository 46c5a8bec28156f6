"""The Markdown the owner writes: what it renders to, part by part and in one pass."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from portfolio.content.markdown import render, render_many

TRICKY_PARTS = [
    pytest.param(["Plain *summary*.", "First concept.", "Second concept."], id="plain"),
    pytest.param(["```\nan open fence never closed", "Next part."], id="open-fence"),
    pytest.param(["<div>\nan HTML block left open", "Next part."], id="open-html-block"),
    pytest.param(["Cited.[^1]\n\n[^1]: The note.", "Another.[^1]\n\n[^1]: Its own note."], id="footnotes"),
    pytest.param(["#### Details\n\nOne.", "#### Details\n\nTwo."], id="same-heading-in-two-parts"),
    pytest.param(["#### Main\n\nA heading named like the page's own landmark.", "x"], id="template-id"),
    pytest.param(['<hr id="portfolio-part-break">', "x"], id="the-break-itself"),
    pytest.param(["<HR ID='portfolio-part-break'>", "x"], id="the-break-respelled"),
    pytest.param(["[link][ref]", "[ref]: https://example.org/"], id="reference-in-another-part"),
    pytest.param(["| a | b |\n|---|---|\n| 1 | 2 |", "~~gone~~ and https://example.org"], id="gfm"),
]


@pytest.mark.parametrize("texts", TRICKY_PARTS)
def test_one_pass_renders_each_part_as_it_would_alone(texts):
    assert render_many(texts) == [render(text) for text in texts]


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
