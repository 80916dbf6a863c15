"""What the bot keeps about a person: the report /mydata shows, and /forget, /clear.

/forget deletes everything in one transaction: a failure half-way leaves nothing half-erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.messages import Message
from bot.domain.people import LanguageChoices
from bot.domain.ports import (
    WithBans,
    WithChatLog,
    WithContacts,
    WithConversations,
    WithDb,
    WithMessages,
    WithOutbox,
    WithPeople,
    WithSendLog,
    WithSignatures,
)
from bot.domain.signatures import Signature


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person."""

    language: str | None
    signature: Signature | None
    messages: list[Message]
    telegram_id_kept: bool
    unfinished_conversation: bool
    recent_chat_messages: int
    banned: bool = False  # kept through /forget, so that a ban cannot be shed


class PrivacyStores(
    WithDb,
    WithPeople,
    WithSignatures,
    WithMessages,
    WithSendLog,
    WithContacts,
    WithChatLog,
    WithOutbox,
    WithConversations,
    WithBans,
    Protocol,
):
    """Every store that keeps something of a person."""


class PrivacyService:
    def __init__(self, stores: PrivacyStores, languages: LanguageChoices) -> None:
        self.stores = stores
        self.languages = languages

    async def report(self, person_key: str, telegram_id: int, now: int) -> PersonalData:
        stores = self.stores
        return PersonalData(
            language=await stores.people.language_of(person_key),
            signature=await stores.signatures.of_person(person_key),
            messages=await stores.messages.of_person(person_key),
            telegram_id_kept=await stores.contacts.telegram_id(person_key) is not None,
            unfinished_conversation=await stores.conversations.has_conversation(telegram_id),
            recent_chat_messages=len(await stores.chat_log.recent(person_key, now)),
            banned=await stores.bans.is_banned(person_key),
        )

    async def forget(self, person_key: str, telegram_id: int) -> None:
        """Delete everything stored about the person, but a ban (which cannot be shed)."""
        stores = self.stores
        async with stores.db.transaction():
            await stores.signatures.remove(person_key)
            await stores.messages.forget(person_key)
            await stores.send_log.forget(person_key)
            await stores.contacts.erase(person_key)
            await stores.people.forget(person_key)
            await stores.chat_log.forget(person_key)
            await stores.outbox.forget_person(person_key)
            await stores.conversations.forget_person(telegram_id)
        self.languages.forget(person_key)

    def remember(self, person_key: str, message_id: int, at: int) -> None:
        """Note a message of the person's private chat, so that /clear can delete it."""
        self.stores.chat_log.record(person_key, message_id, at)

    async def chat_to_clear(self, person_key: str, now: int) -> list[int]:
        """The chat's message ids Telegram still lets the bot delete (48 hours)."""
        return await self.stores.chat_log.recent(person_key, now)

    async def chat_cleared(self, person_key: str) -> None:
        await self.stores.chat_log.forget(person_key)
