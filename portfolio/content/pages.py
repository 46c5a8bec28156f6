"""site.yml, the About and legal pages and the project files: each parsed on its own, then the
few rules that span them (project slugs, links in the navigation and footer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from .markdown import render, slugify
from .parsing import FileProblem, Model, Problem, decode, parse_yaml, read_markdown, validate
from .schema import PageMeta, ProjectMeta, SiteConfig
from .sources import SITE_FILE

FIXED_PATHS = frozenset({"/", "/about", "/projects/", "/briefings/"})


@dataclass
class ParsedItem:
    """One non-briefing file: its index row (a page or a project) or the site config, and problems."""

    rel: str
    kind: str
    record: dict[str, Any] | None = None
    site: SiteConfig | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        return bool(self.record and self.record.get("draft"))


def parse_site(rel: str, data: bytes) -> ParsedItem:
    item = ParsedItem(rel, "site")
    try:
        loaded = parse_yaml(decode(data), "file")
    except FileProblem as error:
        item.problems.append(Problem(rel, error.field, error.message))
        return item
    if not isinstance(loaded, dict):
        item.problems.append(Problem(rel, "file", "must be a mapping of 'field: value' lines"))
        return item
    item.site = validate(SiteConfig, loaded, rel, item.problems)
    return item


def page_path(rel: str) -> str:
    """The URL path of a page file: about.md is /about, legal/privacy.md is /legal/privacy."""
    path = PurePosixPath(rel)
    return "about" if path.parent == PurePosixPath(".") else f"{path.parent}/{path.stem}"


def read_item(rel: str, data: bytes, kind: str, model: type[Model]) -> tuple[ParsedItem, Model | None, str]:
    """The file's item (gathering its problems), its validated front matter, and its Markdown body."""
    item = ParsedItem(rel, kind)
    parsed = read_markdown(rel, data, item.problems)
    if parsed is None:
        return item, None, ""
    return item, validate(model, parsed[0], rel, item.problems), parsed[1]


def parse_page(rel: str, data: bytes) -> ParsedItem:
    item, meta, body = read_item(rel, data, "page", PageMeta)
    if meta is not None:
        item.record = {
            "path": page_path(rel),
            "title": meta.title,
            "description": meta.description,
            "html": render(body),
            "updated": meta.updated.isoformat() if meta.updated else None,
            "source": rel,
        }
    return item


def parse_project(rel: str, data: bytes) -> ParsedItem:
    item, meta, body = read_item(rel, data, "project", ProjectMeta)
    if meta is not None:
        item.record = {
            "slug": meta.slug or slugify(PurePosixPath(rel).stem),
            "title": meta.title,
            "summary": meta.summary,
            "status": meta.status,
            "position": meta.order,
            "draft": meta.draft,
            "tags": list(meta.tags),
            "links": [link.model_dump() for link in meta.links],
            "html": render(body),
            "source": rel,
        }
    return item


def unique_projects(projects: list[ParsedItem]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Project records in file order (drafts included); a slug already taken is a problem on the later file."""
    owners: dict[str, str] = {}
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for item in projects:
        if item.record is None:
            continue
        slug = item.record["slug"]
        if slug in owners:
            problems.append(Problem(item.rel, "slug", f"{slug!r} is also used by {owners[slug]}"))
            continue
        owners[slug] = item.rel
        records.append(item.record)
    return records, problems


def check_links(site: SiteConfig | None, pages: list[dict[str, Any]], projects: list[dict[str, Any]]) -> list[Problem]:
    """Internal nav and footer links must point at pages this build publishes."""
    if site is None:
        return []
    known = set(FIXED_PATHS)
    known |= {f"/{page['path']}" for page in pages}
    known |= {f"/projects/{project['slug']}" for project in projects}
    problems = []
    for group in ("nav", "footer"):
        for index, link in enumerate(getattr(site, group)):
            target = link.href.split("#")[0].split("?")[0]
            if link.href.startswith("/") and target not in known:
                problems.append(Problem(SITE_FILE, f"{group}[{index}].href", f"no page at {link.href!r}"))
    return problems
