"""Rules about a briefing's source: what it must name, and identifiers no two briefings share.

Each takes (path, validated front matter) pairs and returns problems, so it runs over every
briefing on every sync.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .parsing import Problem
from .schema import BriefingMeta

PAPER_TAG = "Paper"
Item = tuple[str, BriefingMeta]


def arxiv_key(identifier: str) -> str:
    """One arXiv paper whatever its version: '1706.03762v5' and '1706.03762' are the same."""
    base, _, version = identifier.rpartition("v")
    return base if base and version.isdigit() and not base.endswith("/") else identifier


def duplicate_identifiers(items: Iterable[Item]) -> list[Problem]:
    """The same arXiv id or DOI on two briefings: each file is named, with the other(s)."""
    holders: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rel, meta in items:
        if meta.arxiv:
            holders[("arxiv", arxiv_key(meta.arxiv))].append(rel)
        if meta.doi:
            holders[("doi", meta.doi.lower())].append(rel)  # DOIs ignore case
    problems = []
    for (field_name, value), paths in holders.items():
        if len(paths) < 2:
            continue
        label = "arXiv id" if field_name == "arxiv" else "DOI"
        for rel in paths:
            others = ", ".join(other for other in paths if other != rel)
            problems.append(Problem(rel, field_name, f"{label} {value} is also given by {others}"))
    return problems


def missing_sources(items: Iterable[Item]) -> list[Problem]:
    """Every briefing names its document's landing page, and a paper its authors."""
    problems = []
    for rel, meta in items:
        if meta.url is None:
            problems.append(Problem(rel, "url", "required: the document's canonical landing page (http or https)"))
        if PAPER_TAG in meta.tags and not meta.authors:
            problems.append(
                Problem(rel, "authors", f"required on a briefing tagged {PAPER_TAG}: the names as printed, in order")
            )
    return problems
