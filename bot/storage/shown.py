"""What each card and channel post shows, so that a withdrawn or forgotten item is reached."""

from __future__ import annotations

from bot.domain.effects import OutboxStatus, Place
from bot.storage.database import Database

QUEUED = OutboxStatus.QUEUED.value
SENT = OutboxStatus.SENT.value


class ShownRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def places(self, kind: str, item_id: int) -> list[Place]:
        """The queued and the sent cards and posts showing the item (dropped ones are gone)."""
        rows = await self._db.fetchall(
            "SELECT shown.outbox_id, shown.chat, shown.message_id FROM shown "
            "JOIN outbox ON outbox.id = shown.outbox_id "
            "WHERE shown.item_kind = ? AND shown.item_id = ? AND outbox.status IN (?, ?) "
            "ORDER BY shown.outbox_id",
            (kind, item_id, QUEUED, SENT),
        )
        return [Place(int(r[0]), str(r[1]), None if r[2] is None else int(r[2])) for r in rows]

    async def in_outbox(self, outbox_id: int) -> list[tuple[str, int]]:
        rows = await self._db.fetchall(
            "SELECT item_kind, item_id FROM shown WHERE outbox_id = ? ORDER BY item_id",
            (outbox_id,),
        )
        return [(str(kind), int(number)) for kind, number in rows]

    async def forget(self, kind: str, item_id: int) -> None:
        await self._db.execute(
            "DELETE FROM shown WHERE item_kind = ? AND item_id = ?", (kind, item_id)
        )

    async def forget_in(self, chat: str, kind: str, item_id: int) -> None:
        await self._db.execute(
            "DELETE FROM shown WHERE chat = ? AND item_kind = ? AND item_id = ?",
            (chat, kind, item_id),
        )

    async def on_card(self, chat: str, message_id: int) -> list[tuple[str, int]]:
        """The items a sent card or post (its Telegram message id in `chat`) shows."""
        rows = await self._db.fetchall(
            "SELECT shown.item_kind, shown.item_id FROM shown "
            "JOIN outbox ON outbox.id = shown.outbox_id "
            "WHERE shown.chat = ? AND shown.message_id = ? AND outbox.status = ? "
            "ORDER BY shown.item_id",
            (chat, message_id, SENT),
        )
        return [(str(kind), int(number)) for kind, number in rows]
