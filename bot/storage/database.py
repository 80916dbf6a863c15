"""The SQLite connection: WAL journal, foreign keys, a busy timeout, migrations at open."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.dialect import SQLITE, Dialect
from bot.storage.migrations import MIGRATIONS

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
DAY = 24 * 3600
# After an erasure, the journal is folded into the file (and emptied) within about this long:
# a pause, so that erasures close together share one checkpoint, then retries while a reader
# (a backup, `python -m bot stats`) holds the journal.
FOLD_DELAY = 0.5
FOLD_RETRY = 1.0
FOLD_ATTEMPTS = 30


def day_of(unix_time: float) -> int:
    """The start of the (UTC) day: what is kept of a moment that dates a person's act."""
    seconds = int(unix_time)
    return seconds - seconds % DAY


class MigrationError(Exception):
    """The database is newer than this code, or a migration failed."""


async def open_database(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) the database and bring its schema up to date."""
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = await aiosqlite.connect(path, isolation_level=None)
    try:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        # Deleted rows (raw ids, withdrawn names) are overwritten, not left in free pages.
        await connection.execute("PRAGMA secure_delete = ON")
        await migrate(connection)
        # What a migration rewrote (finer times, say) leaves the journal too.
        await connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        await connection.close()
        raise
    return connection


SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at "
    "INTEGER NOT NULL DEFAULT (unixepoch()))"
)


def refuse_newer(current: int) -> None:
    """A database at a schema version this code does not know is not touched."""
    if current > len(MIGRATIONS):
        raise MigrationError(
            f"the database is at schema version {current}, newer than this code "
            f"({len(MIGRATIONS)}): upgrade the bot"
        )


async def schema_version(connection: aiosqlite.Connection) -> int:
    await connection.execute(SCHEMA_VERSION_TABLE)
    async with connection.execute("SELECT MAX(version) FROM schema_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def migrate(connection: aiosqlite.Connection) -> None:
    current = await schema_version(connection)
    refuse_newer(current)
    for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
        await connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                await connection.execute(statement)
            await connection.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        except BaseException:
            await connection.execute("ROLLBACK")
            raise
        await connection.execute("COMMIT")
        logger.info("Database migrated to schema version %s", version)


_in_transaction: ContextVar[bool] = ContextVar("in_transaction", default=False)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used as configured: one line for the organiser, no secret."""


class DatabaseClosed(RuntimeError):
    """A statement before the database was opened, or after it was closed."""


class Database:
    """One connection shared by handlers, jobs, the outbox worker and the conversation
    persistence; opened once, at start-up, and closed at shutdown.

    Statements outside a transaction wait while one is open, so a transaction holds only its
    own statements; a transaction opened inside another joins it.

    This is the SQLite file; PostgresDatabase (bot/storage/postgres.py) is the same interface
    and the same discipline (the lock, the nesting, the deferred rows), overriding only the
    engine's primitives below (the underscored methods, checkpoint and erased).
    """

    dialect: Dialect = SQLITE
    # What a statement raises when the database refuses it or cannot be reached.
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    BEGIN = "BEGIN IMMEDIATE"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: aiosqlite.Connection | None = None
        self._init_discipline()

    def _init_discipline(self) -> None:
        self._lock = asyncio.Lock()
        self._deferred: list[tuple[str, tuple[Any, ...]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._stop_flushing = asyncio.Event()
        self._folder: asyncio.Task[None] | None = None
        self._unfolded = False

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    async def open(self) -> None:
        """Open the file and bring its schema up to date; opening an open database is a no-op."""
        async with self._lock:
            if not self.is_open:
                await self._connect()

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._connection is None:
            raise DatabaseClosed(f"the database {self.path} is not open")
        return self._connection

    def defer(self, sql: str, parameters: Iterable[Any] = ()) -> None:
        """Queue a write that may wait for the next flush (bookkeeping, not a person's data).

        Two such rows come with nearly every update (its id, for duplicates; message ids, for
        /clear). Written in one transaction every fraction of a second, they cost a little
        of what a commit each did. A crash loses at most the rows queued since the last flush.
        """
        self._deferred.append((sql, tuple(parameters)))  # written in any order: inserts only

    async def flush(self) -> None:
        """Write every deferred row now, in one transaction."""
        if not self._deferred:
            return
        rows, self._deferred = self._deferred, []
        # One executemany per statement, not per run of equal statements: the two kinds of
        # row alternate (an update's id, then its reply's message id), and each call is a
        # trip to the database thread. Deferred rows are independent inserts (see defer).
        by_statement: dict[str, list[tuple[Any, ...]]] = {}
        for sql, parameters in rows:
            by_statement.setdefault(sql, []).append(parameters)
        async with self.transaction():
            for sql, group in by_statement.items():
                await self._executemany(sql, group)

    def start_flushing(self, interval: float) -> None:
        """Write the deferred rows every `interval` seconds, until the database is closed."""
        self._stop_flushing.clear()
        self._flusher = asyncio.create_task(self._flush_every(interval), name="flusher")

    async def _flush_every(self, interval: float) -> None:
        # A flush is never cancelled half-way (its rows would be rolled back): it is stopped.
        while not self._stop_flushing.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_flushing.wait(), interval)
            try:
                await self.flush()
            except self.errors as error:
                logger.warning(
                    "Queued bookkeeping rows were not written: %s", type(error).__name__
                )

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if _in_transaction.get():
            yield
            return
        async with self._lock:
            token = _in_transaction.set(True)
            try:
                await self._control(self.BEGIN)
                try:
                    yield
                except BaseException:
                    await self._control("ROLLBACK")
                    raise
                await self._control("COMMIT")
            finally:
                _in_transaction.reset(token)

    @contextlib.asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        if _in_transaction.get():
            yield
        else:
            async with self._lock:
                yield

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        async with self._turn():
            return await self._execute(sql, tuple(parameters))

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> int:
        """Run a statement once per row, in one trip; return the number of rows it changed."""
        async with self._turn():
            return await self._executemany(sql, [tuple(row) for row in rows])

    async def fetchone(self, sql: str, parameters: Iterable[Any] = ()) -> Any:
        """The first row (the statement should select one, e.g. by key or with LIMIT 1)."""
        async with self._turn():
            rows = await self._fetchall(sql, tuple(parameters))
        return next(iter(rows), None)

    async def fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        async with self._turn():
            return await self._fetchall(sql, tuple(parameters))

    # The engine's primitives, called with the lock held (or inside the transaction).
    # Each statement is one trip to aiosqlite's thread (execute_fetchall), not the two or
    # three that a cursor costs (execute, fetch, close): under load the trips dominated.

    async def _connect(self) -> None:
        self._connection = await open_database(self.path)

    async def _control(self, sql: str) -> None:
        await self.connection.execute_fetchall(sql)

    async def _execute(self, sql: str, parameters: tuple[Any, ...]) -> int:
        connection = self.connection
        before = connection.total_changes
        await connection.execute_fetchall(sql, parameters)
        return connection.total_changes - before

    async def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        connection = self.connection
        before = connection.total_changes
        cursor = await connection.executemany(sql, rows)
        await cursor.close()  # a statement left open would lock the checkpoint at close
        return connection.total_changes - before

    async def _fetchall(self, sql: str, parameters: tuple[Any, ...]) -> list[Any]:
        return list(await self.connection.execute_fetchall(sql, parameters))

    async def _disconnect(self) -> None:
        await self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await self.connection.close()
        self._connection = None

    async def checkpoint(self) -> None:
        """Fold the write-ahead log into the file, so that erased rows leave the journal too."""
        await self.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def erased(self) -> None:
        """Something of a person was deleted: fold the journal into the file soon.

        secure_delete zeroes deleted rows in the file, but until a checkpoint the journal
        (the -wal file) still holds the pages as they were. Within FOLD_DELAY seconds, once
        the transaction that erased has committed, one checkpoint copies the pages back and
        truncates the journal; erasures meanwhile share it. Without a running loop (a script)
        the checkpoint at close does it.
        """
        self._unfolded = True
        if self._folder is not None and not self._folder.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._folder = loop.create_task(self._fold_soon(), name="fold-journal")

    async def _fold_soon(self) -> None:
        # The task's context is a copy of the eraser's, maybe inside its transaction: the
        # checkpoint must wait for that transaction, not join it.
        _in_transaction.set(False)
        while self._unfolded:
            await asyncio.sleep(FOLD_DELAY)
            self._unfolded = False
            await self._fold()

    async def _fold(self) -> None:
        for _ in range(FOLD_ATTEMPTS):
            if not self.is_open:
                return
            try:
                row = await self.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
            except (sqlite3.Error, DatabaseClosed) as error:
                logger.warning("Folding the journal failed: %s", type(error).__name__)
                row = None
            if row is not None and int(row[0]) == 0:
                return
            await asyncio.sleep(FOLD_RETRY)  # a reader holds the journal: try again
        logger.warning("The journal could not be folded after an erasure; the next tidy will")

    async def close(self) -> None:
        """Stop flushing, write what is still queued, fold the journal, close."""
        if self._folder is not None:
            self._folder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._folder
            self._folder = None
        if self._flusher is not None:
            self._stop_flushing.set()
            await self._flusher
            self._flusher = None
        if not self.is_open:
            return
        await self.flush()
        async with self._lock:
            await self._disconnect()
