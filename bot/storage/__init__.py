"""Storage: the only code with SQL."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.storage.people import PeopleRepository


@dataclass(frozen=True)
class Repositories:
    connection: aiosqlite.Connection
    people: PeopleRepository

    @classmethod
    def on(cls, connection: aiosqlite.Connection) -> Repositories:
        return cls(connection, PeopleRepository(connection))
