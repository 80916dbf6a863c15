"""Signatures, and the Telegram ids kept while a decision is still to be told."""

from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.domain.signatures import Listing, Signature, SignatureDraft, Status
from bot.storage.database import Database

_COLUMNS = "id, listing, name, country, language, status, submitted_on"


def _signature(row: aiosqlite.Row | tuple[object, ...]) -> Signature:
    return Signature(
        id=int(str(row[0])),
        listing=Listing(row[1]),
        name=None if row[2] is None else str(row[2]),
        country=None if row[3] is None else str(row[3]),
        language=str(row[4]),
        status=Status(row[5]),
        submitted_on=dt.date.fromisoformat(str(row[6])),
    )


class SignatureRepository:
    def __init__(self, connection: Database) -> None:
        self._db = connection

    async def of_person(self, person_key: str) -> Signature | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM signatures WHERE person_key = ?", (person_key,)
        )
        return _signature(row) if row else None

    async def get(self, signature_id: int) -> Signature | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM signatures WHERE id = ?", (signature_id,)
        )
        return _signature(row) if row else None

    async def add(
        self, person_key: str, draft: SignatureDraft, language: str, today: dt.date
    ) -> Signature:
        row = await self._db.fetchone(
            "INSERT INTO signatures (person_key, listing, name, country, language, status, "
            f"submitted_on) VALUES (?, ?, ?, ?, ?, 'pending', ?) RETURNING {_COLUMNS}",
            (
                person_key,
                draft.listing.value,
                draft.name,
                draft.country,
                language,
                today.isoformat(),
            ),
        )
        assert row is not None
        return _signature(row)

    async def replace(
        self, person_key: str, draft: SignatureDraft, language: str, today: dt.date
    ) -> Signature:
        """A changed signature is reviewed again."""
        row = await self._db.fetchone(
            "UPDATE signatures SET listing = ?, name = ?, country = ?, language = ?, "
            "status = 'pending', submitted_on = ?, decided_on = NULL "
            f"WHERE person_key = ? RETURNING {_COLUMNS}",
            (
                draft.listing.value,
                draft.name,
                draft.country,
                language,
                today.isoformat(),
                person_key,
            ),
        )
        assert row is not None
        return _signature(row)

    async def remove(self, person_key: str) -> bool:
        return (
            await self._db.execute("DELETE FROM signatures WHERE person_key = ?", (person_key,))
            > 0
        )

    async def count(self, status: Status) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM signatures WHERE status = ?", (status.value,)
        )
        return int(row[0]) if row else 0

    async def decide(
        self, signature_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None:
        """Decide a pending signature; None when it is not pending (exactly one decision wins)."""
        row = await self._db.fetchone(
            "UPDATE signatures SET status = ?, decided_on = ? WHERE id = ? AND status = 'pending' "
            "RETURNING person_key, language",
            (status.value, today.isoformat(), signature_id),
        )
        return (str(row[0]), str(row[1])) if row else None


class ContactRepository:
    """Raw Telegram ids, only while something must still reach that person."""

    def __init__(self, connection: Database) -> None:
        self._db = connection

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
        await self._db.execute("DELETE FROM contacts WHERE person_key = ?", (person_key,))

    async def release(self, person_key: str) -> None:
        """Erase the id unless a signature or message of theirs still awaits a decision."""
        await self._db.execute(
            "DELETE FROM contacts WHERE person_key = ? AND NOT EXISTS "
            "(SELECT 1 FROM signatures WHERE person_key = ? AND status = 'pending') "
            "AND NOT EXISTS (SELECT 1 FROM messages WHERE person_key = ? AND status = 'pending')",
            (person_key, person_key, person_key),
        )


class ChatLogRepository:
    """Message ids of private chats from the last 48 hours, for /clear."""

    WINDOW = 48 * 3600

    def __init__(self, connection: Database) -> None:
        self._db = connection

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
            (person_key, now - self.WINDOW),
        )
        return [int(row[0]) for row in rows]

    async def forget(self, person_key: str) -> None:
        await self._db.flush()  # or a queued row would outlive the delete
        await self._db.execute("DELETE FROM chat_log WHERE person_key = ?", (person_key,))

    async def purge(self, now: int) -> None:
        """Drop ids too old to delete: they are kept no longer than needed."""
        await self._db.execute("DELETE FROM chat_log WHERE sent_at <= ?", (now - self.WINDOW,))
