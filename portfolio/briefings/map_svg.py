"""The influence map's SVG text, written from its layout in one pass.

The picture has a shape per briefing and per connection (hundreds at 1,000 briefings), and
each shape is a fixed line with a few numbers in it. As a Jinja loop that was the map's
slowest step after its queries (every attribute looked up and every value escaped through
the template machinery); as f-strings joined once it is a small fraction of that (README,
"The influence map"). The output is byte-for-byte deterministic: the layout is, and nothing
here depends on anything else.

Only text that comes from content (lane names, titles in a node's name, URLs) is escaped;
the numbers and the fixed strings cannot hold markup.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from .map import PILL_H, MapLayout

ARROW = (
    '<marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9"'
    ' markerUnits="userSpaceOnUse" orient="auto"><path class="arrow-head" d="M0 0 L10 5 L0 10 z"/></marker>'
)


def map_svg(drawing: MapLayout) -> Markup:
    """The ``<svg>`` element of ``drawing``, ready to place in a page."""
    width, height = drawing.width, drawing.height
    out = [
        f'<svg class="influence-map" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="map-svg-title">',
        f'\n  <title id="map-svg-title">Influence map: {len(drawing.nodes)} briefings and'
        f' {len(drawing.edges)} connections over time</title>',
        f"\n  <defs>\n    {ARROW}\n  </defs>",
    ]
    out += [f'\n  <rect class="lane{" lane-alt" if index % 2 else ""}" x="0" y="{lane.y}" width="{width}"'
            f' height="{lane.height}"/>' for index, lane in enumerate(drawing.lanes)]
    out += [f'\n  <path class="year-line" d="M{x} 0 V{height}"/>' for x in drawing.year_lines]
    out.append('\n  <g class="axis" aria-hidden="true">')
    for tick in drawing.ticks:
        if tick.year:
            out.append(f'<text class="axis-year" x="{tick.x}" y="17" text-anchor="middle">{tick.year}</text>')
        out.append(f'\n    <text x="{tick.x}" y="36" text-anchor="middle">{tick.month}</text>')
    out.append('\n  </g>\n  <g class="edges" aria-hidden="true">')
    out += [f'\n    <path class="edge k-{edge.kind}" d="{edge.path}" marker-end="url(#map-arrow)"/>'
            for edge in drawing.edges]
    out.append("\n  </g>")
    # The lanes' names over the edges, each with a halo of its lane's colour (site.css), so a
    # connection passing under a name never strikes it through.
    for index, lane in enumerate(drawing.lanes):
        alt = " alt" if index % 2 else ""
        name = escape(lane.name)
        out += [f'\n  <text class="lane-name{alt}" x="{x}" y="{lane.y + 18}">{name}</text>' for x in lane.label_xs]
    text_dy = PILL_H // 2 + 5  # the baseline that centres 13 px digits in the pill
    for node in drawing.nodes:
        item = node.item
        name = escape(node.name)
        key = " key" if item.key else ""
        out.append(
            f'\n  <a class="node{key}" href="{escape(item.url)}" aria-label="{name}"><title>{name}</title>'
            f'<rect x="{node.x}" y="{node.y}" width="{node.width}" height="{PILL_H}" rx="{PILL_H // 2}"/>'
            f'<text x="{node.cx}" y="{node.y + text_dy}" text-anchor="middle">{node.label}</text></a>'
        )
    out.append("\n</svg>")
    return Markup("".join(out))
