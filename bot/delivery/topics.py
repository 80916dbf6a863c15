"""The moderator group's topics: digest cards, message cards and reports, each in its own.

Where the group is a forum (getChat's is_forum) and the bot may manage topics there
(can_manage_topics), the bot creates a topic for signatures, one for messages and one for its
other posts (reports), when it first needs each; their ids are kept in the state store, so a
restart reuses them. A topic someone deleted is created again at the next send. Anywhere else
(no forum, no right, a group that has moved) everything goes to the main chat, as before.
Checked at start and whenever the group moves; edits and deletes need no topic.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import ChatMemberAdministrator, ChatMemberOwner
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from bot.delivery.destinations import Destinations
from bot.domain.effects import DIGEST, MESSAGE, SIGNATURE, Post
from bot.domain.ports import StateStore
from bot.i18n import N_

logger = logging.getLogger(__name__)
T = TypeVar("T")

SIGNATURES, MESSAGES, REPORTS = "signatures", "messages", "reports"
# The topics' names, in the moderators' language.
TOPIC_NAMES = {
    SIGNATURES: N_("Signatures"),
    MESSAGES: N_("Messages"),
    REPORTS: N_("Reports"),
}


def topic_of(post: Post) -> str:
    """The topic a post to the moderators belongs in, by what it shows."""
    kinds = {kind for kind, _ in post.shows}
    if kinds & {DIGEST, SIGNATURE}:
        return SIGNATURES
    if MESSAGE in kinds:
        return MESSAGES
    return REPORTS


def thread_gone(error: BadRequest) -> bool:
    """Telegram's answer to a send into a topic that no longer exists."""
    message = error.message.lower()
    return "thread not found" in message or "topic_deleted" in message


class Topics:
    def __init__(
        self,
        bot: ExtBot[int],
        state: StateStore,
        destinations: Destinations,
        translate: Callable[[str], str],
    ) -> None:
        self._bot = bot
        self._state = state
        self._destinations = destinations
        self._translate = translate
        self._checked: int | None = None  # the group's id when it was last checked
        self._enabled = False
        # One creation at a time: the outbox and the error handler may both need a topic.
        self._lock = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        return self._enabled

    def _key(self, chat_id: int, topic: str) -> str:
        return f"topic:{chat_id}:{topic}"

    async def check(self) -> None:
        """Is the group a forum where the bot may create topics? Said in one log line.

        Time-outs and 429 propagate (the check is made again at the next send); a refusal
        leaves everything in the main chat."""
        chat_id = self._destinations.moderator_chat_id
        self._checked = None
        try:
            chat = await self._bot.get_chat(chat_id)
            member = await self._bot.get_chat_member(chat_id, self._bot.id)
        except (BadRequest, Forbidden) as error:
            self._checked, self._enabled = chat_id, False
            logger.warning(
                "Topics: off, the moderator group could not be read (%s); "
                "everything goes to its main chat",
                error.message,
            )
            return
        self._checked = chat_id
        may_manage = isinstance(member, ChatMemberOwner) or (
            isinstance(member, ChatMemberAdministrator) and bool(member.can_manage_topics)
        )
        self._enabled = bool(chat.is_forum) and may_manage
        if not chat.is_forum:
            logger.info(
                "Topics: off, the moderator group has no topics (not a forum); "
                "everything goes to its main chat"
            )
        elif not may_manage:
            logger.warning(
                "Topics: off, the bot may not manage topics in the moderator group (give it "
                "the administrator right Manage topics and restart); everything goes to its "
                "main chat"
            )
        else:
            logger.info(
                "Topics: on, signatures, messages and reports go to their own topics in the "
                "moderator group"
            )

    async def thread(self, topic: str) -> int | None:
        """The topic's thread id in the moderator group, created if need be; None: main chat."""
        async with self._lock:
            if self._checked != self._destinations.moderator_chat_id:
                await self.check()
            if not self._enabled:
                return None
            chat_id = self._destinations.moderator_chat_id
            stored = await self._state.get(self._key(chat_id, topic))
            if stored:
                return int(stored)
            try:
                created = await self._bot.create_forum_topic(
                    chat_id, self._translate(TOPIC_NAMES[topic])
                )
            except BadRequest as error:
                self._enabled = False
                logger.warning(
                    "Topics: off, Telegram refused to create a topic (%s); everything goes "
                    "to the main chat of the moderator group",
                    error.message,
                )
                return None
            await self._state.set(self._key(chat_id, topic), str(created.message_thread_id))
            logger.info("Topics: created the %s topic in the moderator group", topic)
            return created.message_thread_id

    async def lost(self, topic: str, thread_id: int) -> None:
        """The topic was deleted: the next send creates it again."""
        key = self._key(self._destinations.moderator_chat_id, topic)
        if await self._state.get(key) == str(thread_id):
            await self._state.set(key, "")
            logger.info("Topics: the %s topic was deleted; creating it again", topic)

    async def send(self, topic: str, send: Callable[[int | None], Awaitable[T]]) -> T:
        """`send(thread)` into the topic (None: the main chat); where someone deleted the
        topic, create it again and send there, so nothing is lost."""
        thread = await self.thread(topic)
        try:
            return await send(thread)
        except BadRequest as error:
            if thread is None or not thread_gone(error):
                raise
        await self.lost(topic, thread)
        return await send(await self.thread(topic))
