"""The outbox: what the bot sends on its own, written with the change that causes it."""

from __future__ import annotations

import json
from collections.abc import Collection

from bot.domain.effects import OutboxItem, OutboxStatus, Post
from bot.storage.database import Database

QUEUED = OutboxStatus.QUEUED.value
EMPTY = "{}"  # the payload of a closed item whose content must not be kept
DELIVERED = "delivered"  # the chat of a delivered item whose chat was a person's id


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, chat: str, post: Post, person_key: str | None = None, not_before: float = 0
    ) -> int:
        row = await self._db.fetchone(
            "INSERT INTO outbox (chat, person_key, payload, not_before) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (chat, person_key, json.dumps(post.to_json(), ensure_ascii=False), not_before),
        )
        item_id = int(row[0])
        for kind, number in post.shows:
            await self._db.execute(
                "INSERT INTO shown (outbox_id, chat, item_kind, item_id) VALUES (?, ?, ?, ?)",
                (item_id, chat, kind, number),
            )
        return item_id

    async def due(
        self, now: float, limit: int = 100, held: Collection[str] = ()
    ) -> list[OutboxItem]:
        """The oldest items due now, leaving out chats that must wait (`held`)."""
        # An empty list, `NOT IN ()`, is SQLite's only: the clause goes when nothing is held.
        marks = ",".join("?" for _ in held)
        others = f"AND chat NOT IN ({marks}) " if held else ""
        rows = await self._db.fetchall(
            "SELECT id, chat, person_key, payload, attempts FROM outbox "
            f"WHERE status = ? AND not_before <= ? {others}"
            "ORDER BY id LIMIT ?",
            (QUEUED, now, *held, limit),
        )
        return [OutboxItem(int(r[0]), str(r[1]), r[2], str(r[3]), int(r[4])) for r in rows]

    async def next_due(self) -> float | None:
        row = await self._db.fetchone(
            "SELECT MIN(not_before) FROM outbox WHERE status = ?", (QUEUED,)
        )
        return float(row[0]) if row and row[0] is not None else None

    async def delivered(self, item_id: int, message_id: int, scrub: bool) -> None:
        """Record Telegram's message id and close the item, its content erased (a name, a
        caption, a file id are not kept twice); a private chat's id is erased too."""
        await self._db.execute(
            "UPDATE outbox SET status = ?, sent_message_id = ?, not_before = 0, payload = ?, "
            "chat = CASE WHEN ? THEN ? ELSE chat END WHERE id = ?",
            (OutboxStatus.SENT.value, message_id, EMPTY, scrub, DELIVERED, item_id),
        )
        await self._db.execute(
            "UPDATE shown SET message_id = ? WHERE outbox_id = ?", (message_id, item_id)
        )

    async def drop(self, item_id: int) -> bool:
        """Drop a queued item, its content erased; False when it is no longer queued."""
        dropped = OutboxStatus.DROPPED.value
        changed = await self._db.execute(
            "UPDATE outbox SET status = ?, payload = ?, not_before = 0 "
            "WHERE id = ? AND status = ?",
            (dropped, EMPTY, item_id, QUEUED),
        )
        await self._db.execute("DELETE FROM shown WHERE outbox_id = ?", (item_id,))
        return changed > 0

    async def drop_about(self, person_key: str, about: tuple[str, int]) -> int:
        """Drop the person's queued notices about one item (an undone decision's); how many."""
        rows = await self._db.fetchall(
            "SELECT id, payload FROM outbox WHERE person_key = ? AND status = ?",
            (person_key, QUEUED),
        )
        dropped = 0
        for item_id, payload in rows:
            if Post.from_json(json.loads(str(payload))).about == about:
                dropped += await self.drop(int(item_id))
        return dropped

    async def postpone(self, item_id: int, not_before: float, attempt: bool) -> None:
        await self._db.execute(
            "UPDATE outbox SET not_before = ?, attempts = attempts + ? WHERE id = ?",
            (not_before, 1 if attempt else 0, item_id),
        )

    async def fail(self, item_id: int) -> None:
        failed = OutboxStatus.FAILED.value
        await self._db.execute(
            "UPDATE outbox SET status = ?, chat = ?, payload = ?, not_before = 0 WHERE id = ?",
            (failed, failed, EMPTY, item_id),
        )
        self._db.erased()

    async def drop_chat(self, chat: str) -> list[str]:
        """The person blocked the bot: drop what was queued for them; return their keys."""
        dropped = OutboxStatus.DROPPED.value
        rows = await self._db.fetchall(
            "UPDATE outbox SET status = ?, chat = ?, payload = ?, not_before = 0 "
            "WHERE status = ? AND chat = ? RETURNING person_key",
            (dropped, dropped, EMPTY, QUEUED, chat),
        )
        return [str(row[0]) for row in rows if row[0]]

    async def forget_person(self, person_key: str) -> None:
        dropped = OutboxStatus.DROPPED.value
        await self._db.execute(
            "UPDATE outbox SET status = ?, chat = ?, payload = ?, person_key = NULL, "
            "not_before = 0 WHERE person_key = ? AND status = ?",
            (dropped, dropped, EMPTY, person_key, QUEUED),
        )
        await self._db.execute(
            "UPDATE outbox SET person_key = NULL WHERE person_key = ?", (person_key,)
        )

    async def backlog(self) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) FROM outbox WHERE status = ?", (QUEUED,))
        return int(row[0])
