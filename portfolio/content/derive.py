"""Rows computed over the whole published set of briefings, on every sync.

A step takes the ``BriefingSet`` (after every cross-check passed) and returns rows by table
name; ``sync`` rewrites those tables whole each time, so a step never has to know what
changed. Add one by writing a function and listing it in ``SET_STEPS``; its table is a model
in ``portfolio.models``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .citekeys import assign_keys
from .crosschecks import BriefingSet
from .related import related_rows

Rows = dict[str, list[dict[str, Any]]]
SetStep = Callable[[BriefingSet], Rows]


def connection_rows(briefings: BriefingSet) -> Rows:
    """Each written connection between two briefings of this build, in file order."""
    included = briefings.published
    published = {briefing.number for briefing in included}
    rows = []
    for briefing in included:
        for kind, target in briefing.connections:
            if target in published and target != briefing.number:
                rows.append({"source": briefing.number, "target": target, "kind": kind})
    return {"connection": rows}


def related_briefing_rows(briefings: BriefingSet) -> Rows:
    """Up to five most similar briefings for each, from the words counted when each file was parsed."""
    documents = {briefing.number: briefing.terms for briefing in briefings.published}
    return {"related_briefing": related_rows(documents, connection_rows(briefings)["connection"])}


def cite_key_rows(briefings: BriefingSet) -> Rows:
    """Each briefing's BibTeX key, unique across the set: a new or renamed briefing can take another's."""
    keys = assign_keys({briefing.number: briefing.cite_base for briefing in briefings.published})
    return {"cite_key": [{"number": number, "key": key} for number, key in keys.items()]}


SET_STEPS: tuple[SetStep, ...] = (connection_rows, related_briefing_rows, cite_key_rows)


def derive(briefings: BriefingSet) -> Rows:
    """Every step's rows, by table name."""
    rows: Rows = {}
    for step in SET_STEPS:
        for table, table_rows in step(briefings).items():
            rows.setdefault(table, []).extend(table_rows)
    return rows
