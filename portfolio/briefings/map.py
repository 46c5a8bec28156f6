"""The influence map's layout: one row per briefing, newest at the top, each with its whole title;
every connection a bracket in a gutter on the left, from the briefing that wrote it to the one it
names. Plain, deterministic data: the same briefings give the same SVG on every node.

Why this shape: the briefings' dots stand on one vertical line and a connection leaves its dot
to the left, runs down its own distance from that line and comes back to the other dot, so it
never passes through a briefing it does not join (lanes on a time axis ran long edges behind
the briefings between their ends, and could show only numbers). A longer connection keeps
farther out, so short ones nest inside long ones. It is laid out twice, for a wide screen and a
phone (CSS shows one), so the text stays 13 px without sideways scrolling.
"""

from __future__ import annotations

from dataclasses import dataclass

from .graph import wrap

CHAR_W = 7.4  # an average character at 13 px, rounded up so a wrapped line always fits
LINE_H = 17
ROW_PAD = 7
YEAR_H = 30
DOT_R = 6
MARGIN = 6
CORNER = 14  # how far a bracket runs vertically while it turns
MIN_REACH = 14  # the shortest bracket's distance from the dots' line: clear of every dot
WIDE, NARROW = 840, 350  # the drawings' widths: the explorer's column at 1280 px, and a phone
META_W = 210  # on a wide screen the month and category stand in a column on the right

KIND_STYLES = ("influenced_by", "builds_on", "responds_to", "supersedes")


@dataclass(frozen=True)
class MapItem:
    """A briefing as the map needs it."""

    number: int
    title: str
    url: str
    meta: str  # its month and category, as one line of text
    key: bool
    date_key: int
    year: int


@dataclass(frozen=True)
class MapNode:
    item: MapItem
    y: int  # top of its row
    height: int
    lines: tuple[str, ...]  # its title, wrapped
    meta_lines: tuple[tuple[str, int, int], ...]  # (text, x, baseline) of its month and category
    centre: bool = False

    def baselines(self, x: int) -> list[tuple[str, int, int]]:
        return [(line, x, self.y + ROW_PAD + 13 + index * LINE_H) for index, line in enumerate(self.lines)]

    @property
    def dot_y(self) -> int:
        return self.y + ROW_PAD + 8


@dataclass(frozen=True)
class MapEdge:
    source: int
    target: int
    kind: str
    path: str
    note: str = ""  # why the connection matters


@dataclass(frozen=True)
class YearMark:
    year: int
    y: int


@dataclass(frozen=True)
class MapLayout:
    width: int
    height: int
    dot_x: int
    text_x: int
    nodes: list[MapNode]
    edges: list[MapEdge]
    years: list[YearMark]
    wide: bool


def layout(items: list[MapItem], links: list[tuple[int, int, str, str]], width: int, centre: int = 0) -> MapLayout:
    """Rows top to bottom, newest first; a year's mark before its first row."""
    wide = width >= WIDE
    drawn = {source for source, _, _, _ in links} | {target for _, target, _, _ in links}
    gutter = (120 if wide else width // 6) if drawn else 0
    dot_x = MARGIN + gutter + DOT_R
    text_x = dot_x + DOT_R + 8
    title_chars = int((width - text_x - MARGIN - (META_W if wide else 0)) / CHAR_W)
    meta_chars = int(((META_W if wide else width - text_x) - MARGIN) / CHAR_W)

    nodes, years, y, year = [], [], MARGIN, None
    for item in sorted(items, key=lambda i: (-i.date_key, -i.number)):
        if item.year != year:
            years.append(YearMark(item.year, y))
            y, year = y + YEAR_H, item.year
        node = row(item, y, text_x, wrap(title_line(item), title_chars), wrap(item.meta, meta_chars),
                   width, wide, item.number == centre)
        nodes.append(node)
        y += node.height
    at = {node.item.number: node for node in nodes}
    span = max((abs(at[s].dot_y - at[t].dot_y) for s, t, _, _ in links if s in at and t in at), default=1)
    edges = [
        MapEdge(source, target, kind, bracket(dot_x - DOT_R - 2, at[source].dot_y, at[target].dot_y, gutter, span), note)
        for source, target, kind, note in sorted(links)
        if source in at and target in at
    ]
    return MapLayout(width, y + MARGIN, dot_x, text_x, nodes, edges, years, wide)


def title_line(item: MapItem) -> str:
    return f"{item.number}. {item.title}"


def row(item: MapItem, y: int, text_x: int, lines: tuple[str, ...], meta: tuple[str, ...], width: int,
        wide: bool, centre: bool) -> MapNode:
    """A wide row keeps the month and category in a column on the right; a narrow one puts them under the title."""
    first = y + ROW_PAD + 13
    if wide:
        meta_x = width - MARGIN - META_W + 8
        placed = tuple((text, meta_x, first + index * LINE_H) for index, text in enumerate(meta))
        height = max(len(lines), len(meta)) * LINE_H + 2 * ROW_PAD
    else:
        placed = tuple((text, text_x, first + (len(lines) + index) * LINE_H) for index, text in enumerate(meta))
        height = (len(lines) + len(meta)) * LINE_H + 2 * ROW_PAD
    return MapNode(item, y, height, lines, placed, centre)


def bracket(x: int, y1: int, y2: int, gutter: int, longest: int) -> str:
    """From (x, y1) out to the left, down (or up) at its own distance from the line, back to (x, y2).

    The distance grows with the square root of the vertical span, from MIN_REACH to the gutter,
    so longer connections run outside shorter ones; it turns within CORNER pixels of each end,
    closer to its own dot than to any other row.
    """
    reach = MIN_REACH + round((gutter - MIN_REACH) * (abs(y2 - y1) / longest) ** 0.5)
    out = x - reach
    sign = 1 if y2 > y1 else -1
    turn = min(CORNER, abs(y2 - y1) // 2)
    bend = round(reach * 0.55)
    return (f"M{x} {y1} C{x - bend} {y1} {out} {y1 + sign * turn // 2} {out} {y1 + sign * turn} "
            f"V{y2 - sign * turn} C{out} {y2 - sign * turn // 2} {x - bend} {y2} {x} {y2}")
