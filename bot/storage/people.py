"""People and their language choice, keyed by the hash of their Telegram id."""

from __future__ import annotations

import time

import aiosqlite


class PeopleRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection

    async def language_of(self, person_key: str) -> str | None:
        async with self._db.execute(
            "SELECT language FROM people WHERE person_key = ?", (person_key,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row and row[0] is not None else None

    async def choose_language(self, person_key: str, language: str) -> None:
        now = int(time.time())
        await self._db.execute(
            "INSERT INTO people (person_key, language, created_at, updated_at) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (person_key) DO UPDATE SET language = excluded.language, "
            "updated_at = excluded.updated_at",
            (person_key, language, now, now),
        )

    async def forget(self, person_key: str) -> None:
        await self._db.execute("DELETE FROM people WHERE person_key = ?", (person_key,))
