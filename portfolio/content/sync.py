"""Build the SQLite index from validated content and swap it in atomically.

The new index is written to a temporary file beside the live one and moved over it with
``os.replace``: a reader has the old file or the new one open, never a half-built one. If any
content problem is found nothing is written, so the site keeps serving the last good content.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, event, insert, text

from ..extensions import db
from ..models import (
    FTS_DDL,
    FTS_TABLE,
    Briefing,
    BriefingTag,
    Connection,
    Meta,
    Page,
    Project,
    ProjectTag,
    RelatedBriefing,
)
from ..models import CONCEPT_FTS_DDL, CONCEPT_FTS_TABLE, Concept
from .related import related_rows
from .loader import Bundle, ContentError, content_stamp, load_content


@dataclass(frozen=True)
class SyncResult:
    version: str
    briefings: int
    projects: int
    pages: int
    seconds: float


def database_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Serialise syncs from several processes (gunicorn workers starting together)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync(content_dir: str | os.PathLike[str], database_url: str) -> SyncResult:
    """Validate all content; on success replace the index, otherwise raise ``ContentError``."""
    started = time.perf_counter()
    root = Path(content_dir)
    stamp = content_stamp(root)
    bundle, problems = load_content(root)
    if problems:
        raise ContentError(problems)
    target = database_path(database_url)
    with exclusive_lock(target):
        temporary = target.with_name(f"{target.name}.building-{os.getpid()}")
        try:
            write_index(bundle, temporary, stamp)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    return SyncResult(
        version=bundle.version,
        briefings=len(bundle.briefings),
        projects=len(bundle.projects),
        pages=len(bundle.pages),
        seconds=time.perf_counter() - started,
    )


def _fast_bulk_load(dbapi_connection: Any, _record: Any) -> None:
    """The temporary file is thrown away on failure, so durability is not needed while building."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = OFF")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.close()


def write_index(bundle: Bundle, path: Path, stamp: str) -> None:
    path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _fast_bulk_load)
    try:
        db.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(text(FTS_DDL))
            connection.execute(text(CONCEPT_FTS_DDL))
            for table, rows in table_rows(bundle, stamp):
                if rows:
                    connection.execute(insert(table), rows)
            if bundle.briefings:
                connection.execute(
                    text(f"INSERT INTO {FTS_TABLE} (rowid, title, subtitle, summary, concepts) "
                         "VALUES (:number, :title, :subtitle, :summary, :concepts)"),
                    [fts_row(briefing) for briefing in bundle.briefings],
                )
            concepts = concept_rows(bundle.briefings)
            if concepts:
                connection.execute(insert(Concept.__table__), [
                    {key: row[key] for key in ("id", "briefing_number", "heading", "anchor", "sort_key")}
                    for row in concepts
                ])
                connection.execute(
                    text(f"INSERT INTO {CONCEPT_FTS_TABLE} (rowid, heading, text) VALUES (:id, :heading, :text)"),
                    concepts,
                )
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def fts_row(briefing: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": briefing["number"],
        "title": briefing["title"],
        "subtitle": briefing["subtitle"],
        "summary": briefing["summary_text"],
        "concepts": " ".join(f"{c['heading']}. {c['text']}" for c in briefing["concepts"]),
    }


def concept_rows(briefings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every Key Concept of every briefing, numbered in briefing and page order."""
    rows = []
    for briefing in sorted(briefings, key=lambda b: b["number"]):
        for concept in briefing["concepts"]:
            rows.append({
                "id": len(rows) + 1, "briefing_number": briefing["number"], "heading": concept["heading"],
                "anchor": concept["anchor"], "sort_key": concept["heading"].casefold(), "text": concept["text"],
            })
    return rows


def table_rows(bundle: Bundle, stamp: str) -> list[tuple[Table, list[dict[str, Any]]]]:
    site = bundle.site.model_dump(mode="json") if bundle.site else {}
    meta = {
        "content_version": bundle.version,
        "content_stamp": stamp,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "site": json.dumps(site),
    }
    return [
        (Meta.__table__, [{"key": key, "value": value} for key, value in meta.items()]),
        (Page.__table__, bundle.pages),
        (Project.__table__, bundle.projects),
        (ProjectTag.__table__, [
            {"project_slug": p["slug"], "tag": tag} for p in bundle.projects for tag in dict.fromkeys(p["tags"])
        ]),
        (Briefing.__table__, bundle.briefings),
        (BriefingTag.__table__, [
            {"briefing_number": b["number"], "tag": tag} for b in bundle.briefings for tag in b["tags"]
        ]),
        (Connection.__table__, bundle.connections),
        (RelatedBriefing.__table__, related_rows(bundle.briefings, bundle.connections)),
    ]


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
