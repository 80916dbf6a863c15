"""Named links and their counts per day: no person's key, id or time in either table."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from bot.domain import days
from bot.domain.links import LinkFigures, Step
from bot.storage.database import Database

_COLUMNS = {step: step.value for step in Step}  # the only names put into the SQL text
# Only days before today are read: a day still counting would show, to anyone who reads the
# figures before and after one person's signature card, which link that person came by.
PER_LINK = (
    "SELECT links.name, NULL, COALESCE(SUM(started), 0), COALESCE(SUM(read), 0), "
    "COALESCE(SUM(signed), 0) FROM links "
    "LEFT JOIN link_counts ON link_counts.name = links.name AND link_counts.day < ? "
    "GROUP BY links.name ORDER BY links.name"
)
PER_DAY = (
    "SELECT name, day, started, read, signed FROM link_counts WHERE day < ? ORDER BY day, name"
)


def _figures(row: tuple[object, ...]) -> LinkFigures:
    name, day, started, read, signed = row
    return LinkFigures(
        str(name),
        dt.date.fromisoformat(str(day)) if day is not None else None,
        int(str(started)),
        int(str(read)),
        int(str(signed)),
    )


class LinkRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, name: str, created: dt.date) -> bool:
        """Register the link; False if it was already there."""
        changed = await self._db.execute(
            "INSERT INTO links (name, created) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, created.isoformat()),
        )
        return changed > 0

    async def exists(self, name: str) -> bool:
        row = await self._db.fetchone("SELECT 1 FROM links WHERE name = ?", (name,))
        return row is not None

    async def add_counts(self, counts: list[tuple[str, dt.date, Step, int]]) -> None:
        """Add the counts of finished days (and, at a stop, of today so far), in one
        transaction."""
        async with self._db.transaction():
            for step, column in _COLUMNS.items():
                # The table's name on the column: PostgreSQL finds the bare one ambiguous.
                await self._db.executemany(
                    f"INSERT INTO link_counts (name, day, {column}) VALUES (?, ?, ?) "
                    f"ON CONFLICT (name, day) DO UPDATE "
                    f"SET {column} = link_counts.{column} + excluded.{column}",
                    [(name, day.isoformat(), n) for name, day, kind, n in counts if kind is step],
                )

    async def per_link(self, before: dt.date) -> list[LinkFigures]:
        """Every link with its counts over the days before `before` (zeros for a link nobody
        used yet)."""
        rows = await self._db.fetchall(PER_LINK, (before.isoformat(),))
        return [_figures(tuple(row)) for row in rows]

    async def per_day(self, before: dt.date) -> list[LinkFigures]:
        rows = await self._db.fetchall(PER_DAY, (before.isoformat(),))
        return [_figures(tuple(row)) for row in rows]


def listed(database: Path) -> list[tuple[str, str, LinkFigures]]:
    """Each link's name, day of registration and counts up to yesterday, from the file,
    read-only."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        created = dict(connection.execute("SELECT name, created FROM links").fetchall())
        today = (days.today().isoformat(),)
        return [
            (figures.name, str(created[figures.name]), figures)
            for figures in (_figures(tuple(row)) for row in connection.execute(PER_LINK, today))
        ]
    finally:
        connection.close()


def days_of(database: Path) -> list[LinkFigures]:
    """Each link's counts on each day up to yesterday."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        today = (days.today().isoformat(),)
        return [_figures(tuple(row)) for row in connection.execute(PER_DAY, today)]
    finally:
        connection.close()
