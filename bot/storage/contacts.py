"""Raw Telegram ids, kept only while a decision is still to be told to that person."""

from __future__ import annotations

from bot.domain.signatures import Status
from bot.storage.database import Database


class ContactRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(self, person_key: str, telegram_id: int) -> None:
        await self._db.execute(
            "INSERT INTO contacts (person_key, telegram_id) VALUES (?, ?) "
            "ON CONFLICT (person_key) DO UPDATE SET telegram_id = excluded.telegram_id",
            (person_key, telegram_id),
        )

    async def telegram_id(self, person_key: str) -> int | None:
        row = await self._db.fetchone(
            "SELECT telegram_id FROM contacts WHERE person_key = ?", (person_key,)
        )
        return int(row[0]) if row else None

    async def erase(self, person_key: str) -> None:
        if await self._db.execute("DELETE FROM contacts WHERE person_key = ?", (person_key,)):
            self._db.erased()

    async def release(self, person_key: str) -> None:
        """Erase the id unless a signature or message of theirs still awaits a decision."""
        pending = Status.PENDING.value
        released = await self._db.execute(
            "DELETE FROM contacts WHERE person_key = ? AND NOT EXISTS "
            "(SELECT 1 FROM signatures WHERE person_key = ? AND status = ?) "
            "AND NOT EXISTS (SELECT 1 FROM messages WHERE person_key = ? AND status = ?)",
            (person_key, person_key, pending, person_key, pending),
        )
        if released:
            self._db.erased()
