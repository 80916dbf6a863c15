"""Digests: pending signatures put before the moderators in groups, and the channel's digests."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from bot.domain.signatures import Signature, Status
from bot.storage.database import Database, day_of
from bot.storage.signatures import SIGNATURE_COLUMNS, signature_from_row

PENDING = Status.PENDING.value
APPROVED = Status.APPROVED.value


def _marks(values: list[int]) -> str:
    return ",".join("?" for _ in values)


class DigestRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def card_pending(self, size: int, now: int) -> list[tuple[int, list[Signature]]]:
        """Put every pending signature not yet shown to moderators into digests of `size`."""
        rows = await self._db.fetchall(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE status = ? "
            "AND digest_id IS NULL ORDER BY id",
            (PENDING,),
        )
        digests = []
        for start in range(0, len(rows), size):
            chunk = [signature_from_row(row) for row in rows[start : start + size]]
            row = await self._db.fetchone(
                # The day only: a digest's time would date the signatures on it.
                "INSERT INTO digests (created_at) VALUES (?) RETURNING id",
                (day_of(now),),
            )
            digest_id = int(row[0])
            ids = [s.id for s in chunk]
            await self._db.execute(
                f"UPDATE signatures SET digest_id = ? WHERE id IN ({_marks(ids)})",
                (digest_id, *ids),
            )
            digests.append((digest_id, chunk))
        return digests

    async def signatures(self, digest_id: int) -> list[Signature]:
        rows = await self._db.fetchall(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE digest_id = ? ORDER BY id",
            (digest_id,),
        )
        return [signature_from_row(row) for row in rows]

    async def digest_of(self, signature_id: int) -> int | None:
        row = await self._db.fetchone(
            "SELECT digest_id FROM signatures WHERE id = ?", (signature_id,)
        )
        return int(row[0]) if row and row[0] is not None else None

    async def pending(self) -> list[int]:
        """Digests with a signature still undecided, oldest first."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT digest_id FROM signatures WHERE status = ? "
            "AND digest_id IS NOT NULL ORDER BY digest_id",
            (PENDING,),
        )
        return [int(row[0]) for row in rows]

    async def unpublished(self, limit: int) -> list[Signature]:
        """Approved signatures not yet in a channel digest."""
        rows = await self._db.fetchall(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE status = ? "
            "AND published_on IS NULL ORDER BY id LIMIT ?",
            (APPROVED, limit),
        )
        return [signature_from_row(row) for row in rows]

    async def mark_published(self, signature_ids: list[int], today: dt.date) -> None:
        await self._db.execute(
            f"UPDATE signatures SET published_on = ? WHERE id IN ({_marks(signature_ids)})",
            (today.isoformat(), *signature_ids),
        )

    async def approved(self, page: int = 1000) -> AsyncIterator[Signature]:
        """Every approved signature, a page at a time (memory stays flat)."""
        last = 0
        while True:
            rows = await self._db.fetchall(
                f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE status = ? "
                "AND id > ? ORDER BY id LIMIT ?",
                (APPROVED, last, page),
            )
            if not rows:
                return
            for row in rows:
                yield signature_from_row(row)
            last = int(rows[-1][0])
