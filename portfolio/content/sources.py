"""Which files the site reads, and a cheap fingerprint of them to notice edits."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from .parsing import Problem

SITE_FILE = "site.yml"
ABOUT_FILE = "about.md"
KIND_OF_FOLDER = {"legal": "legal", "projects": "project", "briefings": "briefing"}


@dataclass(frozen=True)
class Source:
    """One content file as the file system describes it (no bytes read yet)."""

    rel: str  # relative to the content folder, with '/' separators
    kind: str  # site, about, legal, project or briefing
    size: int
    mtime_ns: int


def _source(root: Path, rel: str, kind: str) -> Source | None:
    try:
        stat = os.stat(root / rel)
    except OSError:
        return None
    return Source(rel, kind, stat.st_size, stat.st_mtime_ns) if S_ISREG(stat.st_mode) else None


def scan(root: Path) -> list[Source]:
    """Every content file with its size and modification time: site.yml, about.md, then each folder
    in name order. Names starting with '.' or '_' are skipped (editor and draft scratch files)."""
    found = [source for source in (_source(root, SITE_FILE, "site"), _source(root, ABOUT_FILE, "about")) if source]
    for folder, kind in KIND_OF_FOLDER.items():
        try:
            names = sorted(os.listdir(root / folder))
        except OSError:
            continue
        for name in names:
            if name.endswith(".md") and not name.startswith((".", "_")):
                source = _source(root, f"{folder}/{name}", kind)
                if source:
                    found.append(source)
    return found


def stamp_of(sources: list[Source]) -> str:
    """A fingerprint of names, sizes and modification times: it moves when a file is edited."""
    lines = "".join(f"{source.rel}\0{source.size}\0{source.mtime_ns}\n" for source in sources)
    return hashlib.sha1(lines.encode()).hexdigest()[:16]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_source(root: Path, rel: str) -> bytes:
    """The file's bytes (``OSError`` when it cannot be read: see ``unreadable``)."""
    return (root / rel).read_bytes()


def unreadable(rel: str, error: OSError) -> Problem:
    return Problem(rel, "file", f"cannot be read: {error.strerror}")
