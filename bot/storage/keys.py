"""Person keys of earlier versions (HMAC, 64 hex digits), moved to their new key."""

from __future__ import annotations

from bot.domain.identity import LEGACY_LENGTH
from bot.storage.database import Database


class PersonKeyRepository:
    """Every table with a person_key column, found in the schema (so a new one is included)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._tables: list[str] | None = None

    async def tables(self) -> list[str]:
        if self._tables is None:
            rows = await self._db.fetchall(
                "SELECT m.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS c "
                "WHERE m.type = 'table' AND c.name = 'person_key' ORDER BY m.name"
            )
            self._tables = [str(row[0]) for row in rows]
        return self._tables

    async def any_legacy(self) -> bool:
        for table in await self.tables():
            row = await self._db.fetchone(
                f"SELECT 1 FROM {table} WHERE length(person_key) = ? LIMIT 1",
                (LEGACY_LENGTH,),
            )
            if row is not None:
                return True
        return False

    async def rekey(self, old: str, new: str) -> bool:
        moved = 0
        async with self._db.transaction():
            for table in await self.tables():
                # OR REPLACE: were a row already under the new key, the old one would win.
                moved += await self._db.execute(
                    f"UPDATE OR REPLACE {table} SET person_key = ? WHERE person_key = ?",
                    (new, old),
                )
        return moved > 0
