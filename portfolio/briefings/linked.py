"""Filters defined by connections: current (not superseded) briefings, and a briefing's neighbourhood."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from ..models import Briefing, Connection


def superseded() -> Select[Any]:
    """The numbers of briefings that another one supersedes."""
    return select(Connection.target).where(Connection.kind == "supersedes")


def is_current() -> ColumnElement[bool]:
    """Not superseded: no ``supersedes`` connection points at the briefing."""
    return Briefing.number.not_in(superseded())


def drawn_on(number: int) -> Select[Any]:
    """The briefings ``number`` connects to (its written connections)."""
    return select(Connection.target).where(Connection.source == number)


def influenced(number: int) -> Select[Any]:
    """The briefings that connect to ``number``."""
    return select(Connection.source).where(Connection.target == number)


def in_neighbourhood(number: int) -> ColumnElement[bool]:
    """The briefing itself and every briefing connected to it, in either direction."""
    return or_(Briefing.number == number, Briefing.number.in_(drawn_on(number)), Briefing.number.in_(influenced(number)))
