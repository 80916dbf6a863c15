"""Banned people, by key; a ban outlives /forget, so that it cannot be shed."""

from __future__ import annotations

from bot.storage.database import Database, day_of


class BanRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ban(self, person_key: str, now: int) -> bool:
        changed = await self._db.execute(
            "INSERT INTO banned (person_key, banned_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (person_key, day_of(now)),
        )
        return changed > 0

    async def unban(self, person_key: str) -> bool:
        return await self._db.execute("DELETE FROM banned WHERE person_key = ?", (person_key,)) > 0

    async def keys(self) -> set[str]:
        return {str(row[0]) for row in await self._db.fetchall("SELECT person_key FROM banned")}

    async def is_banned(self, person_key: str) -> bool:
        row = await self._db.fetchone("SELECT 1 FROM banned WHERE person_key = ?", (person_key,))
        return row is not None
