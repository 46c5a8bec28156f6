"""``IndexState``: keeps a running app in step with the index file.

Creating it reads nothing. The index is built by ``content sync``, by gunicorn's master before
its workers fork (``build``) and, in development, by ``check`` when a content file changed.
``check`` also notices when another process swapped in a new index (a look at the generation
hint in shared memory per request, a stat only when it moved: see generation.py) and then drops
pooled connections to the old file and tells the listeners (the render cache).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

from ..extensions import db
from .generation import GenerationHint
from .loader import Progress
from .parsing import ContentError, Problem
from .schema import SiteConfig
from .sources import Source, rescan, scan, stamp_of
from .sync import SyncResult, Written, database_path, read_meta, remembered, sync

log = logging.getLogger(__name__)
NOT_PUBLISHED = "The site's content is not published yet."
# The index file is looked at this often even when the hint has not moved, in case it was
# replaced by something other than a sync (an operator copying a file over it).
RESTAT_SECONDS = 1.0


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
    listeners: list[Callable[[str], None]] = field(default_factory=list)
    _identity: tuple[int, int] | None = None
    _stamp: str = ""
    _failed_stamp: str = ""
    _memory: Written | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    watched: bool = False  # a watcher reports changed files (live reload): requests need not scan
    _hints: set[str] = field(default_factory=set)
    _generation: GenerationHint | None = None
    _seen_generation: bytes | None = None
    _next_stat: float = 0.0

    def __post_init__(self) -> None:
        self._generation = GenerationHint(self.db_path)

    def file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.db_path)
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    @property
    def ready(self) -> bool:
        """True once there is an index to serve."""
        return bool(self.version)

    def run_sync(
        self, progress: Progress | None = None, full: bool = False, sources: list[Source] | None = None
    ) -> SyncResult:
        """Validate and publish the content once; on a problem raise ``ContentError`` and change nothing."""
        with self._lock:
            result = sync(self.content_dir, self.database_url, self.include_drafts, self._memory, progress, full,
                          sources if self._memory is not None else None)
            self._memory = result.written
            self.problems = []
            self._failed_stamp = ""
        self.refresh(force=True)
        return result

    def build(self) -> None:
        """Bring the index up to date before serving (gunicorn's master); keep the last good one on a problem."""
        try:
            result = self.run_sync()
            log.info("content index ready: %s briefings, version %s", result.briefings, result.version)
        except ContentError as error:
            self.problems = error.problems
            self.refresh(force=True)
            where = "serving the last good index" if self.ready else "and no earlier index to serve"
            log.error("content not published, %s: %s", where, summary(error))

    def check(self) -> None:
        """Per request: re-sync edited content (development), follow a swapped index file, and
        answer 503 (the styled error page) while there is no index to serve."""
        if self.auto_reload and not self.watched:
            self.sync_if_edited()
        self.refresh()
        if not self.version:
            raise ServiceUnavailable(NOT_PUBLISHED)

    def warm(self) -> None:
        """Read the remembered parses now (a watcher starting), so the first edit is as quick as the next."""
        with self._lock:
            if self._memory is None:
                self._memory = remembered(self.db_path, self.include_drafts)

    def note_changes(self, rels: Iterable[str]) -> None:
        """A watcher saw these files (relative to the content folder) change."""
        with self._lock:
            self._hints.update(rels)

    def current_sources(self) -> list[Source]:
        """The content files now: only the ones a watcher named are looked at again, when it can be trusted."""
        with self._lock:
            hints, self._hints = self._hints, set()
            memory = self._memory
        if hints and memory is not None:
            found = rescan(self.content_dir, [remembered.source for remembered in memory.cache.values()], hints)
            if found is not None:
                return found
        return scan(self.content_dir)

    def sync_if_edited(self) -> None:
        """Sync when the files' names, sizes or times changed; on a problem keep serving the last good index."""
        sources = self.current_sources()
        stamp = stamp_of(sources)
        if stamp in (self._stamp, self._failed_stamp):
            return
        try:
            self.run_sync(sources=sources)
        except ContentError as error:
            self.problems = error.problems
            self._failed_stamp = stamp
            with self._lock:  # the remembered parse is still the last good one: look at these files again
                self._hints.update(source.rel for source in sources)
            log.error("content not published, serving the last good index: %s", summary(error))

    def swapped(self) -> bool:
        """Whether the index file changed since it was loaded. While the generation hint has not
        moved the answer is no, without a system call; otherwise (and every RESTAT_SECONDS) one stat."""
        assert self._generation is not None
        generation = self._generation.read()
        now = monotonic()
        if generation is not None and generation == self._seen_generation and now < self._next_stat:
            return False
        # Read before the stat: a sync that lands in between moves the hint again.
        self._seen_generation, self._next_stat = generation, now + RESTAT_SECONDS
        return self.file_identity() != self._identity

    def refresh(self, force: bool = False) -> None:
        if not force and not self.swapped():
            return
        identity = self.file_identity()
        meta = read_meta(self.db_path)
        if meta is None:
            return
        db.engine.dispose()  # pooled connections may hold a replaced file open
        self._load_meta(meta, identity)
        self._generation.open()
        for listener in self.listeners:
            listener(self.version)

    def _load_meta(self, meta: dict[str, str], identity: tuple[int, int] | None) -> None:
        self.version = meta.get("content_version", "")
        self.built_at = meta.get("built_at", "")
        self._stamp = meta.get("content_stamp", "")
        self._identity = identity
        site = json.loads(meta.get("site") or "{}")
        self.site = SiteConfig.model_validate(site) if site else None


def summary(error: ContentError) -> str:
    """One log line; `content check` (or the development banner) lists the problems themselves."""
    count = len(error.problems)
    return f"{count} problem{'s' if count != 1 else ''}, first {error.problems[0]} (see `flask --app portfolio content check`)"


def init_app(app: Flask) -> None:
    """Attach an ``IndexState`` to the app and follow the index before each request (no I/O here):
    one hook, since it runs on every request, render-cache hits included."""
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
