"""The content pipeline: files under ``content/`` → validated records → the SQLite index.

``IndexState`` keeps a running app in step with the index file: it builds the index on start
when it is missing or stale, notices when ``content sync`` swaps in a new file (and drops
pooled connections to the old one), and in development re-syncs when a file is edited.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from ..extensions import db
from .loader import ContentError, Problem, content_stamp, load_content
from .schema import SiteConfig
from .sync import SyncResult, database_path, read_meta, sync

__all__ = ["ContentError", "IndexState", "Problem", "load_content", "state", "sync"]

log = logging.getLogger(__name__)


@dataclass
class IndexState:
    content_dir: Path
    db_path: Path
    database_url: str
    auto_reload: bool
    version: str = ""
    built_at: str = ""  # when the served index was built, ISO 8601 UTC
    site: SiteConfig | None = None
    problems: list[Problem] = field(default_factory=list)
    _identity: tuple[int, int] | None = None
    _stamp: str = ""
    _failed_stamp: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    listeners: list[Any] = field(default_factory=list)

    def file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.db_path)
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def ensure(self) -> None:
        """Build the index on start when it is missing or older than the content."""
        meta = read_meta(self.db_path)
        stamp = content_stamp(self.content_dir)
        if meta is not None and meta.get("content_stamp") == stamp:
            self._load_meta(meta)
            return
        try:
            result = self.run_sync()
            log.info("content index built: %s briefings, version %s", result.briefings, result.version)
        except ContentError as error:
            self.problems = error.problems
            self._failed_stamp = stamp
            if meta is None:
                log.error("content not published and no earlier index to serve: %s", _summary(error))
                return
            log.error("content not published, serving the last good index: %s", _summary(error))
            self._load_meta(meta)

    @property
    def ready(self) -> bool:
        """True once there is an index to serve."""
        return bool(self.version)

    def run_sync(self) -> SyncResult:
        result = sync(self.content_dir, self.database_url)
        self.problems = []
        self.refresh(force=True)
        return result

    def check(self) -> None:
        """Per request: re-sync edited content (development) and follow a swapped index file."""
        if self.auto_reload:
            stamp = content_stamp(self.content_dir)
            if stamp not in (self._stamp, self._failed_stamp):
                with self._lock:
                    try:
                        self.run_sync()
                    except ContentError as error:
                        self.problems = error.problems
                        self._failed_stamp = stamp
                        log.error("content not published, serving the last good index:\n%s", error)
        self.refresh()

    def swapped(self) -> bool:
        """Whether a sync has replaced the index file since it was loaded (cheap: one stat)."""
        return self.file_identity() != self._identity

    def refresh(self, force: bool = False) -> None:
        if not force and not self.swapped():
            return
        meta = read_meta(self.db_path)
        if meta is None:
            return
        db.engine.dispose()
        self._load_meta(meta)
        for listener in self.listeners:
            listener(self.version)

    def _load_meta(self, meta: dict[str, str]) -> None:
        self.version = meta.get("content_version", "")
        self.built_at = meta.get("built_at", "")
        self._stamp = meta.get("content_stamp", "")
        self._identity = self.file_identity()
        site = json.loads(meta.get("site") or "{}")
        self.site = SiteConfig.model_validate(site) if site else None


def _summary(error: ContentError) -> str:
    """One log line; `content check` (or the dev banner) lists the problems themselves."""
    count = len(error.problems)
    return f"{count} problem{'s' if count != 1 else ''}, first {error.problems[0]} (see `flask --app portfolio content check`)"


def init_app(app: Flask) -> None:
    index = IndexState(
        content_dir=Path(app.config["CONTENT_DIR"]),
        db_path=database_path(app.config["DATABASE_URL"]),
        database_url=app.config["DATABASE_URL"],
        auto_reload=bool(app.config["AUTO_RELOAD"]),
    )
    app.extensions["content_index"] = index
    with app.app_context():
        index.ensure()
    app.before_request(index.check)


def state() -> IndexState:
    index: IndexState = current_app.extensions["content_index"]
    return index
