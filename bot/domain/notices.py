"""Telling a person something on the bot's own initiative, while their Telegram id is kept."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.effects import FollowUp, Post
from bot.domain.ports import ContactStore, OutboxStore


class Notifier:
    def __init__(self, contacts: ContactStore, outbox: OutboxStore) -> None:
        self.contacts = contacts
        self.outbox = outbox

    async def tell(self, person_key: str, notice: Post) -> bool:
        """Queue a notice; once it is delivered, the person's id may be erased."""
        telegram_id = await self.contacts.telegram_id(person_key)
        if telegram_id is None:
            return False
        post = replace(notice, follow_up=FollowUp.RELEASE)
        await self.outbox.add(str(telegram_id), post, person_key)
        return True
