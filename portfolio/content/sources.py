"""Which files the site reads, and a cheap fingerprint of them to notice edits."""

from __future__ import annotations

import hashlib
import os
from stat import S_ISREG
from dataclasses import dataclass
from pathlib import Path

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
    digest = hashlib.sha1()
    for source in sources:
        digest.update(f"{source.rel}\0{source.size}\0{source.mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def content_stamp(root: Path) -> str:
    return stamp_of(scan(root))


def file_digest(data: bytes) -> str:
    """The key a parsed file is remembered by: the same bytes parse to the same records."""
    return hashlib.sha256(data).hexdigest()
