"""The influence map at /briefings/map: the explorer's view drawn over time, with its text alternative."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Response, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from ..content import state as index_state
from ..content.schema import CONNECTION_KINDS
from ..dates import month_label
from ..extensions import db
from ..models import Briefing, Connection
from ..queryargs import single
from ..rendering import fragment_target, render_page
from . import queries
from .filters import ExplorerQuery
from .map import KIND_STYLES, PILL_H, MapItem, MapLayout, layout
from .views import bp, briefing_url, explorer_state, explorer_url

LANES = ("category", "organization")
MAX_NODES = 240  # a bigger view is drawn in part, key papers first, with ways to narrow it

# The kinds as the legend and the text alternative name them (the written direction).
KIND_LABELS = {kind: CONNECTION_KINDS[kind][0] for kind in KIND_STYLES}


@bp.app_template_global()
def map_url(state: ExplorerQuery, lanes: str = "category") -> str:
    url = state.filters_only().url(url_for("briefings.influence_map"))
    if lanes != "category":
        url += ("&" if "?" in url else "?") + f"lanes={lanes}"
    return url


def read_lanes() -> str:
    lanes = single("lanes", 20) or "category"
    if lanes not in LANES:
        raise BadRequest("The 'lanes' value must be category or organization.")
    return lanes


@bp.get("/map")
def influence_map() -> Response:
    """The briefings of an explorer view on a time axis, one lane per category (or organisation)."""
    state = explorer_state().filters_only()
    lanes = read_lanes()

    def url_for_state(other: ExplorerQuery) -> str:
        return map_url(other, lanes)

    results = queries.run(state, 0, url_for_state)
    drawn = db.session.scalars(
        select(Briefing).options(queries.narrow_briefing()).where(queries.where(queries.conditions(state)))
        .order_by(Briefing.key.desc(), Briefing.date_key.desc(), Briefing.number.desc()).limit(MAX_NODES)
    ).all()
    items = [
        MapItem(b.number, b.title, month_label(b.year, b.month), briefing_url(b, state),
                b.organizations[0] if lanes == "organization" else b.category, b.year, b.month, b.key)
        for b in drawn
    ]
    numbers = [item.number for item in items]
    links = db.session.execute(
        select(Connection.source, Connection.target, Connection.kind, Connection.note)
        .where(Connection.source.in_(numbers), Connection.target.in_(numbers))
    ).all()
    site = index_state().site
    order = list(getattr(site, "categories" if lanes == "category" else "organizations", []) if site else [])
    drawing = layout(items, [tuple(link) for link in links], order)
    return render_page(
        "briefings/map.html",
        blocks={"map-results": "results", "briefings-view": "view"},
        push_url=map_url(state, lanes) if fragment_target() in ("map-results", "briefings-view") else None,
        state=state,
        lanes=lanes,
        results=results,
        total=results.total,
        drawing=drawing,
        svg=Markup(render_template("briefings/_map.svg.html", drawing=drawing, pill_h=PILL_H)) if drawing.nodes else "",
        text=text_alternative(drawing),
        kinds={kind: label for kind, label in KIND_LABELS.items() if any(e.kind == kind for e in drawing.edges)},
        narrowing=narrowing(results, state, url_for_state) if results.total > len(numbers) else [],
        map_url=map_url,
        explorer_url=explorer_url,
    )


def text_alternative(drawing: MapLayout) -> list[tuple[str, list[tuple[MapItem, list[tuple[str, MapItem, str]]]]]]:
    """The picture as lists: per lane, each briefing in time order with the connections it writes
    (their kind, the briefing they name and why it matters)."""
    items = {node.item.number: node.item for node in drawing.nodes}
    written: dict[int, list[tuple[str, MapItem, str]]] = defaultdict(list)
    for edge in drawing.edges:
        written[edge.source].append((KIND_LABELS[edge.kind], items[edge.target], edge.note))
    by_lane: dict[str, list[MapItem]] = {lane.name: [] for lane in drawing.lanes}
    for item in items.values():
        by_lane[item.lane].append(item)
    return [
        (name, [(item, written.get(item.number, []))
                for item in sorted(members, key=lambda item: (item.year, item.month, item.number))])
        for name, members in by_lane.items()
    ]


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
