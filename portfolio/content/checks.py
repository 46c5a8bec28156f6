"""Rules that span briefing files: unique numbers, the site's vocabularies, connections, drafts,
sources.

Each check takes the whole ``BriefingSet`` and yields problems; add a rule by writing a function
and listing it in ``CHECKS``. They run over every briefing on every sync.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..config import REPO_ROOT

from .briefings import ParsedBriefing
from .parsing import Problem
from .schema import BriefingMeta, SiteConfig


@dataclass
class BriefingSet:
    """Every valid briefing with a number of its own (drafts included), and what is being built."""

    site: SiteConfig | None
    briefings: list[ParsedBriefing]
    by_number: dict[int, ParsedBriefing]
    include_drafts: bool  # a development build shows drafts; a production build leaves them out

    def publishes(self, briefing: ParsedBriefing) -> bool:
        return briefing.published(self.include_drafts)

    @functools.cached_property
    def published(self) -> list[ParsedBriefing]:
        """The briefings this build puts in the index."""
        return [briefing for briefing in self.briefings if self.publishes(briefing)]

    @staticmethod
    def meta_of(briefing: ParsedBriefing) -> BriefingMeta:
        assert briefing.meta is not None
        return briefing.meta


Check = Callable[[BriefingSet], Iterable[Problem]]
STATIC = REPO_ROOT / "static"


def number_owners(parsed: Iterable[ParsedBriefing]) -> tuple[dict[int, ParsedBriefing], list[Problem]]:
    """The first file (in path order) to use a number keeps it; every later one is a problem."""
    owners: dict[int, ParsedBriefing] = {}
    later: list[ParsedBriefing] = []
    for briefing in parsed:
        if briefing.meta is None:
            continue
        if briefing.meta.number in owners:
            later.append(briefing)
        else:
            owners[briefing.meta.number] = briefing
    free = max(owners, default=0) + 1
    problems = []
    for briefing in later:
        number = briefing.number
        problems.append(Problem(briefing.rel, "number", f"{number} is also used by {owners[number].rel}; {free} is free"))
        free += 1
    return owners, problems


def check_vocabulary(briefings: BriefingSet) -> Iterable[Problem]:
    """Category, organization and tags must come from the lists in content/site.yml."""
    site = briefings.site
    if site is None:
        return
    for briefing in briefings.briefings:
        meta = briefings.meta_of(briefing)
        lists = (
            ("category", [meta.category], "categories", site.categories),
            ("organizations", list(meta.organizations), "organizations", site.organizations),
            ("tags", list(meta.tags), "briefing_tags", site.briefing_tags),
        )
        for field_name, values, list_name, allowed in lists:
            for value in values:
                if value not in allowed:
                    yield Problem(
                        briefing.rel,
                        field_name,
                        f"{value!r} is not in the {list_name} list of site.yml "
                        f"(add it there, or use one of: {', '.join(allowed)})",
                    )


def month_of(briefing: ParsedBriefing) -> tuple[int, int]:
    date = BriefingSet.meta_of(briefing).date
    return date.year, date.month


def check_connections(briefings: BriefingSet) -> Iterable[Problem]:
    """A connection points at another briefing that exists, and a published one at a published one.

    It names a document from the same month or before: ideas flow from the briefing named to the
    one that names it, which the path between two briefings follows forward in time.
    """
    for briefing in briefings.briefings:
        for index, connection in enumerate(briefing.connections):
            kind, target = connection.kind, connection.number
            field_name = f"connections[{index}].{kind}"
            other = briefings.by_number.get(target)
            if target == briefing.number:
                yield Problem(briefing.rel, field_name, "a briefing cannot connect to itself")
            elif other is None:
                yield Problem(briefing.rel, field_name, f"briefing #{target} does not exist")
            elif briefings.publishes(briefing) and not briefings.publishes(other):
                yield Problem(
                    briefing.rel,
                    field_name,
                    f"briefing #{target} is a draft ({other.rel}): publish it, or connect from it instead",
                )
            elif month_of(other) > month_of(briefing):
                yield Problem(
                    briefing.rel,
                    field_name,
                    "briefing #{} covers a later document ({}-{:02d}): a connection names what came "
                    "before, so write it in #{} instead".format(target, *month_of(other), target),
                )


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
        if not meta.sources:
            problems.append(Problem(rel, "sources", "required: the addresses where the briefing's facts were checked"))
        if PAPER_TAG in meta.tags and not meta.authors:
            problems.append(
                Problem(rel, "authors", f"required on a briefing tagged {PAPER_TAG}: the names as printed, in order")
            )
    return problems


def check_sources(briefings: BriefingSet) -> Iterable[Problem]:
    """Every published briefing names its document (and a paper its authors); no two share an arXiv id or DOI."""
    items = [(briefing.rel, briefings.meta_of(briefing)) for briefing in briefings.published]
    return duplicate_identifiers(items) + missing_sources(items)


CHECKS: tuple[Check, ...] = (check_vocabulary, check_connections, check_sources)


def cross_check(
    parsed: list[ParsedBriefing], site: SiteConfig | None, include_drafts: bool
) -> tuple[BriefingSet, list[Problem]]:
    """Keep the briefings with a number of their own and run every rule in ``CHECKS`` over them."""
    owners, problems = number_owners(parsed)
    kept = list(owners.values())
    briefings = BriefingSet(site, kept, owners, include_drafts)
    for check in CHECKS:
        problems.extend(check(briefings))
    return briefings, problems


SITE_PATHS = frozenset({"/", "/about", "/projects/", "/briefings/", "/briefings/map", "/briefings/concepts",
                        "/briefings/path", "/briefings/subscribe", "/briefings/feed.xml", "/paths/", "/sitemap.xml", "/llms.txt", "/robots.txt"})
BRIEFING_PATH = re.compile(r"^/briefings/(\d+)(?:-[^/]*)?$")


@dataclass
class SiteMap:
    """Every address a body may link to in this build, with the ids each page can be linked at."""

    pages: dict[str, frozenset[str]]  # URL path -> anchors
    briefings: dict[int, frozenset[str]]  # published number -> anchors
    drafts: dict[int, str]  # number of a briefing left out as a draft -> its file

    def problem(self, href: str, own: frozenset[str]) -> str | None:
        """What is wrong with a link within the site, or None (external links are another check's)."""
        parts = urlsplit(href.strip())
        if parts.scheme or parts.netloc:
            return None
        path, anchor = parts.path, parts.fragment
        if not path:
            return None if not anchor or anchor in own else f"no heading #{anchor} on this page"
        if not path.startswith("/"):
            return "write a link within the site from its root, e.g. /briefings/31"
        if path.startswith(("/static/", "/media/")):
            return None if path.startswith("/media/") or (STATIC / path.removeprefix("/static/")).is_file() \
                else "no such file"
        number = BRIEFING_PATH.match(path)
        if number:
            found = int(number[1])
            if found in self.drafts:
                return f"briefing #{found} is a draft ({self.drafts[found]})"
            if found not in self.briefings:
                return "no such briefing"
            anchors = self.briefings[found]
        elif path in self.pages:
            anchors = self.pages[path]
        elif path in SITE_PATHS:
            return None
        else:
            return "no such project" if path.startswith("/projects/") else "no page at this address"
        return f"no heading #{anchor} there" if anchor and anchor not in anchors else None


def link_problems(items: Iterable[tuple[str, list[str], frozenset[str]]], site: SiteMap) -> list[Problem]:
    """Each body link (of every page, project and briefing: file, links, own anchors) that leads nowhere."""
    problems = []
    for rel, links, anchors in items:
        for href in links:
            wrong = site.problem(href, anchors)
            if wrong:
                problems.append(Problem(rel, "body", f"link to {href}: {wrong}"))
    return problems


def path_problems(paths: Iterable[Any], briefings: BriefingSet) -> list[Problem]:
    """A reading path lists only briefings this build publishes."""
    problems = []
    for item in paths:
        for index, step in enumerate(item.record["steps"]):
            number = step["briefing"]
            other = briefings.by_number.get(number)
            if other is None:
                problems.append(Problem(item.rel, f"steps[{index}].briefing", f"briefing #{number} does not exist"))
            elif not briefings.publishes(other):
                problems.append(Problem(item.rel, f"steps[{index}].briefing",
                                        f"briefing #{number} is a draft ({other.rel}): publish it, or leave it out"))
    return problems


CONTACT_LINK = "/about#contact"


def contact_problems(items: Iterable[tuple[str, list[str], frozenset[str]]], site: SiteConfig | None) -> list[Problem]:
    """A page that points readers to the contact details when site.yml lists none promises what is not there."""
    if site is None or site.contact:
        return []
    return [Problem(rel, "body", f"links to the contact details ({CONTACT_LINK}), but site.yml lists no contact "
                                 "links: add one under contact:, or take the link out")
            for rel, links, _ in items if any(link.strip().startswith(CONTACT_LINK) for link in links)]
