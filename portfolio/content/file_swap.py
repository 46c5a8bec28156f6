"""Putting a new index file in place of the live one, leaving the old file's removal to a thread.

The new index is live once its name is the target's: nothing after that needs to wait. On this
machine (ext4 mounted with ``discard``) two parts of a plain ``os.replace`` over the old 235 MB
index took time inside the call (README, Performance):

- ext4 starts writing out a file renamed over another (``auto_da_alloc``, so that a crash
  cannot leave an empty file): 0.08-0.17 s for the new index;
- dropping the old file frees and discards its blocks: 0.05 s for a plain copy, 0.2-0.8 s for
  the file SQLite wrote page by page.

Swapping the two names in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``) is as atomic
for a reader and does neither; the old file, left under the new one's name, is deleted by a
thread. The index needs no crash-safety of its own: a sync rebuilds it from the content.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2
BUILDING = ".building-"  # then the building process's id
_renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)  # glibc 2.28+; not on macOS

# Deletions of replaced files not yet waited for. Not daemons: the interpreter waits for them at
# exit, so a command-line sync never leaves an old index behind.
_removing: list[threading.Thread] = []


def building_path(target: Path) -> Path:
    """Where this process writes a new index for ``target``, before putting it in place."""
    return target.with_name(f"{target.name}{BUILDING}{os.getpid()}")


def remove_leftovers(target: Path) -> None:
    """Delete what an interrupted sync left beside ``target``: a new index it never finished, or
    an old one its thread had no time to delete (each as large as the index). Call it holding the
    sync lock, so that no other sync is building."""
    for path in target.parent.glob(f"{glob.escape(target.name)}{BUILDING}*"):
        if not path.is_dir():
            path.unlink(missing_ok=True)


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically; False where the system or file system cannot."""
    if _renameat2 is None:
        return False
    return _renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0


def put_in_place(new: Path, target: Path) -> None:
    """Make the file at ``new`` the file at ``target``; whatever ``target`` was is deleted in a thread."""
    if not (target.is_file() and exchange(new, target)):  # nothing to swap with, or no exchange here
        os.replace(new, target)  # (and over a directory it fails, as it always did)
        return
    removal = threading.Thread(target=new.unlink, kwargs={"missing_ok": True}, name="old-index-removal")
    removal.start()
    _removing.append(removal)


def wait_for_removals() -> None:
    """Wait until every file this process put aside is deleted (a fork wants a single thread)."""
    while _removing:
        _removing.pop().join()
