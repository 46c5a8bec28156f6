"""Facets and filter chips as data: each value with its count, label and the URL that toggles it.

Pure data built from counts the query layer computed; the view passes ``url_for_state``, so this
module builds no URLs of its own and reads nothing from the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .filters import ExplorerQuery

# A facet shows its most common values (and every chosen one); the rest wait behind "Show all N".
FACET_SHOWN = 5


@dataclass
class Facet:
    name: str
    label: str
    values: list[dict[str, Any]]
    selected: int

    @property
    def common(self) -> list[dict[str, Any]]:
        """The values shown at once: the first FACET_SHOWN in order, plus any chosen value."""
        if len(self.values) <= FACET_SHOWN + 1:  # hiding a single value would save nothing
            return self.values
        return [item for position, item in enumerate(self.values) if position < FACET_SHOWN or item["selected"]]

    @property
    def rest(self) -> list[dict[str, Any]]:
        """The values behind "Show all": none of them chosen."""
        shown = {id(item) for item in self.common}
        return [item for item in self.values if id(item) not in shown]


FACETS = (("category", "Category"), ("organization", "Organization"), ("tag", "Type"), ("year", "Year"))


def build_facets(state: ExplorerQuery, counts: dict[str, dict[Any, int]], url_for_state: Any) -> list[Facet]:
    """Facets as data: value, label, count, selected and the URL that toggles it."""
    facets = []
    for name, label in FACETS:
        chosen = getattr(state, name)
        values = dict(counts[name])
        for value in chosen:
            values.setdefault(value, 0)
        if name == "year":
            ordered = sorted(values, reverse=True)
        else:
            ordered = sorted(values, key=lambda v: (-values[v], str(v).lower()))
        facets.append(
            Facet(
                name=name,
                label=label,
                selected=len(chosen),
                values=[
                    {
                        "value": value,
                        "label": str(value),
                        "count": values[value],
                        "selected": value in chosen,
                        "toggle_url": url_for_state(state.toggled(name, value)),
                        "position": position,  # numbers the value's checkbox id: f-<facet>-<position>
                    }
                    for position, value in enumerate(ordered, start=1)
                ],
            )
        )
    return facets


def active_filters(state: ExplorerQuery, url_for_state: Any) -> list[dict[str, str]]:
    """Each active filter with the URL that removes just it."""
    active = []
    if state.q:
        active.append({"label": f"Search “{state.q}”", "url": url_for_state(state.without_search())})
    if state.key:
        active.append({"label": "Key papers", "url": url_for_state(state.toggled("key", 1))})
    if state.current:
        active.append({"label": "Current only", "url": url_for_state(state.toggled("current", 1))})
    if state.around:
        active.append({"label": f"Connected with #{state.around}", "url": url_for_state(state.without_around())})
    for name, label in FACETS:
        for value in getattr(state, name):
            active.append({"label": f"{label}: {value}", "url": url_for_state(state.toggled(name, value))})
    return active
