"""Writing the SQLite index: a whole new file, or a patch of the rows of changed files in place.

``sync`` decides which; this module knows the tables. Rows of one briefing (its row, tags, FTS
entry, concepts) are written and deleted together; the small and whole-set tables are rewritten.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import pickle
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Table,
    create_engine,
    delete,
    event,
    select,
    text,
)

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
from .briefings import ParsedBriefing, ParseResult, stored_form
from .index_rows import IndexRows, index_rows, insert_rows
from .loader import Bundle, Remembered
from .markdown import template_ids

PACKAGE = Path(__file__).resolve().parent.parent
LIBRARIES = ("cmarkgfm", "nh3", "pydantic", "PyYAML")


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


def _engine(path: Path, bulk: bool) -> Any:
    engine = create_engine(f"sqlite:///{path}")
    if bulk:
        event.listen(engine, "connect", _fast_bulk_load)
    return engine


# While a new file is built, FTS5 keeps up to this many bytes of new terms in memory before it
# writes them out as a segment (the default is 1 MB). Fewer, larger segments leave less merging
# to do: at 10,000 briefings the two FTS tables fill in about half the time (measured).
BUILD_FTS_HASHSIZE = 64 * 1024 * 1024
DEFAULT_FTS_HASHSIZE = 1024 * 1024
BUILD_CACHE_KIB = 64 * 1024


def _fast_bulk_load(dbapi_connection: Any, _record: Any) -> None:
    """The temporary file is thrown away on failure, so durability is not needed while building;
    a larger page cache keeps the FTS segments being merged in memory."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = OFF")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
    cursor.close()


def _fts_hashsize(connection: Connection, size: int) -> None:
    for table in (FTS_TABLE, CONCEPT_FTS_TABLE):
        connection.execute(text(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', {int(size)})"))


class NewIndex:
    """A new index file, written while the content is still being parsed.

    Each briefing's rows go in as soon as its parse arrives (``add``), so SQLite's share of a
    full sync (tokenising for the two FTS tables above all) runs beside the parsing processes
    instead of after them; ``finish`` adds the whole-set tables. All in one transaction on a
    file nobody reads yet: ``sync`` throws the file away if anything fails.
    """

    BATCH = 250

    def __init__(self, path: Path, include_drafts: bool):
        path.unlink(missing_ok=True)
        self.engine = _engine(path, bulk=True)
        db.metadata.create_all(self.engine)
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.connection.execute(text(FTS_DDL))
        self.connection.execute(text(CONCEPT_FTS_DDL))
        _fts_hashsize(self.connection, BUILD_FTS_HASHSIZE)
        self.include_drafts = include_drafts
        self.numbers: set[int] = set()
        self.pending: list[IndexRows] = []

    def add(self, result: ParseResult) -> None:
        """Write a briefing this build would publish; the first file with a number keeps it, as in
        the cross-checks (a later one is a problem there, and then the file is not used)."""
        briefing = result.briefing
        if not briefing.published(self.include_drafts) or not briefing.record or briefing.number in self.numbers:
            return
        self.numbers.add(briefing.number)
        self.pending.append(result.rows or index_rows(briefing.record))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        insert_rows(self.connection, self.pending)
        self.pending = []

    def finish(self, bundle: Bundle, stamp: str) -> None:
        """The published briefings not added yet, the whole-set tables, the file list; commit."""
        for record in bundle.briefings:
            if record["number"] not in self.numbers:
                self.numbers.add(record["number"])
                self.pending.append(index_rows(record))
        self.flush()
        write_whole_tables(self.connection, bundle, stamp)
        insert_sources(self.connection, list(bundle.files.values()))
        _fts_hashsize(self.connection, DEFAULT_FTS_HASHSIZE)  # the live file is patched a few rows at a time
        self.connection.execute(text("ANALYZE"))
        self.transaction.commit()

    def close(self) -> None:
        self.connection.close()
        self.engine.dispose()


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
            insert_rows(connection, [index_rows(b.record) for b in published if b.rel in changed_rels])
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
             "seen_ns": r.seen_ns, "digest": r.digest, "parsed": _stored(r)}
            for r in files
        ])


def _stored(remembered: Remembered) -> bytes:
    """The parse as the index keeps it: a briefing without its row (the briefing table has it)."""
    if remembered.stored is not None:
        return remembered.stored
    if isinstance(remembered.parsed, ParsedBriefing):
        return stored_form(remembered.parsed)
    return pickle.dumps(remembered.parsed, pickle.HIGHEST_PROTOCOL)
