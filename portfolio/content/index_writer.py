"""Writing the SQLite index: its tables, and a patch of the rows of changed files in place.

``sync`` decides between a patch and a whole new file (``new_index``). Rows of one briefing (its
row, tags, FTS entries, concepts) are written and deleted together; the small and whole-set
tables are rewritten.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import operator
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
    select,
    text,
)

from ..extensions import db
from ..models import (
    CONCEPT_FTS_TABLE,
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
from .briefings import ParsedBriefing, stored_form
from .index_rows import index_rows, insert_rows, insert_values
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
    engine = create_engine(f"sqlite:///{path}")
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
    names = [column.name for column in columns]
    if any(isinstance(column.type, JSON) for column in columns):
        as_json = [isinstance(column.type, JSON) for column in columns]
        values = [
            tuple(json.dumps(row[name]) if encode else row[name] for name, encode in zip(names, as_json))
            for row in rows
        ]
    else:  # most tables (related briefings: 50,000 rows at 10,000): the tuples made in C
        pick = operator.itemgetter(*names)
        values = list(map(pick, rows)) if len(names) > 1 else [(pick(row),) for row in rows]
    insert_values(connection, table.name, names, values)


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
