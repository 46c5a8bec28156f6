"""Which files the site reads, and a cheap fingerprint of them to notice edits."""

from __future__ import annotations

import hashlib
import os
import time
from stat import S_ISREG
from dataclasses import dataclass
from pathlib import Path

from .parsing import Problem

SITE_FILE = "site.yml"
ABOUT_FILE = "about.md"
FOLDERS = ("legal", "projects", "briefings")
KIND_OF_FOLDER = {"legal": "legal", "projects": "project", "briefings": "briefing"}


@dataclass(frozen=True)
class Source:
    """One content file as the file system describes it (no bytes read yet)."""

    rel: str
    kind: str  # site, about, legal, project or briefing
    size: int
    mtime_ns: int


def _folder_sources(root: str, folder: str, kind: str) -> list[Source]:
    """One folder's Markdown files, by os.scandir (pathlib costs more than the stat at 10,000 files)."""
    try:
        entries = list(os.scandir(os.path.join(root, folder)))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        name = entry.name
        if not name.endswith(".md") or name.startswith((".", "_")):
            continue
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        found.append(Source(f"{folder}/{name}", kind, stat.st_size, stat.st_mtime_ns))
    found.sort(key=lambda source: source.rel)
    return found


def scan(root: Path) -> list[Source]:
    """Every content file with its size and modification time, site.yml and about.md first."""
    found: list[Source] = []
    for name, kind in ((SITE_FILE, "site"), (ABOUT_FILE, "about")):
        try:
            stat = os.stat(root / name)
        except OSError:
            continue
        if S_ISREG(stat.st_mode):
            found.append(Source(name, kind, stat.st_size, stat.st_mtime_ns))
    for folder in FOLDERS:
        found.extend(_folder_sources(str(root), folder, KIND_OF_FOLDER[folder]))
    return found


def stamp_of(sources: list[Source]) -> str:
    """A cheap fingerprint of names, sizes and modification times, to notice edits."""
    lines = "".join(f"{source.rel}\0{source.size}\0{source.mtime_ns}\n" for source in sources)
    return hashlib.sha1(lines.encode()).hexdigest()[:16]


def kind_of(rel: str) -> str | None:
    """The kind of content file at ``rel`` (relative to the content folder), or None if the site ignores it."""
    if rel in (SITE_FILE, ABOUT_FILE):
        return "site" if rel == SITE_FILE else "about"
    folder, _, name = rel.partition("/")
    if folder not in KIND_OF_FOLDER or "/" in name or not name.endswith(".md") or name.startswith((".", "_")):
        return None
    return KIND_OF_FOLDER[folder]


ORDER = {"site": 0, "about": 1, "legal": 2, "project": 3, "briefing": 4}


def rescan(root: Path, known: list[Source], changed: set[str]) -> list[Source] | None:
    """``scan`` told which files changed (by a watcher): only those are looked at again.

    None when a changed path is not a content file (a folder, say): then only a scan will do.
    """
    by_rel = {source.rel: source for source in known if source.rel not in changed}
    for rel in changed:
        kind = kind_of(rel)
        if kind is None:
            if os.path.isdir(root / rel):
                return None
            continue
        try:
            stat = os.stat(root / rel)
        except OSError:
            continue  # deleted
        if S_ISREG(stat.st_mode):
            by_rel[rel] = Source(rel, kind, stat.st_size, stat.st_mtime_ns)
    return sorted(by_rel.values(), key=lambda source: (ORDER[source.kind], source.rel))


def content_stamp(root: Path) -> str:
    return stamp_of(scan(root))


def file_digest(data: bytes) -> str:
    """The key a parsed file is remembered by: the same bytes parse to the same records."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Seen:
    """What is remembered of a file's bytes as read: their digest, and when the reading started."""

    digest: str
    seen_ns: int  # time.time_ns() just before the read


def read_source(root: Path, rel: str) -> tuple[bytes, Seen]:
    """Read one content file (``OSError`` when it cannot be: see ``unreadable``)."""
    seen_ns = time.time_ns()
    data = (root / rel).read_bytes()
    return data, Seen(file_digest(data), seen_ns)


def unreadable(rel: str, error: OSError) -> Problem:
    """The problem a file that ``read_source`` could not read is reported as."""
    return Problem(rel, "file", f"cannot be read: {error.strerror}")
