"""Explorer and briefing pages."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Any, NamedTuple

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from werkzeug.exceptions import BadRequest, NotFound
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..content import state as index_state
from ..content.schema import CONNECTION_KINDS
from ..extensions import db
from ..models import Briefing, Connection
from ..rendering import fragment_target, render_page
from ..urls import absolute_url, briefing_ident, briefing_path
from . import document, graph, queries
from .filters import SORTS, ExplorerQuery

bp = Blueprint("briefings", __name__)

IDENT = re.compile(r"^(\d{1,7})(?:-([^/]*))?$")
MAX_FROM_LENGTH = 1000
RECENT = 3  # the newest additions the explorer names above its results


def explorer_url(state: ExplorerQuery) -> str:
    return state.url(url_for("briefings.explorer"))


def briefing_url(briefing: Briefing, back: ExplorerQuery | None = None) -> str:
    """The canonical URL, carrying the explorer state the visitor came from (if any)."""
    url = briefing_path(briefing.number, briefing.slug)
    if back is not None and back.params():
        url += "?" + back.as_from()
    return url


@bp.get("/")
def explorer() -> Response:
    """Cards with facets, search and paging; htmx swaps the results or appends a page."""
    state = explorer_state()
    base = url_for("briefings.explorer")
    results = queries.run(state, current_app.config["PAGE_SIZE"], lambda other: other.url(base),
                          from_first=fragment_target() != "load-more")
    if state.page > results.pages:
        raise NotFound()
    return render_page(
        "briefings/explorer.html",
        blocks={"explorer-results": "results", "load-more": "more", "briefings-view": "view"},
        push_url=explorer_url(state) if fragment_target() in ("explorer-results", "briefings-view") else None,
        state=state,
        results=results,
        sorts=SORTS,
        recent=queries.recently_added(ExplorerQuery(), RECENT, with_text=False) if not state.is_filtered else [],
        added_url=explorer_url(ExplorerQuery(sort="added")),
        explorer_url=explorer_url,
        briefing_url=briefing_url,
    )


def explorer_state() -> ExplorerQuery:
    """The explorer state of this request's query string; a value no briefing has is a 400.

    Every facet link repeats the whole state, so a page's size must be bounded by the
    content's vocabularies, not by what a request lists.
    """
    state = ExplorerQuery.parse_or_400(request.args)
    spelled = canonical_spelling(state)
    if spelled != state:
        abort(redirect(spelled.url(request.path), code=301))
    unknown = unknown_values(state)
    if unknown:
        raise BadRequest(f"There is no {', '.join(unknown)} in the briefings.")
    return state


def canonical_spelling(state: ExplorerQuery) -> ExplorerQuery:
    """The state with each filter value spelt as the vocabulary spells it (``anthropic`` → ``Anthropic``)."""
    site = index_state().site
    if site is None:
        return state
    changes = {}
    for name, vocabulary in (("category", site.categories), ("organization", site.organizations),
                             ("tag", site.briefing_tags)):
        spelling = {value.casefold(): value for value in vocabulary}
        values = getattr(state, name)
        fixed = tuple(dict.fromkeys(spelling.get(value.casefold(), value) for value in values))
        if fixed != values:
            changes[name] = fixed
    return replace(state, **changes) if changes else state


def unknown_values(state: ExplorerQuery) -> list[str]:
    """Filter values that are not in the site's vocabularies (or, for years, in any briefing)."""
    site = index_state().site
    unknown = []
    if site is not None:
        unknown += [f"category “{v}”" for v in state.category if v not in site.categories]
        unknown += [f"organization “{v}”" for v in state.organization if v not in site.organizations]
        unknown += [f"type “{v}”" for v in state.tag if v not in site.briefing_tags]
    if state.year:
        years = set(db.session.scalars(select(Briefing.year).distinct()))
        unknown += [f"year {v}" for v in state.year if v not in years]
    return unknown


@bp.get("/<ident>")
def briefing(ident: str) -> Response:
    """A briefing at /briefings/<number>-<slug>; other spellings redirect to it."""
    match = IDENT.match(ident)
    if not match:
        raise NotFound()
    item = db.get_or_404(Briefing, int(match[1]), options=[joinedload(Briefing.text)])
    back = explorer_state_from_request()
    canonical = briefing_url(item, back)
    if ident != briefing_ident(item.number, item.slug):
        return redirect(canonical, code=301)  # type: ignore[return-value]
    links = linked_briefings(item)
    return render_page(
        "briefings/briefing.html",
        briefing=item,
        back=back,
        back_url=explorer_url(back or ExplorerQuery()),
        canonical_url=briefing_url(item),
        connections=connection_groups(links, back),
        superseded_by=[
            {"briefing": link.other, "url": briefing_url(link.other, back), "note": link.note}
            for link in sorted(links, key=lambda link: link.other.number)
            if link.kind == "supersedes" and not link.outgoing
        ],
        graphs=neighbourhood(item, links, back),
        kinds={kind: labels[0] for kind, labels in CONNECTION_KINDS.items() if any(link.kind == kind for link in links)},
        around_url=ExplorerQuery(around=item.number).url(url_for("briefings.influence_map")),
        neighbours=previous_and_next(item),
        related=[{"briefing": other, "url": briefing_url(other, back)} for other in queries.related(item.number)],
        briefing_url=briefing_url,
        document=document.panel(item, absolute_url(briefing_url(item)), builds_on(links)),
    )


def builds_on(links: list[Link]) -> list[tuple[Briefing, str]]:
    """The briefings this one builds on, with their absolute URLs (for JSON-LD ``isBasedOn``)."""
    return [(link.other, absolute_url(briefing_url(link.other))) for link in links
            if link.outgoing and link.kind == "builds_on"]


def explorer_state_from_request() -> ExplorerQuery | None:
    values = request.args.getlist("from")
    if len(values) != 1 or len(values[0]) > MAX_FROM_LENGTH:
        return None
    return ExplorerQuery.from_query_string(values[0])


class Link(NamedTuple):
    """One connection of the briefing shown: its kind, whether this briefing wrote it, the other
    briefing and why it matters."""

    kind: str
    outgoing: bool
    other: Briefing
    note: str


def linked_briefings(item: Briefing) -> list[Link]:
    """Every connection of ``item``, both directions, in two queries."""
    outgoing = db.session.execute(
        select(Connection.kind, Briefing, Connection.note).join(Briefing, Briefing.number == Connection.target)
        .where(Connection.source == item.number)
    ).all()
    incoming = db.session.execute(
        select(Connection.kind, Briefing, Connection.note).join(Briefing, Briefing.number == Connection.source)
        .where(Connection.target == item.number)
    ).all()
    return [Link(kind, True, other, note) for kind, other, note in outgoing] + [
        Link(kind, False, other, note) for kind, other, note in incoming]


def connection_label(kind: str, outgoing: bool) -> str:
    written, derived = CONNECTION_KINDS[kind]
    return written if outgoing else derived


def connection_groups(links: list[Link], back: ExplorerQuery | None) -> list[dict[str, Any]]:
    """Connections grouped by kind and direction: 'Influenced by', then 'Influenced', ..., each with its note."""
    groups: dict[tuple[int, bool], list[Link]] = defaultdict(list)
    kinds = list(CONNECTION_KINDS)
    for link in links:
        groups[(kinds.index(link.kind), not link.outgoing)].append(link)
    return [
        {
            "label": connection_label(kinds[kind_index], not derived),
            "items": [
                {"briefing": link.other, "url": briefing_url(link.other, back), "note": link.note}
                for link in sorted(members, key=lambda link: link.other.number)
            ],
        }
        for (kind_index, derived), members in sorted(groups.items())
    ]


def neighbourhood(item: Briefing, links: list[Link], back: ExplorerQuery | None) -> list[graph.Graph]:
    """The picture twice: side by side for wide screens, stacked for phones (CSS shows one)."""
    if not links:
        return []
    neighbours = [
        graph.Neighbour(
            item=graph.Item(link.other.number, link.other.title, link.other.month_label,
                            briefing_url(link.other, back), link.other.date_key),
            kind=link.kind,
            outgoing=link.outgoing,
            note=link.note,
            label=connection_label(link.kind, link.outgoing),
        )
        for link in links
    ]
    centre = graph.Item(item.number, item.title, item.month_label, briefing_url(item, back), item.date_key)
    return [graph.layout(centre, neighbours), graph.stacked(centre, neighbours)]


def previous_and_next(item: Briefing) -> dict[str, Briefing | None]:
    before = db.session.scalar(select(func.max(Briefing.number)).where(Briefing.number < item.number))
    after = db.session.scalar(select(func.min(Briefing.number)).where(Briefing.number > item.number))
    return {
        "previous": db.session.get(Briefing, before) if before else None,
        "next": db.session.get(Briefing, after) if after else None,
    }
