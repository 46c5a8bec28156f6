"""`content check` on a briefing's source: link schemes in the body, shared identifiers, required fields."""

from __future__ import annotations

import pytest

from portfolio.content.schema import BriefingMeta
from portfolio.content.checks import missing_sources
from portfolio.content.urls import body_urls, front_matter_urls, scheme_problems
from tests.helpers import append_to_body, set_front_matter


def check(runner, content_dir):
    result = runner.invoke(args=["content", "check", "--content-dir", str(content_dir)])
    return result.exit_code, result.output.splitlines()


def lines_for(lines, prefix):
    return [line for line in lines if line.startswith(prefix)]


HOSTILE_LINKS = [
    ("[x](javascript:alert(1))", "'javascript:alert(1)'"),
    ("[x](JaVaScRiPt:alert(1))", "'JaVaScRiPt:alert(1)'"),
    ('<a href="jav&#x61;script:alert(1)">x</a>', "'javascript:alert(1)'"),
    ('<a href="java&#x09;script:alert(1)">x</a>', r"'java\tscript:alert(1)'"),
    ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "'data:image/svg+xml;base64,PHN2Zz4='"),
    ("<ftp://example.org/paper.pdf>", "'ftp://example.org/paper.pdf'"),
    ("[x][ref]\n\n[ref]: vbscript:msgbox", "'vbscript:msgbox'"),
    ("[mail](mailto:someone@example.org)", "'mailto:someone@example.org'"),
    ("Write to someone@example.org for a copy.", "'mailto:someone@example.org'"),
]


@pytest.mark.parametrize(("markdown", "shown"), HOSTILE_LINKS)
def test_check_names_body_links_with_other_schemes(runner, content_dir, markdown, shown):
    path = append_to_body(content_dir, 12, markdown)
    code, lines = check(runner, content_dir)
    assert code == 1
    rel = f"briefings/{path.name}"
    assert f"{rel}: body: link to {shown}: only http and https links (or links within the site) are allowed" in lines


def test_web_and_site_links_in_a_body_are_fine():
    body = "[a](https://arxiv.org/abs/1706.03762) [b](/briefings/1) [c](#summary) <http://example.org/x>"
    assert scheme_problems(body) == []
    assert body_urls(body) == ["https://arxiv.org/abs/1706.03762", "/briefings/1", "#summary", "http://example.org/x"]


def test_bare_web_addresses_are_links_the_checker_sees():
    body = "Code at https://github.com/openai/gpt-2 and notes at www.example.org."
    assert body_urls(body) == ["https://github.com/openai/gpt-2", "http://www.example.org"]


def test_front_matter_urls_are_found_wherever_they_are():
    data = {"url": "https://a.org", "links": [{"label": "x", "href": "http://b.org/c"}], "title": "https: no"}
    assert list(front_matter_urls(data)) == [("url", "https://a.org"), ("links[0].href", "http://b.org/c")]


def test_same_arxiv_id_on_two_briefings_names_both_files(runner, content_dir):
    first = set_front_matter(content_dir, 1, arxiv="1706.03762")
    second = set_front_matter(content_dir, 2, arxiv="1706.03762v5")
    code, lines = check(runner, content_dir)
    assert code == 1
    a, b = f"briefings/{first.name}", f"briefings/{second.name}"
    assert f"{a}: arxiv: arXiv id 1706.03762 is also given by {b}" in lines
    assert f"{b}: arxiv: arXiv id 1706.03762 is also given by {a}" in lines


def test_same_doi_in_another_case_is_the_same_doi(runner, content_dir):
    first = set_front_matter(content_dir, 3, doi="10.1038/nature16961")
    second = set_front_matter(content_dir, 4, doi="10.1038/NATURE16961")
    code, lines = check(runner, content_dir)
    assert code == 1
    assert lines_for(lines, f"briefings/{first.name}: doi: DOI 10.1038/nature16961 is also given by briefings/{second.name}")
    assert lines_for(lines, f"briefings/{second.name}: doi: DOI 10.1038/nature16961 is also given by briefings/{first.name}")


def test_url_is_required_and_a_paper_needs_its_authors():
    base = {"number": 1, "title": "T", "subtitle": "S", "category": "Architecture", "organizations": ["Google"],
            "date": "2017-06", "added": "2026-11-26", "sources": ["https://example.org/checked"]}
    paper = BriefingMeta.model_validate({**base, "tags": ["Paper"]})
    policy = BriefingMeta.model_validate({**base, "tags": ["Policy"], "url": "https://example.org/policy"})
    problems = [str(problem) for problem in missing_sources([("briefings/001-t.md", paper), ("briefings/002-p.md", policy)])]
    assert problems == [
        "briefings/001-t.md: url: required: the document's canonical landing page (http or https)",
        "briefings/001-t.md: authors: required on a briefing tagged Paper: the names as printed, in order",
    ]


def test_check_requires_the_url_and_a_papers_authors(runner, content_dir):
    paper = set_front_matter(content_dir, 1, url=None, authors=None)
    policy = set_front_matter(content_dir, 54, authors=None)
    code, lines = check(runner, content_dir)
    assert code == 1
    rel = f"briefings/{paper.name}"
    assert lines_for(lines, "briefings/") == [
        f"{rel}: authors: required on a briefing tagged Paper: the names as printed, in order",
        f"{rel}: url: required: the document's canonical landing page (http or https)",
    ], "a policy may leave out its authors; nothing else is wrong"
    assert policy.exists()


def test_hostile_metadata_is_named_file_by_file(runner, content_dir):
    """Several broken files at once: every problem is reported against its own file and field."""
    one = set_front_matter(content_dir, 5, url="javascript:alert(1)")
    two = set_front_matter(content_dir, 6, pdf="data:application/pdf;base64,AAAA", arxiv="12345")
    three = append_to_body(content_dir, 7, "[x](javascript:void(0))")
    code, lines = check(runner, content_dir)
    assert code == 1
    assert lines_for(lines, f"briefings/{one.name}: url: ")
    assert lines_for(lines, f"briefings/{two.name}: pdf: ") and lines_for(lines, f"briefings/{two.name}: arxiv: ")
    assert lines_for(lines, f"briefings/{three.name}: body: link to 'javascript:void(0)'")
