"""Signatures, keyed by the hash of their signer's Telegram id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain.signatures import LetterShown, Listing, Signature, SignatureDraft, Status
from bot.storage.database import Database

SIGNATURE_COLUMNS = (
    "id, listing, name, country, language, status, submitted_on, letter_language, letter_version"
)
PENDING = Status.PENDING.value


def signature_from_row(row: Sequence[object]) -> Signature:
    """A row of SIGNATURE_COLUMNS."""
    return Signature(
        id=int(str(row[0])),
        listing=Listing(row[1]),
        name=None if row[2] is None else str(row[2]),
        country=None if row[3] is None else str(row[3]),
        language=str(row[4]),
        status=Status(row[5]),
        submitted_on=dt.date.fromisoformat(str(row[6])),
        letter=None if row[7] is None else LetterShown(str(row[7]), str(row[8])),
    )


class SignatureRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def of_person(self, person_key: str) -> Signature | None:
        row = await self._db.fetchone(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE person_key = ?", (person_key,)
        )
        return signature_from_row(row) if row else None

    async def get(self, signature_id: int) -> Signature | None:
        row = await self._db.fetchone(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE id = ?", (signature_id,)
        )
        return signature_from_row(row) if row else None

    async def add(
        self,
        person_key: str,
        draft: SignatureDraft,
        language: str,
        today: dt.date,
        letter: LetterShown | None = None,
    ) -> Signature:
        row = await self._db.fetchone(
            "INSERT INTO signatures (person_key, listing, name, country, language, status, "
            "submitted_on, letter_language, letter_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"RETURNING {SIGNATURE_COLUMNS}",
            (
                person_key,
                draft.listing.value,
                draft.name,
                draft.country,
                language,
                PENDING,
                today.isoformat(),
                letter.language if letter else None,
                letter.version if letter else None,
            ),
        )
        return signature_from_row(row)

    async def replace(
        self,
        person_key: str,
        draft: SignatureDraft,
        language: str,
        today: dt.date,
        letter: LetterShown | None = None,
    ) -> Signature:
        """A changed signature is reviewed again, on a new card (the old one shows it as was);
        it is given under the letter shown this time."""
        row = await self._db.fetchone(
            "UPDATE signatures SET listing = ?, name = ?, country = ?, language = ?, "
            "status = ?, submitted_on = ?, decided_on = NULL, digest_id = NULL, "
            "letter_language = ?, letter_version = ?, letter_told = NULL "
            f"WHERE person_key = ? RETURNING {SIGNATURE_COLUMNS}",
            (
                draft.listing.value,
                draft.name,
                draft.country,
                language,
                PENDING,
                today.isoformat(),
                letter.language if letter else None,
                letter.version if letter else None,
                person_key,
            ),
        )
        return signature_from_row(row)

    async def remove(self, person_key: str) -> bool:
        changed = await self._db.execute(
            "DELETE FROM signatures WHERE person_key = ?", (person_key,)
        )
        if changed:
            self._db.erased()
        return changed > 0

    async def count(self, *statuses: Status) -> int:
        """How many signatures have one of these statuses (one statement, whatever the number)."""
        marks = ", ".join("?" * len(statuses))
        row = await self._db.fetchone(
            f"SELECT COUNT(*) FROM signatures WHERE status IN ({marks})",
            tuple(status.value for status in statuses),
        )
        return int(row[0]) if row else 0

    async def decide(
        self, signature_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None:
        """Decide a pending signature; None when it is not pending (exactly one decision wins)."""
        row = await self._db.fetchone(
            "UPDATE signatures SET status = ?, decided_on = ? WHERE id = ? AND status = ? "
            "RETURNING person_key, language",
            (status.value, today.isoformat(), signature_id, PENDING),
        )
        return (str(row[0]), str(row[1])) if row else None

    async def reopen(self, signature_id: int, status: Status) -> bool:
        """A decision undone: pending again, and no longer published (its line was retracted)."""
        changed = await self._db.execute(
            "UPDATE signatures SET status = ?, decided_on = NULL, published_on = NULL "
            "WHERE id = ? AND status = ?",
            (PENDING, signature_id, status.value),
        )
        return changed > 0

    async def published(self, signature_id: int) -> bool:
        """Whether the signature's line went to the channel (perhaps as an earlier version)."""
        row = await self._db.fetchone(
            "SELECT published_on IS NOT NULL FROM signatures WHERE id = ?", (signature_id,)
        )
        return bool(row and row[0])

    async def unpublish(self, signature_id: int) -> None:
        await self._db.execute(
            "UPDATE signatures SET published_on = NULL WHERE id = ?", (signature_id,)
        )

    async def author_of(self, signature_id: int) -> str | None:
        row = await self._db.fetchone(
            "SELECT person_key FROM signatures WHERE id = ?", (signature_id,)
        )
        return str(row[0]) if row else None

    async def pending_of(self, person_key: str) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT id FROM signatures WHERE person_key = ? AND status = ?", (person_key, PENDING)
        )
        return [int(row[0]) for row in rows]

    async def keep_under(self, person_key: str, letter: LetterShown) -> bool:
        """The signer keeps their signature under this version of the letter (pending or
        approved only: a rejected one is not under any text), in the language they signed it
        in: a button naming another language changes nothing."""
        changed = await self._db.execute(
            "UPDATE signatures SET letter_language = ?, letter_version = ?, letter_told = NULL "
            "WHERE person_key = ? AND status IN ('pending', 'approved') "
            "AND COALESCE(letter_language, language) = ?",
            (letter.language, letter.version, person_key, letter.language),
        )
        return changed > 0

    async def told_of(self, person_key: str, version: str) -> None:
        """The signer has been told that the text became `version` (they are not told again)."""
        await self._db.execute(
            "UPDATE signatures SET letter_told = ? WHERE person_key = ?", (version, person_key)
        )
