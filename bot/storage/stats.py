"""The campaign's figures: for /stats in the group and `python -m bot stats` in a terminal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.domain.effects import OutboxStatus
from bot.domain.signatures import Status
from bot.storage.database import Database
from bot.storage.links import days_of, listed

# Signatures that count: approved, or confirmed and awaiting review. Rejected ones do not;
# a withdrawn signature is deleted. "By status" shows every status, rejected included.
COUNTED = f"status IN ('{Status.APPROVED.value}', '{Status.PENDING.value}')"
TOTALS = {
    "signatures": "SELECT status, COUNT(*) FROM signatures GROUP BY status ORDER BY status",
    "messages": "SELECT status, COUNT(*) FROM messages GROUP BY status ORDER BY status",
    "languages": f"SELECT language, COUNT(*) FROM signatures WHERE {COUNTED} "
    "GROUP BY language ORDER BY COUNT(*) DESC",
    "countries": f"SELECT COALESCE(country, '-'), COUNT(*) FROM signatures WHERE {COUNTED} "
    "GROUP BY country ORDER BY COUNT(*) DESC LIMIT 10",
    "days": f"SELECT submitted_on, COUNT(*) FROM signatures WHERE {COUNTED} "
    "GROUP BY submitted_on ORDER BY submitted_on",
    "outbox": "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status",
}


class StatsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def totals(self) -> dict[str, list[tuple[str, int]]]:
        return {
            name: [(str(row[0]), int(row[1])) for row in await self._db.fetchall(sql)]
            for name, sql in TOTALS.items()
        }


def _read_only(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)


def status_counts(database: Path) -> dict[str, dict[str, int]]:
    """Signatures and messages by status, from the file, read-only (the bot may be running)."""
    connection = _read_only(database)
    try:
        return {
            table: {str(status): int(count) for status, count in connection.execute(TOTALS[table])}
            for table in ("signatures", "messages")
        }
    finally:
        connection.close()


def figures(database: Path, goal: int | None = None) -> list[str]:
    """The campaign's figures, for `python -m bot stats`; `goal`: SIGNATURE_GOAL."""
    lines = []
    counts_by_table = status_counts(database)
    if goal is not None:
        approved = counts_by_table["signatures"].get(Status.APPROVED.value, 0)
        lines.append(f"Goal: {approved:,} of {goal:,} signatures approved ({approved / goal:.0%})")
    for table, counts in counts_by_table.items():
        shown = ", ".join(f"{status} {count:,}" for status, count in counts.items()) or "none"
        lines.append(f"{table.capitalize()}: {shown}")
    connection = _read_only(database)
    try:
        languages = connection.execute(
            "SELECT language, COUNT(*) FROM signatures WHERE status = ? "
            "GROUP BY language ORDER BY COUNT(*) DESC",
            (Status.APPROVED.value,),
        ).fetchall()
        shown = ", ".join(f"{language} {count:,}" for language, count in languages) or "none"
        lines.append(f"Approved signatures by language: {shown}")
        (backlog,) = connection.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = ?", (OutboxStatus.QUEUED.value,)
        ).fetchone()
        lines.append(f"Waiting in the outbox: {backlog:,}")
    finally:
        connection.close()
    return lines + link_figures(database)


def link_figures(database: Path, days: int = 14) -> list[str]:
    """Each named link's counts, in all and on each of its last `days` days (up to
    yesterday: see links.PER_LINK)."""
    try:
        links, per_day = listed(database), days_of(database)
    except sqlite3.OperationalError:  # a database the bot has not yet brought to links
        return []
    if not links:
        return []
    lines = ["Links (started, read on, signed; up to yesterday):"]
    for name, _, total in links:
        lines.append(f"  {name}: {total.started:,}, {total.read:,}, {total.signed:,}")
        for day in [f for f in per_day if f.name == name][-days:]:
            lines.append(f"    {day.day}: {day.started:,}, {day.read:,}, {day.signed:,}")
    return lines
