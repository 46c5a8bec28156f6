"""A new index file, written while the content is still being parsed (a full sync).

Each briefing's rows and its file's row go in as soon as its parse arrives (``add``), beside
the parse workers. Its two full-text entries are only staged then: once every file is read
(``all_added``) a thread fills both FTS tables from the staging tables, each in one SQL
statement, and gathers the planner's statistics of the tables that are complete, while this
process checks the set and computes the whole-set tables in Python. SQLite lets go of Python's
lock while it runs a statement, so FTS5's tokenising (the largest part of writing the index)
runs on the second core instead of adding to the busiest stretch of the sync; at 10,000
briefings that took about a second off a cold sync (README, Performance). The thread runs only
a few long statements: many short ones would hand Python's lock back and forth with this
process's work at every row, which measured slower for both.

All in one transaction on a file nobody reads yet: ``sync`` throws the file away if anything
fails. ``finish`` waits for the thread before it touches the connection again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text

from ..extensions import db
from ..models import CONCEPT_FTS_DDL, CONCEPT_FTS_TABLE, FTS_DDL, FTS_TABLE, Briefing, BriefingTag, Concept, SourceFile
from .briefings import ParseResult
from .index_rows import CONCEPT_FTS_COLUMNS, FTS_COLUMNS, FtsTables, IndexRows, index_rows, insert_rows
from .index_writer import insert_sources, write_whole_tables
from .loader import Bundle, ParseCache, Remembered

# While a new file is built, FTS5 keeps up to this many bytes of new terms in memory before it
# writes them out as a segment (the default is 1 MB). Fewer, larger segments leave less merging
# to do: at 10,000 briefings the two FTS tables fill in about half the time (measured).
BUILD_FTS_HASHSIZE = 64 * 1024 * 1024
DEFAULT_FTS_HASHSIZE = 1024 * 1024
BUILD_CACHE_KIB = 64 * 1024
PAGE_SIZE = 16 * 1024  # a briefing's row is 6.6 KB on average at 10,000 (SQLite's default page: 4 KB)
STAGED = FtsTables(f"temp.{FTS_TABLE}_staged", f"temp.{CONCEPT_FTS_TABLE}_staged")
LIVE = FtsTables()
# Tables complete once every briefing is added and every file read (FTS5 keeps each full-text
# table in tables named after it): analysed in the filling thread, the rest at the end.
FILLED_TABLES = (Briefing.__tablename__, BriefingTag.__tablename__, Concept.__tablename__, SourceFile.__tablename__)
FILLED_PREFIXES = tuple(f"{table}_" for table in LIVE)


def _fast_bulk_load(dbapi_connection: Any, _record: Any) -> None:
    """The temporary file is thrown away on failure, so durability is not needed while building;
    a larger page cache keeps the FTS segments being merged in memory, and the staged text
    stays in memory too. Pages of PAGE_SIZE bytes (set before the file has any) hold a whole
    briefing row, where 4 KB pages spilled most rows onto overflow pages."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    cursor.execute("PRAGMA journal_mode = OFF")
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.close()


def _fts_hashsize(connection: Connection, size: int) -> None:
    for table in LIVE:
        connection.execute(text(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', {int(size)})"))


class NewIndex:
    BATCH = 250

    def __init__(self, path: Path, include_drafts: bool):
        path.unlink(missing_ok=True)
        # The FTS thread uses this process's one connection while the main thread leaves it alone.
        self.engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", _fast_bulk_load)
        db.metadata.create_all(self.engine)
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.connection.execute(text(FTS_DDL))
        self.connection.execute(text(CONCEPT_FTS_DDL))
        _fts_hashsize(self.connection, BUILD_FTS_HASHSIZE)
        for staged, columns in zip(STAGED, (FTS_COLUMNS, CONCEPT_FTS_COLUMNS)):
            names = ", ".join(columns[1:])
            self.connection.execute(text(f"CREATE TABLE {staged} (rowid INTEGER PRIMARY KEY, {names})"))
        self.fts_tables = STAGED
        self.include_drafts = include_drafts
        self.numbers: set[int] = set()
        self.pending: list[IndexRows] = []
        self.pending_sources: list[Remembered] = []
        self.written_sources: set[str] = set()
        self.filling: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.analysed: set[str] = set()  # tables whose statistics are gathered (ANALYZE)

    def add(self, result: ParseResult, remembered: Remembered) -> None:
        """Write a briefing file's row, and the briefing's rows if this build would publish it; the
        first file with a number keeps it, as in the cross-checks (a later one is a problem there,
        and then the file is not used)."""
        self.pending_sources.append(remembered)
        briefing = result.briefing
        made = result.rows is not None or bool(briefing.record)  # a worker may send rows without the record
        if briefing.published(self.include_drafts) and made and briefing.number not in self.numbers:
            self.numbers.add(briefing.number)
            self.pending.append(result.rows or index_rows(briefing.record))
        if len(self.pending_sources) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what is pending; the parses written let go of their rows now, while the workers
        still parse, rather than all at once at the end (about 0.2 s at 10,000)."""
        insert_rows(self.connection, self.pending, self.fts_tables)
        insert_sources(self.connection, self.pending_sources)
        for remembered in self.pending_sources:
            self.written_sources.add(remembered.source.rel)
            remembered.written()
        self.pending, self.pending_sources = [], []

    def all_added(self, files: ParseCache) -> None:
        """Every file is read and every briefing added: write the other files' rows, then in a
        thread fill the FTS tables from the staged text and analyse the tables now complete."""
        self.flush()
        self.pending_sources = [r for rel, r in files.items() if rel not in self.written_sources]
        self.flush()
        self.fts_tables = LIVE  # anything added later goes straight in
        self.filling = threading.Thread(target=self._fill, name="fts-fill")
        self.filling.start()

    def _fill(self) -> None:
        raw = self.connection.connection.dbapi_connection
        try:
            for live, staged, columns in zip(LIVE, STAGED, (FTS_COLUMNS, CONCEPT_FTS_COLUMNS)):
                names = ", ".join(columns)
                raw.execute(f"INSERT INTO {live} ({names}) SELECT {names} FROM {staged} ORDER BY rowid")
                raw.execute(f"DROP TABLE {staged}")
            self._analyse(t for t in self._tables() if t in FILLED_TABLES or t.startswith(FILLED_PREFIXES))
        except BaseException as error:  # handed to the main thread by _wait
            self.failure = error

    def _tables(self) -> list[str]:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        return list(self.connection.exec_driver_sql(sql).scalars())

    def _analyse(self, tables: Iterable[str]) -> None:
        for table in tables:
            if table not in self.analysed:
                self.connection.exec_driver_sql(f"ANALYZE {table}")
                self.analysed.add(table)

    def _wait(self) -> None:
        if self.filling is not None:
            self.filling.join()
            self.filling = None
        if self.failure is not None:
            raise self.failure

    def finish(self, bundle: Bundle, stamp: str) -> None:
        """The published briefings not added yet, the whole-set tables, statistics; commit."""
        if self.filling is None:
            self.all_added(bundle.files)
        self._wait()
        for briefing in bundle.briefing_set.published if bundle.briefing_set else []:
            if briefing.number not in self.numbers:  # never added, so its record is whole
                self.numbers.add(briefing.number)
                self.pending.append(index_rows(briefing.record))
                self.analysed.clear()  # the filled tables change after all
        self.flush()
        write_whole_tables(self.connection, bundle, stamp)
        _fts_hashsize(self.connection, DEFAULT_FTS_HASHSIZE)  # the live file is patched a few rows at a time
        self._analyse(self._tables())
        self.transaction.commit()

    def close(self) -> None:
        if self.filling is not None:
            self.filling.join()
        self.connection.close()
        self.engine.dispose()
