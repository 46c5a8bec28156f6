"""Read ``content/`` into validated records, collecting every problem instead of stopping at one.

Each problem names the file, the field and what is wrong, as ``PATH: field: message``.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .markdown import render, slugify
from .schema import PageMeta, ProjectMeta, SiteConfig

SITE_FILE = "site.yml"
ABOUT_FILE = "about.md"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
SECTION = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
CONCEPT = re.compile(r"^###[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
KNOWN_SECTIONS = ("Summary", "Key Concepts")



class YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, but dates stay text: the schemas parse them and name the field of an
    impossible one (PyYAML itself raises a bare ValueError for ``2025-02-30``)."""


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}"


class ContentError(Exception):
    """Content that cannot be published; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        lines = "\n".join(str(problem) for problem in self.problems)
        super().__init__(f"{len(self.problems)} content problem(s):\n{lines}")


class FileProblem(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class Bundle:
    """Everything the index is built from, already validated and rendered."""

    site: SiteConfig | None = None
    pages: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    briefings: list[dict[str, Any]] = field(default_factory=list)
    connections: list[dict[str, Any]] = field(default_factory=list)
    version: str = ""


def content_files(root: Path) -> list[Path]:
    """The files the site reads, in a stable order (dot- and underscore-files are skipped)."""
    found = []
    for path in [root / SITE_FILE, root / ABOUT_FILE]:
        if path.is_file():
            found.append(path)
    for folder in ("legal", "projects", "briefings"):
        directory = root / folder
        if directory.is_dir():
            found.extend(
                sorted(p for p in directory.glob("*.md") if not p.name.startswith((".", "_")))
            )
    return found


def content_stamp(root: Path) -> str:
    """A cheap fingerprint of names, sizes and modification times, to notice edits."""
    digest = hashlib.sha1()
    for path in content_files(root):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def decode(data: bytes) -> str:
    """UTF-8 text with any BOM dropped and CRLF/CR line endings made LF."""
    if not data.strip():
        raise FileProblem("file", "the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            "file", f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, field_name: str) -> Any:
    try:
        return yaml.load(text, Loader=YamlLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise FileProblem(field_name, f"malformed YAML{where}: {problem}") from None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        raise FileProblem("front matter", "missing: the file must start with a '---' line")
    meta = parse_yaml(match.group(1) or "", "front matter")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FileProblem("front matter", "must be a mapping of 'field: value' lines")
    return meta, text[match.end():]


def validate(model: type[Model], data: Any, rel: str, problems: list[Problem]) -> Model | None:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            problems.append(Problem(rel, _field_name(item["loc"]), _message(item)))
        return None


def _field_name(loc: tuple[Any, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "front matter"


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    message = str(item["msg"])
    return message.removeprefix("Value error, ")


class Reader:
    """Reads one content tree, gathering records and problems."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.bundle = Bundle()
        self._digest = hashlib.sha256()

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def problem(self, rel: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(rel, field_name, message))

    def read_text(self, path: Path) -> str | None:
        rel = self.rel(path)
        try:
            data = path.read_bytes()
            self._digest.update(rel.encode() + b"\0" + data + b"\0")
            return decode(data)
        except FileProblem as error:
            self.problem(rel, error.field, error.message)
        except OSError as error:
            self.problem(rel, "file", f"cannot be read: {error.strerror}")
        return None

    def read_markdown(self, path: Path) -> tuple[dict[str, Any], str] | None:
        text = self.read_text(path)
        if text is None:
            return None
        try:
            return split_front_matter(text)
        except FileProblem as error:
            self.problem(self.rel(path), error.field, error.message)
            return None

    def load(self) -> tuple[Bundle, list[Problem]]:
        self.load_site()
        self.load_page(self.root / ABOUT_FILE, "about", required=True)
        for path in self._folder("legal"):
            self.load_page(path, f"legal/{path.stem}")
        self.load_projects()
        from .briefings import load_briefings

        load_briefings(self, self._folder("briefings"))
        self.check_links()
        self.bundle.version = self._digest.hexdigest()[:16]
        return self.bundle, sorted(set(self.problems))

    def _folder(self, name: str) -> list[Path]:
        directory = self.root / name
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.glob("*.md") if not p.name.startswith((".", "_")))

    def load_site(self) -> None:
        path = self.root / SITE_FILE
        if not path.is_file():
            self.problem(SITE_FILE, "file", "missing required file")
            return
        text = self.read_text(path)
        if text is None:
            return
        try:
            data = parse_yaml(text, "file")
        except FileProblem as error:
            self.problem(SITE_FILE, error.field, error.message)
            return
        if not isinstance(data, dict):
            self.problem(SITE_FILE, "file", "must be a mapping of 'field: value' lines")
            return
        self.bundle.site = validate(SiteConfig, data, SITE_FILE, self.problems)

    def load_page(self, path: Path, url_path: str, required: bool = False) -> None:
        if not path.is_file():
            if required:
                self.problem(self.rel(path), "file", "missing required file")
            return
        parsed = self.read_markdown(path)
        if parsed is None:
            return
        meta = validate(PageMeta, parsed[0], self.rel(path), self.problems)
        if meta is None:
            return
        self.bundle.pages.append(
            {
                "path": url_path,
                "title": meta.title,
                "description": meta.description,
                "html": render(parsed[1]),
                "updated": meta.updated.isoformat() if meta.updated else None,
                "source": self.rel(path),
            }
        )

    def load_projects(self) -> None:
        owners: dict[str, str] = {}
        for path in self._folder("projects"):
            rel = self.rel(path)
            parsed = self.read_markdown(path)
            if parsed is None:
                continue
            meta = validate(ProjectMeta, parsed[0], rel, self.problems)
            if meta is None:
                continue
            slug = meta.slug or slugify(path.stem)
            if slug in owners:
                self.problem(rel, "slug", f"{slug!r} is also used by {owners[slug]}")
                continue
            owners[slug] = rel
            self.bundle.projects.append(
                {
                    "slug": slug,
                    "title": meta.title,
                    "summary": meta.summary,
                    "status": meta.status,
                    "position": meta.order,
                    "tags": list(meta.tags),
                    "links": [link.model_dump() for link in meta.links],
                    "html": render(parsed[1]),
                    "source": rel,
                }
            )

    def check_links(self) -> None:
        """Internal nav and footer links must point at pages that exist."""
        site = self.bundle.site
        if site is None:
            return
        known = {"/", "/about", "/projects/", "/briefings/"}
        known |= {f"/{page['path']}" for page in self.bundle.pages}
        known |= {f"/projects/{project['slug']}" for project in self.bundle.projects}
        for group in ("nav", "footer"):
            for index, link in enumerate(getattr(site, group)):
                target = link.href.split("#")[0].split("?")[0]
                if link.href.startswith("/") and target not in known:
                    self.problem(SITE_FILE, f"{group}[{index}].href", f"no page at {link.href!r}")


def load_content(root: str | os.PathLike[str]) -> tuple[Bundle, list[Problem]]:
    """Read and validate every content file under ``root``."""
    return Reader(Path(root)).load()
