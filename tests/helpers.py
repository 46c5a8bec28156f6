"""Helpers shared by the test modules: apps over a copy of the content, parsed pages, route samples,
and the hostile content that the sanitising tests (unit and browser) publish."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup
from flask import Flask

from portfolio import create_app
from portfolio.config import Settings
from portfolio.content import ContentError, sync
from portfolio.content.parsing import split_front_matter
from portfolio.content.urls import scan_body, scheme_problems


def make_app(content: Path, database: Path, sync_first: bool = True, **overrides: Any) -> Flask:
    """An app over ``content`` and its own index; ``overrides`` are Settings fields (``env=...``).

    The index is synced first, as ``content sync`` would (unless told not to): creating the app
    builds nothing. Content that does not validate leaves no index (or the earlier one).
    """
    settings = Settings(**({"env": "testing", "content_dir": content, "database_url": f"sqlite:///{database}"}
                           | overrides))
    if sync_first:
        try:
            sync(settings.content_dir, settings.database_url, include_drafts=settings.env == "development")
        except ContentError:
            pass
    return create_app(settings)


def parse(response: Any) -> BeautifulSoup:
    """The response body as a parsed HTML document."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def briefing_file(content: Path, number: int) -> Path:
    (path,) = (content / "briefings").glob(f"{number:03d}-*.md")
    return path


def set_front_matter(content: Path, number: int, **fields: Any) -> Path:
    """Rewrite one briefing's front matter with ``fields`` set (``None`` removes a field)."""
    path = briefing_file(content, number)
    front, body = split_front_matter(path.read_text("utf-8"))
    for name, value in fields.items():
        if value is None:
            front.pop(name, None)
        else:
            front[name] = value
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n{body}", "utf-8")
    return path


def append_to_body(content: Path, number: int, text: str) -> Path:
    path = briefing_file(content, number)
    path.write_text(path.read_text("utf-8").rstrip("\n") + "\n\n" + text + "\n", "utf-8")
    return path


# A real address for each route that takes arguments; the others are requested as they are.
SAMPLE_PATHS = {
    "static": ["/static/css/site.css", "/static/img/favicon.svg"],
    "site.project": ["/projects/pokebowl"],
    "site.legal": ["/legal/privacy"],
    "briefings.briefing": ["/briefings/54-activating-ai-safety-level-3-protections"],
    "previews.image": ["/previews/briefing-54.000000000000.png", "/previews/site.000000000000.png"],
    "briefings.briefing_bib": ["/briefings/54.bib"],
    "briefings.briefing_ris": ["/briefings/54.ris"],
    "briefings.briefing_json": ["/briefings/54.json"],
    "media.image": ["/media/0000000000000000/figure.png"],
    "paths.reading_path": ["/paths/human-preferences-to-post-training"],
    "paths.feed": ["/paths/human-preferences-to-post-training/feed.xml"],
}

def route_paths(app: Flask) -> list[str]:
    """One path per GET route of the app, so a new route is covered (or asks for a sample)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        if rule.arguments:
            assert rule.endpoint in SAMPLE_PATHS, f"add a sample path for {rule.rule} to SAMPLE_PATHS"
            paths += SAMPLE_PATHS[rule.endpoint]
        else:
            paths.append(rule.rule)
    return paths


# Each payload sets window.__pwned or opens a dialog if it ever runs (the browser test checks).
PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=\"window.__pwned='onerror'\">",
    "<img src=\"https://evil.example/pixel.png\" alt=\"tracker\">",
    "<img src=\"//evil.example/pixel.png\" alt=\"protocol-relative tracker\">",
    "<img src=\"/&#9;/evil.example/pixel.png\" alt=\"tab-split tracker\">",
    "![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+)",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<iframe srcdoc=\"<script>parent.__pwned='srcdoc'</script>\"></iframe>",
    "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/x.swf\">",
    "[plain javascript](javascript:window.__pwned='link')",
    "[mixed case](JaVaScRiPt:alert(1))",
    "<a href=\"java&#x09;script:alert(1)\">tab in scheme</a>",
    "<a href=\"&#106;avascript:alert(1)\">entity in scheme</a>",
    "<a href=\" javascript:alert(1)\">leading space</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data link</a>",
    "<a href=\"vbscript:msgbox(1)\">vbscript</a>",
    "[reference link][evil]\n\n[evil]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<a href=\"https://example.org/\" onclick=\"alert(1)\" onmouseover=\"alert(1)\">handlers</a>",
    "<div style=\"background:url(javascript:alert(1))\" onfocus=\"alert(1)\" tabindex=\"0\">styled</div>",
    "<p onclick=\"alert(1)\" style=\"color:red\" id=\"main\">Paragraph with attributes</p>",
    "<svg onload=\"alert(1)\"><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<form action=\"https://evil.example/\"><input name=\"q\"><button formaction=\"javascript:alert(1)\">go</button></form>",
    "<style>body { display: none }</style><link rel=\"stylesheet\" href=\"https://evil.example/x.css\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\"><base href=\"https://evil.example/\">",
    "<details open ontoggle=\"alert(1)\"><summary>toggle</summary></details>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<!-- <script>alert(1)</script> -->",
    "<p title=\"&quot;><script>alert(1)</script>\">quoted attribute</p>",
    "Escaped text &lt;script&gt;alert('shown as text')&lt;/script&gt; stays text.",
    "[skip link clash](#main) and [safe link](https://example.org/)",
]

HOSTILE_TITLE = "<script>alert('title')</script> Hostile briefing"
HOSTILE_SUBTITLE = "\"><img src=x onerror=alert('subtitle')> subtitle"
HOSTILE_NUMBER = 990


HOSTILE_AUTHORS = ["<script>alert('author')</script> Mallory", 'Eve "><img src=x onerror=alert(1)>', "Trudy {\\} & % $ # _ ~ ^"]
def refused_by_check(payload: str) -> bool:
    """Whether content check names the payload: a link with a scheme other than http(s), or an image
    (every image here is missing or on another site)."""
    found = scan_body(payload)
    return bool(scheme_problems(found.urls) or found.images)


# What content check lets through is published, for the sanitiser to prove itself on; the rest is
# refused before any page is built (tests/test_sanitising.py holds check to naming each).
PUBLISHED_PAYLOADS = [payload for payload in PAYLOADS if not refused_by_check(payload)]
REFUSED_PAYLOADS = [payload for payload in PAYLOADS if refused_by_check(payload)]
HOSTILE_MARKDOWN = "\n\n".join(PUBLISHED_PAYLOADS)


def write_hostile_content(content: Path) -> None:
    """Add hostile Markdown to a copy of the content; the front matter stays valid, so it publishes."""
    concepts = "\n\n".join(
        f"### Concept {index}\n\n{payload}"  # ids appear once, in the summary: a page's ids stay unique
        for index, payload in enumerate([payload for payload in PUBLISHED_PAYLOADS if "id=" not in payload][:10])
    )
    (content / "briefings" / f"{HOSTILE_NUMBER}-hostile.md").write_text(
        textwrap.dedent(
            f"""\
            ---
            number: {HOSTILE_NUMBER}
            title: {json.dumps(HOSTILE_TITLE)}
            subtitle: {json.dumps(HOSTILE_SUBTITLE)}
            category: Safety
            organizations: [Anthropic]
            date: 2025-06
            added: 2026-11-30
            sources: [https://example.org/hostile]
            tags: [Paper]
            authors: {json.dumps(HOSTILE_AUTHORS)}
            url: "https://example.org/hostile?a=1&b=<2>"
            connections:
              - influenced_by: 54
                note: "<script>alert('note')</script> The note is text, never markup."
            ---
            """
        )
        + "## Summary\n\n" + "\n\n".join(PUBLISHED_PAYLOADS) + "\n\n## Key Concepts\n\n"
        + "### <img src=x onerror=alert('heading')> Heading markup\n\nText.\n\n"
        + concepts
        + "\n"
    )
    (content / "projects" / "hostile.md").write_text(
        "---\ntitle: '<b onclick=alert(1)>Hostile project</b>'\nsummary: '<script>alert(1)</script>'\n"
        "status: active\norder: 9\ntags: ['<i>tag</i>']\n---\n" + HOSTILE_MARKDOWN + "\n"
    )
    for page in (content / "about.md", content / "legal" / "privacy.md"):
        page.write_text(page.read_text() + "\n\n" + HOSTILE_MARKDOWN + "\n")


HOSTILE_PAGES = [
    "/",
    "/about",
    "/legal/privacy",
    "/projects/",
    "/projects/hostile",
    "/briefings/",
    "/briefings/?q=alert",
    "/briefings/?q=shown+text",
    f"/briefings/{HOSTILE_NUMBER}",
    "/briefings/54-activating-ai-safety-level-3-protections",
    "/briefings/map",
    "/briefings/map?lanes=organization",
    "/briefings/concepts",
]
