"""site.yml, the About and legal pages and the project files: each parsed on its own, then the
few rules that span them (project slugs, links in the navigation and footer)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .markdown import CONTENT_ID_PREFIX, render, slugify
from .media import Media, place_images, resolve_images
from .parsing import FileProblem, Model, Problem, decode, parse_yaml, read_markdown, validate
from .schema import PageMeta, ProjectMeta, ReadingPathMeta, SiteConfig
from .sources import ABOUT_FILE, BUNDLE_INDEX, SITE_FILE
from .urls import scan_body, scheme_problems

FIXED_PATHS = frozenset({"/", "/about", "/projects/", "/briefings/", "/paths/"})


@dataclass
class ParsedItem:
    """One non-briefing file: its index row (a page or a project) or the site config, and problems."""

    rel: str
    kind: str
    record: dict[str, Any] | None = None
    site: SiteConfig | None = None
    problems: list[Problem] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # what its body links to (checks.link_problems)
    anchors: frozenset[str] = frozenset()  # the ids a link may name on its page
    media: list[Media] = field(default_factory=list)  # the images its body places
    marked_draft: bool = False  # its front matter says draft: true, valid or not

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


def item_name(rel: str) -> str:
    """A file's own name: ``privacy`` for legal/privacy.md and for a bundle, legal/privacy/index.md."""
    path = PurePosixPath(rel)
    return path.parent.name if path.name == BUNDLE_INDEX and path.parent.name else path.stem


def page_path(rel: str) -> str:
    """The URL path of a page file: about.md is /about, legal/privacy.md is /legal/privacy."""
    folder = PurePosixPath(rel).parts[0]
    return "about" if rel == ABOUT_FILE else f"{folder}/{item_name(rel)}"


def read_item(rel: str, data: bytes, kind: str, model: type[Model], root: Path
              ) -> tuple[ParsedItem, Model | None, str]:
    """The file's item (gathering its problems, links and images), its validated front matter, and
    its Markdown body rendered."""
    item = ParsedItem(rel, kind)
    parsed = read_markdown(rel, data, item.problems)
    if parsed is None:
        return item, None, ""
    meta = validate(model, parsed[0], rel, item.problems)
    item.marked_draft = parsed[0].get("draft") is True
    found = scan_body(parsed[1])
    placed, item.media, image_problems = resolve_images(found.images, root, rel.rsplit("/", 1)[0] if "/" in rel else "")
    html = place_images(render(parsed[1]), placed)
    item.links = found.links
    ids = ANCHOR.findall(html)  # and as written, before the sanitiser set an id clashing with the page's apart
    item.anchors = frozenset(ids) | {found.removeprefix(CONTENT_ID_PREFIX) for found in ids}
    item.problems += [Problem(rel, field, message) for field, message in scheme_problems(found.urls)]
    item.problems += [Problem(rel, "body", message) for message in image_problems]
    return item, meta, html


ANCHOR = re.compile(r'\bid="([^"]+)"')


def parse_page(rel: str, data: bytes, root: Path = Path()) -> ParsedItem:
    item, meta, html = read_item(rel, data, "page", PageMeta, root)
    if meta is not None:
        item.record = {
            "path": page_path(rel),
            "title": meta.title,
            "description": meta.description,
            "html": html,
            "updated": meta.updated.isoformat() if meta.updated else None,
            "source": rel,
        }
    return item


def parse_project(rel: str, data: bytes, root: Path = Path()) -> ParsedItem:
    item, meta, html = read_item(rel, data, "project", ProjectMeta, root)
    if meta is not None:
        item.record = {
            "slug": meta.slug or slugify(item_name(rel)),
            "title": meta.title,
            "summary": meta.summary,
            "status": meta.status,
            "position": meta.order,
            "draft": meta.draft,
            "tags": list(meta.tags),
            "links": [link.model_dump() for link in meta.links],
            "html": html,
            "source": rel,
        }
    return item


def parse_path(rel: str, data: bytes, root: Path = Path()) -> ParsedItem:
    """A reading path: its introduction rendered, its steps kept in order."""
    item, meta, html = read_item(rel, data, "path", ReadingPathMeta, root)
    if meta is not None:
        item.record = {
            "slug": slugify(item_name(rel)),
            "title": meta.title,
            "summary": meta.summary,
            "html": html,
            "draft": meta.draft,
            "steps": [step.model_dump() for step in meta.steps],
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
