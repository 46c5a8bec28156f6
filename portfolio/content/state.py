"""``IndexState``: keeps a running app in step with the index file, and says whether it is sound.

Creating it reads nothing. The index is built by ``content sync``, by gunicorn's master before
its workers fork (``build``, which keeps an index that is already current) and, in development,
by ``check`` when a content file changed. ``check`` also notices when another process put a new
index in place (one ``stat`` per request) and then drops pooled connections to the old file.

A file that is missing, corrupt or not this release's schema is no index: every page is a 503
(never a 500), and so is ``/healthz``. Each publish, made or refused, is recorded beside the
index (``<index>.publish.json``), so every process can tell that the content on disk was refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from werkzeug.exceptions import ServiceUnavailable

from ..config import REPO_ROOT
from ..extensions import db
from ..models import Briefing
from .index import SyncResult, database_path, read_meta, sync
from .loader import ParseCache, Read
from .parsing import ContentError, Problem
from .schema import SiteConfig
from .sources import Source, scan, stamp_of

log = logging.getLogger(__name__)
NOT_PUBLISHED = "The site's content is not published yet."
UNREADABLE = "The site's content cannot be read just now."
# Answered without an index and for any Host: the operator's and the proxy's questions.
OPERATIONAL_PATHS = frozenset({"/healthz", "/metrics", "/_generation"})
# Whatever decides what an index holds and how pages look: an index built by other code is rebuilt.
RELEASE_FOLDERS = ("portfolio", "templates", "static")


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
            try:
                result = sync(self.content_dir, self.database_url, self.include_drafts, self._cache, sources,
                              self._last_good if self.auto_reload else None)
            except ContentError as error:
                self.record_publish("refused", "", error.problems)
                raise
            self.problems = result.problems
            self._failed_stamp = ""
        self.record_publish("published", result.version, result.problems)
        self.refresh()
        return result

    def build(self) -> None:
        """Bring the index up to date before serving (gunicorn's master); keep the last good one on a problem.

        An index this release published from the same files (an image's baked index) is kept as it is."""
        if self.is_current():
            self.refresh()
            log.info("content index current: version %s, built %s", self.version, self.built_at)
            return
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
        if not self.version and request.path not in OPERATIONAL_PATHS:
            raise ServiceUnavailable(self.unavailable_reason())

    def unavailable_reason(self) -> str:
        return UNREADABLE if self._identity else NOT_PUBLISHED

    def suspect(self) -> None:
        """Read the file's facts again (and check it) on the next request: a query failed on it."""
        self._identity = None

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
        meta = sound_meta(self.db_path) if identity else None
        db.engine.dispose()  # pooled connections may hold a replaced file open
        self._identity = identity
        self.version = meta.get("content_version", "") if meta else ""
        self.built_at = meta.get("built_at", "") if meta else ""
        self._stamp = meta.get("content_stamp", "") if meta else ""
        site = json.loads(meta.get("site") or "{}") if meta else {}
        self.site = SiteConfig.model_validate(site) if site else None


    def is_current(self) -> bool:
        """Whether the index in place was published by this release from the content files as they are."""
        meta, record = sound_meta(self.db_path), self.last_publish()
        return bool(meta and record and record.get("result") == "published"
                    and record.get("version") == meta.get("content_version")
                    and record.get("release") == release_fingerprint()
                    and meta.get("drafts") == ("shown" if self.include_drafts else "hidden")
                    and meta.get("content_stamp") == stamp_of(scan(self.content_dir)))

    @property
    def record_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".publish.json")

    def record_publish(self, result: str, version: str, problems: list[Problem]) -> None:
        """Write what the last publish did beside the index, atomically (a failure to write is logged)."""
        record = {"result": result, "at": utc_now(), "version": version, "problems": len(problems),
                  "first_problem": str(problems[0]) if problems else "", "release": release_fingerprint()}
        partial = self.record_path.with_name(f"{self.record_path.name}.{os.getpid()}")
        try:
            partial.write_text(json.dumps(record), "utf-8")
            os.replace(partial, self.record_path)
        except OSError as error:
            log.warning("could not record the publish in %s: %s", self.record_path, error)

    def last_publish(self) -> dict[str, Any] | None:
        try:
            record = json.loads(self.record_path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz: 503 unless the index opens and is sound; a refused publish is a warning."""
        if not self.version:
            return 503, {"status": "unavailable", "reason": self.unavailable_reason()}
        try:
            checked = db.session.execute(text("PRAGMA quick_check")).scalar()
            briefings = db.session.scalar(select(func.count()).select_from(Briefing))
        except DatabaseError:
            checked = None
        if checked != "ok":
            self.suspect()
            return 503, {"status": "unavailable", "reason": UNREADABLE}
        body: dict[str, Any] = {"status": "ok", "content_version": self.version, "built_at": self.built_at,
                                "briefings": briefings}
        record = self.last_publish()
        if record:
            body["last_publish"] = {name: record.get(name) for name in ("result", "at", "problems")}
            if record.get("result") == "refused" or record.get("problems"):
                body["warning"] = (f"The content on disk was {record.get('result')} at the last publish "
                                   f"({record.get('problems')} problems, first: {record.get('first_problem')}); "
                                   "the last good content is served. Run `flask --app portfolio content check`.")
        return 200, body

    def database_failure(self, error: DatabaseError) -> Response:
        """A query failed on the index (corrupt, or not this release's): a 503, and a fresh look next time."""
        log.error("the index could not be read, answering 503: %s", error.orig if error.orig else error)
        self.suspect()
        response: Response = current_app.handle_http_exception(ServiceUnavailable(UNREADABLE))  # type: ignore[assignment]
        return response


def sound_meta(path: Path) -> dict[str, str] | None:
    """The index's meta table if the file is whole (``quick_check``) and has this release's tables."""
    meta = read_meta(path)
    return meta if meta is not None and not schema_problem(path) else None


def schema_problem(path: Path) -> str:
    """The first table or column of the models that the file lacks ('' when it has them all)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            for table in db.metadata.sorted_tables:
                columns = {row[1] for row in connection.execute(f"PRAGMA table_info('{table.name}')")}
                missing = [column.name for column in table.columns if column.name not in columns]
                if missing:
                    return f"{table.name} lacks {', '.join(missing)}"
    except sqlite3.Error as error:
        return str(error)
    return ""


@cache
def release_fingerprint() -> str:
    """A hash of the code, templates and static files this process runs (read once)."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in RELEASE_FOLDERS:
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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
    app.register_error_handler(DatabaseError, index.database_failure)


def state() -> IndexState:
    index: IndexState = current_app.extensions["content_index"]
    return index
