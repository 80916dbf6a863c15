"""Small named values of the campaign: milestones, the counter post, the group's new id."""

from __future__ import annotations

import json
import math

from bot.storage.database import Database


def _until(value: str) -> float:
    """The `until` of a JSON object, or infinity (a row of another shape never runs out)."""
    try:
        until = json.loads(value).get("until")
    except (ValueError, AttributeError):
        return math.inf
    return float(until) if isinstance(until, int | float) else math.inf


class CampaignState:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        row = await self._db.fetchone("SELECT value FROM campaign_state WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO campaign_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def purge_expired(self, now: float) -> None:
        """Undo windows and prompts for a typed reason that have run out (their value is a
        JSON object with an `until`)."""
        # Read here, not with SQLite's or PostgreSQL's JSON functions: there are few such rows.
        rows = await self._db.fetchall(
            "SELECT key, value FROM campaign_state WHERE key LIKE 'undo:%' OR key LIKE 'prompt:%'"
        )
        for key, value in rows:
            if _until(str(value)) < now:
                await self._db.execute(
                    "DELETE FROM campaign_state WHERE key = ? AND value = ?", (key, value)
                )

    async def delete(self, key: str) -> None:
        await self._db.execute("DELETE FROM campaign_state WHERE key = ?", (key,))
