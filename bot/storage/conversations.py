"""Unfinished conversations: their step and their answers so far, while they are in progress.

Rows carry raw Telegram ids (the framework keys them so), which is why they exist only while a
conversation is in progress: an ended conversation and an emptied draft delete their row,
rows older than the conversation timeout are dropped when the bot starts, and the others time
out at their deadline (updated_at plus the timeout) while it runs.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.storage.database import Database

Key = tuple[int | str, ...]


class ConversationRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def drop_older_than(self, seconds: float) -> None:
        cutoff = int(time.time() - seconds)
        states = await self._db.execute(
            "DELETE FROM conversation_states WHERE updated_at < ?", (cutoff,)
        )
        drafts = await self._db.execute(
            "DELETE FROM conversation_drafts WHERE updated_at < ?", (cutoff,)
        )
        if states or drafts:
            self._db.erased()

    async def deadlines(self, name: str, timeout: float) -> dict[Key, float]:
        """When each unfinished conversation of `name` times out, unless it moves on."""
        rows = await self._db.fetchall(
            "SELECT key, updated_at FROM conversation_states WHERE name = ?", (name,)
        )
        return {tuple(json.loads(key)): float(updated_at) + timeout for key, updated_at in rows}

    async def states(self, name: str) -> dict[Key, object]:
        rows = await self._db.fetchall(
            "SELECT key, state FROM conversation_states WHERE name = ?", (name,)
        )
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    async def drafts(self) -> dict[int, dict[Any, Any]]:
        rows = await self._db.fetchall("SELECT user_id, data FROM conversation_drafts")
        return {int(user_id): json.loads(data) for user_id, data in rows}

    async def write(
        self,
        states: dict[tuple[str, Key], object | None],
        drafts: dict[int, dict[Any, Any] | None],
    ) -> None:
        """Write many states and drafts in one transaction (None deletes the row).

        A statement a kind, not one per row: the framework hands over everyone who moved in the
        last second, and each statement is a trip to the database thread.
        """
        now = int(time.time())
        state_rows = [
            (name, json.dumps(list(key)), json.dumps(state), now)
            for (name, key), state in states.items()
            if state is not None
        ]
        ended = [
            (name, json.dumps(list(key))) for (name, key), state in states.items() if state is None
        ]
        draft_rows = [(user_id, json.dumps(data), now) for user_id, data in drafts.items() if data]
        emptied = [(user_id,) for user_id, data in drafts.items() if not data]
        erased = 0
        async with self._db.transaction():
            if state_rows:
                await self._db.executemany(
                    "INSERT INTO conversation_states (name, key, state, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET "
                    "state = excluded.state, updated_at = excluded.updated_at",
                    state_rows,
                )
            if ended:
                erased += await self._db.executemany(
                    "DELETE FROM conversation_states WHERE name = ? AND key = ?", ended
                )
            if draft_rows:
                await self._db.executemany(
                    "INSERT INTO conversation_drafts (user_id, data, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, "
                    "updated_at = excluded.updated_at",
                    draft_rows,
                )
            if emptied:
                erased += await self._db.executemany(
                    "DELETE FROM conversation_drafts WHERE user_id = ?", emptied
                )
        if erased:
            self._db.erased()  # the keys and drafts hold raw ids

    async def drop_draft(self, user_id: int) -> None:
        if await self._db.execute("DELETE FROM conversation_drafts WHERE user_id = ?", (user_id,)):
            self._db.erased()

    async def _keys_of(self, user_id: int) -> list[tuple[str, str]]:
        rows = await self._db.fetchall("SELECT name, key FROM conversation_states")
        return [(str(name), str(key)) for name, key in rows if user_id in json.loads(key)]

    async def has_conversation(self, user_id: int) -> bool:
        return bool(await self._keys_of(user_id))

    async def forget_person(self, user_id: int) -> None:
        """Remove every conversation state and draft of one person (/forget)."""
        await self.drop_draft(user_id)
        for name, key in await self._keys_of(user_id):
            await self._db.execute(
                "DELETE FROM conversation_states WHERE name = ? AND key = ?", (name, key)
            )
            self._db.erased()
