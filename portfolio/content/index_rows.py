"""The rows one briefing puts in the index, as tuples in each table's column order.

They depend on the briefing alone, so a parse worker makes them (JSON encoded, concept sort keys
computed) and the process writing the index only hands them to SQLite. In a cold sync of 10,000
briefings that one process is the slowest part, and preparing rows was about a tenth of its time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import JSON, Connection

from ..models import CONCEPT_FTS_TABLE, FTS_TABLE, Briefing, BriefingTag, Concept
from .collation import concept_sort_key

BRIEFING_COLUMNS = tuple(column.name for column in Briefing.__table__.columns)
JSON_COLUMNS = frozenset(column.name for column in Briefing.__table__.columns if isinstance(column.type, JSON))
CONCEPT_COLUMNS = ("id", "briefing_number", "heading", "anchor", "sort_key")
FTS_COLUMNS = ("rowid", "title", "subtitle", "summary", "concepts")
CONCEPT_FTS_COLUMNS = ("rowid", "heading", "text")
CONCEPTS_PER_BRIEFING = 1000  # a concept's id is its briefing's number times this, plus its position


class FtsTables(NamedTuple):
    """Where the two full-text entries of a briefing go (a new index stages them first)."""

    briefings: str = FTS_TABLE
    concepts: str = CONCEPT_FTS_TABLE


class IndexRows(NamedTuple):
    briefing: tuple[Any, ...]
    tags: list[tuple[int, str]]
    fts: tuple[int, str, str, str, str]
    concepts: list[tuple[Any, ...]]
    concept_fts: list[tuple[int, str, str]]


def index_rows(record: dict[str, Any]) -> IndexRows:
    """Every row of the briefing whose index record this is, ready to insert."""
    number = record["number"]
    concepts = record["concepts"][:CONCEPTS_PER_BRIEFING - 1]
    ids = [number * CONCEPTS_PER_BRIEFING + position for position in range(1, len(concepts) + 1)]
    concept_text = " ".join(f"{concept['heading']}. {concept['text']}" for concept in record["concepts"])
    return IndexRows(
        briefing=tuple(json.dumps(record[name]) if name in JSON_COLUMNS else record[name] for name in BRIEFING_COLUMNS),
        tags=[(number, tag) for tag in record["tags"]],
        fts=(number, record["title"], record["subtitle"], record["summary_text"], concept_text),
        concepts=[
            (id_, number, concept["heading"], concept["anchor"], concept_sort_key(concept["heading"]))
            for id_, concept in zip(ids, concepts)
        ],
        concept_fts=[(id_, concept["heading"], concept["text"]) for id_, concept in zip(ids, concepts)],
    )


def insert_values(connection: Connection, table: str, columns: Sequence[str], values: list[tuple[Any, ...]]) -> None:
    """One INSERT of many rows of values, through the driver (no per-row SQLAlchemy work)."""
    if values:
        placeholders = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", values)


def insert_rows(connection: Connection, batch: list[IndexRows], fts: FtsTables = FtsTables()) -> None:
    """Write the rows of these briefings: their table rows, tags, concepts and both FTS entries."""
    insert_values(connection, Briefing.__table__.name, BRIEFING_COLUMNS, [rows.briefing for rows in batch])
    tags = [tag for rows in batch for tag in rows.tags]
    insert_values(connection, BriefingTag.__table__.name, ("briefing_number", "tag"), tags)
    insert_values(connection, fts.briefings, FTS_COLUMNS, [rows.fts for rows in batch])
    insert_values(connection, Concept.__table__.name, CONCEPT_COLUMNS, [row for rows in batch for row in rows.concepts])
    insert_values(connection, fts.concepts, CONCEPT_FTS_COLUMNS, [row for rows in batch for row in rows.concept_fts])
