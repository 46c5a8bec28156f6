"""Chains of connections between two briefings, following ideas forward in time.

A briefing's connections name documents that came before it (``content check`` holds every
connection to an earlier or same-month document), so a chain walks each connection from the
briefing it names to the briefing that wrote it: forward in time. The graph is the whole
corpus's connections, small enough to build for one request (docs/performance.md).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Edge:
    """One written connection, from the briefing it names to the one that wrote it."""

    earlier: int  # the briefing named
    later: int  # the briefing that wrote the connection
    kind: str
    note: str


@dataclass(frozen=True)
class Chains:
    """The shortest chains from one briefing to another (the first ``limit`` of them) and how many there are."""

    chains: list[list[Edge]]
    total: int

    @property
    def steps(self) -> int:
        return len(self.chains[0]) if self.chains else 0


class Graph:
    """Connections as adjacency in both directions, each list in time order."""

    def __init__(self, edges: Iterable[Edge], order: dict[int, tuple[int, int]]):
        self.order = order  # briefing number → (date_key, number), the time order
        self.forward: dict[int, list[Edge]] = defaultdict(list)
        self.backward: dict[int, list[Edge]] = defaultdict(list)
        for edge in edges:
            self.forward[edge.earlier].append(edge)
            self.backward[edge.later].append(edge)
        for lists, end in ((self.forward, "later"), (self.backward, "earlier")):
            for members in lists.values():
                members.sort(key=lambda edge: (self.order[getattr(edge, end)], edge.kind))

    def distances(self, start: int, forward: bool) -> dict[int, int]:
        """Steps from ``start`` to every briefing a chain reaches (forward) or comes from (backward)."""
        lists = self.forward if forward else self.backward
        seen = {start: 0}
        queue = deque([start])
        while queue:
            number = queue.popleft()
            for edge in lists.get(number, ()):
                other = edge.later if forward else edge.earlier
                if other not in seen:
                    seen[other] = seen[number] + 1
                    queue.append(other)
        return seen

    def shortest(self, start: int, goal: int, limit: int) -> Chains:
        """Every shortest chain from ``start`` to ``goal``, the first ``limit`` in time order.

        A step lies on a shortest chain when the steps to its start from ``start``, plus one, plus
        the steps from its end to ``goal`` make the shortest length; walking only those steps,
        earliest first, lists the chains in the same order on every request.
        """
        out = self.distances(start, forward=True)
        if goal not in out or start == goal:
            return Chains([], 0)
        back = self.distances(goal, forward=False)
        length = out[goal]

        def on_a_shortest_chain(edge: Edge) -> bool:
            return edge.earlier in out and edge.later in back and out[edge.earlier] + 1 + back[edge.later] == length

        counts: dict[int, int] = {goal: 1}
        for number in sorted((n for n in out if n in back), key=lambda n: -out[n]):
            if number != goal:
                counts[number] = sum(counts.get(edge.later, 0) for edge in self.forward.get(number, ())
                                     if on_a_shortest_chain(edge))
        chains: list[list[Edge]] = []

        def walk(number: int, chain: list[Edge]) -> None:
            if len(chains) >= limit:
                return
            if number == goal:
                chains.append(list(chain))
                return
            for edge in self.forward.get(number, ()):
                if on_a_shortest_chain(edge):
                    walk(edge.later, [*chain, edge])

        walk(start, [])
        return Chains(chains, counts[start])

    def nearest(self, reachable: dict[int, int], date_key: int, count: int) -> list[int]:
        """The ``count`` briefings of ``reachable`` (a start left out) closest in time to ``date_key``."""
        candidates = [n for n in reachable if reachable[n] > 0]
        return sorted(candidates, key=lambda n: (abs(date_distance(self.order[n][0], date_key)), n))[:count]


def date_distance(first: int, second: int) -> int:
    """Months between two YYYYMMDD keys (days ignored: many documents are known to the month)."""
    return (first // 10000 * 12 + first // 100 % 100) - (second // 10000 * 12 + second // 100 % 100)
