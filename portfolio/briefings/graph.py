"""A small server-rendered SVG of a briefing's neighbourhood: no JavaScript library."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 360
NODE_W, NODE_H = 176, 44
LABEL_CHARS = 20
MAX_NEIGHBOURS = 8


@dataclass(frozen=True)
class Node:
    number: int
    title: str
    month: str
    url: str
    x: float
    y: float
    centre: bool = False

    @property
    def short_title(self) -> str:
        title = self.title if len(self.title) <= LABEL_CHARS else self.title[: LABEL_CHARS - 1].rstrip() + "…"
        return f"{self.number}. {title}"

    @property
    def left(self) -> float:
        return self.x - NODE_W / 2

    @property
    def top(self) -> float:
        return self.y - NODE_H / 2


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    outgoing: bool

    @property
    def label_x(self) -> float:
        return (self.x1 + self.x2) / 2

    @property
    def label_y(self) -> float:
        return (self.y1 + self.y2) / 2 - 6


@dataclass(frozen=True)
class Item:
    """A briefing as the graph shows it."""

    number: int
    title: str
    month: str
    url: str


@dataclass(frozen=True)
class Neighbour:
    item: Item
    label: str
    outgoing: bool  # True when the centre briefing wrote the connection


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    hidden: int  # neighbours left out to keep the drawing legible


def layout(centre: Item, neighbours: list[Neighbour]) -> Graph:
    """Put the briefing in the middle and up to MAX_NEIGHBOURS connections on an ellipse around it.

    Arrows point from the later work to what it draws on.
    """
    cx, cy = WIDTH / 2, HEIGHT / 2
    middle = Node(centre.number, centre.title, centre.month, centre.url, cx, cy, True)
    nodes, edges = [middle], []
    shown = neighbours[:MAX_NEIGHBOURS]
    for index, neighbour in enumerate(shown):
        angle = math.pi + 2 * math.pi * index / len(shown)
        item = neighbour.item
        node = Node(
            item.number, item.title, item.month, item.url,
            round(cx + math.cos(angle) * (WIDTH / 2 - NODE_W / 2 - 8), 1),
            round(cy + math.sin(angle) * (HEIGHT / 2 - NODE_H / 2 - 8), 1),
        )
        nodes.append(node)
        start, end = (middle, node) if neighbour.outgoing else (node, middle)
        x1, y1 = _border_point(start, end)
        x2, y2 = _border_point(end, start)
        edges.append(Edge(x1, y1, x2, y2, neighbour.label, neighbour.outgoing))
    return Graph(WIDTH, HEIGHT, nodes, edges, hidden=len(neighbours) - len(shown))


def _border_point(node: Node, towards: Node) -> tuple[float, float]:
    """Where the line from ``node``'s centre to ``towards`` leaves ``node``'s box."""
    dx, dy = towards.x - node.x, towards.y - node.y
    if dx == 0 and dy == 0:
        return node.x, node.y
    scale = min(
        (NODE_W / 2) / abs(dx) if dx else math.inf,
        (NODE_H / 2) / abs(dy) if dy else math.inf,
    )
    return round(node.x + dx * scale, 1), round(node.y + dy * scale, 1)
