"""Following ideas through the corpus: the reading paths the owner writes (/paths/) and the
shortest chains of connections between two briefings (/briefings/path?from=1&to=54)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from ..briefings.views import briefing_url
from ..content.schema import CONNECTION_KINDS
from ..dates import atom_day, month_label
from ..extensions import db
from ..models import Briefing, ReadingPath
from ..publishing import feed_response
from ..queryargs import single
from ..urls import absolute_url, briefing_path
from . import queries
from .chains import Edge, Graph

bp = Blueprint("paths", __name__)

MAX_CHAINS = 5  # all shortest chains when there are this many or fewer, else the first five
SUGGESTIONS = 3  # briefings offered when no chain connects the two chosen


@bp.get("/paths/")
def index() -> str:
    paths = [
        {"path": path, "url": url_for("paths.reading_path", slug=path.slug), "length": length,
         "span": span_label(first, last)}
        for path, length, first, last in queries.all_paths()
    ]
    return render_template("paths/index.html", paths=paths, between_url=url_for("paths.between"))


def span_label(first: int, last: int) -> str:
    """'Jun 2017 – Apr 2026' from two YYYYMMDD keys."""
    start, end = month_label(first // 10000, first // 100 % 100), month_label(last // 10000, last // 100 % 100)
    return start if start == end else f"{start} – {end}"


@bp.get("/paths/<slug>")
def reading_path(slug: str) -> str:
    path = db.get_or_404(ReadingPath, slug)
    stops = [{"briefing": briefing, "url": briefing_url(briefing), "why": step.why, "part": step.position}
             for step, briefing in queries.path_steps(slug)]
    return render_template("paths/path.html", path=path, stops=stops,
                           feed_url=url_for("paths.feed", slug=slug), paths_url=url_for("paths.index"))


@bp.get("/paths/<slug>/feed.xml")
def feed(slug: str) -> Response:
    """The path's briefings as an Atom feed, newest to the site first: a reader subscribed to a
    path sees a briefing when it joins the path (each entry's id is the path and the briefing)."""
    path = db.get_or_404(ReadingPath, slug)
    page_url = absolute_url(url_for("paths.reading_path", slug=slug))
    steps = sorted(queries.path_steps(slug), key=lambda row: (row[1].added, row[1].number), reverse=True)
    entries = [
        {
            "id": f"{page_url}#part-{briefing.number}",
            "title": f"Part {step.position}: {briefing.number}. {briefing.title}",
            "url": absolute_url(briefing_path(briefing.number, briefing.slug)),
            "published": atom_day(briefing.added),
            "updated": atom_day(briefing.updated or briefing.added),
            "category": briefing.category,
            "summary": step.why,
            "content": None,
        }
        for step, briefing in steps
    ]
    return feed_response(f"{path.title} (a reading path)", path.summary, entries,
                         absolute_url(url_for("paths.feed", slug=slug)), page_url)


@bp.get("/briefings/path")
def between() -> str:
    """The chooser alone, or the shortest chains from one briefing to another."""
    choices = [(number, f"{number}. {title}") for number, title in queries.briefing_choices()]
    if "from" not in request.args and "to" not in request.args:
        return render_template("paths/between.html", choices=choices, start=None, goal=None)
    start, goal = chosen("from"), chosen("to")
    if start == goal:
        raise BadRequest("Choose two different briefings for 'from' and 'to'.")
    graph = queries.connection_graph()
    found = graph.shortest(start, goal, MAX_CHAINS)
    numbers = {start, goal, *(number for chain in found.chains for edge in chain for number in (edge.earlier, edge.later))}
    ends = queries.briefings_by_number({start, goal})
    advice = no_chain_advice(graph, ends[start], ends[goal]) if not found.chains else {}
    numbers |= {number for group in advice.get("groups", []) for number in group["numbers"]}
    briefings = queries.briefings_by_number(numbers)
    return render_template(
        "paths/between.html", choices=choices, start=briefings[start], goal=briefings[goal],
        start_url=briefing_url(briefings[start]), goal_url=briefing_url(briefings[goal]),
        chains=[trail(chain, briefings) for chain in found.chains], found=found,
        advice=suggestion_links(advice, briefings), canonical=between_url(start, goal),
    )


def between_url(start: int, goal: int) -> str:
    return url_for("paths.between", **{"from": start, "to": goal})


def chosen(name: str) -> int:
    """A briefing number from the query string; missing, malformed or unknown is a 400."""
    value = single(name, 8)
    if not value:
        raise BadRequest(f"Choose a briefing for {name!r}: /briefings/path?from=1&to=54 traces the connections from #1 to #54.")
    if not (value.isascii() and value.isdigit()):
        raise BadRequest(f"The {name!r} value must be a briefing number, not {value[:40]!r}.")
    if not queries.exists(int(value)):
        raise BadRequest(f"There is no briefing #{int(value)}.")
    return int(value)


def trail(chain: list[Edge], briefings: dict[int, Briefing]) -> list[dict[str, Any]]:
    """A chain as the trail draws it: each briefing, then the connection that leads on from it."""
    stops = [{"briefing": briefings[chain[0].earlier], "step": None}]
    for edge in chain:
        stops[-1]["step"] = {"label": CONNECTION_KINDS[edge.kind][1], "kind": edge.kind, "note": edge.note}
        stops.append({"briefing": briefings[edge.later], "step": None})
    for stop in stops:
        stop["url"] = briefing_url(stop["briefing"])
    return stops


def no_chain_advice(graph: Graph, first: Briefing, last: Briefing) -> dict[str, Any]:
    """Why no chain leads from ``first`` to ``last``, and the nearest pairs that do connect."""
    start, goal = first.number, last.number
    reversed_pair = bool(graph.shortest(goal, start, 1).chains)
    later = (first.year, first.month) > (last.year, last.month)
    onward = graph.nearest(graph.distances(start, forward=True), last.year * 10000 + last.month * 100, SUGGESTIONS)
    before = graph.nearest(graph.distances(goal, forward=False), first.year * 10000 + first.month * 100, SUGGESTIONS)
    return {
        "pair": (start, goal),
        "later": later,
        "reversed": reversed_pair,
        "groups": [
            {"kind": "onward", "numbers": onward, "pairs": [(start, number) for number in onward]},
            {"kind": "before", "numbers": before, "pairs": [(number, goal) for number in before]},
        ],
    }


def suggestion_links(advice: dict[str, Any], briefings: dict[int, Briefing]) -> dict[str, Any]:
    """The advice with a URL for every pair it suggests (the query layer returns numbers only)."""
    if not advice:
        return {}
    groups = {
        group["kind"]: [{"briefing": briefings[number], "url": between_url(*pair)}
                        for number, pair in zip(group["numbers"], group["pairs"])]
        for group in advice["groups"]
    }
    start, goal = advice["pair"]
    return {"later": advice["later"], "reversed_url": between_url(goal, start) if advice["reversed"] else None,
            **groups}


@bp.app_template_global()
def origins_form(item: Briefing) -> dict[str, Any] | None:
    """The briefing page's "How did we get here from…" form: the briefings a chain leads from."""
    origins = queries.origins(item.number)
    if not origins:
        return None
    return {"action": url_for("paths.between"), "to": item.number,
            "choices": [(b.number, f"{b.number}. {b.title} ({b.month_label})") for b in origins]}


@bp.app_template_global()
def path_memberships(item: Briefing) -> list[dict[str, Any]]:
    """"Part 3 of 8 in <path>", with the briefings before and after, for each path it belongs to."""
    return [
        {"title": member.path.title, "url": url_for("paths.reading_path", slug=member.path.slug),
         "position": member.position, "length": member.length,
         "previous": member.previous and {"briefing": member.previous, "url": briefing_url(member.previous)},
         "next": member.next and {"briefing": member.next, "url": briefing_url(member.next)}}
        for member in queries.memberships(item.number)
    ]
