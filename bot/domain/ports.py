"""What the domain needs from the world, as Protocols: storage, rendering, the channel.

The storage floor implements the stores, the render floor the renderer, the delivery floor
the channel; domain services take these narrow interfaces, so they are tested with fakes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.domain.decisions import AuditEntry, ItemKind, Verdict, Why
from bot.domain.effects import Place, Post
from bot.domain.messages import Message, MessageDraft
from bot.domain.signatures import LetterShown, Signature, SignatureDraft, Status

Totals = dict[str, list[tuple[str, int]]]


class Transactions(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Statements inside run together or not at all; a nested one joins the outer."""
        ...


class SignatureStore(Protocol):
    async def of_person(self, person_key: str) -> Signature | None: ...

    async def get(self, signature_id: int) -> Signature | None: ...

    async def add(
        self,
        person_key: str,
        draft: SignatureDraft,
        language: str,
        today: dt.date,
        letter: LetterShown | None = None,
    ) -> Signature: ...

    async def replace(
        self,
        person_key: str,
        draft: SignatureDraft,
        language: str,
        today: dt.date,
        letter: LetterShown | None = None,
    ) -> Signature: ...

    async def remove(self, person_key: str) -> bool: ...

    async def count(self, *statuses: Status) -> int: ...

    async def decide(
        self, signature_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None:
        """Decide a pending signature: (person_key, language), or None if not pending."""
        ...

    async def author_of(self, signature_id: int) -> str | None: ...

    async def pending_of(self, person_key: str) -> list[int]: ...

    async def reopen(self, signature_id: int, status: Status) -> bool: ...

    async def published(self, signature_id: int) -> bool: ...

    async def unpublish(self, signature_id: int) -> None: ...


class DigestStore(Protocol):
    async def card_pending(self, size: int, now: int) -> list[tuple[int, list[Signature]]]: ...

    async def signatures(self, digest_id: int) -> list[Signature]: ...

    async def digest_of(self, signature_id: int) -> int | None: ...

    async def pending(self) -> list[int]: ...

    async def unpublished(self, limit: int) -> list[Signature]: ...

    async def mark_published(self, signature_ids: list[int], today: dt.date) -> None: ...

    def approved(self) -> AsyncIterator[Signature]: ...


class MessageStore(Protocol):
    async def add(
        self, person_key: str, draft: MessageDraft, language: str, today: dt.date
    ) -> Message: ...

    async def get(self, message_id: int) -> Message | None: ...

    async def pending_count(self, person_key: str) -> int: ...

    async def of_person(self, person_key: str) -> list[Message]: ...

    async def forget(self, person_key: str) -> None: ...

    async def decide(
        self, message_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None: ...

    async def reopen(self, message_id: int, status: Status) -> bool: ...

    async def pending(self) -> list[Message]: ...

    async def approved(self) -> list[Message]: ...

    async def set_post_link(self, message_id: int, link: str) -> None: ...

    async def author_of(self, message_id: int) -> str | None: ...

    async def pending_of(self, person_key: str) -> list[int]: ...


class SendLog(Protocol):
    async def sent_since(self, person_key: str, since: int) -> list[int]: ...

    async def record(self, person_key: str, now: int) -> None: ...

    async def forget(self, person_key: str) -> None: ...


class ContactStore(Protocol):
    """Raw Telegram ids, kept only while something must still reach that person."""

    async def keep(self, person_key: str, telegram_id: int) -> None: ...

    async def telegram_id(self, person_key: str) -> int | None: ...

    async def erase(self, person_key: str) -> None: ...

    async def release(self, person_key: str) -> None:
        """Erase the id unless a signature or message of theirs still awaits a decision."""
        ...


class PeopleStore(Protocol):
    async def language_of(self, person_key: str) -> str | None: ...

    async def choose_language(self, person_key: str, language: str) -> None: ...

    async def forget(self, person_key: str) -> None: ...


class ChatLogStore(Protocol):
    def record(self, person_key: str, message_id: int, now: int, mine: bool) -> None: ...

    async def recent(self, person_key: str, now: int) -> list[int]: ...

    async def older_of_mine(self, person_key: str, now: int) -> list[int]: ...

    async def forget(self, person_key: str) -> None: ...


class ConversationStore(Protocol):
    """Unfinished conversations, which the framework keys by raw Telegram id."""

    async def has_conversation(self, user_id: int) -> bool: ...

    async def forget_person(self, user_id: int) -> None: ...


class AuditLog(Protocol):
    async def record(self, verdict: Verdict) -> None: ...

    async def last(self, kind: ItemKind, item_id: int) -> AuditEntry | None: ...

    async def scrub(self, kind: ItemKind, item_id: int) -> None: ...


class BanStore(Protocol):
    async def ban(self, person_key: str, now: int) -> bool: ...

    async def unban(self, person_key: str) -> bool: ...

    async def keys(self) -> set[str]: ...

    async def is_banned(self, person_key: str) -> bool: ...


class KeyStore(Protocol):
    async def any_legacy(self) -> bool:
        """Whether any row is still keyed by a key of an earlier version."""
        ...

    async def rekey(self, old: str, new: str) -> bool:
        """Move every row of `old` to `new`, in one transaction; whether any moved."""
        ...


class OutboxStore(Protocol):
    async def add(
        self, chat: str, post: Post, person_key: str | None = None, not_before: float = 0
    ) -> int: ...
    async def drop_about(self, person_key: str, about: tuple[str, int]) -> int: ...
    async def drop(self, item_id: int) -> bool:
        """Drop a queued item; False when it is no longer queued."""
        ...

    async def forget_person(self, person_key: str) -> None: ...

    async def backlog(self) -> int: ...


class ShownStore(Protocol):
    """Which cards and channel posts show which items."""

    async def places(self, kind: str, item_id: int) -> list[Place]: ...
    async def in_outbox(self, outbox_id: int) -> list[tuple[str, int]]: ...
    async def forget(self, kind: str, item_id: int) -> None: ...
    async def on_card(self, chat: str, message_id: int) -> list[tuple[str, int]]: ...
    async def forget_in(self, chat: str, kind: str, item_id: int) -> None: ...


class StateStore(Protocol):
    """Small named values of the campaign (milestone, counter post, the group's id)."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def delete(self, key: str) -> None: ...


class StatsStore(Protocol):
    async def totals(self) -> Totals: ...


# One Protocol per store, as storage.Repositories holds them: a service names the ones it
# needs (`class ModerationStores(WithDb, WithSignatures, ..., Protocol)`).


class WithDb(Protocol):
    @property
    def db(self) -> Transactions: ...


class WithSignatures(Protocol):
    @property
    def signatures(self) -> SignatureStore: ...


class WithDigests(Protocol):
    @property
    def digests(self) -> DigestStore: ...


class WithMessages(Protocol):
    @property
    def messages(self) -> MessageStore: ...


class WithSendLog(Protocol):
    @property
    def send_log(self) -> SendLog: ...


class WithContacts(Protocol):
    @property
    def contacts(self) -> ContactStore: ...


class WithPeople(Protocol):
    @property
    def people(self) -> PeopleStore: ...


class WithChatLog(Protocol):
    @property
    def chat_log(self) -> ChatLogStore: ...


class WithConversations(Protocol):
    @property
    def conversations(self) -> ConversationStore: ...


class WithAudit(Protocol):
    @property
    def audit(self) -> AuditLog: ...


class WithBans(Protocol):
    @property
    def bans(self) -> BanStore: ...


class WithOutbox(Protocol):
    @property
    def outbox(self) -> OutboxStore: ...


class WithShown(Protocol):
    @property
    def shown(self) -> ShownStore: ...


class WithState(Protocol):
    @property
    def state(self) -> StateStore: ...


class WithStats(Protocol):
    @property
    def stats(self) -> StatsStore: ...


class Renderer(Protocol):
    """The posts the domain queues, rendered in the moderators', channel's or person's language."""

    def message_card(self, message: Message) -> list[Post]: ...

    def channel_post(self, message: Message) -> list[Post]: ...

    def signature_digest(self, signatures: list[Signature]) -> list[Post]: ...

    def milestone(self, count: int, goal: int | None = None, reached: bool = False) -> Post:
        """`count` signatures approved; with the campaign's `goal`, `reached` now or not."""
        ...

    def counter(self, count: int, goal: int | None = None) -> Post: ...

    def signature_notice(self, language: str, approved: bool, why: Why | None = None) -> Post: ...

    def message_notice(self, language: str, why: Why | None, link: str | None) -> Post:
        """Approved when `why` is None (with the post's `link` once published)."""
        ...

    def digest_card(
        self, digest_id: int, signatures: list[Signature], changed: Sequence[int] = ()
    ) -> Post:
        """The card of a digest; `changed`: signatures that left it, changed by their signers."""
        ...

    def banned_notice(self, language: str) -> Post: ...
    def removed_post(self) -> str:
        """What a channel post that cannot be deleted is edited to."""
        ...

    def removed_card(self, reference: str) -> str:
        """What a card that cannot be deleted, or has no item left, is edited to."""
        ...


class ChannelUnavailable(Exception):
    """The channel refused an edit or a pin (`kind` names Telegram's error)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class ChannelClient(Protocol):
    """Direct calls on the channel, outside the outbox: the counter post's edits and pin."""

    async def pin(self, message_id: int) -> None: ...

    async def edit_text(self, message_id: int, text: str) -> None: ...
