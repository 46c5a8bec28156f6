"""What an explorer card shows of a briefing, read as plain columns from the database cursor.

Loading a page's 12 briefings as ORM objects cost more than the page's search (0.4 ms, against
0.29 ms for the same columns through SQLAlchemy Core and 0.05 ms from the cursor, at 10,000
briefings), and a card needs none of a briefing's HTML, authors, concepts or citation key.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from .. import dates
from ..models import Briefing
from .rows import driver_rows


class CardRow(NamedTuple):
    number: int
    slug: str
    title: str
    subtitle: str
    category: str
    organization: str
    year: int
    month: int
    day: int | None
    date_key: int
    key: bool
    draft: bool
    tags: list[str]


class Card(CardRow, dates.MonthDated):
    """A card's columns, with the dates it shows."""

    __slots__ = ()


CARD_COLUMN_LIST = ", ".join('"' + name + '"' for name in Card._fields)
CARD_SQL = f"SELECT {CARD_COLUMN_LIST} FROM {Briefing.__tablename__} WHERE number IN "
# What SQLAlchemy's column types would do: booleans are stored as 0 or 1, the tags as JSON text.
CONVERTERS = tuple({"key": bool, "draft": bool, "tags": json.loads}.get(name, lambda value: value) for name in Card._fields)


def cards(numbers: list[int]) -> list[Card]:
    """The cards of these briefings, in the order of ``numbers``."""
    if not numbers:
        return []
    rows = driver_rows(CARD_SQL + f"({', '.join('?' * len(numbers))})", tuple(numbers))
    found = {row[0]: Card(*(convert(value) for convert, value in zip(CONVERTERS, row))) for row in rows}
    return [found[number] for number in numbers if number in found]
