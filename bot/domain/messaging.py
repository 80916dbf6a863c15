"""Submitting solidarity messages, within the limits per person."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Protocol

from bot.domain.messages import (
    DailyLimitReached,
    Limits,
    Message,
    MessageDraft,
    PendingLimitReached,
)
from bot.domain.ports import WithContacts, WithDb, WithMessages, WithSendLog

DAY = 24 * 3600


class Carding(Protocol):
    async def message_submitted(self, message: Message) -> None:
        """Queue the new message's card for the moderators."""
        ...


class MessagingStores(WithDb, WithMessages, WithSendLog, WithContacts, Protocol):
    """The stores a message is submitted to."""


class MessagingService:
    def __init__(
        self,
        stores: MessagingStores,
        limits: Limits,
        cards: Carding,
        wake: Callable[[], None],
    ) -> None:
        self.stores = stores
        self.limits = limits
        self.cards = cards
        self.wake = wake

    async def check_limits(self, person_key: str, now: int) -> None:
        """Raise when the person may not send another message now."""
        if await self.stores.messages.pending_count(person_key) >= self.limits.pending:
            raise PendingLimitReached(self.limits.pending)
        sent = await self.stores.send_log.sent_since(person_key, now - DAY)
        if len(sent) >= self.limits.daily:
            free_at = sorted(sent)[-self.limits.daily] + DAY
            raise DailyLimitReached(self.limits.daily, max(1, math.ceil((free_at - now) / 3600)))

    async def submit(
        self, person_key: str, telegram_id: int, draft: MessageDraft, language: str, now: int
    ) -> Message:
        """Store the message as pending review, with its card for the moderators."""
        async with self.stores.db.transaction():
            await self.check_limits(person_key, now)
            today = dt.datetime.fromtimestamp(now, dt.UTC).date()
            message = await self.stores.messages.add(person_key, draft, language, today)
            await self.stores.send_log.record(person_key, now)
            # Kept only until the decision is told; see SigningService.
            await self.stores.contacts.keep(person_key, telegram_id)
            await self.cards.message_submitted(message)
        self.wake()
        return message
