"""Filters defined by connections: current (not superseded) briefings, and a briefing's neighbourhood."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from ..models import Briefing, Connection


def is_current() -> ColumnElement[bool]:
    """Not superseded: no ``supersedes`` connection points at the briefing."""
    superseded = select(Connection.target).where(Connection.kind == "supersedes")
    return Briefing.number.not_in(superseded)


def in_neighbourhood(number: int) -> ColumnElement[bool]:
    """The briefing itself and every briefing connected to it, in either direction."""
    drawn_on = select(Connection.target).where(Connection.source == number)
    influenced = select(Connection.source).where(Connection.target == number)
    return or_(Briefing.number == number, Briefing.number.in_(drawn_on), Briefing.number.in_(influenced))
