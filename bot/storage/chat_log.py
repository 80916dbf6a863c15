"""Message ids of private chats, for /clear.

Ids of the last 48 hours are kept with their time (Telegram deletes nothing older); after
that, the person's own messages are forgotten (the bot can neither delete nor edit them) and
the bot's are kept without a time, so that /clear can still blank them.
"""

from __future__ import annotations

from bot.storage.database import Database

WINDOW = 48 * 3600  # Telegram lets a bot delete no older message


class ChatLogRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, person_key: str, message_id: int, now: int, mine: bool) -> None:
        """Note a message id (`mine`: the bot's); written with the next flush."""
        self._db.defer(
            "INSERT INTO chat_log (person_key, message_id, sent_at, mine) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (person_key, message_id, now, int(mine)),
        )

    async def recent(self, person_key: str, now: int) -> list[int]:
        await self._db.flush()
        rows = await self._db.fetchall(
            "SELECT message_id FROM chat_log WHERE person_key = ? AND sent_at > ? "
            "ORDER BY message_id",
            (person_key, now - WINDOW),
        )
        return [int(row[0]) for row in rows]

    async def older_of_mine(self, person_key: str, now: int) -> list[int]:
        """The bot's messages too old to delete (the bot may still edit them)."""
        await self._db.flush()
        rows = await self._db.fetchall(
            "SELECT message_id FROM chat_log WHERE person_key = ? AND mine = 1 AND sent_at <= ? "
            "ORDER BY message_id",
            (person_key, now - WINDOW),
        )
        return [int(row[0]) for row in rows]

    async def forget(self, person_key: str) -> None:
        await self._db.flush()  # or a queued row would outlive the delete
        await self._db.execute("DELETE FROM chat_log WHERE person_key = ?", (person_key,))

    async def purge(self, now: int) -> None:
        """Past 48 hours: the person's ids go, the bot's lose their time."""
        cutoff = now - WINDOW
        await self._db.flush()  # or a queued row would escape the purge
        await self._db.execute("DELETE FROM chat_log WHERE sent_at <= ? AND mine = 0", (cutoff,))
        await self._db.execute(
            "UPDATE chat_log SET sent_at = 0 WHERE sent_at <= ? AND sent_at > 0 AND mine = 1",
            (cutoff,),
        )
