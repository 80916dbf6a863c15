"""In-memory fakes of the domain's ports (bot/domain/ports.py), for unit tests of its services.

They keep what the SQLite repositories keep, in dictionaries; FakeStores.transaction() takes a
snapshot and puts it back when the block fails, as a rolled-back transaction would.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.domain.amendments import Amended
from bot.domain.decisions import NOT_DECISIONS, AuditEntry, Decision, ItemKind, Verdict, Why
from bot.domain.dialogue import Question
from bot.domain.effects import DIGEST, MESSAGE, SIGNATURE, FollowUp, Method, Place, Post
from bot.domain.messages import Message, MessageDraft
from bot.domain.signatures import LetterShown, Signature, SignatureDraft, Status
from bot.storage.database import day_of


class FakeSignatures:
    def __init__(self) -> None:
        self.rows: dict[int, tuple[str, Signature]] = {}  # id -> (person_key, signature)
        self.digest_of: dict[int, int] = {}  # signature id -> digest id
        self.published_ids: set[int] = set()
        self.told: dict[int, str] = {}  # signature id -> the version its signer was told of

    def _of(self, person_key: str) -> Signature | None:
        return next((s for key, s in self.rows.values() if key == person_key), None)

    async def of_person(self, person_key: str) -> Signature | None:
        return self._of(person_key)

    async def get(self, signature_id: int) -> Signature | None:
        found = self.rows.get(signature_id)
        return found[1] if found else None

    async def add(
        self,
        person_key: str,
        draft: SignatureDraft,
        language: str,
        today: dt.date,
        letter: LetterShown | None = None,
    ) -> Signature:
        number = max(self.rows, default=0) + 1
        signature = Signature(
            number,
            draft.listing,
            draft.name,
            draft.country,
            language,
            Status.PENDING,
            today,
            letter,
        )
        self.rows[number] = (person_key, signature)
        return signature

    async def replace(
        self,
        person_key: str,
        draft: SignatureDraft,
        language: str,
        today: dt.date,
        letter: LetterShown | None = None,
    ) -> Signature:
        old = self._of(person_key)
        assert old is not None
        signature = replace(
            old,
            listing=draft.listing,
            name=draft.name,
            country=draft.country,
            language=language,
            status=Status.PENDING,
            submitted_on=today,
            letter=letter,
        )
        self.rows[old.id] = (person_key, signature)
        self.digest_of.pop(old.id, None)  # reviewed again, on a new card
        return signature

    async def remove(self, person_key: str) -> bool:
        found = self._of(person_key)
        if found is None:
            return False
        del self.rows[found.id]
        # The row is gone, and with it its digest and its published day (a later signature
        # may get the same id, as SQLite reuses the highest rowid).
        self.digest_of.pop(found.id, None)
        self.published_ids.discard(found.id)
        return True

    async def count(self, *statuses: Status) -> int:
        return sum(1 for _, s in self.rows.values() if s.status in statuses)

    async def keep_under(self, person_key: str, letter: LetterShown) -> bool:
        found = self._of(person_key)
        if found is None or found.status is Status.REJECTED:
            return False
        signed_in = found.letter.language if found.letter is not None else found.language
        if signed_in != letter.language:
            return False
        self.rows[found.id] = (person_key, replace(found, letter=letter))
        self.told.pop(found.id, None)
        return True

    async def told_of(self, person_key: str, version: str) -> None:
        found = self._of(person_key)
        if found is not None:
            self.told[found.id] = version

    async def decide(
        self, signature_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None:
        found = self.rows.get(signature_id)
        if found is None or found[1].status is not Status.PENDING:
            return None
        key, signature = found
        self.rows[signature_id] = (key, replace(signature, status=status))
        return key, signature.language

    async def author_of(self, signature_id: int) -> str | None:
        found = self.rows.get(signature_id)
        return found[0] if found else None

    async def pending_of(self, person_key: str) -> list[int]:
        return [
            s.id
            for key, s in self.rows.values()
            if key == person_key and s.status is Status.PENDING
        ]

    async def reopen(self, signature_id: int, status: Status) -> bool:
        found = self.rows.get(signature_id)
        if found is None or found[1].status is not status:
            return False
        self.rows[signature_id] = (found[0], replace(found[1], status=Status.PENDING))
        self.published_ids.discard(signature_id)
        return True

    async def published(self, signature_id: int) -> bool:
        return signature_id in self.published_ids

    async def unpublish(self, signature_id: int) -> None:
        self.published_ids.discard(signature_id)


class FakeDigests:
    def __init__(self, signatures: FakeSignatures) -> None:
        self.signatures_store = signatures
        self.next_id = 1

    async def card_pending(self, size: int, now: int) -> list[tuple[int, list[Signature]]]:
        rows = self.signatures_store
        waiting = [
            s
            for number, (_, s) in sorted(rows.rows.items())
            if s.status is Status.PENDING and number not in rows.digest_of
        ]
        digests = []
        for start in range(0, len(waiting), size):
            chunk = waiting[start : start + size]
            for signature in chunk:
                rows.digest_of[signature.id] = self.next_id
            digests.append((self.next_id, chunk))
            self.next_id += 1
        return digests

    async def signatures(self, digest_id: int) -> list[Signature]:
        rows = self.signatures_store
        return [
            rows.rows[number][1]
            for number, digest in sorted(rows.digest_of.items())
            if digest == digest_id and number in rows.rows
        ]

    async def digest_of(self, signature_id: int) -> int | None:
        return self.signatures_store.digest_of.get(signature_id)

    async def pending(self) -> list[int]:
        rows = self.signatures_store
        return sorted(
            {
                digest
                for number, digest in rows.digest_of.items()
                if number in rows.rows and rows.rows[number][1].status is Status.PENDING
            }
        )

    async def unpublished(self, limit: int) -> list[Signature]:
        rows = self.signatures_store
        return [
            s
            for number, (_, s) in sorted(rows.rows.items())
            if s.status is Status.APPROVED and number not in rows.published_ids
        ][:limit]

    async def mark_published(self, signature_ids: list[int], today: dt.date) -> None:
        self.signatures_store.published_ids.update(signature_ids)

    async def approved(self) -> AsyncIterator[Signature]:
        for _, signature in sorted(self.signatures_store.rows.values(), key=lambda r: r[1].id):
            if signature.status is Status.APPROVED:
                yield signature


class FakeMessages:
    def __init__(self) -> None:
        self.rows: dict[int, tuple[str, Message]] = {}
        self.links: dict[int, str] = {}

    async def add(
        self, person_key: str, draft: MessageDraft, language: str, today: dt.date
    ) -> Message:
        number = max(self.rows, default=0) + 1
        message = Message(
            number,
            draft.kind,
            draft.text,
            draft.file_id,
            draft.listing,
            draft.name,
            draft.country,
            language,
            Status.PENDING,
            today,
        )
        self.rows[number] = (person_key, message)
        return message

    async def get(self, message_id: int) -> Message | None:
        found = self.rows.get(message_id)
        return found[1] if found else None

    async def pending_count(self, person_key: str) -> int:
        return len(await self.pending_of(person_key))

    async def of_person(self, person_key: str) -> list[Message]:
        return [m for key, m in self.rows.values() if key == person_key]

    async def forget(self, person_key: str) -> None:
        self.rows = {n: row for n, row in self.rows.items() if row[0] != person_key}

    async def decide(
        self, message_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None:
        found = self.rows.get(message_id)
        if found is None or found[1].status is not Status.PENDING:
            return None
        key, message = found
        self.rows[message_id] = (key, replace(message, status=status))
        return key, message.language

    async def pending(self) -> list[Message]:
        return [m for _, m in self.rows.values() if m.status is Status.PENDING]

    async def approved(self) -> list[Message]:
        return [m for _, m in self.rows.values() if m.status is Status.APPROVED]

    async def set_post_link(self, message_id: int, link: str) -> None:
        self.links[message_id] = link

    async def author_of(self, message_id: int) -> str | None:
        found = self.rows.get(message_id)
        return found[0] if found else None

    async def pending_of(self, person_key: str) -> list[int]:
        return [
            m.id
            for key, m in self.rows.values()
            if key == person_key and m.status is Status.PENDING
        ]

    async def reopen(self, message_id: int, status: Status) -> bool:
        found = self.rows.get(message_id)
        if found is None or found[1].status is not status:
            return False
        self.rows[message_id] = (found[0], replace(found[1], status=Status.PENDING))
        self.links.pop(message_id, None)
        return True


@dataclass
class FakeSendLog:
    sent: list[tuple[str, int]] = field(default_factory=list)

    async def sent_since(self, person_key: str, since: int) -> list[int]:
        return [at for key, at in self.sent if key == person_key and at > since]

    async def record(self, person_key: str, now: int) -> None:
        self.sent.append((person_key, now))

    async def forget(self, person_key: str) -> None:
        self.sent = [(key, at) for key, at in self.sent if key != person_key]


class FakeContacts:
    def __init__(self, signatures: FakeSignatures, messages: FakeMessages) -> None:
        self.ids: dict[str, int] = {}
        self._signatures = signatures
        self._messages = messages

    async def keep(self, person_key: str, telegram_id: int) -> None:
        self.ids[person_key] = telegram_id

    async def telegram_id(self, person_key: str) -> int | None:
        return self.ids.get(person_key)

    async def erase(self, person_key: str) -> None:
        self.ids.pop(person_key, None)

    async def release(self, person_key: str) -> None:
        if not (
            await self._signatures.pending_of(person_key)
            or await self._messages.pending_of(person_key)
        ):
            self.ids.pop(person_key, None)


@dataclass
class FakePeople:
    languages: dict[str, str] = field(default_factory=dict)
    lookups: int = 0

    async def language_of(self, person_key: str) -> str | None:
        self.lookups += 1
        return self.languages.get(person_key)

    async def choose_language(self, person_key: str, language: str) -> None:
        self.languages[person_key] = language

    async def forget(self, person_key: str) -> None:
        self.languages.pop(person_key, None)


@dataclass
class FakeChatLog:
    ids: list[tuple[str, int, int]] = field(default_factory=list)
    fail_on_forget: bool = False

    def record(self, person_key: str, message_id: int, now: int, mine: bool) -> None:
        self.ids.append((person_key, message_id, now))

    async def recent(self, person_key: str, now: int) -> list[int]:
        return [m for key, m, at in self.ids if key == person_key and at > now - 48 * 3600]

    async def older_of_mine(self, person_key: str, now: int) -> list[int]:
        return [m for key, m, at in self.ids if key == person_key and at <= now - 48 * 3600]

    async def forget(self, person_key: str) -> None:
        if self.fail_on_forget:
            raise OSError("disk full")
        self.ids = [row for row in self.ids if row[0] != person_key]


@dataclass
class FakeConversations:
    users: set[int] = field(default_factory=set)

    async def has_conversation(self, user_id: int) -> bool:
        return user_id in self.users

    async def forget_person(self, user_id: int) -> None:
        self.users.discard(user_id)


@dataclass
class FakeAudit:
    entries: list[tuple[ItemKind, int, Decision, str | None, str]] = field(default_factory=list)
    days: list[int] = field(default_factory=list)  # each entry's day, as day_of keeps it

    async def record(self, verdict: Verdict) -> None:
        self.entries.append(
            (
                verdict.kind,
                verdict.item_id,
                verdict.decision,
                verdict.reason.stored() if verdict.reason else None,
                verdict.moderator.name,
            )
        )
        self.days.append(day_of(verdict.at))

    async def last(self, kind: ItemKind, item_id: int) -> AuditEntry | None:
        for index in reversed(range(len(self.entries))):
            entry_kind, number, decision, reason, name = self.entries[index]
            if (entry_kind, number) == (kind, item_id) and decision not in NOT_DECISIONS:
                return AuditEntry(decision, Why.from_stored(reason), name, self.days[index])
        return None

    async def scrub(self, kind: ItemKind, item_id: int) -> None:
        self.entries = [
            (
                k,
                n,
                d,
                "other" if (k, n) == (kind, item_id) and (r or "").startswith("other:") else r,
                m,
            )
            for k, n, d, r, m in self.entries
        ]


@dataclass
class FakeBans:
    banned: set[str] = field(default_factory=set)

    async def ban(self, person_key: str, now: int) -> bool:
        if person_key in self.banned:
            return False
        self.banned.add(person_key)
        return True

    async def unban(self, person_key: str) -> bool:
        if person_key not in self.banned:
            return False
        self.banned.discard(person_key)
        return True

    async def keys(self) -> set[str]:
        return set(self.banned)

    async def is_banned(self, person_key: str) -> bool:
        return person_key in self.banned


@dataclass
class FakeOutbox:
    """Every item ever queued, by position (its id), and the `shown` rows each one wrote."""

    queued: list[tuple[str, Post, str | None]] = field(default_factory=list)
    sent: dict[int, int] = field(default_factory=dict)  # outbox position: Telegram's id
    dropped: set[int] = field(default_factory=set)
    not_before: dict[int, float] = field(default_factory=dict)
    shown: list[tuple[int, str, str, int]] = field(default_factory=list)  # id, chat, kind, item

    async def add(
        self, chat: str, post: Post, person_key: str | None = None, not_before: float = 0
    ) -> int:
        self.queued.append((chat, post, person_key))
        item_id = len(self.queued)
        self.not_before[item_id] = not_before
        self.shown.extend((item_id, chat, kind, number) for kind, number in post.shows)
        return item_id

    def is_queued(self, item_id: int) -> bool:
        return item_id not in self.sent and item_id not in self.dropped

    async def drop(self, item_id: int) -> bool:
        # As the repository does: the item's shown rows go, whether or not it was still queued.
        self.shown = [row for row in self.shown if row[0] != item_id]
        if not self.is_queued(item_id):
            return False
        self.dropped.add(item_id)
        self.not_before[item_id] = 0
        return True

    async def drop_about(self, person_key: str, about: tuple[str, int]) -> int:
        dropped = 0
        for number, (_, post, key) in enumerate(self.queued, start=1):
            if key == person_key and self.is_queued(number) and post.about == about:
                dropped += await self.drop(number)
        return dropped

    def deliver(self, item_id: int, message_id: int) -> None:
        self.sent[item_id] = message_id
        self.not_before[item_id] = 0

    async def forget_person(self, person_key: str) -> None:
        """Their queued items dropped and emptied, and their key off every item (positions,
        the items' ids, stay)."""
        for index, (chat, post, key) in enumerate(self.queued):
            if key != person_key:
                continue
            if self.is_queued(index + 1):
                self.dropped.add(index + 1)
                self.not_before[index + 1] = 0
                self.queued[index] = ("dropped", Post(Method.MESSAGE), None)
            else:
                self.queued[index] = (chat, post, None)

    async def backlog(self) -> int:
        return sum(1 for number in range(1, len(self.queued) + 1) if self.is_queued(number))

    def to(self, chat: str) -> list[Post]:
        """Everything ever queued for the chat, dropped items included."""
        return [post for to, post, _ in self.queued if to == chat]

    def live(self, chat: str) -> list[Post]:
        """What was queued for the chat and not dropped: sent, or still to be sent."""
        return [
            post
            for number, (to, post, _) in enumerate(self.queued, start=1)
            if to == chat and number not in self.dropped
        ]


@dataclass
class FakeShown:
    """The `shown` rows the fake outbox writes, read as the repository reads its table: a
    forgotten row is deleted, so a card or post queued later showing the item is found again."""

    outbox: FakeOutbox

    async def places(self, kind: str, item_id: int) -> list[Place]:
        outbox = self.outbox
        return [
            Place(number, chat, outbox.sent.get(number))
            for number, chat, shown_kind, shown_id in sorted(outbox.shown)
            if (shown_kind, shown_id) == (kind, item_id) and number not in outbox.dropped
        ]

    async def in_outbox(self, outbox_id: int) -> list[tuple[str, int]]:
        found = [(kind, n) for number, _, kind, n in self.outbox.shown if number == outbox_id]
        return sorted(found, key=lambda item: item[1])

    async def forget(self, kind: str, item_id: int) -> None:
        self.outbox.shown = [row for row in self.outbox.shown if row[2:] != (kind, item_id)]

    async def forget_in(self, chat: str, kind: str, item_id: int) -> None:
        self.outbox.shown = [row for row in self.outbox.shown if row[1:] != (chat, kind, item_id)]

    async def on_card(self, chat: str, message_id: int) -> list[tuple[str, int]]:
        outbox = self.outbox
        found = [
            (kind, n)
            for number, shown_chat, kind, n in outbox.shown
            if shown_chat == chat
            and outbox.sent.get(number) == message_id
            and number not in outbox.dropped
        ]
        return sorted(found, key=lambda item: item[1])


class FakeQuestions:
    """Open questions; like migration 8's triggers, one closes with its message."""

    def __init__(self, messages: FakeMessages) -> None:
        self.messages = messages
        self.rows: dict[int, tuple[str, Question, int]] = {}

    def _open(self) -> list[tuple[str, Question, int]]:
        return [
            row
            for row in self.rows.values()
            if (found := self.messages.rows.get(row[1].message_id)) is not None
            and found[1].status is Status.PENDING
        ]

    async def add(
        self, person_key: str, message_id: int, card_message_id: int, outbox_id: int
    ) -> int:
        number = max(self.rows, default=0) + 1
        self.rows[number] = (person_key, Question(number, message_id, card_message_id), outbox_id)
        return number

    async def replied(self, person_key: str, sent_message_id: int) -> Question | None:
        return None  # the fakes keep no Telegram message ids

    async def get(self, question_id: int) -> Question | None:
        return next((q for _, q, _ in self._open() if q.id == question_id), None)

    async def of_person(self, person_key: str) -> list[int]:
        return sorted({q.message_id for key, q, _ in self._open() if key == person_key})


@dataclass
class FakeState:
    values: dict[str, str] = field(default_factory=dict)

    async def get(self, key: str) -> str | None:
        return self.values.get(key)

    async def set(self, key: str, value: str) -> None:
        self.values[key] = value

    async def delete(self, key: str) -> None:
        self.values.pop(key, None)


class FakeStores:
    """Every store, as storage.Repositories has them, and transactions that roll back."""

    def __init__(self) -> None:
        self.signatures = FakeSignatures()
        self.digests = FakeDigests(self.signatures)
        self.messages = FakeMessages()
        self.send_log = FakeSendLog()
        self.contacts = FakeContacts(self.signatures, self.messages)
        self.people = FakePeople()
        self.chat_log = FakeChatLog()
        self.conversations = FakeConversations()
        self.audit = FakeAudit()
        self.bans = FakeBans()
        self.outbox = FakeOutbox()
        self.shown = FakeShown(self.outbox)
        self.state = FakeState()
        self.questions = FakeQuestions(self.messages)
        self.letters = FakeLetterVersions(self.signatures)
        self.transactions = 0
        self._depth = 0

    @property
    def db(self) -> FakeStores:
        return self

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self._depth:  # a nested transaction joins the outer one
            yield
            return
        self.transactions += 1
        stores = [getattr(self, name) for name in STORES]
        snapshot = [_data_of(store) for store in stores]
        self._depth += 1
        try:
            yield
        except BaseException:
            for store, data in zip(stores, snapshot, strict=True):
                vars(store).update(data)
            raise
        finally:
            self._depth -= 1


class FakeLetterVersions:
    """Every version seen per language, in order, and the current one (as letter_versions)."""

    def __init__(self, signatures: FakeSignatures) -> None:
        self.signatures = signatures
        self.seen: list[tuple[str, str, str]] = []  # language, version, text
        self.in_use: dict[str, str] = {}

    async def current(self) -> dict[str, str]:
        return dict(self.in_use)

    async def record(self, language: str, version: str, text: str, today: dt.date) -> None:
        if not any((lang, v) == (language, version) for lang, v, _ in self.seen):
            self.seen.append((language, version, text))
        self.in_use[language] = version

    def _amended(self, person_key: str, signature: Signature) -> Amended | None:
        if signature.status is Status.REJECTED:
            return None
        language = signature.letter.language if signature.letter else signature.language
        current = self.in_use.get(language)
        texts = {v: t for lang, v, t in self.seen if lang == language}
        if current is None or self.signatures.told.get(signature.id) == current:
            return None
        signed = signature.letter.version if signature.letter else None
        if signed == current or (signed is None and len(texts) < 2):
            return None
        old = texts.get(signed) if signed else next(iter(texts.values()))
        return Amended(language, signed, current, old, texts[current])

    async def ever_amended(self) -> bool:
        return len(self.seen) > len(self.in_use)

    async def outdated(self) -> list[str]:
        return [
            key for key, s in self.signatures.rows.values() if self._amended(key, s) is not None
        ]

    async def amended_for(self, person_key: str) -> Amended | None:
        signature = self.signatures._of(person_key)
        return self._amended(person_key, signature) if signature else None


STORES = (
    "signatures",
    "digests",
    "messages",
    "send_log",
    "contacts",
    "people",
    "chat_log",
    "conversations",
    "audit",
    "bans",
    "outbox",
    "shown",
    "state",
    "letters",
)


def _data_of(store: object) -> dict[str, Any]:
    """A copy of a store's own data (not of the other stores it refers to)."""
    return {
        name: copy.deepcopy(value)
        for name, value in vars(store).items()
        if isinstance(value, dict | list | set | int)
    }


class FakeRenderer:
    """Posts that say what they are, so that tests can tell them apart."""

    def message_card(self, message: Message) -> list[Post]:
        return [Post(Method.MESSAGE, f"card M{message.id}", shows=((MESSAGE, message.id),))]

    def digest_card(
        self, digest_id: int, signatures: list[Signature], changed: Sequence[int] = ()
    ) -> Post:
        note = "".join(f" (S{number} changed)" for number in changed)
        return Post(
            Method.MESSAGE,
            f"digest D{digest_id}: " + ",".join(f"S{s.id}" for s in signatures) + note,
            shows=((DIGEST, digest_id),),
        )

    def channel_post(self, message: Message) -> list[Post]:
        return [
            Post(
                Method.MESSAGE,
                f"post M{message.id}",
                follow_up=FollowUp.PUBLISHED,
                message_id=message.id,
                shows=((MESSAGE, message.id),),
            )
        ]

    def signature_digest(self, signatures: list[Signature]) -> list[Post]:
        return [
            Post(
                Method.MESSAGE,
                "signed: " + ",".join(f"S{s.id}" for s in signatures),
                shows=tuple((SIGNATURE, s.id) for s in signatures),
            )
        ]

    def removed_post(self) -> str:
        return "removed"

    def removed_card(self, reference: str) -> str:
        return f"{reference} removed"

    def milestone(self, count: int, goal: int | None = None, reached: bool = False) -> Post:
        of_goal = "" if goal is None else f" of {goal}" + (" reached" if reached else "")
        return Post(Method.MESSAGE, f"milestone {count}{of_goal}")

    def counter(self, count: int, goal: int | None = None) -> Post:
        of_goal = "" if goal is None else f" of {goal}"
        return Post(Method.MESSAGE, f"counter {count}{of_goal}", follow_up=FollowUp.COUNTER)

    def signature_notice(self, language: str, approved: bool, why: Why | None = None) -> Post:
        outcome = "approved" if approved else "no"
        return Post(
            Method.MESSAGE,
            f"{language}: signature {outcome} {why.stored() if why else ''}".strip(),
        )

    def message_notice(self, language: str, why: Why | None, link: str | None) -> Post:
        outcome = "approved" if why is None else why.stored()
        return Post(Method.MESSAGE, f"{language}: message {outcome} {link or ''}".strip())

    def banned_notice(self, language: str) -> Post:
        return Post(Method.MESSAGE, f"{language}: banned")


@dataclass
class FakeChannel:
    """The channel's direct calls; `refuse` makes the next ones fail as Telegram would."""

    pinned: list[int] = field(default_factory=list)
    edits: list[tuple[int, str]] = field(default_factory=list)
    refuse: bool = False

    async def pin(self, message_id: int) -> None:
        self._check()
        self.pinned.append(message_id)

    async def edit_text(self, message_id: int, text: str) -> None:
        self._check()
        self.edits.append((message_id, text))

    def _check(self) -> None:
        from bot.domain.ports import ChannelUnavailable

        if self.refuse:
            raise ChannelUnavailable("BadRequest")
