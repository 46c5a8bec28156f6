"""Hostile content files: nothing active in them reaches a page.

The Markdown of a briefing, a project, the About page and a legal page carries scripts,
frames, event handlers, ``javascript:``/``data:`` URLs (plain and obfuscated), off-site
images and ids that would clash with the page's own; the front matter carries markup in its
text fields. Every page that shows any of it is parsed and checked element by element.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.content import load_content
from portfolio.content.markdown import (
    is_local_url,
    render,
)
from tests.helpers import (
    REFUSED_PAYLOADS,
    HOSTILE_NUMBER,
    HOSTILE_PAGES,
    HOSTILE_SUBTITLE,
    HOSTILE_TITLE,
    make_app,
    parse,
    write_hostile_content,
)

FORBIDDEN_ELEMENTS = ["iframe", "frame", "object", "embed", "style", "base", "math", "noscript", "template", "input[formaction]"]
URL_ATTRIBUTES = ["href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data", "background"]
UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.IGNORECASE)


@pytest.fixture
def hostile_app(content_dir: Path, tmp_path: Path) -> Flask:
    write_hostile_content(content_dir)
    _, problems = load_content(content_dir)
    assert problems == [], "the hostile files must be valid content, so they are published"
    return make_app(content_dir, tmp_path / "hostile.sqlite3")


@pytest.fixture
def hostile_client(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


def is_inert_json(data: str) -> bool:
    """A JSON-LD data block (never executed) whose text cannot close its own element."""
    try:
        json.loads(data)
    except ValueError:
        return False
    return "<" not in data


def unsafe_parts(page: BeautifulSoup) -> list[str]:
    """Everything on a page that could run code, style it inline or load from elsewhere."""
    found = []
    for script in page.find_all("script"):
        if script.get("type") == "application/ld+json":
            if not is_inert_json(script.string or ""):
                found.append(f"structured data {script}")
        elif not str(script.get("src", "")).startswith("/static/") or script.string:
            found.append(f"script {script}")
    found += [f"element {element.name}" for element in page.select(", ".join(FORBIDDEN_ELEMENTS))]
    site_forms = {"/briefings/", "/briefings/map", "/briefings/concepts", "/briefings/path"}  # the forms the templates draw
    found += [f"form {form.get('action')}" for form in page.find_all("form") if form.get("action") not in site_forms]
    site_svgs = {"neighbourhood", "influence-map", "legend-line", "legend-dot"}  # the pictures the templates draw
    found += [f"svg {svg.parent.name}" for svg in page.find_all("svg") if not site_svgs & set(svg.get("class") or [])]
    found += [f"meta {meta}" for meta in page.find_all("meta", attrs={"http-equiv": True})]
    for element in page.find_all(True):
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on") or name in ("style", "srcdoc"):
                found.append(f"attribute {element.name} {name}={text!r}")
            if name in URL_ATTRIBUTES and UNSAFE_SCHEME.match(re.sub(r"[\x00-\x20]", "", text)):
                found.append(f"URL {element.name} {name}={text!r}")
            if name == "src" and not is_local_url(text):
                found.append(f"off-site {element.name} src={text!r}")
    for link in page.find_all("link"):
        if not is_local_url(link.get("href", "")) and "canonical" not in link.get("rel", []):
            found.append(f"link {link}")
    return found


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_content_reaches_no_page(hostile_client: FlaskClient, path: str) -> None:
    response = hostile_client.get(path, follow_redirects=True)
    assert response.status_code == 200, path
    page = parse(response)
    assert unsafe_parts(page) == []
    ids = [element["id"] for element in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)}"


def test_front_matter_markup_is_shown_as_text(hostile_client: FlaskClient) -> None:
    page = parse(hostile_client.get(f"/briefings/{HOSTILE_NUMBER}", follow_redirects=True))
    assert HOSTILE_TITLE in page.find("h1").get_text()
    assert page.find("p", class_="subtitle").get_text(strip=True) == HOSTILE_SUBTITLE
    assert "<img src=x onerror=alert('heading')> Heading markup" in page.select_one(".concept h3").get_text()
    graph_names = [" ".join(node.get_text(" ").split()) for node in page.select("svg a.node")]
    assert any(HOSTILE_TITLE in name for name in graph_names)
    project = parse(hostile_client.get("/projects/hostile"))
    assert project.find("h1").get_text() == "<b onclick=alert(1)>Hostile project</b>"


def test_harmless_parts_of_hostile_content_survive(hostile_client: FlaskClient) -> None:
    """The sanitiser removes the active parts, not the text around them."""
    page = parse(hostile_client.get("/about"))
    text = page.find("main").get_text(" ")
    assert "Escaped text <script>alert('shown as text')</script> stays text." in text
    safe_link = page.find("a", string="safe link")
    assert safe_link["href"] == "https://example.org/"
    assert page.find("a", string="handlers")["href"] == "https://example.org/"
    assert page.find("a", string="skip link clash")["href"] == "#content-main"
    assert page.find(id="content-main").get_text(strip=True) == "Paragraph with attributes"
    assert page.find("main")["id"] == "main"


def test_search_snippets_escape_content_text(hostile_client: FlaskClient) -> None:
    page = parse(hostile_client.get("/briefings/?q=shown+text"))
    snippets = page.select(".snippet")
    assert snippets
    assert all(not snippet.find_all(lambda tag: tag.name != "mark") for snippet in snippets)
    assert any("<script>" in snippet.get_text() for snippet in snippets)


@pytest.mark.parametrize(
    ("field", "href"),
    [("links", "javascript:alert(1)"), ("links", "data:text/html,hi"), ("links", "vbscript:x"), ("links", " javascript:x")],
)
def test_unsafe_links_in_front_matter_are_content_errors(content_dir: Path, field: str, href: str) -> None:
    project = content_dir / "projects" / "pokebowl.md"
    project.write_text(project.read_text().replace("links: []", f"links:\n  - label: Bad\n    href: {href!r}"))
    _, problems = load_content(content_dir)
    assert any(p.path.endswith("pokebowl.md") and p.field.startswith(field) for p in problems), problems


def test_unsafe_navigation_link_in_site_config_is_a_content_error(content_dir: Path) -> None:
    site = content_dir / "site.yml"
    site.write_text(site.read_text().replace("href: /about", "href: 'javascript:alert(1)'"))
    _, problems = load_content(content_dir)
    assert any(p.path.endswith("site.yml") and "nav" in p.field for p in problems), problems


# Fragments of markup and URL tricks, combined at random: whatever comes out must be inert.
MARKUP_PIECES = st.sampled_from(
    [
        "<script>", "</script>", "<img src=", "<a href=", "<iframe", "<svg", "<style>", "onerror=", "onclick=",
        "style=", "javascript:", "JAVASCRIPT:", "data:", "vbscript:", "&#106;", "&#x09;", "\t", " ", "\"", "'", ">",
        "<", "/", "//evil.example/", "alert(1)", "![x](", "[x](", ")", "{: ", "}", "\n", "<!--", "-->", "`", "#",
        "<noscript>", "</noscript>", "<p title=\"", "<math>", "<object data=", "<embed src=", "<base href=", "x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKUP_PIECES, max_size=25).map("".join))
def test_any_mix_of_markup_renders_inert(text: str) -> None:
    rendered = render(text)
    assert unsafe_parts(BeautifulSoup(rendered, "html.parser")) == []


@pytest.mark.parametrize("payload", REFUSED_PAYLOADS)
def test_a_payload_check_refuses_is_named_in_any_body_before_a_page_is_built(content_dir: Path, payload: str) -> None:
    about = content_dir / "about.md"
    about.write_text(about.read_text() + "\n\n" + payload + "\n")
    _, problems = load_content(content_dir)
    assert [problem for problem in problems if problem.path == "about.md" and problem.field == "body"], problems
