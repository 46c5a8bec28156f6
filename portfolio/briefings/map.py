"""The influence map's layout: briefings placed by month (left to right) and lane, as plain data.

Pure and deterministic: the same briefings and connections give the same numbers, so the SVG
(and its ETag) is byte-for-byte the same on every node. No layout library: a time axis and
lanes leave nothing to optimise but the stacking within a month, which is a sort.

The picture is drawn at its own pixel size (never scaled down) inside a box that scrolls
sideways, so its 13 px text stays 13 CSS px on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dates import MONTH_ABBR

CHAR_W = 8  # a digit (or the star) at 13 px, rounded up
PILL_H = 24
PILL_PAD = 10
ROW_H = 32
COLUMN_GAP = 18
MIN_COLUMN = 40  # room for a month's name under the axis
MARGIN = 14
AXIS_H = 46
LANE_HEAD = 26
LANE_GAP = 10
LABEL_REPEAT = 720  # a lane's name is written again every so many pixels, for a scrolled view

KIND_STYLES = ("influenced_by", "builds_on", "responds_to", "supersedes")


@dataclass(frozen=True)
class MapItem:
    """A briefing as the map needs it."""

    number: int
    title: str
    month_label: str
    url: str
    lane: str
    year: int
    month: int
    key: bool


@dataclass(frozen=True)
class MapNode:
    item: MapItem
    x: int  # left edge of the pill
    y: int  # top edge
    width: int

    @property
    def label(self) -> str:
        return f"★ {self.item.number}" if self.item.key else str(self.item.number)

    @property
    def name(self) -> str:
        key = ", key paper" if self.item.key else ""
        return f"{self.item.number}. {self.item.title}, {self.item.month_label}{key}"

    @property
    def cx(self) -> int:
        return self.x + self.width // 2

    @property
    def cy(self) -> int:
        return self.y + PILL_H // 2


@dataclass(frozen=True)
class MapEdge:
    source: int
    target: int
    kind: str
    path: str
    note: str = ""  # why the connection matters


@dataclass(frozen=True)
class Lane:
    name: str
    y: int
    height: int
    label_xs: tuple[int, ...]


@dataclass(frozen=True)
class Tick:
    x: int
    month: str
    year: str  # '' unless the year starts here


@dataclass(frozen=True)
class MapLayout:
    width: int
    height: int
    nodes: list[MapNode]
    edges: list[MapEdge]
    lanes: list[Lane]
    ticks: list[Tick]
    year_lines: list[int]


def pill_width(item: MapItem) -> int:
    chars = len(str(item.number)) + (2 if item.key else 0)
    return chars * CHAR_W + 2 * PILL_PAD


def layout(items: list[MapItem], links: list[tuple[int, int, str, str]], lane_order: list[str]) -> MapLayout:
    """Columns are the months that have a briefing (empty months take no room); lanes stack.

    One pass puts each briefing in its cell (lane × month) and widens its column to fit; a
    second places the pills, lane by lane. Nothing is measured twice.
    """
    months = sorted({(item.year, item.month) for item in items})
    column_of = {month: index for index, month in enumerate(months)}
    rank = {name: index for index, name in enumerate(lane_order)}
    lane_names = sorted({item.lane for item in items}, key=lambda name: (rank.get(name, len(rank)), name))

    cells: dict[str, dict[int, list[tuple[MapItem, int]]]] = {name: {} for name in lane_names}
    widths = [MIN_COLUMN] * len(months)
    for item in sorted(items, key=lambda i: (not i.key, i.number)):
        column = column_of[(item.year, item.month)]
        width = pill_width(item)
        cells[item.lane].setdefault(column, []).append((item, width))
        if width > widths[column]:
            widths[column] = width
    lefts, x = [], MARGIN
    for width in widths:
        lefts.append(x)
        x += width + COLUMN_GAP
    total_width = max(x - COLUMN_GAP + MARGIN, 320)

    ticks, year_lines, previous_year = [], [], None
    for (year, month), left, width in zip(months, lefts, widths):
        starts = year != previous_year
        ticks.append(Tick(left + width // 2, MONTH_ABBR[month - 1], str(year) if starts else ""))
        if starts and previous_year is not None:
            year_lines.append(left - COLUMN_GAP // 2)
        previous_year = year

    nodes: dict[int, MapNode] = {}
    lanes, y = [], AXIS_H
    label_xs = tuple(range(MARGIN, max(total_width - 200, MARGIN + 1), LABEL_REPEAT))
    for name in lane_names:
        lane_cells = cells[name]
        top = y + LANE_HEAD
        for column, members in lane_cells.items():
            left, column_width = lefts[column], widths[column]
            for row, (item, width) in enumerate(members):
                nodes[item.number] = MapNode(item, left + (column_width - width) // 2, top + row * ROW_H, width)
        height = LANE_HEAD + max(len(members) for members in lane_cells.values()) * ROW_H + LANE_GAP
        lanes.append(Lane(name, y, height, label_xs))
        y += height

    edges = [
        MapEdge(source, target, kind, edge_path(nodes[source], nodes[target]), note)
        for source, target, kind, note in sorted(links)
        if source in nodes and target in nodes
    ]
    ordered = sorted(nodes.values(), key=lambda node: (node.x, node.y))
    return MapLayout(total_width, y + MARGIN, ordered, edges, lanes, ticks, year_lines)


def edge_path(source: MapNode, target: MapNode) -> str:
    """A curve from the briefing that wrote the connection to the one it names.

    It leaves and enters the pills at their sides (the left side for a same-month pair), so
    arrowheads never hide under a pill.
    """
    if target.x + target.width < source.x:
        x1, x2 = source.x, target.x + target.width
        bend = max(24, (x1 - x2) // 2)
        c1, c2 = x1 - bend, x2 + bend
    elif source.x + source.width < target.x:
        x1, x2 = source.x + source.width, target.x
        bend = max(24, (x2 - x1) // 2)
        c1, c2 = x1 + bend, x2 - bend
    else:
        x1, x2 = source.x, target.x
        c1, c2 = x1 - 36, x2 - 36
    y1, y2 = source.cy, target.cy
    return f"M{x1} {y1} C{c1} {y1} {c2} {y2} {x2} {y2}"
