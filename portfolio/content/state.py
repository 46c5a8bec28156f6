"""``IndexState``: keeps a running app in step with the index file.

Creating it reads nothing. The index is built by ``content sync``, by gunicorn's master before
its workers fork (``build``) and, in development, by ``check`` when a content file changed.
``check`` also notices when another process put a new index in place (one ``stat`` per request)
and then drops pooled connections to the old file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

from ..extensions import db
from .index import SyncResult, database_path, read_meta, sync
from .loader import ParseCache, Read
from .parsing import ContentError, Problem
from .schema import SiteConfig
from .sources import Source, scan, stamp_of

log = logging.getLogger(__name__)
NOT_PUBLISHED = "The site's content is not published yet."


@dataclass
class IndexState:
    content_dir: Path
    db_path: Path
    database_url: str
    auto_reload: bool
    include_drafts: bool
    version: str = ""
    built_at: str = ""  # when the served index was built, ISO 8601 UTC
    site: SiteConfig | None = None
    problems: list[Problem] = field(default_factory=list)
    _identity: tuple[int, int, int] | None = None
    _stamp: str = ""  # of the content files the served index was built from
    _failed_stamp: str = ""  # of the content files last refused
    _cache: ParseCache = field(default_factory=dict)  # parses reused by the next sync in this process
    _last_good: dict[str, Read] = field(default_factory=dict)  # each file as last published (development)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def file_identity(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.db_path)
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    @property
    def ready(self) -> bool:
        """True once there is an index to serve."""
        return bool(self.version)

    def run_sync(self, sources: list[Source] | None = None) -> SyncResult:
        """Validate and publish the content once; on a problem raise ``ContentError`` and change nothing.

        In development (auto-reload) a file with a problem keeps its last good version and the
        rest is published: the problems are in the banner (``problems``) all the same."""
        with self._lock:
            result = sync(self.content_dir, self.database_url, self.include_drafts, self._cache, sources,
                          self._last_good if self.auto_reload else None)
            self.problems = result.problems
            self._failed_stamp = ""
        self.refresh()
        return result

    def build(self) -> None:
        """Bring the index up to date before serving (gunicorn's master); keep the last good one on a problem."""
        try:
            result = self.run_sync()
            log.info("content index ready: %s briefings, version %s", result.briefings, result.version)
        except ContentError as error:
            self.problems = error.problems
            self.refresh()
            where = "serving the last good index" if self.ready else "and no earlier index to serve"
            log.error("content not published, %s: %s", where, summary(error))

    def check(self) -> None:
        """Per request: re-sync edited content (development), follow a new index file, and
        answer 503 (the styled error page) while there is no index to serve."""
        if self.auto_reload:
            self.sync_if_edited()
        self.refresh()
        if not self.version:
            raise ServiceUnavailable(NOT_PUBLISHED)

    def sync_if_edited(self) -> None:
        """Sync when the files' names, sizes or times changed; on a problem keep serving the last good index."""
        sources = scan(self.content_dir)
        stamp = stamp_of(sources)
        if stamp in (self._stamp, self._failed_stamp):
            return
        try:
            self.run_sync(sources)
        except ContentError as error:
            self.problems = error.problems
            self._failed_stamp = stamp
            log.error("content not published, serving the last good index: %s", summary(error))

    def refresh(self) -> None:
        """Load the index's facts when the file in its place is not the one loaded (or is gone)."""
        identity = self.file_identity()
        if identity == self._identity:
            return
        meta = read_meta(self.db_path) if identity else None
        db.engine.dispose()  # pooled connections may hold a replaced file open
        self._identity = identity
        self.version = meta.get("content_version", "") if meta else ""
        self.built_at = meta.get("built_at", "") if meta else ""
        self._stamp = meta.get("content_stamp", "") if meta else ""
        site = json.loads(meta.get("site") or "{}") if meta else {}
        self.site = SiteConfig.model_validate(site) if site else None


def summary(error: ContentError) -> str:
    """One log line; `content check` (or the development banner) lists the problems themselves."""
    count = len(error.problems)
    return f"{count} problem{'s' if count != 1 else ''}, first {error.problems[0]} (see `flask --app portfolio content check`)"


def init_app(app: Flask) -> None:
    """Attach an ``IndexState`` to the app and follow the index before each request (no I/O here)."""
    index = IndexState(
        content_dir=Path(app.config["CONTENT_DIR"]),
        db_path=database_path(app.config["DATABASE_URL"]),
        database_url=app.config["DATABASE_URL"],
        auto_reload=bool(app.config["AUTO_RELOAD"]),
        include_drafts=bool(app.config["DEVELOPMENT"]),
    )
    app.extensions["content_index"] = index
    app.before_request(index.check)


def state() -> IndexState:
    index: IndexState = current_app.extensions["content_index"]
    return index
