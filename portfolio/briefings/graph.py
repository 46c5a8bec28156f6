"""A briefing's neighbourhood, drawn on the server as SVG: what it draws on to the left, what it
influenced to the right, oldest at the top of each side.

Drawn at its own pixel size (13 px text, never scaled down); a side with nothing on it takes no
room, so a briefing with one connection gets a small, full picture rather than an empty band.
Titles wrap whole at spaces. Each neighbour's box names the kind of connection in words above
its title ("Builds on", "Responded to by"), and the line's style says it again.
"""

from __future__ import annotations

from dataclasses import dataclass

NODE_W = 150
CHARS_PER_LINE = 18  # at 13 px in a 150 px box with its padding
LINE_H = 17
PAD = 9
COLUMN_GAP = 40
NODE_GAP = 12
MARGIN = 4
MAX_PER_SIDE = 8


@dataclass(frozen=True)
class Item:
    """A briefing as the graph shows it."""

    number: int
    title: str
    month: str
    url: str
    date_key: int = 0


@dataclass(frozen=True)
class Neighbour:
    item: Item
    kind: str
    outgoing: bool  # True when the centre briefing wrote the connection (it draws on the neighbour)
    note: str = ""  # why the connection matters
    label: str = ""  # the kind in words, as the centre briefing sees it: "Builds on", "Built upon by"


@dataclass(frozen=True)
class Node:
    item: Item
    x: int
    y: int
    lines: tuple[str, ...]  # the kind of connection (for a neighbour), then the title, wrapped
    centre: bool = False
    label: bool = False  # whether the first line names the kind of connection

    @property
    def height(self) -> int:
        return node_height(self.lines)

    @property
    def text_lines(self) -> list[tuple[str, int, bool]]:
        """Each line with its baseline, and whether it is the kind's name."""
        return [(line, self.y + PAD + 13 + index * LINE_H, self.label and index == 0)
                for index, line in enumerate(self.lines)]

    @property
    def month_y(self) -> int:
        return self.y + PAD + 13 + len(self.lines) * LINE_H


@dataclass(frozen=True)
class Edge:
    path: str
    kind: str
    title: str = ""  # what the line says, for a pointer hovering it


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    hidden: int  # connections left out of the picture (all are listed below it)
    stacked: bool = False  # the phone's version: drawn-on above, influenced below


def wrap(text: str, width: int = CHARS_PER_LINE) -> tuple[str, ...]:
    """Lines broken at spaces, never inside a word (a word longer than a line stands alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def neighbour_node(neighbour: Neighbour, x: int, y: int) -> Node:
    lines = (neighbour.label, *wrap(f"{neighbour.item.number}. {neighbour.item.title}"))
    return Node(neighbour.item, x, y, lines, label=True)


def neighbour_lines(neighbour: Neighbour) -> tuple[str, ...]:
    return neighbour_node(neighbour, 0, 0).lines


def node_height(lines: tuple[str, ...]) -> int:
    return 2 * PAD + (len(lines) + 1) * LINE_H


def sides(neighbours: list[Neighbour]) -> tuple[list[Neighbour], list[Neighbour], int]:
    """(drawn on, influenced, left out): each side in date order, at most MAX_PER_SIDE."""
    order = sorted(neighbours, key=lambda n: (n.item.date_key, n.item.number))
    left = [n for n in order if n.outgoing][:MAX_PER_SIDE]
    right = [n for n in order if not n.outgoing][:MAX_PER_SIDE]
    return left, right, len(neighbours) - len(left) - len(right)


def layout(centre: Item, neighbours: list[Neighbour]) -> Graph:
    """Columns: drawn-on | the briefing | influenced."""
    left, right, hidden = sides(neighbours)

    columns: list[list[Neighbour] | None]
    if left:
        columns = [left, None, *([right] if right else [])]
    else:
        columns = [None, *([right] if right else [])]
    heights = []
    for column in columns:
        if column is None:
            heights.append(node_height(wrap(f"{centre.number}. {centre.title}")))
        else:
            heights.append(sum(node_height(neighbour_lines(n)) for n in column)
                           + NODE_GAP * (len(column) - 1))
    height = max(heights) + 2 * MARGIN
    width = len(columns) * NODE_W + (len(columns) - 1) * COLUMN_GAP + 2 * MARGIN

    nodes: list[Node] = []
    placed: list[tuple[Neighbour, Node]] = []
    middle: Node | None = None
    for index, (column, column_height) in enumerate(zip(columns, heights)):
        x = MARGIN + index * (NODE_W + COLUMN_GAP)
        y = MARGIN + (height - 2 * MARGIN - column_height) // 2
        if column is None:
            middle = Node(centre, x, y, wrap(f"{centre.number}. {centre.title}"), centre=True)
            nodes.append(middle)
            continue
        for neighbour in column:
            node = neighbour_node(neighbour, x, y)
            nodes.append(node)
            placed.append((neighbour, node))
            y += node.height + NODE_GAP
    assert middle is not None
    edges = [edge(middle, node, neighbour) for neighbour, node in placed]
    return Graph(width, height, nodes, edges, hidden)


def edge(middle: Node, node: Node, neighbour: Neighbour) -> Edge:
    """A curve between facing sides; the arrow points at the earlier work the writer names."""
    my = middle.y + middle.height // 2
    ny = node.y + node.height // 2
    if neighbour.outgoing:  # the neighbour is on the left: centre → neighbour
        x1, y1, x2, y2 = middle.x, my, node.x + NODE_W, ny
    else:  # on the right: neighbour → centre
        x1, y1, x2, y2 = node.x, ny, middle.x + NODE_W, my
    bend = (x1 - x2) // 2
    return Edge(f"M{x1} {y1} C{x1 - bend} {y1} {x2 + bend} {y2} {x2} {y2}", neighbour.kind, neighbour.note)


STACK_GAP = 36  # between the centre and the rows above and below it
CHANNEL = 34  # between the two boxes of a row: the connections run down the middle of it
STACK_W = 2 * NODE_W + CHANNEL + 2 * MARGIN


def stacked(centre: Item, neighbours: list[Neighbour]) -> Graph:
    """The phone's picture, two boxes wide: what the briefing draws on above it, what drew on it below."""
    above, below, hidden = sides(neighbours)
    nodes: list[Node] = []
    placed: list[tuple[Neighbour, Node]] = []
    y = MARGIN

    def rows(group: list[Neighbour], odd_first: bool) -> None:
        """Two boxes a row; a box on its own sits farthest from the centre, so no line crosses it."""
        nonlocal y
        starts = [0, *range(1, len(group), 2)] if odd_first and len(group) % 2 else list(range(0, len(group), 2))
        for start in starts:
            pair = group[start:start + (1 if odd_first and start == 0 and len(group) % 2 else 2)]
            lefts = [(STACK_W - NODE_W) // 2] if len(pair) == 1 else [MARGIN, MARGIN + NODE_W + CHANNEL]
            row = [neighbour_node(n, x, y) for n, x in zip(pair, lefts)]
            nodes.extend(row)
            placed.extend(zip(pair, row))
            y += max(node.height for node in row) + NODE_GAP

    rows(above, odd_first=True)
    if above:
        y += STACK_GAP - NODE_GAP
    middle = Node(centre, (STACK_W - NODE_W) // 2, y, wrap(f"{centre.number}. {centre.title}"), centre=True)
    nodes.append(middle)
    y += middle.height + STACK_GAP
    rows(below, odd_first=False)
    height = (y - NODE_GAP if below else middle.y + middle.height) + MARGIN
    edges = [stacked_edge(middle, node, neighbour) for neighbour, node in placed]
    return Graph(STACK_W, height, nodes, edges, hidden, stacked=True)


def stacked_edge(middle: Node, node: Node, neighbour: Neighbour) -> Edge:
    """Straight lines down the channel between the boxes, so no line runs behind a box."""
    cx = middle.x + NODE_W // 2
    ny = node.y + node.height // 2
    centred = node.x == middle.x
    if neighbour.outgoing:  # above: from the centre's top to the neighbour
        start = f"M{cx} {middle.y}"
        end = f"V{node.y + node.height}" if centred else f"V{ny} H{node.x + (NODE_W if node.x < cx else 0)}"
    else:  # below: from the neighbour to the centre's bottom
        start = f"M{cx} {node.y}" if centred else f"M{node.x + (NODE_W if node.x < cx else 0)} {ny} H{cx}"
        end = f"V{middle.y + middle.height}"
    return Edge(f"{start} {end}", neighbour.kind, neighbour.note)
