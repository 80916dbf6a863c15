"""Message ids of private chats from the last 48 hours, for /clear."""

from __future__ import annotations

from bot.storage.database import Database

WINDOW = 48 * 3600  # Telegram lets a bot delete no older message


class ChatLogRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, person_key: str, message_id: int, now: int) -> None:
        """Note a message id; written with the next flush."""
        self._db.defer(
            "INSERT OR IGNORE INTO chat_log (person_key, message_id, sent_at) VALUES (?, ?, ?)",
            (person_key, message_id, now),
        )

    async def recent(self, person_key: str, now: int) -> list[int]:
        await self._db.flush()
        rows = await self._db.fetchall(
            "SELECT message_id FROM chat_log WHERE person_key = ? AND sent_at > ? "
            "ORDER BY message_id",
            (person_key, now - WINDOW),
        )
        return [int(row[0]) for row in rows]

    async def forget(self, person_key: str) -> None:
        await self._db.flush()  # or a queued row would outlive the delete
        await self._db.execute("DELETE FROM chat_log WHERE person_key = ?", (person_key,))

    async def purge(self, now: int) -> None:
        """Drop ids too old to delete: they are kept no longer than needed."""
        await self._db.execute("DELETE FROM chat_log WHERE sent_at <= ?", (now - WINDOW,))
