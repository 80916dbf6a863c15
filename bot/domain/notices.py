"""Telling a person something on the bot's own initiative, while their Telegram id is kept."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.domain.effects import FollowUp, Post
from bot.domain.ports import ContactStore, OutboxStore


class Notifier:
    def __init__(self, contacts: ContactStore, outbox: OutboxStore, hold: float = 0) -> None:
        self.contacts = contacts
        self.outbox = outbox
        # A decision can be undone from its card for `hold` seconds: its author hears of it
        # only once it stands.
        self.hold = hold

    async def tell(
        self, person_key: str, notice: Post, about: tuple[str, int] | None = None
    ) -> bool:
        """Queue a notice; once it is delivered, the person's id may be erased. A notice
        `about` a decided item waits out the undo window (and goes if the decision is undone)."""
        telegram_id = await self.contacts.telegram_id(person_key)
        if telegram_id is None:
            return False
        post = replace(notice, follow_up=FollowUp.RELEASE, about=about)
        not_before = time.time() + self.hold if about is not None and self.hold else 0
        await self.outbox.add(str(telegram_id), post, person_key, not_before)
        return True

    async def recall(self, person_key: str, about: tuple[str, int]) -> bool:
        """The notices not yet sent about an item whose decision was undone: dropped."""
        return await self.outbox.drop_about(person_key, about) > 0
