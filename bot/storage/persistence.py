"""PTB persistence on the bot's database: conversation states and mid-flow drafts only.

It shares the bot's one connection and lock (Database); the rows are the conversations
repository's. Chat data, bot data and callback data are not stored.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.ext import Application, BasePersistence, PersistenceInput

from bot.storage.conversations import ConversationRepository, Key
from bot.storage.database import Database

UPDATE_INTERVAL = 1.0


class SqlitePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], Any]):
    def __init__(self, db: Database, max_age: float) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=UPDATE_INTERVAL,
        )
        self._db = db
        self._conversations = ConversationRepository(db)
        self._max_age = max_age
        self._tidied = False
        # Which rows exist, as far as this persistence wrote them: the framework asks to delete
        # the state and the draft of everyone it saw in the last interval, mostly people with
        # neither, and each delete is a trip to the database thread. (Other paths only delete:
        # /forget, the tidy-up at start; a row they took is deleted again here, harmlessly.)
        self._states: set[tuple[str, Key]] = set()
        self._drafts: set[int] = set()
        # The rows of the framework's current round, and the write that takes them.
        self._round_states: dict[tuple[str, Key], object | None] = {}
        self._round_drafts: dict[int, dict[Any, Any] | None] = {}
        self._round: asyncio.Future[None] | None = None
        # The framework makes an entry in its user data, keyed by the Telegram id, for
        # everyone whose update it handles (an inline query, a press in the group) and never
        # drops it. Told of the application, this drops the empty ones: memory holds no id
        # for nothing, and does not grow with everyone ever seen.
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None

    async def _rows(self) -> ConversationRepository:
        """The repository, once the database is open and stale rows are gone.

        The framework reads the persistence while it initialises, before post_init runs.
        """
        if not self._db.is_open:
            await self._db.open()
        if not self._tidied:
            self._tidied = True
            await self._conversations.drop_older_than(self._max_age)
        return self._conversations

    async def get_conversations(self, name: str) -> dict[Key, object]:
        states = await (await self._rows()).states(name)
        self._states.update((name, key) for key in states)
        return states

    async def update_conversation(self, name: str, key: Key, new_state: object | None) -> None:
        if new_state is None:
            if (name, key) not in self._states:
                return
            self._states.discard((name, key))
        else:
            self._states.add((name, key))
        self._round_states[(name, key)] = new_state
        await self._written()

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        drafts = await (await self._rows()).drafts()
        self._drafts.update(drafts)
        return drafts

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        if not data:
            self._release(user_id)
            await self.drop_user_data(user_id)
            return
        self._drafts.add(user_id)
        # The framework hands over a copy of its own; the round encodes it as it writes.
        self._round_drafts[user_id] = data
        await self._written()

    def _release(self, user_id: int) -> None:
        """Drop the framework's entry for the person if it is (still) empty: `data` was a
        copy, and an update since may have started a draft in it."""
        application = self.application
        if application is not None and not application.user_data.get(user_id):
            application.drop_user_data(user_id)

    async def drop_user_data(self, user_id: int) -> None:
        if user_id not in self._drafts:
            return
        self._drafts.discard(user_id)
        self._round_drafts[user_id] = None
        await self._written()

    async def _written(self) -> None:
        """Wait until this round's rows are in the database, written together.

        The framework calls update_conversation and update_user_data for everyone who moved
        since its last round, all at once (one gather); the first call starts a write that runs
        after the others have queued their rows, and each call returns once it is done.
        """
        if self._round is None:
            self._round = asyncio.ensure_future(self._write_round())
        await asyncio.shield(self._round)

    async def _write_round(self) -> None:
        await asyncio.sleep(0)  # the rest of the framework's gather queues its rows first
        states, self._round_states = self._round_states, {}
        drafts, self._round_drafts = self._round_drafts, {}
        self._round = None
        await (await self._rows()).write(states, drafts)

    async def flush(self) -> None:
        return None  # every write went to the database at once; the runtime closes it

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
