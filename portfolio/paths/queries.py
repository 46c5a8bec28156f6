"""What the reading paths and the path between two briefings read from the index.

Functions return rows and plain data; the views build every URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased

from ..briefings import queries as briefing_queries
from ..extensions import db
from ..models import Briefing, Connection, PathStep, ReadingPath
from .chains import Edge, Graph


def connection_graph() -> Graph:
    """Every connection and every briefing's place in time, as plain rows (the ORM's row handling
    was most of this page's time at 1,000 briefings; docs/performance.md)."""
    connection = db.session.connection()
    order = {number: (date_key, number) for number, date_key in connection.execute(
        select(Briefing.number, Briefing.date_key))}
    edges = [Edge(earlier=target, later=source, kind=kind, note=note) for source, target, kind, note in
             connection.execute(select(Connection.source, Connection.target, Connection.kind, Connection.note))]
    return Graph(edges, order)


def exists(number: int) -> bool:
    return db.session.scalar(select(Briefing.number).where(Briefing.number == number)) is not None


def origins(number: int) -> list[Briefing]:
    """The briefings a chain of connections leads from to this one, oldest first (one recursive query)."""
    chain = select(literal(number).label("number")).cte("chain", recursive=True)
    chain = chain.union(select(Connection.target).join(chain, Connection.source == chain.c.number))
    return list(db.session.scalars(
        select(Briefing).options(briefing_queries.narrow_briefing())
        .where(Briefing.number.in_(select(chain.c.number)), Briefing.number != number)
        .order_by(Briefing.date_key, Briefing.number)))


def briefing_choices() -> list[tuple[int, str]]:
    """Every briefing's number and title, by number, for the form that picks two (plain rows:
    loading a thousand ORM objects cost this page most of its time)."""
    return [(number, title) for number, title in db.session.execute(
        select(Briefing.number, Briefing.title).order_by(Briefing.number))]


def briefings_by_number(numbers: set[int]) -> dict[int, Briefing]:
    rows = db.session.scalars(
        select(Briefing).options(briefing_queries.narrow_briefing()).where(Briefing.number.in_(numbers)))
    return {briefing.number: briefing for briefing in rows}


def all_paths() -> list[tuple[ReadingPath, int, int, int]]:
    """Each reading path with how many briefings it has and the first and last month it spans."""
    rows = db.session.execute(
        select(ReadingPath, func.count(), func.min(Briefing.date_key), func.max(Briefing.date_key))
        .join(PathStep, PathStep.path_slug == ReadingPath.slug)
        .join(Briefing, Briefing.number == PathStep.briefing_number)
        .group_by(ReadingPath.slug).order_by(ReadingPath.title)
    ).all()
    return [(path, count, first, last) for path, count, first, last in rows]


def path_steps(slug: str) -> list[tuple[PathStep, Briefing]]:
    return [(step, briefing) for step, briefing in db.session.execute(
        select(PathStep, Briefing).join(Briefing, Briefing.number == PathStep.briefing_number)
        .where(PathStep.path_slug == slug).order_by(PathStep.position))]


@dataclass(frozen=True)
class Membership:
    """A briefing's place in one reading path, with the briefings before and after it there."""

    path: ReadingPath
    position: int
    length: int
    previous: Briefing | None
    next: Briefing | None


def memberships(number: int) -> list[Membership]:
    """Every reading path the briefing belongs to, in title order (usually none or one or two)."""
    here = aliased(PathStep)
    rows = db.session.execute(
        select(ReadingPath, here.position).join(here, here.path_slug == ReadingPath.slug)
        .where(here.briefing_number == number).order_by(ReadingPath.title)
    ).all()
    found = []
    for path, position in rows:
        around = dict(db.session.execute(
            select(PathStep.position, Briefing).join(Briefing, Briefing.number == PathStep.briefing_number)
            .where(PathStep.path_slug == path.slug, PathStep.position.in_((position - 1, position + 1)))
        ).tuples().all())
        length = db.session.scalar(select(func.count()).where(PathStep.path_slug == path.slug))
        found.append(Membership(path, position, length or 0, around.get(position - 1), around.get(position + 1)))
    return found
