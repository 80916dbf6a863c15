"""The moderator group's topics: digest cards, message cards and reports, each in its own.

Where the group is a forum (getChat's is_forum) and the bot may manage topics there
(can_manage_topics), the bot creates a topic for signatures, one for messages and one for its
other posts (reports), when it first needs each; their ids are kept in the state store, so a
restart reuses them. A topic someone deleted is created again at the next send. Anywhere else
(no forum, no right) everything goes to the main chat, as before; a group that moves (to a
supergroup: a new id) is looked at anew.
Checked at start, whenever the group moves, and every ten minutes while off; edits and deletes
need no topic.
"""

from __future__ import annotations

import asyncio
import logging
import time
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
# While topics are off, how often the group is looked at again (an owner who read the log
# line and turned topics on, or gave the right, need not restart the bot).
RECHECK = 600.0

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
        self._checked_at = 0.0
        self._enabled = False
        self._said = ""  # the last verdict logged
        # One creation at a time: the outbox and the error handler may both need a topic.
        self._lock = asyncio.Lock()

    def _key(self, chat_id: int, topic: str) -> str:
        return f"topic:{chat_id}:{topic}"

    async def check(self) -> None:
        """Is the group a forum where the bot may create topics? Said in one log line, and
        again only when the answer changes.

        Time-outs and 429 propagate (the check is made again at the next send); a refusal
        leaves everything in the main chat."""
        chat_id = self._destinations.moderator_chat_id
        self._checked = None
        try:
            chat = await self._bot.get_chat(chat_id)
            member = await self._bot.get_chat_member(chat_id, self._bot.id)
        except (BadRequest, Forbidden) as error:
            self._settle(
                chat_id, False, f"the moderator group could not be read ({error.message})"
            )
            return
        may_manage = isinstance(member, ChatMemberOwner) or (
            isinstance(member, ChatMemberAdministrator) and bool(member.can_manage_topics)
        )
        if not chat.is_forum:
            why = "the moderator group has no topics (not a forum)"
            self._settle(chat_id, False, why, level=logging.INFO)  # as most groups are
        elif not may_manage:
            why = (
                "the bot may not manage topics in the moderator group (give it the "
                "administrator right Manage topics)"
            )
            self._settle(chat_id, False, why)
        else:
            self._settle(chat_id, True, "")

    def _settle(self, chat_id: int, enabled: bool, why: str, level: int = logging.WARNING) -> None:
        self._checked, self._checked_at, self._enabled = chat_id, time.monotonic(), enabled
        line = (
            "Topics: on, signatures, messages and reports go to their own topics in the "
            "moderator group"
            if enabled
            else f"Topics: off, {why}; everything goes to its main chat"
        )
        if line != self._said:
            self._said = line
            logger.log(logging.INFO if enabled else level, "%s", line)

    async def thread(self, topic: str) -> int | None:
        """The topic's thread id in the moderator group, created if need be; None: main chat."""
        async with self._lock:
            stale = time.monotonic() - self._checked_at > RECHECK
            if self._checked != self._destinations.moderator_chat_id or (
                stale and not self._enabled
            ):
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
                self._settle(chat_id, False, f"Telegram refused a topic ({error.message})")
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
