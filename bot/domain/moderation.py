"""Moderation: putting items before the moderators, their decisions, and bans.

Every decision is a conditional update (only a pending item can be decided), recorded in the
audit log, and what it causes (a channel post, a notice to the author) is written to the
outbox in the same transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from enum import Enum
from typing import Any, Protocol

from bot.domain import days
from bot.domain.channel import ChannelService
from bot.domain.decisions import Decision, ItemKind, Moderator, Outcome, Reference, Verdict, Why
from bot.domain.effects import CHANNEL, DIGEST, MESSAGE, MODERATORS, SIGNATURE
from bot.domain.messages import Message
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
    WithShown,
    WithSignatures,
    WithState,
)
from bot.domain.signatures import Signature, Status
from bot.domain.unpublish import Unpublisher

DIGEST_SIZE = 20
UNDO = "undo:"  # campaign state: a decision that may still be undone, until when


class Undone(Enum):
    UNDONE = "undone"
    TOO_LATE = "too late"
    NOTHING = "nothing"  # no decision of this card's to undo (already undone, or changed)


class ModerationStores(
    WithDb,
    WithSignatures,
    WithDigests,
    WithMessages,
    WithPeople,
    WithAudit,
    WithBans,
    WithOutbox,
    WithShown,
    WithState,
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
        unpublish: Unpublisher,
        undo_window: float = 0,
    ) -> None:
        self.stores = stores
        self.unpublish = unpublish
        self.undo_window = undo_window
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

    async def signature(self, signature_id: int) -> Signature | None:
        return await self.stores.signatures.get(signature_id)

    async def on_card(self, card_id: int) -> list[tuple[str, int]]:
        """What the card with this Telegram message id in the moderator group shows."""
        return await self.stores.shown.on_card(MODERATORS, card_id)

    # A prompt for a typed reason, by its key: kept in the campaign's state until answered.
    async def remember_prompt(self, key: str, record: str) -> None:
        await self.stores.state.set(key, record)

    async def prompt(self, key: str) -> str | None:
        return await self.stores.state.get(key)

    async def forget_prompt(self, key: str) -> None:
        await self.stores.state.delete(key)

    async def previous(self, kind: ItemKind, item_id: int) -> Outcome:
        """Not decided now: who decided before, and when."""
        return Outcome(False, await self.stores.audit.last(kind, item_id))

    # ------------------------------------------------------------ decisions

    async def approve_message(
        self, message_id: int, moderator: Moderator, seen: str | None = None
    ) -> Outcome:
        """Approve and publish; with `seen` (the text the moderator's card showed), only if
        that is still the message's text (an edit may have landed since)."""
        stores = self.stores
        async with stores.db.transaction():
            if seen is not None:
                current = await stores.messages.get(message_id)
                if current is not None and current.text != seen:
                    return Outcome(False, changed=True)
            if await stores.messages.decide(message_id, Status.APPROVED, days.today()) is None:
                return await self.previous(ItemKind.MESSAGE, message_id)
            await self._audit(ItemKind.MESSAGE, message_id, Decision.APPROVED, None, moderator)
            message = await stores.messages.get(message_id)
            assert message is not None  # decided just now
            for post in self.posts.channel_post(message):
                await stores.outbox.add(CHANNEL, post)
            await self._undoable(MESSAGE, message_id)
        self.wake()
        return Outcome(True)

    async def reject_message(
        self, message_id: int, why: Why, moderator: Moderator, ban: bool = False
    ) -> Outcome:
        stores = self.stores
        about = (MESSAGE, message_id)
        async with stores.db.transaction():
            decided = await stores.messages.decide(message_id, Status.REJECTED, days.today())
            if decided is None:
                return await self.previous(ItemKind.MESSAGE, message_id)
            person_key, language = decided
            decision = Decision.BANNED if ban else Decision.REJECTED
            await self._audit(ItemKind.MESSAGE, message_id, decision, why, moderator)
            if ban:
                await self._ban(person_key, language, about, why, moderator, audited=True)
            else:
                notice = self.posts.message_notice(language, why, None)
                await self.notifier.tell(person_key, notice, about)
            await self._undoable(MESSAGE, message_id, banned=ban)
        self.wake()
        return Outcome(True)

    async def decide_signature(
        self, signature_id: int, approved: bool, moderator: Moderator, why: Why | None = None
    ) -> Outcome:
        async with self.stores.db.transaction():
            if not await self._decide_signature(signature_id, approved, moderator, why):
                return await self.previous(ItemKind.SIGNATURE, signature_id)
            await self._undoable(SIGNATURE, signature_id)
            await self.channel.check_milestone()
        self.wake()
        return Outcome(True)

    async def approve_digest(self, digest_id: int, moderator: Moderator) -> list[int]:
        """Approve every still-pending signature of a digest; return which."""
        approved = []
        async with self.stores.db.transaction():
            for signature in await self.stores.digests.signatures(digest_id):
                if signature.status is Status.PENDING and await self._decide_signature(
                    signature.id, True, moderator, None
                ):
                    approved.append(signature.id)
            if approved:
                await self._undoable(DIGEST, digest_id, approved)
            await self.channel.check_milestone()
        self.wake()
        return approved

    async def _decide_signature(
        self, signature_id: int, approved: bool, moderator: Moderator, why: Why | None
    ) -> bool:
        stores = self.stores
        status = Status.APPROVED if approved else Status.REJECTED
        was_published = await stores.signatures.published(signature_id)
        decided = await stores.signatures.decide(signature_id, status, days.today())
        if decided is None:
            return False
        person_key, language = decided
        decision = Decision.APPROVED if approved else Decision.REJECTED
        await self._audit(ItemKind.SIGNATURE, signature_id, decision, why, moderator)
        if was_published:
            # Changed after it was published, and reviewed again: its line in the channel
            # now shows the new version, or goes.
            await self.unpublish.republish(signature_id, approved)
        notice = self.posts.signature_notice(language, approved, why)
        await self.notifier.tell(person_key, notice, (SIGNATURE, signature_id))
        return True

    async def _audit(
        self,
        kind: ItemKind,
        item_id: int,
        decision: Decision,
        reason: Why | None,
        moderator: Moderator,
    ) -> None:
        verdict = Verdict(kind, item_id, decision, reason, moderator, int(time.time()))
        await self.stores.audit.record(verdict)

    # ------------------------------------------------------------ undo

    async def _undoable(
        self, letter: str, number: int, signatures: list[int] | None = None, banned: bool = False
    ) -> None:
        """Remember, for the undo window, that this decision may still be reversed."""
        if self.undo_window <= 0:
            return
        record: dict[str, Any] = {"until": time.time() + self.undo_window, "banned": banned}
        if signatures is not None:
            record["signatures"] = signatures
        await self.stores.state.set(f"{UNDO}{letter}{number}", json.dumps(record))

    async def undoable(self, letter: str, number: int) -> bool:
        """Whether the decision on this item (or this digest's Approve all) may be undone."""
        record = await self._undo_record(letter, number)
        return record is not None and record["until"] > time.time()

    async def _undo_record(self, letter: str, number: int) -> dict[str, Any] | None:
        raw = await self.stores.state.get(f"{UNDO}{letter}{number}")
        return json.loads(raw) if raw else None

    async def undo(self, letter: str, number: int, moderator: Moderator) -> Undone:
        """Reverse a decision made less than the undo window ago: the item is pending again,
        a published item is retracted, and the author's notice, not sent yet, is dropped."""
        stores = self.stores
        key = f"{UNDO}{letter}{number}"
        async with stores.db.transaction():
            record = await self._undo_record(letter, number)
            if record is None:
                return Undone.NOTHING
            await stores.state.delete(key)
            if record["until"] <= time.time():
                return Undone.TOO_LATE
            if letter == MESSAGE:
                undone = await self._undo_message(number, bool(record["banned"]), moderator)
            elif letter == SIGNATURE:
                undone = await self._undo_signature(number, moderator)
            else:
                undone = False
                for signature_id in record.get("signatures", []):
                    if await stores.digests.digest_of(signature_id) == number:
                        undone = await self._undo_signature(signature_id, moderator) or undone
            await self.channel.check_milestone()
        self.wake()
        return Undone.UNDONE if undone else Undone.NOTHING

    async def _undo_message(self, message_id: int, banned: bool, moderator: Moderator) -> bool:
        stores = self.stores
        message = await stores.messages.get(message_id)
        person_key = await stores.messages.author_of(message_id)
        if message is None or person_key is None or message.status is Status.PENDING:
            return False
        if not await stores.messages.reopen(message_id, message.status):
            return False
        if message.status is Status.APPROVED:
            await self.unpublish.retract_message(message_id)
        if banned and await stores.bans.unban(person_key):
            self.banned.discard(person_key)
        await self.notifier.recall(person_key, (MESSAGE, message_id))
        await self._audit(ItemKind.MESSAGE, message_id, Decision.UNDONE, None, moderator)
        return True

    async def _undo_signature(self, signature_id: int, moderator: Moderator) -> bool:
        stores = self.stores
        signature = await stores.signatures.get(signature_id)
        person_key = await stores.signatures.author_of(signature_id)
        if signature is None or person_key is None or signature.status is Status.PENDING:
            return False
        if signature.status is Status.APPROVED:
            await self.unpublish.republish(signature_id, approved=False)
        if not await stores.signatures.reopen(signature_id, signature.status):
            return False
        await self.notifier.recall(person_key, (SIGNATURE, signature_id))
        await self._audit(ItemKind.SIGNATURE, signature_id, Decision.UNDONE, None, moderator)
        return True

    # ------------------------------------------------------------ bans

    async def is_banned(self, person_key: str) -> bool:
        return person_key in self.banned  # kept in step with the table (load_bans, _ban, unban)

    async def ban(
        self, reference: Reference, moderator: Moderator, why: Why | None = None
    ) -> bool | None:
        """Ban the author of an item (/ban); None when there is no such item."""
        async with self.stores.db.transaction():
            person_key = await self._author(reference)
            if person_key is None:
                return None
            language = await self._language_of(person_key)
            about = (reference.letter, reference.number)
            return await self._ban(person_key, language, about, why, moderator)

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

    async def author_banned(self, reference: Reference) -> bool:
        person_key = await self._author(reference)
        return person_key is not None and person_key in self.banned

    async def _author(self, reference: Reference) -> str | None:
        if reference.kind is ItemKind.MESSAGE:
            return await self.stores.messages.author_of(reference.number)
        return await self.stores.signatures.author_of(reference.number)

    async def _language_of(self, person_key: str) -> str:
        chosen = await self.stores.people.language_of(person_key)
        signature = await self.stores.signatures.of_person(person_key)
        return chosen or (signature.language if signature else self.default_language)

    async def _ban(
        self,
        person_key: str,
        language: str,
        about: tuple[str, int],
        why: Why | None,
        moderator: Moderator,
        audited: bool = False,
    ) -> bool:
        """Ban, reject what they still have pending, and tell them once in their language."""
        stores = self.stores
        if not await stores.bans.ban(person_key, int(time.time())):
            return False
        self.banned.add(person_key)
        if not audited:
            kind = ItemKind.MESSAGE if about[0] == MESSAGE else ItemKind.SIGNATURE
            await self._audit(kind, about[1], Decision.BANNED, why, moderator)
        today = days.today()
        # What the ban rejects besides its own item is audited as the ban, so that a late
        # press on one of those cards says who rejected it and why.
        for message_id in await stores.messages.pending_of(person_key):
            await stores.messages.decide(message_id, Status.REJECTED, today)
            if (MESSAGE, message_id) != about:
                await self._audit(ItemKind.MESSAGE, message_id, Decision.BANNED, why, moderator)
        for signature_id in await stores.signatures.pending_of(person_key):
            await stores.signatures.decide(signature_id, Status.REJECTED, today)
            if (SIGNATURE, signature_id) != about:
                await self._audit(
                    ItemKind.SIGNATURE, signature_id, Decision.BANNED, why, moderator
                )
        # Told once; then their id is no longer needed.
        await self.notifier.tell(person_key, self.posts.banned_notice(language), about)
        self.wake()
        return True
