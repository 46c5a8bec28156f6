"""How the site writes dates: one place for the month names and the label of a briefing's date."""

from __future__ import annotations

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(year: int, month: int) -> str:
    """'May 2025', as the seed prints a briefing's date."""
    return f"{MONTH_ABBR[month - 1]} {year}"
