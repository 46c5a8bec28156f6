"""Plain rows straight from the database cursor, for queries that return thousands of them.

SQLAlchemy's result rows cost about a microsecond each: for the thousands of numbers a broad
search matches, that was more than the search itself (measured at 10,000 briefings).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from ..extensions import db


def driver_rows(query: Select[Any] | str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row of ``query`` (a Core select, or SQL with ``?`` parameters) as plain tuples."""
    if not isinstance(query, str):
        compiled = query.compile(dialect=db.engine.dialect)
        parameters = tuple(compiled.params[name] for name in compiled.positiontup or ())
        query = str(compiled)
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute(query, parameters)
        return cursor.fetchall()
    finally:
        cursor.close()
