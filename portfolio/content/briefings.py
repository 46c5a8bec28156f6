"""Briefing files: front matter plus a body of ``## Summary`` and ``## Key Concepts``."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .citekeys import assign_keys
from .loader import FileProblem, Problem, split_front_matter, validate
from .markdown import plain_text, render, slugify
from .schema import BriefingMeta
from .sourcechecks import duplicate_identifiers, missing_sources
from .urls import scheme_problems

if TYPE_CHECKING:
    from .loader import Reader

# Ids the briefing page itself uses: a concept's anchor never takes one (it gets '-2').
PAGE_IDS = frozenset({"summary", "key-concepts", "connections", "related-briefings", "graph-title", "graph-desc",
                      "main", "site-nav", "menu-toggle"})
SUMMARY = "Summary"
KEY_CONCEPTS = "Key Concepts"


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


def parse_body(body: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The rendered Summary and Key Concepts, and (field, message) problems."""
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
    if not summary.strip():
        problems.append(("body", "missing '## Summary' section (or it is empty)"))
    concepts = []
    anchors: set[str] = set()
    intro, concept_sections = split_sections(by_name.get(KEY_CONCEPTS, ""), "### ")
    if intro.strip():
        problems.append(("body", "text in '## Key Concepts' before its first '### ' heading"))
    for heading, text in concept_sections:
        anchor = slugify(heading, 50)
        while anchor in anchors or anchor in PAGE_IDS:
            anchor += "-2"
        anchors.add(anchor)
        html = render(text)
        concepts.append({"heading": heading, "anchor": anchor, "html": html, "text": plain_text(html)})
    summary_html = render(summary)
    return (
        {"summary_html": summary_html, "summary_text": plain_text(summary_html), "concepts": concepts},
        problems,
    )


# Below this many briefings a process pool costs more to start than it saves.
PARALLEL_FROM = 1500


@dataclass
class ParsedBriefing:
    """One briefing file read on its own: what can be known without the other files."""

    rel: str
    meta: BriefingMeta | None
    body: dict[str, Any]
    problems: list[Problem]


def parse_briefing(rel: str, text: str) -> ParsedBriefing:
    """Front matter, validation and the rendered body of one file (run in a worker process)."""
    try:
        front, body_text = split_front_matter(text)
    except FileProblem as error:
        return ParsedBriefing(rel, None, {}, [Problem(rel, error.field, error.message)])
    problems: list[Problem] = []
    meta = validate(BriefingMeta, front, rel, problems)
    body, body_problems = parse_body(body_text)
    body_problems += scheme_problems(body_text)
    problems.extend(Problem(rel, field_name, message) for field_name, message in body_problems)
    return ParsedBriefing(rel, meta, body, problems)


def _parse_pair(pair: tuple[str, str]) -> ParsedBriefing:
    return parse_briefing(*pair)


def parse_briefings(files: list[tuple[str, str]]) -> list[ParsedBriefing]:
    """Parse every file, across all cores when there are many: Markdown rendering dominates a sync.

    The pool forks, which is only safe while this process runs a single thread (the CLI, the
    gunicorn master, a test); a sync inside a threaded server parses in this process instead.
    """
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    forkable = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    if len(files) < PARALLEL_FROM or workers < 2 or not forkable:
        return [parse_briefing(rel, text) for rel, text in files]
    chunk = max(1, len(files) // (workers * 4))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_parse_pair, files, chunksize=chunk))


def load_briefings(reader: Reader, paths: list[Path]) -> None:
    """Validate every briefing, then the rules that span files (numbers, connections, lists)."""
    files = []
    for path in paths:
        text = reader.read_text(path)
        if text is not None:
            files.append((reader.rel(path), text))
    site = reader.bundle.site
    owners: dict[int, str] = {}
    pending: list[tuple[str, BriefingMeta]] = []
    for parsed in parse_briefings(files):
        rel, meta = parsed.rel, parsed.meta
        reader.problems.extend(parsed.problems)
        if meta is None:
            continue
        if meta.number in owners:
            reader.problem(rel, "number", f"{meta.number} is also used by {owners[meta.number]}")
            continue
        owners[meta.number] = rel
        if site is not None:
            check_vocabulary(reader, rel, meta, site)
        pending.append((rel, meta))
        reader.bundle.briefings.append(record(meta, rel, parsed.body))
    assign_keys(reader.bundle.briefings)
    reader.problems.extend(duplicate_identifiers(pending) + missing_sources(pending))
    for rel, meta in pending:
        for index, (kind, target) in enumerate(meta.connection_pairs):
            field_name = f"connections[{index}].{kind}"
            if target == meta.number:
                reader.problem(rel, field_name, "a briefing cannot connect to itself")
            elif target not in owners:
                reader.problem(rel, field_name, f"briefing #{target} does not exist")
            else:
                reader.bundle.connections.append({"source": meta.number, "target": target, "kind": kind})


def check_vocabulary(reader: Reader, rel: str, meta: BriefingMeta, site: Any) -> None:
    """Category, organization and tags must come from the lists in content/site.yml."""
    lists = (
        ("category", [meta.category], "categories", site.categories),
        ("organization", [meta.organization], "organizations", site.organizations),
        ("tags", list(meta.tags), "briefing_tags", site.briefing_tags),
    )
    for field_name, values, list_name, allowed in lists:
        for value in values:
            if value not in allowed:
                reader.problem(
                    rel,
                    field_name,
                    f"{value!r} is not in the {list_name} list of site.yml "
                    f"(add it there, or use one of: {', '.join(allowed)})",
                )


def record(meta: BriefingMeta, rel: str, body: dict[str, Any]) -> dict[str, Any]:
    day = meta.date.day
    return {
        "number": meta.number,
        "slug": slugify(meta.title),
        "title": meta.title,
        "subtitle": meta.subtitle,
        "category": meta.category,
        "organization": meta.organization,
        "year": meta.date.year,
        "month": meta.date.month,
        "day": day,
        "date_key": meta.date.year * 10000 + meta.date.month * 100 + (day or 0),
        "key": meta.key,
        "tags": list(dict.fromkeys(meta.tags)),
        "authors": list(meta.authors),
        "url": meta.url,
        "arxiv": meta.arxiv,
        "doi": meta.doi,
        "pdf": meta.pdf,
        "code": meta.code,
        "updated": meta.updated.isoformat() if meta.updated else None,
        "source": rel,
        **body,
    }
