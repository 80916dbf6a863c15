"""Solidarity messages, keyed by the hash of their author's Telegram id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain.messages import Kind, Message, MessageDraft
from bot.domain.signatures import Listing, Status
from bot.storage.database import Database

MESSAGE_COLUMNS = "id, kind, text, file_id, listing, name, country, language, status, submitted_on"
PENDING = Status.PENDING.value


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def message_from_row(row: Sequence[object]) -> Message:
    """A row of MESSAGE_COLUMNS."""
    return Message(
        id=int(str(row[0])),
        kind=Kind(row[1]),
        text=_optional(row[2]),
        file_id=_optional(row[3]),
        listing=Listing(row[4]),
        name=_optional(row[5]),
        country=_optional(row[6]),
        language=str(row[7]),
        status=Status(row[8]),
        submitted_on=dt.date.fromisoformat(str(row[9])),
    )


class MessageRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, person_key: str, draft: MessageDraft, language: str, today: dt.date
    ) -> Message:
        row = await self._db.fetchone(
            "INSERT INTO messages (person_key, kind, text, file_id, listing, name, country, "
            "language, status, submitted_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"RETURNING {MESSAGE_COLUMNS}",
            (
                person_key,
                draft.kind.value,
                draft.text,
                draft.file_id,
                draft.listing.value,
                draft.name,
                draft.country,
                language,
                PENDING,
                today.isoformat(),
            ),
        )
        return message_from_row(row)

    async def get(self, message_id: int) -> Message | None:
        row = await self._db.fetchone(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        )
        return message_from_row(row) if row else None

    async def pending_count(self, person_key: str) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM messages WHERE person_key = ? AND status = ?",
            (person_key, PENDING),
        )
        return int(row[0]) if row else 0

    async def of_person(self, person_key: str) -> list[Message]:
        rows = await self._db.fetchall(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE person_key = ? ORDER BY id",
            (person_key,),
        )
        return [message_from_row(row) for row in rows]

    async def forget(self, person_key: str) -> None:
        if await self._db.execute("DELETE FROM messages WHERE person_key = ?", (person_key,)):
            self._db.erased()

    async def decide(
        self, message_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None:
        """Decide a pending message: (person_key, language); None when it is not pending."""
        row = await self._db.fetchone(
            "UPDATE messages SET status = ?, decided_on = ? WHERE id = ? AND status = ? "
            "RETURNING person_key, language",
            (status.value, today.isoformat(), message_id, PENDING),
        )
        return (str(row[0]), str(row[1])) if row else None

    async def reopen(self, message_id: int, status: Status) -> bool:
        """A decision undone: the message is pending again (if it still has `status`)."""
        changed = await self._db.execute(
            "UPDATE messages SET status = ?, decided_on = NULL, post_link = NULL "
            "WHERE id = ? AND status = ?",
            (PENDING, message_id, status.value),
        )
        return changed > 0

    async def replace_text(self, message_id: int, text: str) -> Message | None:
        """A moderator's edit of a pending message; None when it is no longer pending. The
        text it replaces is overwritten (what was taken out, a phone number, is not kept)."""
        row = await self._db.fetchone(
            "UPDATE messages SET text = ? WHERE id = ? AND status = ? "
            f"RETURNING {MESSAGE_COLUMNS}",
            (text, message_id, PENDING),
        )
        if row is None:
            return None
        self._db.erased()
        return message_from_row(row)

    async def remove(self, message_id: int, person_key: str) -> bool:
        """Delete one of the person's messages (they withdrew it)."""
        removed = await self._db.execute(
            "DELETE FROM messages WHERE id = ? AND person_key = ?", (message_id, person_key)
        )
        if removed:
            self._db.erased()
        return removed > 0

    async def pending(self) -> list[Message]:
        return await self._with_status(Status.PENDING)

    async def approved(self) -> list[Message]:
        return await self._with_status(Status.APPROVED)

    async def _with_status(self, status: Status) -> list[Message]:
        rows = await self._db.fetchall(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE status = ? ORDER BY id",
            (status.value,),
        )
        return [message_from_row(row) for row in rows]

    async def set_post_link(self, message_id: int, link: str) -> None:
        await self._db.execute(
            "UPDATE messages SET post_link = ? WHERE id = ?", (link, message_id)
        )

    async def author_of(self, message_id: int) -> str | None:
        row = await self._db.fetchone(
            "SELECT person_key FROM messages WHERE id = ?", (message_id,)
        )
        return str(row[0]) if row else None

    async def pending_of(self, person_key: str) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT id FROM messages WHERE person_key = ? AND status = ?", (person_key, PENDING)
        )
        return [int(row[0]) for row in rows]
