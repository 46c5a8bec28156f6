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
from .checks import BriefingSet, SiteMap, contact_problems, cross_check, link_problems, path_problems
from .citekeys import assign_keys
from .pages import ParsedItem, check_links, parse_page, parse_path, parse_project, parse_site, unique_projects
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
    paths: Rows = field(default_factory=list)  # reading paths
    briefings: Rows = field(default_factory=list)
    tables: dict[str, Rows] = field(default_factory=dict)  # whole-set rows, by table name
    include_drafts: bool = False
    version: str = ""  # a hash of every file's name and bytes: what the index serves
    stamp: str = ""  # names, sizes and times of the files as they were found (sources.stamp_of)
    drafts: list[str] = field(default_factory=list)  # files left out as drafts (a production build)
    used: dict[str, Read] = field(default_factory=dict)  # the version of each file this bundle holds


@dataclass(frozen=True)
class Read:
    """One file as read: the digest of its bytes and their parse."""

    digest: str
    parsed: Parsed


def parse_one(source: Source, data: bytes, root: Path) -> Parsed:
    if source.kind == "briefing":
        return parse_briefing(source.rel, data, root)
    if source.kind == "site":
        return parse_site(source.rel, data)
    if source.kind == "project":
        return parse_project(source.rel, data, root)
    if source.kind == "path":
        return parse_path(source.rel, data, root)
    return parse_page(source.rel, data, root)


def read_all(root: Path, sources: list[Source], cache: ParseCache) -> tuple[dict[str, Read], list[Problem]]:
    """Every file's parse, reusing the cache's for a file whose size and time (or bytes) it has seen."""
    found: dict[str, Read] = {}
    problems: list[Problem] = []
    for source in sources:
        if source.refused:
            problems.append(Problem(source.rel, "file", source.refused))
            continue
        known = cache.get(source.rel)
        if known is None or known[:2] != (source.size, source.mtime_ns):
            try:
                data = read_source(root, source.rel)
            except OSError as error:
                problems.append(unreadable(source.rel, error))
                continue
            digest = file_digest(data)
            item = known[3] if known and known[2] == digest else parse_one(source, data, root)
            known = cache[source.rel] = (source.size, source.mtime_ns, digest, item)
        found[source.rel] = Read(known[2], known[3])
    for gone in cache.keys() - {source.rel for source in sources}:
        del cache[gone]
    present = {source.rel for source in sources}
    problems += [Problem(rel, "file", "missing required file") for rel in (SITE_FILE, ABOUT_FILE) if rel not in present]
    return found, problems


def load_content(
    root: Path | str, include_drafts: bool = False, cache: ParseCache | None = None,
    sources: list[Source] | None = None, last_good: dict[str, Read] | None = None,
) -> tuple[Bundle, list[Problem]]:
    """Read and validate every content file under ``root`` (or the ``sources`` already listed).

    ``cache`` (updated in place) reuses parses. Without ``last_good`` any problem means the bundle
    must not be published (``content sync``, all or nothing). With it (a development server's: the
    version of each file it last published) a file with a problem is replaced by its last good
    version, or left out if it never had one, so every other edit still shows: the problems are
    returned all the same, for the banner, and the bundle may be published if it has its tables
    (it has none when nothing publishable remains, e.g. without a valid site.yml).
    """
    root = Path(root)
    sources = scan(root) if sources is None else sources
    found, problems = read_all(root, sources, {} if cache is None else cache)
    # A production build leaves drafts out; one with problems is not even assembled (a half-written
    # draft never stops a publish), and content check --drafts, or development, names its problems.
    unfinished = [] if include_drafts else [rel for rel, read in found.items()
                                            if read.parsed.marked_draft and read.parsed.problems]
    for rel in unfinished:
        del found[rel]
    use = {rel: read for rel, read in found.items() if last_good is None or not read.parsed.problems}
    if last_good is not None:
        use |= {rel: last_good[rel] for rel, read in found.items() if read.parsed.problems and rel in last_good}
    problems += [problem for read in found.values() for problem in read.parsed.problems]
    while True:
        bundle, more = assemble(use, include_drafts, root)
        problems += more
        broken = {problem.path for problem in more} & use.keys()
        if last_good is None or not more or not broken:
            break
        for rel in broken:  # back to its last good version, or out if that is the one at fault
            if last_good.get(rel) is not use[rel] and rel in last_good:
                use[rel] = last_good[rel]
            else:
                del use[rel]
    bundle.stamp = stamp_of(sources)
    bundle.drafts += unfinished
    return bundle, sorted(set(problems))


def assemble(use: dict[str, Read], include_drafts: bool, root: Path) -> tuple[Bundle, list[Problem]]:
    """The bundle of these files' versions, and the problems that span files (the rules in checks)."""
    digests = hashlib.sha256(b"drafts\0" if include_drafts else b"published\0")
    for rel, read in use.items():
        digests.update(f"{rel}\0{read.digest}\n".encode())
    bundle = Bundle(include_drafts=include_drafts, version=digests.hexdigest()[:16], used=dict(use))
    parsed = [read.parsed for read in use.values()]
    items = [item for item in parsed if isinstance(item, ParsedItem)]
    bundle.site = next((item.site for item in items if item.kind == "site"), None)
    bundle.pages = [item.record for item in items if item.kind == "page" and item.record]
    projects, problems = unique_projects([item for item in items if item.kind == "project"])
    bundle.projects = [project for project in projects if include_drafts or not project["draft"]]
    briefing_set, briefing_problems = cross_check(
        [item for item in parsed if isinstance(item, ParsedBriefing)], bundle.site, include_drafts
    )
    bundle.drafts = [b.rel for b in briefing_set.briefings if not briefing_set.publishes(b)]
    superseded = {c.number for b in briefing_set.published for c in b.connections if c.kind == "supersedes"}
    bundle.briefings = [{**b.record, "superseded": b.number in superseded} for b in briefing_set.published]
    paths = [item for item in items if item.kind == "path" and item.record and (include_drafts or not item.draft)]
    bundle.paths = [item.record for item in paths]
    problems += briefing_problems + check_links(bundle.site, bundle.pages, bundle.projects)
    problems += path_problems(paths, briefing_set)
    published = [*briefing_set.published, *(i for i in items if i.record and (include_drafts or not i.draft))]
    site_paths = {f"/paths/{path['slug']}": frozenset() for path in bundle.paths}
    bodies = [(item.rel, item.links, item.anchors) for item in published]
    problems += contact_problems(bodies, bundle.site)
    problems += link_problems(bodies, SiteMap(
        pages={f"/{item.record['path']}": item.anchors | ({"contact"} if item.rel == ABOUT_FILE else set())
               for item in items if item.kind == "page" and item.record}
        | {f"/projects/{project['slug']}": frozenset() for project in bundle.projects} | site_paths,
        briefings={b.number: b.anchors for b in briefing_set.published},
        drafts={b.number: b.rel for b in briefing_set.briefings if not briefing_set.publishes(b)},
    ))
    if not problems:
        bundle.tables = whole_set_rows(briefing_set)
        bundle.tables["media"] = list({m.digest: m.row() for item in published for m in item.media}.values())
    return bundle, problems


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
