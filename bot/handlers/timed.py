"""Conversations that end when left alone, on a clock of their own.

PTB's conversation_timeout schedules a job for every update a conversation takes and removes
the one before; under load that was a twentieth of the bot's CPU. Here each conversation notes
when it last took an update (a dictionary entry), and one job, every few seconds, ends those
left alone for longer than the timeout by handing them a Deadline, as a restored conversation
always was. The clock is memory only: after a restart it starts from the stored times of the
restored conversations (runtime.keep_deadlines).
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotApplication, BotContext
from bot.handlers.conversation import Deadline

Key = tuple[int, int]
# How often the clock is read: often enough that a conversation ends within a few percent of
# its timeout, never more than twice a second, at least every 30 seconds.
SWEEPS_PER_TIMEOUT = 8
MIN_SWEEP = 0.25
MAX_SWEEP = 30.0


def sweep_interval(timeout: float) -> float:
    return min(MAX_SWEEP, max(MIN_SWEEP, timeout / SWEEPS_PER_TIMEOUT))


class TimedConversation(ConversationHandler[BotContext]):
    """A per-person conversation (chat and user) that ends `timeout` seconds after its last
    update, with a Deadline that each state takes."""

    def __init__(self, *args: Any, timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timeout = timeout
        # When each person last moved here (time.time(), to compare with stored times), while
        # their conversation goes on.
        self.last_moved: dict[Key, float] = {}

    async def handle_update(
        self,
        update: Update,
        application: BotApplication,
        check_result: Any,
        context: BotContext,
    ) -> object:
        chat, user = update.effective_chat, update.effective_user
        key = (chat.id, user.id) if chat is not None and user is not None else None
        if key is not None and not isinstance(update, Deadline):
            self.last_moved[key] = time.time()
        try:
            return await super().handle_update(update, application, check_result, context)
        finally:
            # Ended (finished, cancelled): its ids and time are not held till the next sweep.
            if key is not None and key not in self._conversations:
                self.last_moved.pop(key, None)

    def moved_at(self, key: Key, when: float) -> None:
        """A restored conversation's last move, as stored."""
        self.last_moved[key] = max(when, self.last_moved.get(key, 0.0))

    async def end_the_idle(self, application: BotApplication, now: float) -> None:
        """Hand a Deadline to each conversation left alone past its timeout."""
        cutoff = now - self.timeout
        idle = [key for key, moved in self.last_moved.items() if moved <= cutoff]
        for key in idle:
            del self.last_moved[key]
            update = Deadline(*key)
            check = self.check_update(update)
            if check is None:
                continue  # ended meanwhile
            await self.handle_update(
                update, application, check, BotContext.from_update(update, application)
            )
