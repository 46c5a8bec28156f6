"""Writing the SQLite index: validate everything, write a new file in one transaction, put it in place.

A sync never touches the live file: it builds ``<index>.building-<pid>`` beside it and moves it
over the live one with ``os.replace``, an atomic rename. A reader has the old file or the new one
open, never a half-written one, and holds no lock a sync waits for; a corrupt or foreign file in
the index's place is simply replaced. If any content problem is found nothing is written, so the
site keeps the last good content. The file is a cache of ``content/`` and is written without a
journal or fsync: after a crash the next sync (gunicorn's start runs one) writes it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Connection, Table, create_engine, event, text

from ..extensions import db
from ..models import CONCEPT_FTS_DDL, CONCEPT_FTS_TABLE, FTS_DDL, FTS_TABLE, Briefing, BriefingOrganization, BriefingTag
from ..models import BriefingText, Concept, Meta
from ..models import Page, PathStep, Project, ProjectTag, ReadingPath
from .collation import concept_sort_key
from .loader import Bundle, ParseCache, Read, load_content
from .parsing import ContentError, Problem
from .sources import Source

CONCEPTS_PER_BRIEFING = 1000  # a concept's id is its briefing's number times this, plus its position
BUILDING = ".building-"  # then the building process's id


@dataclass(frozen=True)
class SyncResult:
    version: str
    briefings: int
    projects: int
    pages: int
    seconds: float
    path: Path  # the index file written
    problems: list[Problem] = field(default_factory=list)  # left out or kept at their last good version


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


def sync(content_dir: Path | str, database_url: str, include_drafts: bool = False,
         cache: ParseCache | None = None, sources: list[Source] | None = None,
         last_good: dict[str, Read] | None = None) -> SyncResult:
    """Validate all content; on success write a new index in place of the old, else raise ``ContentError``.

    With ``last_good`` (development) a file with a problem keeps its last good version and the rest
    is published; ``last_good`` is then updated to what was published (see ``load_content``).
    """
    started = time.perf_counter()
    target = database_path(database_url)
    with exclusive_lock(target):
        bundle, problems = load_content(content_dir, include_drafts, cache, sources, last_good)
        if (problems and last_good is None) or not bundle.tables:
            raise ContentError(problems)
        write_index(bundle, target)
    if last_good is not None:
        last_good.clear()
        last_good.update(bundle.used)
    return SyncResult(bundle.version, len(bundle.briefings), len(bundle.projects), len(bundle.pages),
                      time.perf_counter() - started, target, problems)


def _unjournaled(dbapi_connection: Any, _record: Any) -> None:
    """The file being built is thrown away on any failure, so it needs no journal."""
    dbapi_connection.execute("PRAGMA journal_mode = OFF")
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def write_index(bundle: Bundle, target: Path) -> None:
    """Write ``bundle`` into a new file and move it into ``target``'s place (call under the sync lock)."""
    for leftover in target.parent.glob(f"{target.name}{BUILDING}*"):  # from an interrupted sync
        leftover.unlink(missing_ok=True)
    building = target.with_name(f"{target.name}{BUILDING}{os.getpid()}")
    engine = create_engine(f"sqlite:///{building}")
    event.listen(engine, "connect", _unjournaled)
    try:
        with engine.begin() as connection:
            db.metadata.create_all(connection)
            connection.execute(text(FTS_DDL))
            connection.execute(text(CONCEPT_FTS_DDL))
            insert_rows(connection, bundle)
        engine.dispose()
        os.replace(building, target)
    finally:
        engine.dispose()
        building.unlink(missing_ok=True)


def insert_rows(connection: Connection, bundle: Bundle) -> None:
    site = bundle.site.model_dump(mode="json") if bundle.site else {}
    meta = {
        "content_version": bundle.version,
        "content_stamp": bundle.stamp,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "site": json.dumps(site),
        "drafts": "shown" if bundle.include_drafts else "hidden",
    }
    briefings = bundle.briefings
    tables: list[tuple[Table, list[dict[str, Any]]]] = [
        (Meta.__table__, [{"key": key, "value": value} for key, value in meta.items()]),
        (Page.__table__, bundle.pages),
        (Project.__table__, bundle.projects),
        (ProjectTag.__table__, [{"project_slug": p["slug"], "tag": tag} for p in bundle.projects for tag in dict.fromkeys(p["tags"])]),
        (ReadingPath.__table__, bundle.paths),
        (PathStep.__table__, [{"path_slug": path["slug"], "position": position, "briefing_number": step["briefing"],
                               "why": step["why"]}
                              for path in bundle.paths for position, step in enumerate(path["steps"], start=1)]),
        (Briefing.__table__, briefings),
        (BriefingText.__table__, [
            {"number": b["number"], "summary_html": b["summary_html"],
             "concepts": [{"heading": c["heading"], "anchor": c["anchor"], "html": c["html"]} for c in b["concepts"]]}
            for b in briefings
        ]),
        (BriefingTag.__table__, [{"briefing_number": b["number"], "tag": tag} for b in briefings for tag in b["tags"]]),
        (BriefingOrganization.__table__, [{"briefing_number": b["number"], "organization": organization}
                                          for b in briefings for organization in b["organizations"]]),
        (Concept.__table__, [row for b in briefings for row in concept_rows(b)]),
        *((db.metadata.tables[name], rows) for name, rows in bundle.tables.items()),
    ]
    for table, rows in tables:
        insert_all(connection, table.name, rows, [c.name for c in table.columns if rows and c.name in rows[0]],
                   {c.name for c in table.columns if isinstance(c.type, JSON)})
    insert_all(connection, FTS_TABLE, [
        {"rowid": b["number"], "title": b["title"], "subtitle": b["subtitle"], "summary": b["summary_text"],
         "concepts": " ".join(f"{c['heading']}. {c['text']}" for c in b["concepts"])}
        for b in briefings
    ], ["rowid", "title", "subtitle", "summary", "concepts"])
    insert_all(connection, CONCEPT_FTS_TABLE, [
        {"rowid": row["id"], "heading": row["heading"], "text": concept["text"]}
        for b in briefings for row, concept in zip(concept_rows(b), b["concepts"])
    ], ["rowid", "heading", "text"])


def insert_all(connection: Connection, table: str, rows: list[dict[str, Any]], names: list[str],
               json_columns: set[str] = set()) -> None:
    """The ``names`` columns of every row in one ``executemany`` through the driver: SQLAlchemy's
    per-row parameter handling took as long as SQLite's own work in writing an index (docs/performance.md)."""
    if not rows:
        return
    values = [tuple(json.dumps(row[n]) if n in json_columns else row[n] for n in names) for row in rows]
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", values
    )


def concept_rows(briefing: dict[str, Any]) -> list[dict[str, Any]]:
    number = briefing["number"]
    return [
        {"id": number * CONCEPTS_PER_BRIEFING + position, "briefing_number": number, "heading": concept["heading"],
         "anchor": concept["anchor"], "sort_key": concept_sort_key(concept["heading"])}
        for position, concept in enumerate(briefing["concepts"][:CONCEPTS_PER_BRIEFING - 1], start=1)
    ]


def read_meta(path: Path) -> dict[str, str] | None:
    """The meta table of an index file, or None when there is no usable index (missing, corrupt, foreign)."""
    if not path.is_file():
        return None
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            if connection.exec_driver_sql("PRAGMA quick_check").scalar() != "ok":
                return None
            rows = connection.execute(text("SELECT key, value FROM meta")).all()
        return {key: value for key, value in rows}
    except Exception:  # a corrupt or foreign file counts as no index
        return None
    finally:
        engine.dispose()
