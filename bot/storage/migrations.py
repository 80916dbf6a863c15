"""Numbered schema migrations, applied in order at start-up, each in its own transaction."""

from __future__ import annotations

# Each entry is one migration: a tuple of SQL statements. Append; never edit a landed one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: people, known only by the keyed hash of their Telegram id, and their language choice.
    (
        """
        CREATE TABLE people (
            person_key TEXT PRIMARY KEY,
            language TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
    ),
)
