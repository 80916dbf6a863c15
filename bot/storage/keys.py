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
            rows = await self._db.fetchall(self._db.dialect.tables_with_column, ("person_key",))
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

    async def _keys_with_person(self, table: str) -> list[list[str]]:
        """The table's unique keys that include person_key: each one's other columns."""
        columns: dict[str, list[str]] = {}
        for index, column in await self._db.fetchall(self._db.dialect.unique_columns, (table,)):
            columns.setdefault(str(index), []).append(str(column))
        return [
            [c for c in key if c != "person_key"]
            for key in columns.values()
            if "person_key" in key
        ]

    async def rekey(self, old: str, new: str) -> bool:
        moved = 0
        async with self._db.transaction():
            for table in await self.tables():
                # Were a row already under the new key, the old one wins (what SQLite's UPDATE
                # OR REPLACE did, in SQL both engines take): the clashing new row goes first.
                for others in await self._keys_with_person(table):
                    same = "".join(f" AND o.{column} = {table}.{column}" for column in others)
                    await self._db.execute(
                        f"DELETE FROM {table} WHERE person_key = ? AND EXISTS "
                        f"(SELECT 1 FROM {table} AS o WHERE o.person_key = ?{same})",
                        (new, old),
                    )
                moved += await self._db.execute(
                    f"UPDATE {table} SET person_key = ? WHERE person_key = ?", (new, old)
                )
        return moved > 0
