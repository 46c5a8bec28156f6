"""One briefing file on its own: front matter plus a body of ``## Summary`` and ``## Key Concepts``.

Everything here depends only on the file's own bytes, so its result is remembered by the
file's content hash (incremental sync). A field derived from one briefing alone belongs in
``record``; a fact that needs the other briefings belongs in ``crosschecks`` (a problem) or
``derive`` (rows computed over the whole published set).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .citekeys import base_key
from .index_rows import IndexRows, index_rows
from .markdown import plain_text, render_many, slugify
from .parsing import Problem, read_markdown, validate
from .related import WordCounts, document_terms
from .schema import BriefingMeta
from .sources import Seen, read_source, unreadable
from .urls import scheme_problems

# Ids the briefing page itself uses: a concept's anchor never takes one (it gets '-2').
PAGE_IDS = frozenset({"summary", "key-concepts", "connections", "related-briefings", "graph-title", "graph-desc",
                      "main", "site-nav", "menu-toggle"})
SUMMARY = "Summary"
KEY_CONCEPTS = "Key Concepts"

# Below this many files a process pool costs more to start than it saves.
PARALLEL_FROM = 1500


@dataclass
class ParsedBriefing:
    """What can be known from one briefing file: its validated front matter and its index row."""

    rel: str
    meta: BriefingMeta | None
    record: dict[str, Any]
    problems: list[Problem]
    terms: WordCounts = field(default_factory=dict)  # its words, for related briefings (kept without the row)
    cite_base: str = ""  # its citation key before the set makes it unique (citekeys.assign_keys)
    # Read from the front matter once, when the parse is made (and kept with it): the cross-checks
    # and whole-set steps ask for them on every sync. Plain attributes, not cached properties,
    # whose first read takes a lock on Python 3.11 (0.1 s of a cold sync at 10,000).
    number: int = field(init=False)
    connections: list[tuple[str, int]] = field(init=False)  # (kind, number) pairs as written

    def __post_init__(self) -> None:
        self.number = self.meta.number if self.meta else 0
        self.connections = self.meta.connection_pairs if self.meta else []

    def published(self, include_drafts: bool) -> bool:
        """Whether a build puts it in the index: a valid briefing, and not a draft unless drafts are shown."""
        return self.meta is not None and (include_drafts or not self.meta.draft)

    def without_row(self) -> ParsedBriefing:
        """What the index remembers of the parse: the rendered row has a table of its own."""
        return ParsedBriefing(self.rel, self.meta, {}, self.problems, self.terms, self.cite_base)


def stored_form(parsed: ParsedBriefing) -> bytes:
    """The bytes the index keeps to reuse a parse (``source_file.parsed``)."""
    return pickle.dumps(parsed.without_row(), pickle.HIGHEST_PROTOCOL)


@dataclass
class ParseResult:
    """A freshly parsed briefing, with its index rows and stored form when a worker process made them."""

    briefing: ParsedBriefing
    stored: bytes | None = None
    rows: IndexRows | None = None
    seen: Seen | None = None  # when the parse read the file itself (None if it was given the bytes or could not)


# A file to parse: its path and bytes, or None for bytes the parse reads itself (in a worker, when
# many files are parsed: reading 10,000 files took this process half a second before any parsing).
Work = tuple[str, bytes | None]


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
    intro, concept_sections = split_sections(by_name.get(KEY_CONCEPTS, ""), "### ")
    if intro.strip():
        problems.append(("body", "text in '## Key Concepts' before its first '### ' heading"))
    summary_html, *concept_html = render_many([summary, *(text for _, text in concept_sections)])
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
    """The briefing's row in the index: its front matter, flattened, and its rendered body."""
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
        "draft": meta.draft,
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


def parse_briefing(rel: str, data: bytes) -> ParsedBriefing:
    """Decode, split, validate and render one briefing file (may run in a worker process)."""
    problems: list[Problem] = []
    parsed = read_markdown(rel, data, problems)
    if parsed is None:
        return ParsedBriefing(rel, None, {}, problems)
    meta = validate(BriefingMeta, parsed[0], rel, problems)
    body, body_problems = parse_body(parsed[1])
    body_problems += scheme_problems(parsed[1])
    problems.extend(Problem(rel, field_name, message) for field_name, message in body_problems)
    if meta is None:
        return ParsedBriefing(rel, None, {}, problems)
    row = record(meta, rel, body)
    cite_base = base_key(meta.authors, meta.organization, meta.date.year, meta.title)
    return ParsedBriefing(rel, meta, row, problems, document_terms(row), cite_base)


def read_and_parse(root: Path, work: Work) -> tuple[ParsedBriefing, Seen | None]:
    """Parse one file, reading it first when its bytes are not given; a file that cannot be
    read is a parse with that problem, and nothing seen."""
    rel, data = work
    if data is not None:
        return parse_briefing(rel, data), None
    try:
        data, seen = read_source(root, rel)
    except OSError as error:
        return ParsedBriefing(rel, None, {}, [unreadable(rel, error)]), None
    return parse_briefing(rel, data), seen


WorkerResult = tuple[dict[str, Any], IndexRows | None, bytes, Seen | None]


def _parse_in_worker(root: Path, rows_only: bool, work: Work) -> WorkerResult:
    """The record, its index rows and the stored form, which is also how the rest of the parse
    travels back: the parent unpickles it once instead of pickling it again for the index.
    With ``rows_only`` the record stays behind when there are rows (a new index needs no more)."""
    parsed, seen = read_and_parse(root, work)
    rows = index_rows(parsed.record) if parsed.record else None
    return {} if rows_only and rows else parsed.record, rows, stored_form(parsed), seen


def _from_worker(record: dict[str, Any], rows: IndexRows | None, stored: bytes, seen: Seen | None) -> ParseResult:
    briefing: ParsedBriefing = pickle.loads(stored)
    briefing.record = record
    return ParseResult(briefing, stored, rows, seen)


def parse_briefings(
    root: Path, files: list[Work], progress: Callable[[int], None] | None = None, rows_only: bool = False
) -> Iterable[ParseResult]:
    """Parse files in order, across all cores when there are many: Markdown rendering dominates.

    The pool forks, which is only safe while this process runs a single thread (the CLI, the
    gunicorn master, a test); a sync inside a threaded server parses in this process instead.
    ``progress`` is told how many files each step finished. With ``rows_only`` (a new index
    takes the rows) a worker does not send a record back beside its rows: it is their
    source, and skipping it saves an eighth of a cold sync's traffic between the processes.
    """
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    forkable = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    if len(files) < PARALLEL_FROM or workers < 2 or not forkable:
        for work in files:
            parsed, seen = read_and_parse(root, work)
            if progress:
                progress(1)
            yield ParseResult(parsed, seen=seen)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = [pool.submit(_parse_part, root, rows_only, part) for part in shrinking_parts(files, workers)]
        for part in parts:
            for result in part.result():
                if progress:
                    progress(1)
                yield _from_worker(*result)


SMALLEST_PART = 40
# A part's results reach this process as one message (about 15 KB a briefing). Parts of a quarter
# of each worker's share made messages of 19 MB at 10,000, each in fresh memory: 18,000 more page
# faults in this process per cold sync than parts of at most this many files (measured).
LARGEST_PART = 200


def shrinking_parts(files: list[Work], workers: int) -> Iterable[list[Work]]:
    """The files in order, cut in parts that shrink toward the end (each a quarter of what is
    left per worker, at most LARGEST_PART), so the workers finish together and this process has
    little left to write when they do: with equal parts one worker idled while the other parsed
    its last part."""
    start = 0
    while start < len(files):
        size = min(LARGEST_PART, max(SMALLEST_PART, (len(files) - start) // (workers * 4)))
        yield files[start:start + size]
        start += size


def _parse_part(root: Path, rows_only: bool, part: list[Work]) -> list[WorkerResult]:
    return [_parse_in_worker(root, rows_only, work) for work in part]
