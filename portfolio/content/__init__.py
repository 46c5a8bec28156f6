"""The content pipeline: files under ``content/`` → validated records → the SQLite index.

parsing (bytes, front matter, YAML, problems) ← briefings, pages (one file each) ← crosschecks
(rules over the whole set) ← derive (rows over the whole set) ← loader (the pipeline) ← sync
(writes the index) ← state (a running app's view of the index).
"""

from __future__ import annotations

from .loader import Bundle, load_content
from .parsing import ContentError, Problem
from .state import IndexState, init_app, state
from .sync import SyncResult, sync

__all__ = [
    "Bundle", "ContentError", "IndexState", "Problem", "SyncResult", "init_app", "load_content", "state", "sync",
]
