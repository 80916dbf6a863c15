"""Updates processed concurrently across chats, in order within each chat.

Two exceptions, in groups, so that a busy group cannot hold up its moderators:
- button presses are not ordered behind the group's messages (whose replies may be waiting
  for Telegram's 20 messages a minute), and the client spins until a press is answered; they
  are ordered by card only, so that the edits of one card land in the order of its presses
  (a decision's stamp is not overwritten by the reasons asked for just before). Each decision
  is taken once by the domain's conditional update, whatever the order across cards;
- chat_member updates (promotions, demotions) run in their own lane, in order; a press waits
  for those that came before it, so a demotion counts at the very next press.
Private chats keep one lane for everything: PTB's ConversationHandler expects a chat's
updates one by one, button presses included.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

MEMBERS = "members"
CARD = "card"


class PerChatOrder(BaseUpdateProcessor):
    """Different chats' updates run at once; one chat's run one after another."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}

    @contextlib.asynccontextmanager
    async def _lane(self, key: Hashable) -> AsyncIterator[None]:
        """One at a time per key, first come first served; the lock goes once unused."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key: Hashable = 0
        if isinstance(update, Update):
            chat = update.effective_chat
            user = update.effective_user
            key = chat.id if chat is not None else (user.id if user is not None else 0)
            if chat is not None and chat.type != ChatType.PRIVATE:
                if update.callback_query is not None:
                    async with self._lane((MEMBERS, chat.id)):
                        pass  # the membership changes that came first are applied
                    card = update.callback_query.message
                    key = (CARD, chat.id, card.message_id if card is not None else 0)
                elif update.chat_member is not None:
                    key = (MEMBERS, chat.id)
        async with self._lane(key):
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
