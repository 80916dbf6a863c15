"""What the bot keeps about a person: the report /mydata shows, and /forget, /clear.

/forget deletes everything in one transaction: a failure half-way leaves nothing half-erased;
what was published or carded is reached in the same transaction (see unpublish).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.dialogue import WithQuestions
from bot.domain.messages import Message
from bot.domain.people import LanguageChoices
from bot.domain.ports import (
    WithBans,
    WithChatLog,
    WithContacts,
    WithConversations,
    WithDb,
    WithDigests,
    WithMessages,
    WithOutbox,
    WithPeople,
    WithSendLog,
    WithShown,
    WithSignatures,
)
from bot.domain.signatures import Signature
from bot.domain.unpublish import Unpublisher


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
    questions: tuple[int, ...] = ()  # the messages the moderators asked about, still open


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
    WithDigests,
    WithShown,
    WithBans,
    WithQuestions,
    Protocol,
):
    """Every store that keeps something of a person."""


class PrivacyService:
    def __init__(
        self, stores: PrivacyStores, languages: LanguageChoices, unpublish: Unpublisher
    ) -> None:
        self.stores = stores
        self.languages = languages
        self.unpublish = unpublish

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
            questions=tuple(await stores.questions.of_person(person_key)),
        )

    async def forget(self, person_key: str, telegram_id: int) -> None:
        """Delete everything stored about the person, but a ban (which cannot be shed)."""
        stores = self.stores
        async with stores.db.transaction():
            signature = await stores.signatures.of_person(person_key)
            messages = await stores.messages.of_person(person_key)
            if signature is not None:
                digest_id = await stores.digests.digest_of(signature.id)
                await stores.signatures.remove(person_key)
                await self.unpublish.signature(signature.id, digest_id)
            await stores.messages.forget(person_key)  # their open questions go with them
            for message in messages:
                await self.unpublish.message(message.id)
            await stores.send_log.forget(person_key)
            await stores.contacts.erase(person_key)
            await stores.people.forget(person_key)
            await stores.chat_log.forget(person_key)
            await stores.outbox.forget_person(person_key)
            await stores.conversations.forget_person(telegram_id)
        self.languages.forget(person_key)

    def remember(self, person_key: str, message_id: int, at: int, mine: bool) -> None:
        """Note a message of the person's private chat (`mine`: the bot's), for /clear."""
        self.stores.chat_log.record(person_key, message_id, at, mine)

    async def chat_to_clear(self, person_key: str, now: int) -> tuple[list[int], list[int]]:
        """The chat's message ids Telegram still lets the bot delete (48 hours), and the
        bot's older ones, which it can only edit."""
        chat_log = self.stores.chat_log
        return await chat_log.recent(person_key, now), await chat_log.older_of_mine(
            person_key, now
        )

    async def chat_cleared(self, person_key: str) -> None:
        await self.stores.chat_log.forget(person_key)
