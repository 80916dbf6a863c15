"""The letter's versions seen at start (public text); the signatures under an older one."""

from __future__ import annotations

import datetime as dt

from bot.domain.amendments import Amended
from bot.storage.database import Database

# Signatures (pending or approved) under another version of their language's letter than the
# current one, whose signers have not been told of the current one yet. A signature from before
# versions were recorded (letter_version NULL) counts once a second version of its language has
# been seen: the text changed after it was given.
_OUTDATED = """
    FROM signatures s
    JOIN letter_versions v
        ON v.current = 1 AND v.language = COALESCE(s.letter_language, s.language)
    WHERE s.status IN ('pending', 'approved')
        AND s.letter_told IS DISTINCT FROM v.version
        AND (s.letter_version != v.version OR (s.letter_version IS NULL AND EXISTS (
            SELECT 1 FROM letter_versions w WHERE w.language = v.language AND w.id != v.id)))
"""


class LetterVersionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def current(self) -> dict[str, str]:
        rows = await self._db.fetchall(
            "SELECT language, version FROM letter_versions WHERE current = 1"
        )
        return {str(row[0]): str(row[1]) for row in rows}

    async def record(self, language: str, version: str, text: str, today: dt.date) -> None:
        await self._db.execute(
            "UPDATE letter_versions SET current = 0 WHERE language = ? AND current = 1",
            (language,),
        )
        await self._db.execute(
            "INSERT INTO letter_versions (language, version, text, seen_on, current) "
            "VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (language, version) DO UPDATE SET current = 1",
            (language, version, text, today.isoformat()),
        )

    async def ever_amended(self) -> bool:
        row = await self._db.fetchone(
            "SELECT EXISTS (SELECT 1 FROM letter_versions WHERE current = 0)"
        )
        return bool(row and row[0])

    async def outdated(self) -> list[str]:
        rows = await self._db.fetchall(f"SELECT s.person_key {_OUTDATED}")
        return [str(row[0]) for row in rows]

    async def amended_for(self, person_key: str) -> Amended | None:
        row = await self._db.fetchone(
            "SELECT v.language, s.letter_version, v.version, "
            "COALESCE((SELECT o.text FROM letter_versions o "
            "WHERE o.language = v.language AND o.version = s.letter_version), "
            "CASE WHEN s.letter_version IS NULL THEN (SELECT f.text FROM letter_versions f "
            "WHERE f.language = v.language ORDER BY f.id LIMIT 1) END), v.text "
            f"{_OUTDATED} AND s.person_key = ?",
            (person_key,),
        )
        if row is None:
            return None
        return Amended(
            language=str(row[0]),
            signed_version=None if row[1] is None else str(row[1]),
            current_version=str(row[2]),
            old_text=None if row[3] is None else str(row[3]),
            new_text=str(row[4]),
        )
