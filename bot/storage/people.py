"""People and their language choice, keyed by the hash of their Telegram id."""

from __future__ import annotations

import time

from bot.storage.database import Database, day_of


class PeopleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def language_of(self, person_key: str) -> str | None:
        row = await self._db.fetchone(
            "SELECT language FROM people WHERE person_key = ?", (person_key,)
        )
        return str(row[0]) if row and row[0] is not None else None

    async def choose_language(self, person_key: str, language: str) -> None:
        today = day_of(time.time())  # a first choice dates a person's first visit
        await self._db.execute(
            "INSERT INTO people (person_key, language, created_at, updated_at) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (person_key) DO UPDATE SET language = excluded.language, "
            "updated_at = excluded.updated_at",
            (person_key, language, today, today),
        )

    async def forget(self, person_key: str) -> None:
        if await self._db.execute("DELETE FROM people WHERE person_key = ?", (person_key,)):
            self._db.erased()
