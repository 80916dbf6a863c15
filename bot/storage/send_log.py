"""When a person sent messages, for the daily limit; nothing older than a day is kept."""

from __future__ import annotations

from bot.storage.database import Database

DAY = 24 * 3600


class SendLogRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def sent_since(self, person_key: str, since: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT sent_at FROM send_log WHERE person_key = ? AND sent_at > ?",
            (person_key, since),
        )
        return [int(row[0]) for row in rows]

    async def record(self, person_key: str, now: int) -> None:
        await self._db.execute(
            "INSERT INTO send_log (person_key, sent_at) VALUES (?, ?)", (person_key, now)
        )

    async def forget(self, person_key: str) -> None:
        await self._db.execute("DELETE FROM send_log WHERE person_key = ?", (person_key,))

    async def purge(self, now: int) -> None:
        await self._db.execute("DELETE FROM send_log WHERE sent_at <= ?", (now - DAY,))
