"""Reading the bot's SQLite file directly, as anyone holding it could."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.config import Settings


def rows(where: Settings | Path, sql: str) -> list[tuple[Any, ...]]:
    """The rows `sql` selects from the bot's database (its settings, or the file itself)."""
    path = where.database_path if isinstance(where, Settings) else where
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()
