"""PTB persistence on the bot's SQLite file: conversation states and mid-flow drafts only.

Rows carry raw Telegram ids (PTB keys them so), which is why they exist only while a
conversation is in progress: an ended conversation and an emptied draft delete their row,
and rows older than the conversation timeout are dropped when the bot starts.
"""

from __future__ import annotations

import json
import time
from copy import deepcopy
from pathlib import Path
from typing import Any

import aiosqlite
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.storage.database import open_database

UPDATE_INTERVAL = 1.0


class SqlitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], Any]):
    def __init__(self, path: Path, max_age: float) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=UPDATE_INTERVAL,
        )
        self._path = path
        self._max_age = max_age
        self._db: aiosqlite.Connection | None = None

    async def _connection(self) -> aiosqlite.Connection:
        if self._db is None:
            self._db = await open_database(self._path)
            cutoff = int(time.time() - self._max_age)
            await self._db.execute(
                "DELETE FROM conversation_states WHERE updated_at < ?", (cutoff,)
            )
            await self._db.execute(
                "DELETE FROM conversation_drafts WHERE updated_at < ?", (cutoff,)
            )
        return self._db

    async def get_conversations(self, name: str) -> ConversationDict:
        db = await self._connection()
        async with db.execute(
            "SELECT key, state FROM conversation_states WHERE name = ?", (name,)
        ) as cursor:
            rows = await cursor.fetchall()
        return {tuple(json.loads(key)): json.loads(state) for key, state in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        db = await self._connection()
        encoded_key = json.dumps(list(key))
        if new_state is None:
            await db.execute(
                "DELETE FROM conversation_states WHERE name = ? AND key = ?", (name, encoded_key)
            )
            return
        await db.execute(
            "INSERT INTO conversation_states (name, key, state, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at",
            (name, encoded_key, json.dumps(new_state), int(time.time())),
        )

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        db = await self._connection()
        async with db.execute("SELECT user_id, data FROM conversation_drafts") as cursor:
            rows = await cursor.fetchall()
        return {int(user_id): json.loads(data) for user_id, data in rows}

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        db = await self._connection()
        if not data:
            await self.drop_user_data(user_id)
            return
        await db.execute(
            "INSERT INTO conversation_drafts (user_id, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, "
            "updated_at = excluded.updated_at",
            (user_id, json.dumps(deepcopy(data)), int(time.time())),
        )

    async def drop_user_data(self, user_id: int) -> None:
        db = await self._connection()
        await db.execute("DELETE FROM conversation_drafts WHERE user_id = ?", (user_id,))

    async def forget_person(self, user_id: int) -> None:
        """Remove every conversation state and draft of one person (/forget)."""
        db = await self._connection()
        await self.drop_user_data(user_id)
        async with db.execute("SELECT name, key FROM conversation_states") as cursor:
            rows = await cursor.fetchall()
        for name, key in rows:
            if user_id in json.loads(key):
                await db.execute(
                    "DELETE FROM conversation_states WHERE name = ? AND key = ?", (name, key)
                )

    async def has_conversation(self, user_id: int) -> bool:
        db = await self._connection()
        async with db.execute("SELECT key FROM conversation_states") as cursor:
            rows = await cursor.fetchall()
        return any(user_id in json.loads(key) for (key,) in rows)

    async def flush(self) -> None:
        if self._db is not None:
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            await self._db.close()
            self._db = None

    # Not stored: chat data, bot data, callback data.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> Any:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: Any) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Any) -> None:
        return None
