"""The influence map at /briefings/map: the explorer's view drawn over time, with its text alternative."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Response, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select

from ..content.schema import CONNECTION_KINDS
from ..dates import month_label
from ..extensions import db
from ..models import Briefing, Connection
from ..rendering import fragment_target, render_page
from . import queries
from .filters import ExplorerQuery
from .map import KIND_STYLES, NARROW, WIDE, MapEdge, MapItem, MapLayout, layout
from .views import bp, briefing_url, explorer_state, explorer_url

MAX_NODES = 240  # a bigger view is drawn in part, key papers first, with ways to narrow it

# The kinds as the legend and the text alternative name them (the written direction).
KIND_LABELS = {kind: CONNECTION_KINDS[kind][0] for kind in KIND_STYLES}


@bp.app_template_global()
def map_url(state: ExplorerQuery) -> str:
    return state.filters_only().url(url_for("briefings.influence_map"))


@bp.get("/map")
def influence_map() -> Response:
    """The briefings of an explorer view, newest first, with the connections between them."""
    state = explorer_state().filters_only()
    results = queries.run(state, 0, map_url)
    drawn = db.session.scalars(
        select(Briefing).options(queries.narrow_briefing()).where(queries.where(queries.conditions(state)))
        .order_by(Briefing.key.desc(), Briefing.date_key.desc(), Briefing.number.desc()).limit(MAX_NODES)
    ).all()
    items = [map_item(b, briefing_url(b, state)) for b in drawn]
    numbers = [item.number for item in items]
    links = [tuple(link) for link in db.session.execute(
        select(Connection.source, Connection.target, Connection.kind, Connection.note)
        .where(Connection.source.in_(numbers), Connection.target.in_(numbers))
    )]
    drawings = [layout(items, links, width, centre=state.around) for width in (WIDE, NARROW)]
    edges = drawings[0].edges
    return render_page(
        "briefings/map.html",
        blocks={"map-results": "results", "briefings-view": "view"},
        push_url=map_url(state) if fragment_target() in ("map-results", "briefings-view") else None,
        state=state,
        results=results,
        total=results.total,
        drawn=len(items),
        connections=len(edges),
        svgs=[Markup(render_template("briefings/_map.svg.html", drawing=drawing, by_end=by_end(drawing.edges)))
              for drawing in drawings] if items else [],
        text=text_alternative(drawings[0]),
        kinds={kind: label for kind, label in KIND_LABELS.items() if any(e.kind == kind for e in edges)},
        narrowing=narrowing(results, state, map_url) if results.total > len(numbers) else [],
        map_url=map_url,
        explorer_url=explorer_url,
    )


def map_item(briefing: Briefing, url: str) -> MapItem:
    meta = f"{month_label(briefing.year, briefing.month)} · {briefing.category}"
    return MapItem(briefing.number, briefing.title, url, meta, briefing.key,
                   briefing.year * 10000 + briefing.month * 100 + (briefing.day or 0), briefing.year)


def by_end(edges: list[MapEdge]) -> dict[str, dict[int, list[MapEdge]]]:
    """Each briefing's connections: those it wrote, and those that name it (drawn again, hidden, in its
    row, so that hovering or focusing it picks out both with CSS alone)."""
    written: dict[int, list[MapEdge]] = defaultdict(list)
    named: dict[int, list[MapEdge]] = defaultdict(list)
    for edge in edges:
        written[edge.source].append(edge)
        named[edge.target].append(edge)
    return {"written": written, "named": named}


def text_alternative(drawing: MapLayout) -> list[tuple[MapItem, list[tuple[str, MapItem, str]]]]:
    """The picture as a list, in its order: each briefing with the connections it writes (their
    kind, the briefing they name and why it matters)."""
    items = {node.item.number: node.item for node in drawing.nodes}
    written: dict[int, list[tuple[str, MapItem, str]]] = defaultdict(list)
    for edge in drawing.edges:
        written[edge.source].append((KIND_LABELS[edge.kind], items[edge.target], edge.note))
    return [(node.item, written.get(node.item.number, [])) for node in drawing.nodes]


def narrowing(results: queries.ExplorerResults, state: ExplorerQuery, url_for_state: Any) -> list[dict[str, Any]]:
    """Ways to narrow a view too big to draw whole: key papers only, or one year."""
    options = []
    if not state.key:
        options.append({"label": "★ Key papers only", "count": results.key_count,
                        "url": url_for_state(state.toggled("key", 1))})
    for facet in results.facets:
        if facet.name == "year" and not state.year:
            options += [{"label": value["label"], "count": value["count"], "url": value["toggle_url"]}
                        for value in facet.values if value["count"]]
    return options
