"""Write validated content into the SQLite index, all of it or only what changed.

A **full** sync (no usable index yet, or one built by another parser or for the other
drafts mode) writes a new file beside the live one and moves it over it with ``os.replace``:
a reader has the old file or the new one open, never a half-built one.

An **incremental** sync reuses the parse of every file whose bytes have not changed (found by
name, size and time, else by content hash) and rewrites, in one SQLite transaction on the
live file, only the rows of changed, added and removed files, plus the small tables computed
over the whole set. Readers see the old rows or the new ones, never a mix. Cross-checks
always run over every file, and the result is the same rows as a full sync (tested).

If any content problem is found nothing is written, so the site keeps the last good content.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import importlib.metadata
import json
import os
import pickle
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Table, create_engine, delete, event, select, text

from ..extensions import db
from ..models import (
    CONCEPT_FTS_DDL,
    CONCEPT_FTS_TABLE,
    FTS_DDL,
    FTS_TABLE,
    Briefing,
    BriefingTag,
    Concept,
    Meta,
    Page,
    Project,
    ProjectTag,
    SourceFile,
)
from .briefings import ParsedBriefing
from .loader import Bundle, ParseCache, Progress, Remembered, load_content
from .markdown import template_ids
from .parsing import ContentError
from .sources import Source

PACKAGE = Path(__file__).resolve().parent.parent
LIBRARIES = ("markdown", "nh3", "pydantic", "PyYAML")


@functools.cache
def parser_fingerprint() -> str:
    """What a remembered parse depends on besides the file: this code, the libraries, the templates' ids.

    An index written under another fingerprint is rebuilt in full rather than patched.
    """
    digest = hashlib.sha256()
    for path in sorted([*PACKAGE.joinpath("content").glob("*.py"), PACKAGE / "models.py"]):
        digest.update(path.read_bytes())
    for library in LIBRARIES:
        digest.update(importlib.metadata.version(library).encode())
    digest.update(" ".join(sorted(template_ids())).encode())
    return digest.hexdigest()[:16]


Live = dict[str, tuple[str, int, int, int]]  # rel -> (digest, size, mtime_ns, seen_ns) of the index's files


@dataclass(frozen=True)
class Written:
    """What a process knows about the index it last wrote, so its next sync need not read it back."""

    identity: tuple[int, int, int]  # inode, mtime_ns and size of the file just after writing
    live: Live
    tables: dict[str, list[dict[str, Any]]]  # the rows of derive.SET_STEPS as written
    cache: ParseCache


@dataclass(frozen=True)
class SyncResult:
    version: str
    briefings: int
    projects: int
    pages: int
    seconds: float
    changed: int  # files read and parsed afresh
    incremental: bool
    written: Written


def database_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Serialise syncs from several processes (a CLI sync beside a development server)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync(
    content_dir: str | os.PathLike[str],
    database_url: str,
    include_drafts: bool = False,
    memory: Written | None = None,
    progress: Progress | None = None,
    full: bool = False,
    sources: list[Source] | None = None,
) -> SyncResult:
    """Validate all content; on success bring the index up to date, otherwise raise ``ContentError``.

    ``memory`` is what a previous sync in this process wrote (``SyncResult.written``): while the
    file is still the one it wrote, its parses and file list are used without reading the
    index back. Otherwise the parses remembered in the live index are used. ``full`` ignores both.
    ``sources`` is the list of files when the caller knows it (a watcher's ``rescan``).
    """
    started = time.perf_counter()
    root = Path(content_dir)
    target = database_path(database_url)
    with exclusive_lock(target):
        trusted = memory if memory is not None and not full and file_identity(target) == memory.identity else None
        live = trusted.live if trusted else (None if full else live_sources(target, include_drafts))
        if live is None:
            previous: ParseCache = {}
        elif trusted is None:
            previous = remembered_parses(target)
        else:
            previous = trusted.cache
        bundle, problems = load_content(root, include_drafts, previous, progress, sources)
        if problems:
            raise ContentError(problems)
        if live is None:
            temporary = target.with_name(f"{target.name}.building-{os.getpid()}")
            try:
                write_index(bundle, temporary, bundle.stamp)
                os.replace(temporary, target)
            finally:
                temporary.unlink(missing_ok=True)
        else:
            patch_index(bundle, target, bundle.stamp, live, trusted.tables if trusted else None)
        written = Written(file_identity(target) or (0, 0, 0), live_of(bundle), bundle.tables, bundle.files)
    return SyncResult(
        version=bundle.version,
        briefings=len(bundle.briefings),
        projects=len(bundle.projects),
        pages=len(bundle.pages),
        seconds=time.perf_counter() - started,
        changed=len(bundle.fresh),
        incremental=live is not None,
        written=written,
    )


def file_identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def live_of(bundle: Bundle) -> Live:
    return {rel: (r.digest, r.source.size, r.source.mtime_ns, r.seen_ns) for rel, r in bundle.files.items()}


def _engine(path: Path, bulk: bool) -> Any:
    engine = create_engine(f"sqlite:///{path}")
    if bulk:
        event.listen(engine, "connect", _fast_bulk_load)
    return engine


def _fast_bulk_load(dbapi_connection: Any, _record: Any) -> None:
    """The temporary file is thrown away on failure, so durability is not needed while building."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = OFF")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


def write_index(bundle: Bundle, path: Path, stamp: str) -> None:
    path.unlink(missing_ok=True)
    engine = _engine(path, bulk=True)
    try:
        db.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(text(FTS_DDL))
            connection.execute(text(CONCEPT_FTS_DDL))
            write_whole_tables(connection, bundle, stamp)
            insert_briefings(connection, bundle.briefings)
            insert_sources(connection, list(bundle.files.values()))
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def patch_index(
    bundle: Bundle, path: Path, stamp: str, live: Live, tables: dict[str, list[dict[str, Any]]] | None
) -> None:
    """Rewrite the rows of files whose bytes changed, and the whole-set tables, in one transaction."""
    files = bundle.files
    stale = {rel for rel, (digest, *_) in live.items() if rel not in files or files[rel].digest != digest}
    added = [r for rel, r in files.items() if rel not in live or rel in stale]
    moved = [  # same bytes, read again: remember the new stat and time of reading
        r for rel, r in files.items()
        if rel in live and rel not in stale and live[rel][1:] != (r.source.size, r.source.mtime_ns, r.seen_ns)
    ]
    engine = _engine(path, bulk=False)
    try:
        with engine.begin() as connection:
            numbers = connection.scalars(
                select(Briefing.number).where(Briefing.source.in_(stale))
            ).all() if stale else []
            if numbers:
                connection.execute(delete(BriefingTag).where(BriefingTag.briefing_number.in_(numbers)))
                connection.execute(delete(Briefing).where(Briefing.number.in_(numbers)))
                listed = ",".join(str(int(n)) for n in numbers)
                connection.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({listed})"))
                connection.execute(text(
                    f"DELETE FROM {CONCEPT_FTS_TABLE} WHERE rowid IN "
                    f"(SELECT id FROM concept WHERE briefing_number IN ({listed}))"
                ))
                connection.execute(delete(Concept).where(Concept.briefing_number.in_(numbers)))
            changed_rels = {remembered.source.rel for remembered in added}
            published = bundle.briefing_set.published if bundle.briefing_set else []
            insert_briefings(connection, [b.record for b in published if b.rel in changed_rels])
            write_whole_tables(connection, bundle, stamp, clear=True, unchanged=tables)
            if stale:
                connection.execute(delete(SourceFile).where(SourceFile.rel.in_(stale)))
            insert_sources(connection, added)
            for remembered in moved:
                connection.execute(
                    SourceFile.__table__.update()
                    .where(SourceFile.rel == remembered.source.rel)
                    .values(size=remembered.source.size, mtime_ns=remembered.source.mtime_ns,
                            seen_ns=remembered.seen_ns)
                )
    finally:
        engine.dispose()


def write_whole_tables(
    connection: Connection, bundle: Bundle, stamp: str, clear: bool = False,
    unchanged: dict[str, list[dict[str, Any]]] | None = None,
) -> None:
    """The tables small enough (or computed over the whole set) to be rewritten on every sync.

    ``unchanged`` holds derived tables' rows as the live file has them: equal rows are left alone.
    """
    for table, rows in whole_table_rows(bundle, stamp):
        if unchanged is not None and table.name in bundle.tables and unchanged.get(table.name) == rows:
            continue
        if clear:
            connection.execute(delete(table))
        bulk_insert(connection, table, rows)


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows through the driver directly: SQLAlchemy's per-row parameter handling was the
    largest cost of writing the connection and source tables at 10,000 briefings (profiled)."""
    if not rows:
        return
    columns = [column for column in table.columns if column.name in rows[0]]
    as_json = [isinstance(column.type, JSON) for column in columns]
    names = [column.name for column in columns]
    values = [
        tuple(json.dumps(row[name]) if encode else row[name] for name, encode in zip(names, as_json))
        for row in rows
    ]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    connection.exec_driver_sql(sql, values)


def insert_briefings(connection: Connection, records: list[dict[str, Any]]) -> None:
    if not records:
        return
    bulk_insert(connection, Briefing.__table__, records)
    tags = [{"briefing_number": b["number"], "tag": tag} for b in records for tag in b["tags"]]
    bulk_insert(connection, BriefingTag.__table__, tags)
    connection.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE} (rowid, title, subtitle, summary, concepts) VALUES (?, ?, ?, ?, ?)",
        [tuple(fts_row(briefing).values()) for briefing in records],
    )
    concepts = concept_rows(records)
    bulk_insert(connection, Concept.__table__, concepts)
    connection.exec_driver_sql(
        f"INSERT INTO {CONCEPT_FTS_TABLE} (rowid, heading, text) VALUES (?, ?, ?)",
        [(row["id"], row["heading"], row["text"]) for row in concepts],
    )


def fts_row(briefing: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": briefing["number"],
        "title": briefing["title"],
        "subtitle": briefing["subtitle"],
        "summary": briefing["summary_text"],
        "concepts": " ".join(f"{c['heading']}. {c['text']}" for c in briefing["concepts"]),
    }


CONCEPTS_PER_BRIEFING = 1000  # a concept's id is its briefing's number times this, plus its position


def concept_rows(briefings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each Key Concept of these briefings; ids derive from the briefing, so a patch leaves others alone."""
    return [
        {"id": briefing["number"] * CONCEPTS_PER_BRIEFING + position, "briefing_number": briefing["number"],
         "heading": concept["heading"], "anchor": concept["anchor"], "sort_key": concept["heading"].casefold(),
         "text": concept["text"]}
        for briefing in briefings
        for position, concept in enumerate(briefing["concepts"][:CONCEPTS_PER_BRIEFING - 1], start=1)
    ]


def whole_table_rows(bundle: Bundle, stamp: str) -> list[tuple[Table, list[dict[str, Any]]]]:
    site = bundle.site.model_dump(mode="json") if bundle.site else {}
    meta = {
        "content_version": bundle.version,
        "content_stamp": stamp,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "site": json.dumps(site),
        "drafts": "shown" if bundle.include_drafts else "hidden",
        "parser": parser_fingerprint(),
    }
    rows = [
        (Meta.__table__, [{"key": key, "value": value} for key, value in meta.items()]),
        (Page.__table__, bundle.pages),
        (Project.__table__, bundle.projects),
        (ProjectTag.__table__, [
            {"project_slug": p["slug"], "tag": tag} for p in bundle.projects for tag in dict.fromkeys(p["tags"])
        ]),
    ]
    rows += [(db.metadata.tables[name], table_rows) for name, table_rows in bundle.tables.items()]
    return rows


def insert_sources(connection: Connection, files: list[Remembered]) -> None:
    if files:
        bulk_insert(connection, SourceFile.__table__, [
            {"rel": r.source.rel, "kind": r.source.kind, "size": r.source.size, "mtime_ns": r.source.mtime_ns,
             "seen_ns": r.seen_ns, "digest": r.digest, "parsed": pickle.dumps(_without_row(r.parsed), pickle.HIGHEST_PROTOCOL)}
            for r in files
        ])


def _without_row(parsed: Any) -> Any:
    """A briefing's rendered row lives in the briefing table; keep only what the cross-checks read."""
    if isinstance(parsed, ParsedBriefing):
        return ParsedBriefing(parsed.rel, parsed.meta, {}, parsed.problems, parsed.terms)
    return parsed


def live_sources(path: Path, include_drafts: bool) -> Live | None:
    """rel -> (digest, size, mtime_ns, seen_ns) of the files the live index was built from, when it can be patched."""
    meta = read_meta(path)
    if meta is None or meta.get("parser") != parser_fingerprint():
        return None
    if meta.get("drafts") != ("shown" if include_drafts else "hidden"):
        return None
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(SourceFile.rel, SourceFile.digest, SourceFile.size, SourceFile.mtime_ns, SourceFile.seen_ns)
            )
            return {rel: (digest, size, mtime_ns, seen_ns) for rel, digest, size, mtime_ns, seen_ns in rows}
    except Exception:  # an index from before source files were remembered: build a new one
        return None
    finally:
        engine.dispose()


def remembered(path: Path, include_drafts: bool) -> Written | None:
    """What the live index remembers, as if this process had written it (to warm a development server)."""
    identity = file_identity(path)
    live = live_sources(path, include_drafts)
    if live is None or identity is None:
        return None
    return Written(identity, live, {}, remembered_parses(path))


def remembered_parses(path: Path) -> ParseCache:
    """The parses the live index remembers (only read from an index this module wrote)."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(SourceFile)).all()
    finally:
        engine.dispose()
    return {
        row.rel: Remembered(
            Source(row.rel, row.kind, row.size, row.mtime_ns), row.digest, pickle.loads(row.parsed), row.seen_ns
        )
        for row in rows
    }


def read_meta(path: Path) -> dict[str, str] | None:
    """The meta table of an index file, or None when there is no usable index."""
    if not path.is_file():
        return None
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT key, value FROM meta")).all()
        return {key: value for key, value in rows}
    except Exception:  # a corrupt or foreign file counts as no index
        return None
    finally:
        engine.dispose()
