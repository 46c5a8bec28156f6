"""The pipeline from files to records, in three steps, each with one place in the code:

1. **per file** (``briefings.parse_briefing``, ``pages.parse_*``): bytes → validated front matter
   and a rendered index row. It depends only on the file, so a ``ParseCache`` may hand back the
   parse of bytes it has seen (a development server keeps one between edits).
2. **cross-checks** (``checks.CHECKS``, ``pages.unique_projects``/``check_links``): rules that
   span files, run over the whole set every time.
3. **whole-set rows** (``whole_set_rows``): connections, word vectors and citation keys,
   computed from every published briefing.

``index.write_index`` then writes the result. Drafts (``draft: true``) are read and checked like
any file; a production build leaves them out of the records, so nothing later can show them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .briefings import ParsedBriefing, parse_briefing
from .checks import BriefingSet, cross_check
from .citekeys import assign_keys
from .pages import ParsedItem, check_links, parse_page, parse_project, parse_site, unique_projects
from .parsing import Problem
from .related import term_rows
from .sources import ABOUT_FILE, SITE_FILE, Source, file_digest, read_source, scan, stamp_of, unreadable

Parsed = ParsedItem | ParsedBriefing
Rows = list[dict[str, Any]]
# A file's path → its size and modification time when last read, the digest of its bytes and their
# parse: a file whose size and time are unchanged is not read again (Pelican keeps the same).
ParseCache = dict[str, tuple[int, int, str, Parsed]]


@dataclass
class Bundle:
    """Everything the index is built from, already validated and rendered."""

    site: Any = None  # SiteConfig | None
    pages: Rows = field(default_factory=list)
    projects: Rows = field(default_factory=list)
    briefings: Rows = field(default_factory=list)
    tables: dict[str, Rows] = field(default_factory=dict)  # whole-set rows, by table name
    include_drafts: bool = False
    version: str = ""  # a hash of every file's name and bytes: what the index serves
    stamp: str = ""  # names, sizes and times of the files as they were found (sources.stamp_of)


def parse_one(source: Source, data: bytes) -> Parsed:
    if source.kind == "briefing":
        return parse_briefing(source.rel, data)
    if source.kind == "site":
        return parse_site(source.rel, data)
    if source.kind == "project":
        return parse_project(source.rel, data)
    return parse_page(source.rel, data)


def load_content(
    root: Path | str, include_drafts: bool = False, cache: ParseCache | None = None,
    sources: list[Source] | None = None,
) -> tuple[Bundle, list[Problem]]:
    """Read and validate every content file under ``root`` (or the ``sources`` already listed).
    ``cache`` (updated in place) reuses the parse of a file whose size and time, or bytes, it has seen."""
    root = Path(root)
    cache = {} if cache is None else cache
    sources = scan(root) if sources is None else sources
    problems: list[Problem] = []
    parsed: list[Parsed] = []
    digests = hashlib.sha256(b"drafts\0" if include_drafts else b"published\0")
    for source in sources:
        known = cache.get(source.rel)
        if known is None or known[:2] != (source.size, source.mtime_ns):
            try:
                data = read_source(root, source.rel)
            except OSError as error:
                problems.append(unreadable(source.rel, error))
                continue
            digest = file_digest(data)
            item = known[3] if known and known[2] == digest else parse_one(source, data)
            known = cache[source.rel] = (source.size, source.mtime_ns, digest, item)
        parsed.append(known[3])
        problems.extend(known[3].problems)
        digests.update(f"{source.rel}\0{known[2]}\n".encode())
    for gone in cache.keys() - {source.rel for source in sources}:
        del cache[gone]
    present = {source.rel for source in sources}
    problems += [Problem(rel, "file", "missing required file") for rel in (SITE_FILE, ABOUT_FILE) if rel not in present]

    bundle = Bundle(include_drafts=include_drafts, version=digests.hexdigest()[:16], stamp=stamp_of(sources))
    items = [item for item in parsed if isinstance(item, ParsedItem)]
    bundle.site = next((item.site for item in items if item.kind == "site"), None)
    bundle.pages = [item.record for item in items if item.kind == "page" and item.record]
    projects, project_problems = unique_projects([item for item in items if item.kind == "project"])
    bundle.projects = [project for project in projects if include_drafts or not project["draft"]]
    briefing_set, briefing_problems = cross_check(
        [item for item in parsed if isinstance(item, ParsedBriefing)], bundle.site, include_drafts
    )
    superseded = {c.number for b in briefing_set.published for c in b.connections if c.kind == "supersedes"}
    bundle.briefings = [{**b.record, "superseded": b.number in superseded} for b in briefing_set.published]
    problems += project_problems + briefing_problems + check_links(bundle.site, bundle.pages, bundle.projects)
    if not problems:
        bundle.tables = whole_set_rows(briefing_set)
    return bundle, sorted(set(problems))


def whole_set_rows(briefings: BriefingSet) -> dict[str, Rows]:
    """The tables computed over every published briefing: each written connection between two of
    them, each briefing's words as a vector (related briefings), and citation keys unique across the set."""
    published = briefings.published
    numbers = {briefing.number for briefing in published}
    connections = [
        {"source": briefing.number, "target": c.number, "kind": c.kind, "note": c.note}
        for briefing in published for c in briefing.connections
        if c.number in numbers and c.number != briefing.number
    ]
    keys = assign_keys({briefing.number: briefing.cite_base for briefing in published})
    return {
        "connection": connections,
        "briefing_term": term_rows({briefing.number: briefing.terms for briefing in published}),
        "cite_key": [{"number": number, "key": key} for number, key in keys.items()],
    }
