"""A hint that the index changed, in memory shared by every process that syncs or serves it.

After each change it publishes, ``sync`` writes fresh bytes into ``<index>.generation`` in
place (the file is never replaced or truncated). A server maps that file into memory once
and compares those bytes on each request, which costs no system call; only when they moved
does it look at the index file itself (``IndexState.swapped``).

Why not one ``stat`` per request: under gunicorn's threaded workers every system call hands
the GIL to another thread, and the HTTP benchmark measured that one ``stat`` at tens of µs of
server CPU per request (about 2 µs in a single thread); it was most of what a render-cache hit
cost beyond a bare Flask app.
"""

from __future__ import annotations

import mmap
import os
import secrets
from pathlib import Path

SIZE = 16


def hint_path(index: Path) -> Path:
    return index.with_name(f"{index.name}.generation")


def publish(index: Path) -> None:
    """Move the hint: call once a change to ``index`` is in place."""
    descriptor = os.open(hint_path(index), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.pwrite(descriptor, secrets.token_bytes(SIZE), 0)
    finally:
        os.close(descriptor)


class GenerationHint:
    """The reading side: creating it touches nothing; ``open`` maps the file when there is one."""

    def __init__(self, index: Path):
        self.path = hint_path(index)
        self._mapped: mmap.mmap | None = None

    def open(self) -> None:
        if self._mapped is not None:
            return
        try:
            with open(self.path, "rb") as handle:
                self._mapped = mmap.mmap(handle.fileno(), SIZE, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # no hint yet (an index from before hints), or a short file
            self._mapped = None

    def read(self) -> bytes | None:
        """The hint's bytes now (a memory read), or None when there is no hint to trust."""
        mapped = self._mapped
        return None if mapped is None else mapped[:SIZE]
