"""Every date the site prints, formatted here and nowhere else.

The content knows a briefing's month and sometimes its day, so each format keeps exactly
that precision: ``May 2025`` for people, ``2025-05`` or ``2025-05-12`` for machines
(``<time datetime>``, the sitemap, JSON-LD), and a full RFC 3339 time for Atom, which
requires one (feeds are dated by the day a briefing was added or revised).
"""

from __future__ import annotations

from typing import Any

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(year: int, month: int) -> str:
    """'May 2025', as the seed prints a briefing's date."""
    return f"{MONTH_ABBR[month - 1]} {year}"


def w3c_date(year: int, month: int, day: int | None) -> str:
    """``2025-05`` or ``2025-05-12``: the precision the content knows."""
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def atom_day(iso: str) -> str:
    """'2026-11-20' → '2026-11-20T00:00:00Z', an Atom time for a day the site knows."""
    return f"{iso}T00:00:00Z"


def day_label(iso: str) -> str:
    """'2026-11-20' → '20 Nov 2026' (a briefing's "Updated" date), in the site's month style."""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{day} {MONTH_ABBR[month - 1]} {year}"


class MonthDated:
    """The two dates a briefing shows, for anything with ``year``, ``month`` and ``day`` (the
    index model and an explorer card): written once here."""

    @property
    def month_label(self: Any) -> str:
        return month_label(self.year, self.month)

    @property
    def w3c_date(self: Any) -> str:
        return w3c_date(self.year, self.month, self.day)
