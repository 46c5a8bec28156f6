"""The content pipeline: files under ``content/`` → validated records → the SQLite index.

parsing (bytes, front matter, YAML, problems) ← briefings, pages (one file each) ← checks (rules
over the whole set) ← loader (the pipeline and the whole-set rows) ← index (writes a new index
file and puts it in place) ← state (a running app's view of the index).
"""

from __future__ import annotations

from .index import SyncResult, sync
from .loader import Bundle, load_content
from .parsing import ContentError, Problem
from .state import IndexState, init_app, state

__all__ = [
    "Bundle", "ContentError", "IndexState", "Problem", "SyncResult", "init_app", "load_content", "state", "sync",
]
