"""Moderation: putting items before the moderators, their decisions, and bans.

Every decision is a conditional update (only a pending item can be decided), recorded in the
audit log, and what it causes (a channel post, a notice to the author) is written to the
outbox in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol

from bot.domain.channel import ChannelService
from bot.domain.decisions import Decision, ItemKind, Moderator, Outcome, Reference, Verdict
from bot.domain.effects import CHANNEL, MODERATORS
from bot.domain.messages import Message, RejectionReason
from bot.domain.notices import Notifier
from bot.domain.ports import (
    Renderer,
    WithAudit,
    WithBans,
    WithDb,
    WithDigests,
    WithMessages,
    WithOutbox,
    WithPeople,
    WithSignatures,
)
from bot.domain.signatures import Signature, Status

DIGEST_SIZE = 20


class ModerationStores(
    WithDb,
    WithSignatures,
    WithDigests,
    WithMessages,
    WithPeople,
    WithAudit,
    WithBans,
    WithOutbox,
    Protocol,
):
    """The stores moderation works on."""


class ModerationService:
    def __init__(
        self,
        stores: ModerationStores,
        posts: Renderer,
        notifier: Notifier,
        channel: ChannelService,
        wake: Callable[[], None],
        default_language: str,
    ) -> None:
        self.stores = stores
        self.posts = posts
        self.notifier = notifier
        self.channel = channel
        self.wake = wake
        self.default_language = default_language
        # The banned people's keys, in memory so that they cost almost nothing per update;
        # kept in step with the table.
        self.banned: set[str] = set()

    async def load_bans(self) -> None:
        self.banned = await self.stores.bans.keys()

    def rekeyed(self, old: str, new: str) -> None:
        """A person's rows moved to their new key (see Identities): so does their ban."""
        if old in self.banned:
            self.banned.discard(old)
            self.banned.add(new)

    # ------------------------------------------------------------ cards

    async def message_submitted(self, message: Message) -> None:
        """A new message's card for the moderators (queued with the message)."""
        for post in self.posts.message_card(message):
            await self.stores.outbox.add(MODERATORS, post)

    async def card_signatures(self) -> int:
        """Put pending signatures before the moderators, twenty to a digest."""
        stores = self.stores
        async with stores.db.transaction():
            digests = await stores.digests.card_pending(DIGEST_SIZE, int(time.time()))
            for digest_id, signatures in digests:
                await stores.outbox.add(MODERATORS, self.posts.digest_card(digest_id, signatures))
        if digests:
            self.wake()
        return len(digests)

    async def resend_pending(self) -> int:
        """Cards again for everything undecided, oldest first (/pending)."""
        stores = self.stores
        sent = 0
        async with stores.db.transaction():
            for digest_id in await stores.digests.pending():
                signatures = await stores.digests.signatures(digest_id)
                await stores.outbox.add(MODERATORS, self.posts.digest_card(digest_id, signatures))
                sent += 1
            for message in await stores.messages.pending():
                await self.message_submitted(message)
                sent += 1
        self.wake()
        return sent

    async def message(self, message_id: int) -> Message | None:
        return await self.stores.messages.get(message_id)

    async def digest(self, digest_id: int) -> list[Signature]:
        return await self.stores.digests.signatures(digest_id)

    async def digest_of(self, signature_id: int) -> int | None:
        return await self.stores.digests.digest_of(signature_id)

    async def previous(self, kind: ItemKind, item_id: int) -> Outcome:
        """Not decided now: who decided before, and when."""
        return Outcome(False, await self.stores.audit.last(kind, item_id))

    # ------------------------------------------------------------ decisions

    async def approve_message(self, message_id: int, moderator: Moderator) -> Outcome:
        stores = self.stores
        async with stores.db.transaction():
            if await stores.messages.decide(message_id, Status.APPROVED, dt.date.today()) is None:
                return await self.previous(ItemKind.MESSAGE, message_id)
            await self._audit(ItemKind.MESSAGE, message_id, Decision.APPROVED, None, moderator)
            message = await stores.messages.get(message_id)
            assert message is not None  # decided just now
            for post in self.posts.channel_post(message):
                await stores.outbox.add(CHANNEL, post)
        self.wake()
        return Outcome(True)

    async def reject_message(
        self, message_id: int, reason: RejectionReason, moderator: Moderator, ban: bool = False
    ) -> Outcome:
        stores = self.stores
        async with stores.db.transaction():
            decided = await stores.messages.decide(message_id, Status.REJECTED, dt.date.today())
            if decided is None:
                return await self.previous(ItemKind.MESSAGE, message_id)
            person_key, language = decided
            await self._audit(ItemKind.MESSAGE, message_id, Decision.REJECTED, reason, moderator)
            if ban:
                await self._ban(
                    person_key, language, Reference(ItemKind.MESSAGE, message_id), moderator
                )
            else:
                await self.notifier.tell(
                    person_key, self.posts.message_notice(language, reason, None)
                )
        self.wake()
        return Outcome(True)

    async def decide_signature(
        self, signature_id: int, approved: bool, moderator: Moderator
    ) -> Outcome:
        async with self.stores.db.transaction():
            if not await self._decide_signature(signature_id, approved, moderator):
                return await self.previous(ItemKind.SIGNATURE, signature_id)
            await self.channel.check_milestone()
        self.wake()
        return Outcome(True)

    async def approve_digest(self, digest_id: int, moderator: Moderator) -> int:
        """Approve every still-pending signature of a digest; return how many."""
        approved = 0
        async with self.stores.db.transaction():
            for signature in await self.stores.digests.signatures(digest_id):
                if signature.status is Status.PENDING and await self._decide_signature(
                    signature.id, True, moderator
                ):
                    approved += 1
            await self.channel.check_milestone()
        self.wake()
        return approved

    async def _decide_signature(
        self, signature_id: int, approved: bool, moderator: Moderator
    ) -> bool:
        status = Status.APPROVED if approved else Status.REJECTED
        decided = await self.stores.signatures.decide(signature_id, status, dt.date.today())
        if decided is None:
            return False
        person_key, language = decided
        decision = Decision.APPROVED if approved else Decision.REJECTED
        await self._audit(ItemKind.SIGNATURE, signature_id, decision, None, moderator)
        await self.notifier.tell(person_key, self.posts.signature_notice(language, approved))
        return True

    async def _audit(
        self,
        kind: ItemKind,
        item_id: int,
        decision: Decision,
        reason: RejectionReason | None,
        moderator: Moderator,
    ) -> None:
        verdict = Verdict(kind, item_id, decision, reason, moderator, int(time.time()))
        await self.stores.audit.record(verdict)

    # ------------------------------------------------------------ bans

    async def is_banned(self, person_key: str) -> bool:
        return await self.stores.bans.is_banned(person_key)

    async def ban(self, reference: Reference, moderator: Moderator) -> bool | None:
        """Ban the author of an item (/ban); None when there is no such item."""
        async with self.stores.db.transaction():
            person_key = await self._author(reference)
            if person_key is None:
                return None
            language = await self._language_of(person_key)
            return await self._ban(person_key, language, reference, moderator)

    async def unban(self, reference: Reference, moderator: Moderator) -> bool | None:
        person_key = await self._author(reference)
        if person_key is None:
            return None
        async with self.stores.db.transaction():
            if not await self.stores.bans.unban(person_key):
                return False
            self.banned.discard(person_key)
            await self._audit(reference.kind, reference.number, Decision.UNBANNED, None, moderator)
        return True

    async def _author(self, reference: Reference) -> str | None:
        if reference.kind is ItemKind.MESSAGE:
            return await self.stores.messages.author_of(reference.number)
        return await self.stores.signatures.author_of(reference.number)

    async def _language_of(self, person_key: str) -> str:
        chosen = await self.stores.people.language_of(person_key)
        signature = await self.stores.signatures.of_person(person_key)
        return chosen or (signature.language if signature else self.default_language)

    async def _ban(
        self, person_key: str, language: str, reference: Reference, moderator: Moderator
    ) -> bool:
        """Ban, reject what they still have pending, and tell them once in their language."""
        stores = self.stores
        if not await stores.bans.ban(person_key, int(time.time())):
            return False
        self.banned.add(person_key)
        await self._audit(reference.kind, reference.number, Decision.BANNED, None, moderator)
        today = dt.date.today()
        for message_id in await stores.messages.pending_of(person_key):
            await stores.messages.decide(message_id, Status.REJECTED, today)
        for signature_id in await stores.signatures.pending_of(person_key):
            await stores.signatures.decide(signature_id, Status.REJECTED, today)
        # Told once; then their id is no longer needed.
        await self.notifier.tell(person_key, self.posts.banned_notice(language))
        self.wake()
        return True
