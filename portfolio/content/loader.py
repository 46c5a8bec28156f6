"""The pipeline from files to records, in four steps, each with one place in the code:

1. **per file** (``briefings.parse_briefing``, ``pages.parse_*``): bytes → validated front matter
   and a rendered index row. Depends only on the file, so it is remembered by the file's
   content hash and an unchanged file is never read or rendered again (``previous``).
2. **cross-checks** (``crosschecks.CHECKS``, ``pages.unique_projects``/``check_links``): rules that
   span files, run over the whole set on every sync.
3. **whole-set rows** (``derive.SET_STEPS``): tables computed from every published briefing.
4. ``sync`` writes the result into the index.

Drafts (``draft: true``) are read and checked like any file; a production build leaves them
out of the records, so nothing later can show them.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .briefings import ParsedBriefing, ParseResult, parse_briefings
from .crosschecks import BriefingSet, cross_check
from .derive import derive
from .pages import ParsedItem, check_links, parse_page, parse_project, parse_site, unique_projects
from .parsing import Problem
from .sources import ABOUT_FILE, SITE_FILE, Seen, Source, read_source, scan, stamp_of, unreadable

Parsed = ParsedItem | ParsedBriefing
Progress = Callable[[int], None]


class BriefingSink(Protocol):
    """Told of each briefing as soon as it is parsed afresh, then of every file once all are read (a new index)."""

    def add(self, result: ParseResult, remembered: Remembered) -> None: ...

    def all_added(self, files: ParseCache) -> None: ...


# A file modified this close to when it was read may change again within the same timestamp
# tick, so its size and time do not prove it unchanged: its bytes are hashed again ("racy git").
RACY_NS = 2_000_000_000


@dataclass
class Remembered:
    """One file's parse, kept between syncs and found again by its name, size and time or its hash."""

    source: Source
    digest: str
    parsed: Parsed
    seen_ns: int  # when the bytes were read (time.time_ns)
    stored: bytes | None = None  # the parse as the index keeps it, when already made (briefings.stored_form)

    def written(self) -> None:
        """Its rows and stored form are in the index now: keep only what the next sync reads (what
        a parse read back from the index has). At 10,000 that frees about 10 KB a briefing."""
        self.stored = None
        if isinstance(self.parsed, ParsedBriefing):
            self.parsed.record = {}

    def unchanged(self, source: Source) -> bool:
        """Whether the file system's description proves the bytes unchanged since they were read."""
        same_stat = (self.source.size, self.source.mtime_ns) == (source.size, source.mtime_ns)
        return same_stat and source.mtime_ns + RACY_NS < self.seen_ns


ParseCache = dict[str, Remembered]


@dataclass
class Bundle:
    """Everything the index is built from, already validated and rendered."""

    site: Any = None  # SiteConfig | None
    pages: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    briefing_set: BriefingSet | None = None
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # from derive.SET_STEPS
    files: ParseCache = field(default_factory=dict)
    fresh: set[str] = field(default_factory=set)  # files read and parsed by this load
    include_drafts: bool = False
    version: str = ""
    stamp: str = ""  # names, sizes and times of the files as they were found (sources.stamp_of)

    @property
    def briefings(self) -> list[dict[str, Any]]:
        """The index rows of the briefings this build publishes (until written: ``Remembered.written``)."""
        return [b.record for b in self.briefing_set.published] if self.briefing_set else []

    @property
    def published_count(self) -> int:
        return len(self.briefing_set.published) if self.briefing_set else 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run without Python's cycle collector, as a batch job may.

    Loading 10,000 briefings makes about 400,000 container objects that live until the sync
    ends, and every collection of the oldest generation walks all of them: at 10,000 that was
    more than a second of a cold sync's CPU (measured), with next to nothing to free. Forked
    parse workers inherit the pause. The collector is switched back on afterwards, not run.

    Objects made during the pause are first moved to the oldest generation, in constant time
    (``freeze`` then ``unfreeze``): otherwise the youngest generation would hold them all, and
    its next collection, then the middle one's, would each walk them (about 0.2 s apiece at
    10,000, measured) to find them alive. A cycle among them waits for a full collection. A
    process that froze objects on purpose (a gunicorn worker) keeps them frozen: the move is skipped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def parse_one(source: Source, data: bytes) -> Parsed:
    if source.kind == "site":
        return parse_site(source.rel, data)
    if source.kind == "project":
        return parse_project(source.rel, data)
    return parse_page(source.rel, data)


def read_files(
    root: Path, sources: list[Source], previous: ParseCache, progress: Progress | None,
    sink: BriefingSink | None = None,
) -> tuple[ParseCache, set[str], list[Problem]]:
    """Every file's parse: remembered ones reused, the rest read and parsed (briefings in parallel).

    A file remembered under another size or time is read here, in case its bytes are the same;
    a briefing not remembered at all is read by its parse. ``sink`` sees each freshly parsed
    briefing as soon as it is ready, in file order.
    """
    files: ParseCache = {}
    problems: list[Problem] = []
    to_parse: list[tuple[Source, bytes | None, Seen | None]] = []
    for source in sources:
        known = previous.get(source.rel)
        if known and known.unchanged(source):
            files[source.rel] = known
            continue
        if known is None and source.kind == "briefing":
            to_parse.append((source, None, None))
            continue
        try:
            data, seen = read_source(root, source.rel)
        except OSError as error:
            problems.append(unreadable(source.rel, error))
            continue
        if known and known.digest == seen.digest:
            files[source.rel] = Remembered(source, seen.digest, known.parsed, seen.seen_ns)
        else:
            to_parse.append((source, data, seen))
    if progress and len(files):
        progress(len(files))
    briefing_files = [entry for entry in to_parse if entry[0].kind == "briefing"]
    for source, data, seen in to_parse:
        if source.kind != "briefing":
            assert data is not None and seen is not None
            files[source.rel] = Remembered(source, seen.digest, parse_one(source, data), seen.seen_ns)
            if progress:
                progress(1)
    parsed = parse_briefings(root, [(entry[0].rel, entry[1]) for entry in briefing_files], progress, sink is not None)
    for (source, _, given), result in zip(briefing_files, parsed):
        seen = given or result.seen
        if seen is None:  # it could not be read: the problem is reported, nothing is remembered
            problems.extend(result.briefing.problems)
            continue
        files[source.rel] = Remembered(source, seen.digest, result.briefing, seen.seen_ns, result.stored)
        if sink:
            sink.add(result, files[source.rel])
    return files, {entry[0].rel for entry in to_parse}, problems


def load_content(
    root: str | os.PathLike[str],
    include_drafts: bool = False,
    previous: ParseCache | None = None,
    progress: Progress | None = None,
    sources: list[Source] | None = None,
    sink: BriefingSink | None = None,
) -> tuple[Bundle, list[Problem]]:
    """Read and validate every content file under ``root``; ``previous`` holds remembered parses.

    ``sources`` is the file list when the caller already has it (``sources.rescan``);
    ``sink`` is told of each briefing parsed afresh, before the cross-checks (a new index
    file starts filling while the rest is parsed), and then that every one has been.
    """
    root = Path(root)
    sources = scan(root) if sources is None else sources
    with collector_paused():
        return _load(root, sources, include_drafts, previous or {}, progress, sink)


def _load(
    root: Path, sources: list[Source], include_drafts: bool, previous: ParseCache, progress: Progress | None,
    sink: BriefingSink | None,
) -> tuple[Bundle, list[Problem]]:
    files, fresh, problems = read_files(root, sources, previous, progress, sink)
    if sink:
        sink.all_added(files)
    ordered = [files[s.rel] for s in sources if s.rel in files]  # scan order: site, about, folders
    for remembered in ordered:
        problems.extend(remembered.parsed.problems)
    present = {s.rel for s in sources}
    for required in (SITE_FILE, ABOUT_FILE):
        if required not in present:
            problems.append(Problem(required, "file", "missing required file"))

    bundle = Bundle(files=files, fresh=fresh, include_drafts=include_drafts, stamp=stamp_of(sources))
    items = [r.parsed for r in ordered if isinstance(r.parsed, ParsedItem)]
    bundle.site = next((item.site for item in items if item.kind == "site"), None)
    bundle.pages = [item.record for item in items if item.kind == "page" and item.record]
    projects, project_problems = unique_projects([item for item in items if item.kind == "project"])
    bundle.projects = [project for project in projects if include_drafts or not project["draft"]]
    problems.extend(project_problems)
    briefings = [r.parsed for r in ordered if isinstance(r.parsed, ParsedBriefing)]
    bundle.briefing_set, briefing_problems = cross_check(briefings, bundle.site, include_drafts)
    problems.extend(briefing_problems)
    problems.extend(check_links(bundle.site, bundle.pages, bundle.projects))
    if not problems:
        bundle.tables = derive(bundle.briefing_set)
    bundle.version = content_version(ordered, include_drafts)
    return bundle, sorted(set(problems))


def content_version(files: list[Remembered], include_drafts: bool) -> str:
    """A hash of every file's name and bytes (and whether drafts are shown): what the index serves."""
    digest = hashlib.sha256(b"drafts\0" if include_drafts else b"published\0")
    for remembered in files:
        digest.update(f"{remembered.source.rel}\0{remembered.digest}\n".encode())
    return digest.hexdigest()[:16]
