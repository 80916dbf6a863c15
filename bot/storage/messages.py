"""Solidarity messages and the send log behind the daily limit."""

from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.domain.messages import Kind, Message, MessageDraft
from bot.domain.signatures import Listing, Status
from bot.storage.database import Database

_COLUMNS = "id, kind, text, file_id, listing, name, country, language, status, submitted_on"


def _message(row: aiosqlite.Row | tuple[object, ...]) -> Message:
    def optional(value: object) -> str | None:
        return None if value is None else str(value)

    return Message(
        id=int(str(row[0])),
        kind=Kind(row[1]),
        text=optional(row[2]),
        file_id=optional(row[3]),
        listing=Listing(row[4]),
        name=optional(row[5]),
        country=optional(row[6]),
        language=str(row[7]),
        status=Status(row[8]),
        submitted_on=dt.date.fromisoformat(str(row[9])),
    )


class MessageRepository:
    def __init__(self, connection: Database) -> None:
        self._db = connection

    async def add(
        self, person_key: str, draft: MessageDraft, language: str, today: dt.date
    ) -> Message:
        row = await self._db.fetchone(
            "INSERT INTO messages (person_key, kind, text, file_id, listing, name, country, "
            "language, status, submitted_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?) "
            f"RETURNING {_COLUMNS}",
            (
                person_key,
                draft.kind.value,
                draft.text,
                draft.file_id,
                draft.listing.value,
                draft.name,
                draft.country,
                language,
                today.isoformat(),
            ),
        )
        assert row is not None
        return _message(row)

    async def get(self, message_id: int) -> Message | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM messages WHERE id = ?", (message_id,)
        )
        return _message(row) if row else None

    async def pending_count(self, person_key: str) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM messages WHERE person_key = ? AND status = 'pending'",
            (person_key,),
        )
        return int(row[0]) if row else 0

    async def of_person(self, person_key: str) -> list[Message]:
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM messages WHERE person_key = ? ORDER BY id", (person_key,)
        )
        return [_message(row) for row in rows]

    async def forget(self, person_key: str) -> None:
        await self._db.execute("DELETE FROM messages WHERE person_key = ?", (person_key,))
        await self._db.execute("DELETE FROM send_log WHERE person_key = ?", (person_key,))


class SendLogRepository:
    """When a person sent messages, for the daily limit; nothing older than a day is kept."""

    def __init__(self, connection: Database) -> None:
        self._db = connection

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

    async def purge(self, now: int) -> None:
        await self._db.execute("DELETE FROM send_log WHERE sent_at <= ?", (now - 24 * 3600,))
