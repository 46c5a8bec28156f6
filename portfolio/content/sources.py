"""Which files the site reads, and a cheap fingerprint of them to notice edits.

A page, project or briefing is a Markdown file (``briefings/031-dpo.md``) or a folder with an
``index.md`` and its images beside it (``briefings/031-dpo/index.md``, ``…/figure.png``), as
Hugo's page bundles are. A symbolic link is followed only to a file inside the content folder:
git keeps symbolic links, so a contributed change could otherwise publish any readable file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from .parsing import Problem

SITE_FILE = "site.yml"
ABOUT_FILE = "about.md"
BUNDLE_INDEX = "index.md"
KIND_OF_FOLDER = {"legal": "legal", "projects": "project", "briefings": "briefing", "paths": "path"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


@dataclass(frozen=True)
class Source:
    """One content file as the file system describes it (no bytes read yet). For a bundle, its
    size and time cover the images beside its ``index.md`` too, so editing one is an edit."""

    rel: str  # relative to the content folder, with '/' separators
    kind: str  # site, about, legal, project, briefing or path
    size: int
    mtime_ns: int
    refused: str = ""  # why the file is not read (a link out of the content folder)

    @property
    def folder(self) -> str:
        """The folder its relative links and images are read from (relative to the content folder)."""
        return self.rel.rsplit("/", 1)[0] if "/" in self.rel else ""


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, links resolved, is within ``root``."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def _source(root: Path, rel: str, kind: str, in_linked_folder: bool = False) -> Source | None:
    """The file's facts; a link (or a file in a linked folder) is resolved and refused if it leads out.

    Only links are resolved: ``realpath`` on every file was a fifth of an edit's time at 1,000."""
    path = root / rel
    try:
        stat = os.lstat(path)
        is_link = S_ISLNK(stat.st_mode)
        if is_link:
            stat = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    if (is_link or in_linked_folder) and not inside(root, path):
        target = os.path.realpath(path)
        return Source(rel, kind, 0, 0, f"a symbolic link to {target}, outside the content folder: not read "
                                       "(copy the file in instead)")
    size, mtime = stat.st_size, stat.st_mtime_ns
    if rel.endswith("/" + BUNDLE_INDEX):  # the images beside it count as part of it
        for image in bundle_images(root, Path(rel).parent.as_posix()):
            image_stat = os.stat(root / image)
            size, mtime = size + image_stat.st_size, max(mtime, image_stat.st_mtime_ns)
    return Source(rel, kind, size, mtime)


def bundle_images(root: Path, folder: str) -> list[str]:
    """The image files in a bundle's folder (relative to the content folder), in name order."""
    try:
        names = sorted(os.listdir(root / folder))
    except OSError:
        return []
    return [f"{folder}/{name}" for name in names
            if name.lower().endswith(IMAGE_SUFFIXES) and (root / folder / name).is_file()]


def scan(root: Path) -> list[Source]:
    """Every content file with its size and modification time: site.yml, about.md, then each folder
    in name order. Names starting with '.' or '_' are skipped (editor and scratch files)."""
    found = [source for source in (_source(root, SITE_FILE, "site"), _source(root, ABOUT_FILE, "about")) if source]
    for folder, kind in KIND_OF_FOLDER.items():
        try:
            entries = sorted(os.scandir(root / folder), key=lambda entry: entry.name)
        except OSError:
            continue
        linked_folder = os.path.islink(root / folder)
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            rel = f"{folder}/{entry.name}"
            if entry.name.endswith(".md"):
                source = _source(root, rel, kind, linked_folder)
            elif entry.is_dir():
                source = _source(root, f"{rel}/{BUNDLE_INDEX}", kind, linked_folder or entry.is_symlink())
            else:
                source = None
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
