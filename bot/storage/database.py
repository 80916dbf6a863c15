"""The SQLite connection: WAL journal, foreign keys, a busy timeout, migrations at open."""

from __future__ import annotations

import logging
from pathlib import Path

import aiosqlite

from bot.storage.migrations import MIGRATIONS

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


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
    except BaseException:
        await connection.close()
        raise
    return connection


async def schema_version(connection: aiosqlite.Connection) -> int:
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at "
        "INTEGER NOT NULL DEFAULT (unixepoch()))"
    )
    async with connection.execute("SELECT MAX(version) FROM schema_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def migrate(connection: aiosqlite.Connection) -> None:
    current = await schema_version(connection)
    if current > len(MIGRATIONS):
        raise MigrationError(
            f"the database is at schema version {current}, newer than this code "
            f"({len(MIGRATIONS)}): upgrade the bot"
        )
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
