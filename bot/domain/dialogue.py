"""Moderators and an author, through the bot: an edit before approval, a question and its answer.

Neither side learns the other's account: the author reads the bot, the moderators read the
bot's "#M12 · the author answers: …". What is sent goes through the outbox, with the change
that causes it. Only a pending message can be edited or asked about; its questions close with
it (at the decision, when it is withdrawn or forgotten).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.domain.decisions import AuditEntry, Decision, ItemKind, Moderator, Verdict
from bot.domain.effects import MESSAGE, MODERATORS, Method, Post
from bot.domain.messages import MAX_CAPTION, MAX_TEXT, Kind, Message, visible_text
from bot.domain.ports import WithAudit, WithContacts, WithDb, WithOutbox, WithShown
from bot.domain.signatures import Status
from bot.domain.unpublish import Unpublisher

MAX_QUESTION = 1000  # the question and its sentence fit one message in every language


@dataclass(frozen=True)
class Question:
    """An open question: the message asked about, and the card its answers go under."""

    id: int
    message_id: int
    card_message_id: int


class ItemGone(Exception):
    """The message is no longer stored: its author withdrew it or asked to be forgotten."""


class ItemDecided(Exception):
    """The message has been decided: it can no longer be edited or asked about."""

    def __init__(self, previous: AuditEntry | None) -> None:
        super().__init__(previous)
        self.previous = previous


class NothingToEdit(Exception):
    """The message has no text (a video message, a photo without a caption)."""


class EmptyText(Exception):
    """Nothing visible was typed."""


class TextTooLong(Exception):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(length, limit)
        self.length = length
        self.limit = limit


class Unchanged(Exception):
    """The new text is the text already stored."""


class AuthorUnreachable(Exception):
    """The author's Telegram id is no longer kept (they blocked the bot)."""


class QuestionClosed(Exception):
    """The question's message was decided, withdrawn or forgotten."""


def typed_text(text: str, limit: int) -> str:
    """What a person typed, cleaned as supporters' texts are; raises when empty or too long."""
    cleaned = visible_text(text).strip()
    if not cleaned:
        raise EmptyText
    if len(cleaned) > limit:
        raise TextTooLong(len(cleaned), limit)
    return cleaned


def text_limit(kind: Kind) -> int:
    return MAX_TEXT if kind is Kind.TEXT else MAX_CAPTION


class EditableMessages(Protocol):
    async def get(self, message_id: int) -> Message | None: ...

    async def author_of(self, message_id: int) -> str | None: ...

    async def replace_text(self, message_id: int, text: str) -> Message | None: ...

    async def remove(self, message_id: int, person_key: str) -> bool: ...


class QuestionStore(Protocol):
    async def add(
        self, person_key: str, message_id: int, card_message_id: int, outbox_id: int
    ) -> int: ...

    async def replied(self, person_key: str, sent_message_id: int) -> Question | None: ...

    async def get(self, question_id: int) -> Question | None: ...

    async def of_person(self, person_key: str) -> list[int]: ...


class WithQuestions(Protocol):
    @property
    def questions(self) -> QuestionStore: ...


class WithEditableMessages(Protocol):
    @property
    def messages(self) -> EditableMessages: ...


class DialogueStores(
    WithDb,
    WithEditableMessages,
    WithQuestions,
    WithContacts,
    WithOutbox,
    WithShown,
    WithAudit,
    Protocol,
):
    """The stores an edit, a question and an answer work on."""


class DialogueRenderer(Protocol):
    def edited_card(self, message: Message, moderator: str) -> list[Post]:
        """The message's card posts, the one with the buttons saying who edited it."""
        ...

    def edit_notice(self, message: Message) -> Post:
        """The author is told, in their language, the new text, with a withdraw button."""
        ...

    def question(self, message: Message, question: str) -> Post: ...

    def answer(self, message_id: int, answer: str, card_message_id: int) -> Post: ...


class DialogueService:
    def __init__(
        self,
        stores: DialogueStores,
        posts: DialogueRenderer,
        unpublish: Unpublisher,
        wake: Callable[[], None],
    ) -> None:
        self.stores = stores
        self.posts = posts
        self.unpublish = unpublish
        self.wake = wake

    async def message_on_card(self, card_message_id: int) -> int | None:
        """The message a card in the moderator group shows (None: not a message's card)."""
        for kind, number in await self.stores.shown.on_card(MODERATORS, card_message_id):
            if kind == MESSAGE:
                return number
        return None

    async def _pending(self, message_id: int) -> Message:
        message = await self.stores.messages.get(message_id)
        if message is None:
            raise ItemGone
        if message.status is not Status.PENDING:
            raise ItemDecided(await self.stores.audit.last(ItemKind.MESSAGE, message_id))
        return message

    async def _audit(self, message_id: int, act: Decision, moderator: Moderator) -> None:
        verdict = Verdict(ItemKind.MESSAGE, message_id, act, None, moderator, int(time.time()))
        await self.stores.audit.record(verdict)

    async def _reach(self, message_id: int) -> tuple[str, str]:
        """The author's key and their chat (their Telegram id, kept while pending)."""
        person_key = await self.stores.messages.author_of(message_id)
        telegram_id = await self.stores.contacts.telegram_id(person_key) if person_key else None
        if person_key is None or telegram_id is None:
            raise AuthorUnreachable
        return person_key, str(telegram_id)

    # ------------------------------------------------------------------ editing

    async def edit(self, message_id: int, text: str, moderator: Moderator) -> Message:
        """Replace a pending message's text: its cards show it, its author is told."""
        stores = self.stores
        async with stores.db.transaction():
            message = await self._pending(message_id)
            if message.text is None:
                raise NothingToEdit
            cleaned = typed_text(text, text_limit(message.kind))
            if cleaned == message.text:
                raise Unchanged
            edited = await stores.messages.replace_text(message_id, cleaned)
            if edited is None:  # decided meanwhile
                raise ItemDecided(await stores.audit.last(ItemKind.MESSAGE, message_id))
            await self._audit(message_id, Decision.EDITED, moderator)
            await self._recard(edited, moderator)
            try:
                person_key, chat = await self._reach(message_id)
            except AuthorUnreachable:
                pass  # they blocked the bot: nothing reaches them, the edit stands
            else:
                await stores.outbox.add(chat, self.posts.edit_notice(edited), person_key)
        self.wake()
        return edited

    async def _recard(self, message: Message, moderator: Moderator) -> None:
        """Every card showing the message shows the edited text (a queued one is queued again).

        A card is one post or a few (a video message, then the text with the buttons); the
        places showing the message come card after card, in the order of its posts.
        """
        posts = self.posts.edited_card(message, moderator.name)
        places = [
            place
            for place in await self.stores.shown.places(MESSAGE, message.id)
            if place.chat == MODERATORS
        ]
        outbox = self.stores.outbox
        for start in range(0, len(places), len(posts)):
            for place, post in zip(places[start : start + len(posts)], posts, strict=False):
                if place.queued:
                    await outbox.drop(place.outbox_id)
                    await outbox.add(MODERATORS, post)
                elif post.text is not None:
                    edit = replace(
                        post,
                        method=Method.EDIT,
                        file_id=None,
                        follow_up=None,
                        message_id=None,
                        shows=(),
                        target=place.message_id,
                    )
                    await outbox.add(MODERATORS, edit)

    # ------------------------------------------------------------------ questions

    async def ask(
        self, message_id: int, card_message_id: int, question: str, moderator: Moderator
    ) -> None:
        """Send the author a moderator's question about a pending message."""
        stores = self.stores
        cleaned = typed_text(question, MAX_QUESTION)
        async with stores.db.transaction():
            message = await self._pending(message_id)
            person_key, chat = await self._reach(message_id)
            outbox_id = await stores.outbox.add(
                chat, self.posts.question(message, cleaned), person_key
            )
            await stores.questions.add(person_key, message_id, card_message_id, outbox_id)
            await self._audit(message_id, Decision.ASKED, moderator)
        self.wake()

    async def open_question(self, person_key: str, replied_to: int) -> Question | None:
        """The open question the person replies to (the bot's message `replied_to`)."""
        return await self.stores.questions.replied(person_key, replied_to)

    async def answer(self, question: Question, text: str) -> None:
        """The author's answer goes under the question's card, as the bot's text."""
        cleaned = typed_text(text, MAX_TEXT)
        stores = self.stores
        async with stores.db.transaction():
            if await stores.questions.get(question.id) is None:
                raise QuestionClosed  # decided or withdrawn since it was found
            post = self.posts.answer(question.message_id, cleaned, question.card_message_id)
            await stores.outbox.add(MODERATORS, post)
        self.wake()

    async def questions_of(self, person_key: str) -> list[int]:
        """The messages the person has open questions about (for /mydata)."""
        return await self.stores.questions.of_person(person_key)

    # ------------------------------------------------------------------ withdrawing

    async def message_of(self, person_key: str, message_id: int) -> Message | None:
        """The person's own message, or None (not theirs, or no longer stored)."""
        if await self.stores.messages.author_of(message_id) != person_key:
            return None
        return await self.stores.messages.get(message_id)

    async def withdraw(self, person_key: str, message_id: int) -> bool:
        """Remove one of the person's messages, with its cards and post, as /forget does."""
        stores = self.stores
        async with stores.db.transaction():
            if not await stores.messages.remove(message_id, person_key):
                return False
            await self.unpublish.message(message_id)
            await stores.contacts.release(person_key)
        return True
