"""One briefing file on its own: front matter plus a body of ``## Summary`` and ``## Key Concepts``.

Everything here depends only on the file's own bytes, so a parse can be reused while the bytes
are unchanged (``loader.ParseCache``). A field derived from one briefing alone belongs in
``record``; a fact that needs the other briefings belongs in ``checks`` (a problem) or in
``loader`` (tables computed over the whole published set).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .citekeys import base_key
from .markdown import plain_text, render, slugify
from .media import Media, Placed, place_images, resolve_images
from .parsing import Problem, read_markdown, validate
from .related import WordCounts, document_terms
from .schema import BriefingMeta, WrittenConnection
from .urls import scan_body, scheme_problems

# Ids the briefing page itself uses: a concept's anchor never takes one (it gets '-2').
PAGE_IDS = frozenset({"summary", "key-concepts", "connections", "related-briefings", "graph-title", "graph-desc",
                      "main", "site-nav", "menu-toggle"})
SUMMARY = "Summary"
KEY_CONCEPTS = "Key Concepts"


@dataclass
class ParsedBriefing:
    """What can be known from one briefing file: its validated front matter and its index row."""

    rel: str
    meta: BriefingMeta | None
    record: dict[str, Any]
    problems: list[Problem]
    terms: WordCounts = field(default_factory=dict)  # its words, for related briefings
    cite_base: str = ""  # its citation key before the set makes it unique (citekeys.assign_keys)
    links: list[str] = field(default_factory=list)  # what its body links to (checks.link_problems)
    anchors: frozenset[str] = frozenset()  # the ids a link may name on its page
    media: list[Media] = field(default_factory=list)  # the images its body places
    marked_draft: bool = False  # its front matter says draft: true, valid or not

    @property
    def number(self) -> int:
        return self.meta.number if self.meta else 0

    @property
    def connections(self) -> list[WrittenConnection]:
        return self.meta.connections if self.meta else []

    def published(self, include_drafts: bool) -> bool:
        """Whether a build puts it in the index: a valid briefing, and not a draft unless drafts are shown."""
        return self.meta is not None and (include_drafts or not self.meta.draft)


def split_sections(body: str, marker: str) -> tuple[str, list[tuple[str, str]]]:
    """Split Markdown at lines starting with ``marker`` ('## ' or '### ').

    Returns the text before the first heading and (heading, text) pairs.
    """
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and line.startswith(marker) and not line.startswith(marker + "#"):
            heading = line[len(marker):].strip().rstrip("#").strip()
            sections.append((heading, []))
        elif sections:
            sections[-1][1].append(line)
        else:
            preamble.append(line)
    return "\n".join(preamble), [(heading, "\n".join(lines)) for heading, lines in sections]


def parse_body(body: str, placed: Placed | None = None) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The rendered Summary and Key Concepts (with the ``placed`` images), and (field, message) problems."""
    problems: list[tuple[str, str]] = []
    preamble, sections = split_sections(body, "## ")
    if preamble.strip():
        problems.append(("body", "text before the '## Summary' heading"))
    by_name: dict[str, str] = {}
    for heading, text in sections:
        if heading not in (SUMMARY, KEY_CONCEPTS):
            problems.append(
                ("body", f"unknown section '## {heading}' (expected '## Summary', '## Key Concepts')")
            )
        elif heading in by_name:
            problems.append(("body", f"section '## {heading}' appears twice"))
        else:
            by_name[heading] = text
    summary = by_name.get(SUMMARY, "")
    for name in (SUMMARY, KEY_CONCEPTS):
        misplaced = re.search(rf"^(#{{1,6}}) {name}\s*$", body, re.MULTILINE)
        if name not in by_name and misplaced and misplaced[1] != "##":
            problems.append(("body", f"'{misplaced[1]} {name}' should be '## {name}'"))
    if not summary.strip() and not any("should be '## Summary'" in message for _, message in problems):
        problems.append(("body", "missing '## Summary' section (or it is empty)"))
    intro, concept_sections = split_sections(by_name.get(KEY_CONCEPTS, ""), "### ")
    if intro.strip():
        problems.append(("body", "text in '## Key Concepts' before its first '### ' heading"))
    summary_html = place_images(render(summary), placed or {})
    concept_html = [place_images(render(text), placed or {}) for _, text in concept_sections]
    concepts = []
    anchors: set[str] = set()
    for (heading, _), html in zip(concept_sections, concept_html):
        anchor = slugify(heading, 50)
        while anchor in anchors or anchor in PAGE_IDS:
            anchor += "-2"
        anchors.add(anchor)
        concepts.append({"heading": heading, "anchor": anchor, "html": html, "text": plain_text(html)})
    return (
        {"summary_html": summary_html, "summary_text": plain_text(summary_html), "concepts": concepts},
        problems,
    )


def record(meta: BriefingMeta, rel: str, body: dict[str, Any]) -> dict[str, Any]:
    """The briefing's rows in the index (``briefing`` and ``briefing_text``): its front matter, flattened,
    and its rendered body, with the plain text that search and related briefings read."""
    day = meta.date.day
    return {
        "number": meta.number,
        "slug": slugify(meta.title),
        "title": meta.title,
        "subtitle": meta.subtitle,
        "category": meta.category,
        "organizations": list(dict.fromkeys(meta.organizations)),
        "year": meta.date.year,
        "month": meta.date.month,
        "day": day,
        "date_key": meta.date.year * 10000 + meta.date.month * 100 + (day or 0),
        "key": meta.key,
        "draft": meta.draft,
        "tags": list(dict.fromkeys(meta.tags)),
        "authors": list(meta.authors),
        "url": meta.url,
        "arxiv": meta.arxiv,
        "doi": meta.doi,
        "pdf": meta.pdf,
        "code": meta.code,
        "added": meta.added.isoformat(),
        "updated": meta.updated.isoformat() if meta.updated else None,
        "sources": list(meta.sources),
        "reading_minutes": reading_minutes(body),
        "source": rel,
        **body,
    }


WORDS_PER_MINUTE = 200


def reading_minutes(body: dict[str, Any]) -> int:
    words = len(body["summary_text"].split()) + sum(
        len(concept["heading"].split()) + len(concept["text"].split()) for concept in body["concepts"]
    )
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def parse_briefing(rel: str, data: bytes, root: Path = Path()) -> ParsedBriefing:
    """Decode, split, validate and render one briefing file (its images read from its folder under ``root``)."""
    problems: list[Problem] = []
    parsed = read_markdown(rel, data, problems)
    if parsed is None:
        return ParsedBriefing(rel, None, {}, problems)
    meta = validate(BriefingMeta, parsed[0], rel, problems)
    marked_draft = parsed[0].get("draft") is True
    found = scan_body(parsed[1])
    placed, media, image_problems = resolve_images(found.images, root, folder_of(rel))
    body, body_problems = parse_body(parsed[1], placed)
    body_problems += scheme_problems(found.urls) + [("body", message) for message in image_problems]
    problems.extend(Problem(rel, field_name, message) for field_name, message in body_problems)
    if meta is None:
        return ParsedBriefing(rel, None, {}, problems, marked_draft=marked_draft)
    row = record(meta, rel, body)
    cite_base = base_key(meta.authors, meta.organizations[0], meta.date.year, meta.title)
    anchors = PAGE_IDS | {concept["anchor"] for concept in body["concepts"]}
    return ParsedBriefing(rel, meta, row, problems, document_terms(row), cite_base, found.links, anchors, media,
                          meta.draft)


def folder_of(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else ""


