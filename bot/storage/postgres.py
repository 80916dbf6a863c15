"""The PostgreSQL connection (asyncpg, the `postgres` extra): the Database interface on a server.

The repositories' statements and the migrations are SQLite's text; bot/storage/dialect.py
translates them. One connection, guarded by the same lock as SQLite's, keeps the semantics
identical: statements outside a transaction wait while one is open, nested ones join it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.storage.database import (
    SCHEMA_VERSION_TABLE,
    Database,
    DatabaseClosed,
    DatabaseUnavailable,
    _in_transaction,
    refuse_newer,
)
from bot.storage.dialect import POSTGRES, postgres_migration, postgres_statement
from bot.storage.migrations import MIGRATIONS

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
# Status strings that end in the number of rows changed ("UPDATE 3", "INSERT 0 1").
_COUNTED = ("INSERT", "UPDATE", "DELETE", "MERGE")


class DatabaseUnreachable(DatabaseUnavailable):
    """The server could not be reached or refused the connection: one line, no password."""


def address(url: str) -> str:
    """host:port of a postgresql:// URL (nothing of its user, password or database)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def changed(status: str) -> int:
    """Rows changed, from asyncpg's status string ("UPDATE 3" → 3; "CREATE TABLE" → 0)."""
    words = status.split()
    if words and words[0] in _COUNTED and words[-1].isdigit():
        return int(words[-1])
    return 0


async def migrate(connection: asyncpg.Connection) -> None:
    """The numbered migrations, translated, each in its own transaction."""
    for statement in postgres_migration(SCHEMA_VERSION_TABLE):
        await connection.execute(statement)
    current = int(
        await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
    )
    refuse_newer(current)
    for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
        async with connection.transaction():
            for statement in statements:
                for translated in postgres_migration(statement):
                    await connection.execute(translated)
            await connection.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
        logger.info("Database migrated to schema version %s", version)


class PostgresDatabase(Database):
    """The bot's database on a PostgreSQL server, for DATABASE_URL=postgresql://...

    Rows come back as tuples, as from SQLite. One connection: lost (the server restarted),
    it is not made again; the statements fail until the bot is restarted.
    """

    dialect = POSTGRES
    errors = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)
    BEGIN = "BEGIN"

    def __init__(self, url: str) -> None:
        self._url = url  # holds the password: never logged, never in an exception
        self.address = address(url)
        self._server: asyncpg.Connection | None = None
        self._init_discipline()

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.address})"

    @property
    def is_open(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> asyncpg.Connection:
        if self._server is None:
            raise DatabaseClosed(f"the database at {self.address} is not open")
        return self._server

    async def _connect(self) -> None:
        try:
            connection = await asyncpg.connect(self._url, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise DatabaseUnreachable(
                f"DATABASE_URL: the PostgreSQL server at {self.address} cannot be reached "
                f"({type(error).__name__}): is it running, and listening there?"
            ) from None
        except asyncpg.PostgresError as error:
            # The server's own words name the user or the database, never the password.
            raise DatabaseUnreachable(
                f"DATABASE_URL: the PostgreSQL server at {self.address} refused the "
                f"connection ({type(error).__name__}: {error})"
            ) from None
        try:
            await migrate(connection)
        except BaseException:
            await connection.close()
            raise
        self._server = connection

    async def _control(self, sql: str) -> None:
        await self.server.execute(sql)

    async def _execute(self, sql: str, parameters: tuple[Any, ...]) -> int:
        return changed(await self.server.execute(postgres_statement(sql), *parameters))

    async def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> int:
        # asyncpg's executemany returns no count; a statement a row, on the one connection
        # (prepared once, by asyncpg's statement cache), does.
        statement = postgres_statement(sql)
        total = 0
        for row in rows:
            total += changed(await self.server.execute(statement, *row))
        return total

    async def _fetchall(self, sql: str, parameters: tuple[Any, ...]) -> list[Any]:
        records = await self.server.fetch(postgres_statement(sql), *parameters)
        return [tuple(record) for record in records]

    async def _disconnect(self) -> None:
        await self.server.close()
        self._server = None

    async def checkpoint(self) -> None:
        """Vacuum, so that the space of rows deleted since (the tidy's, an erasure's) is freed.

        A plain VACUUM: it takes no lock that stops the bot's statements, and cannot run
        inside a transaction (the lock waits for an open one to end).
        """
        async with self._turn():
            if _in_transaction.get():
                return  # called inside a transaction: the next tidy or erasure vacuums
            await self.server.execute("VACUUM")

    def erased(self) -> None:
        """Something of a person was deleted: VACUUM the database soon (FOLD_DELAY seconds,
        once the erasing transaction has committed; erasures meanwhile share it).

        What remains on PostgreSQL (checked on PostgreSQL 15 with a name grepped for in the
        files): VACUUM marks the dead rows' space in table and index pages reusable but does
        not zero it (there is no secure_delete): a deleted row's bytes stay in the page until
        a new row, or another row moved as the page is compacted, overwrites them. The
        write-ahead log (pg_wal) still holds the row after VACUUM and CHECKPOINT: a segment
        goes only once a checkpoint has passed it (checkpoint_timeout, 5 minutes by default),
        and is then by default renamed for reuse (wal_recycle), its old bytes kept until new
        WAL overwrites them. A WAL archive, a replica or a base backup keeps them as long as
        it is kept.
        """
        super().erased()

    async def _fold(self) -> None:
        if not self.is_open:
            return
        try:
            await self.checkpoint()
        except (*self.errors, DatabaseClosed) as error:
            logger.warning("Vacuuming after an erasure failed: %s", type(error).__name__)
