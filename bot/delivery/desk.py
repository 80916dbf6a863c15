"""The moderators' desk: decisions, bans, digests, milestones and the counter.

Every decision is a conditional update (only a pending item can be decided), recorded in the
audit log, and what it causes (a channel post, a notice to the author) is written to the
outbox in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Message as TelegramMessage

from bot.config import Settings
from bot.delivery import cards
from bot.delivery.notices import message_notice_text, signature_notice_text
from bot.delivery.outbox import CHANNEL, MODERATORS
from bot.domain.messages import Message, RejectionReason
from bot.domain.signatures import Status
from bot.i18n import N_, I18n, Translator
from bot.storage import Repositories
from bot.storage.moderation import Decision, OutboxItem

DIGEST_SIZE = 20
MILESTONES = (100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000)
BANNED_NOTICE = N_(
    "The moderators have stopped accepting signatures and messages from you. You can still "
    "read the letter."
)


@dataclass(frozen=True)
class Moderator:
    id: int
    name: str


@dataclass(frozen=True)
class Outcome:
    """What a press did: decided now, or already decided before (by whom, when)."""

    decided: bool
    previous: Decision | None = None


def next_milestone(count: int, announced: int) -> int | None:
    """The highest milestone reached by `count` and not yet announced."""
    reached = [m for m in MILESTONES if announced < m <= count]
    if not reached and count >= MILESTONES[-1] * 2 > announced:
        return count // MILESTONES[-1] * MILESTONES[-1]
    return reached[-1] if reached else None


class Desk:
    def __init__(
        self,
        repos: Repositories,
        i18n: I18n,
        settings: Settings,
        wake: Callable[[], None],
        banned: set[str] | None = None,
    ) -> None:
        self.repos = repos
        # The application's in-memory set of banned people, kept in step with the table.
        self.banned = banned if banned is not None else set()
        self.i18n = i18n
        self.settings = settings
        self.wake = wake

    @property
    def mod(self) -> Translator:
        return self.i18n.get(self.settings.moderator_language)

    @property
    def channel(self) -> Translator:
        return self.i18n.get(self.settings.channel_language)

    # ------------------------------------------------------------------ enqueue

    async def post(self, chat: str, payload: cards.Payload, person_key: str | None = None) -> None:
        await self.repos.outbox.add(chat, payload, person_key)

    async def tell(self, person_key: str, text: str) -> bool:
        """Queue a notice to a person, if their Telegram id is still kept."""
        telegram_id = await self.repos.contacts.telegram_id(person_key)
        if telegram_id is None:
            return False
        await self.post(str(telegram_id), {**cards.notice(text), "after": "release"}, person_key)
        return True

    async def message_submitted(self, message: Message) -> None:
        for payload in cards.message_card(message, self.mod, self.channel):
            await self.post(MODERATORS, payload)

    async def card_signatures(self) -> int:
        """Put pending signatures before the moderators, twenty to a digest."""
        async with self.repos.db.transaction():
            digests = await self.repos.moderation.card_pending_signatures(
                DIGEST_SIZE, int(time.time())
            )
            for digest_id, signatures in digests:
                await self.post(
                    MODERATORS, cards.digest_card(digest_id, signatures, self.mod, self.channel)
                )
        if digests:
            self.wake()
        return len(digests)

    async def resend_pending(self) -> int:
        """Cards again for everything undecided, oldest first (/pending)."""
        sent = 0
        async with self.repos.db.transaction():
            for digest_id in await self.repos.moderation.pending_digests():
                signatures = await self.repos.moderation.digest(digest_id)
                await self.post(
                    MODERATORS, cards.digest_card(digest_id, signatures, self.mod, self.channel)
                )
                sent += 1
            for message in await self.repos.moderation.pending_messages():
                await self.message_submitted(message)
                sent += 1
        self.wake()
        return sent

    # ----------------------------------------------------------------- decisions

    async def _previous(self, kind: str, item_id: int) -> Outcome:
        return Outcome(False, await self.repos.moderation.last_decision(kind, item_id))

    async def approve_message(self, message_id: int, moderator: Moderator) -> Outcome:
        repos = self.repos
        async with repos.db.transaction():
            decided = await repos.moderation.decide_message(
                message_id, Status.APPROVED, dt.date.today()
            )
            if decided is None:
                return await self._previous("message", message_id)
            await self._audit("message", message_id, "approved", None, moderator)
            message = await repos.messages.get(message_id)
            assert message is not None
            for payload in cards.channel_post(message, self.channel):
                await self.post(CHANNEL, payload)
        self.wake()
        return Outcome(True)

    async def reject_message(
        self, message_id: int, reason: RejectionReason, moderator: Moderator, ban: bool = False
    ) -> Outcome:
        repos = self.repos
        async with repos.db.transaction():
            decided = await repos.moderation.decide_message(
                message_id, Status.REJECTED, dt.date.today()
            )
            if decided is None:
                return await self._previous("message", message_id)
            person_key, language = decided
            await self._audit("message", message_id, "rejected", reason.value, moderator)
            if ban:
                await self._ban(person_key, moderator, language, "message", message_id)
            else:
                text = message_notice_text(language, self.i18n, False, reason, None)
                await self.tell(person_key, text)
        self.wake()
        return Outcome(True)

    async def decide_signature(
        self, signature_id: int, approved: bool, moderator: Moderator
    ) -> Outcome:
        async with self.repos.db.transaction():
            done = await self._decide_signature(signature_id, approved, moderator)
            if not done:
                return await self._previous("signature", signature_id)
            await self.check_milestone()
        self.wake()
        return Outcome(True)

    async def approve_digest(self, digest_id: int, moderator: Moderator) -> int:
        """Approve every still-pending signature of a digest; return how many."""
        approved = 0
        async with self.repos.db.transaction():
            for signature in await self.repos.moderation.digest(digest_id):
                if signature.status is Status.PENDING and await self._decide_signature(
                    signature.id, True, moderator
                ):
                    approved += 1
            await self.check_milestone()
        self.wake()
        return approved

    async def _decide_signature(
        self, signature_id: int, approved: bool, moderator: Moderator
    ) -> bool:
        status = Status.APPROVED if approved else Status.REJECTED
        decided = await self.repos.signatures.decide(signature_id, status, dt.date.today())
        if decided is None:
            return False
        person_key, language = decided
        await self._audit("signature", signature_id, status.value, None, moderator)
        await self.tell(person_key, signature_notice_text(language, approved, self.i18n))
        return True

    async def _audit(
        self, kind: str, item_id: int, decision: str, reason: str | None, moderator: Moderator
    ) -> None:
        await self.repos.moderation.record(
            kind, item_id, decision, reason, moderator.id, moderator.name, int(time.time())
        )

    # ---------------------------------------------------------------------- bans

    async def ban(self, kind: str, item_id: int, moderator: Moderator) -> bool | None:
        """Ban the author of an item (/ban); None when there is no such item."""
        async with self.repos.db.transaction():
            person_key = await self.repos.moderation.author_of(kind, item_id)
            if person_key is None:
                return None
            language = await self._language_of(person_key)
            return await self._ban(person_key, moderator, language, kind, item_id)

    async def _language_of(self, person_key: str) -> str:
        chosen = await self.repos.people.language_of(person_key)
        signature = await self.repos.signatures.of_person(person_key)
        return chosen or (signature.language if signature else self.settings.default_language)

    async def _ban(
        self, person_key: str, moderator: Moderator, language: str, kind: str, item_id: int
    ) -> bool:
        if not await self.repos.moderation.ban(person_key, int(time.time())):
            return False
        self.banned.add(person_key)
        await self._audit(kind, item_id, "banned", None, moderator)
        signatures, messages = await self.repos.moderation.pending_of_person(person_key)
        for message_id in messages:
            await self.repos.moderation.decide_message(
                message_id, Status.REJECTED, dt.date.today()
            )
        for signature_id in signatures:
            await self.repos.signatures.decide(signature_id, Status.REJECTED, dt.date.today())
        # Told once, in their language; then their id is no longer needed.
        await self.tell(person_key, self.i18n.get(language).gettext(BANNED_NOTICE))
        self.wake()
        return True

    async def unban(self, kind: str, item_id: int, moderator: Moderator) -> bool | None:
        person_key = await self.repos.moderation.author_of(kind, item_id)
        if person_key is None:
            return None
        async with self.repos.db.transaction():
            if not await self.repos.moderation.unban(person_key):
                return False
            self.banned.discard(person_key)
            await self._audit(kind, item_id, "unbanned", None, moderator)
        return True

    # ------------------------------------------------------------- the channel

    async def check_milestone(self) -> None:
        state = self.repos.state
        count = await self.repos.signatures.count(Status.APPROVED)
        announced = int(await state.get("milestone") or 0)
        milestone = next_milestone(count, announced)
        if milestone is not None:
            await state.set("milestone", str(milestone))
            await self.post(CHANNEL, cards.milestone_post(milestone, self.channel))

    async def publish_signatures(self) -> int:
        """Post newly approved signatures to the channel, as one digest."""
        async with self.repos.db.transaction():
            signatures = await self.repos.moderation.unpublished_signatures(5000)
            if not signatures:
                return 0
            for payload in cards.signatures_posts(signatures, self.channel):
                await self.post(CHANNEL, payload)
            await self.repos.moderation.mark_published([s.id for s in signatures], dt.date.today())
        self.wake()
        return len(signatures)

    async def after_delivery(self, item: OutboxItem, sent: TelegramMessage) -> None:
        """What follows a delivery: the author told the post's link; an id released."""
        after = item.payload.get("after")
        if after == "published":
            link = await self.post_link(sent.message_id)
            message_id = int(item.payload["message_id"])
            await self.repos.moderation.set_post_link(message_id, link)
            message = await self.repos.messages.get(message_id)
            person_key = await self.repos.moderation.author_of("message", message_id)
            if message is not None and person_key is not None:
                text = message_notice_text(message.language, self.i18n, True, None, link)
                await self.tell(person_key, text)
        elif after == "release" and item.person_key:
            await self.repos.contacts.release(item.person_key)
        elif after == "counter":
            await self.repos.state.set("counter_message_id", str(sent.message_id))

    async def post_link(self, message_id: int) -> str:
        channel = self.settings.channel_id
        username = await self.repos.state.get("channel_username")
        if isinstance(channel, str):
            username = channel.lstrip("@")
        if username:
            return f"https://t.me/{username}/{message_id}"
        internal = str(channel).removeprefix("-100")
        return f"https://t.me/c/{internal}/{message_id}"
