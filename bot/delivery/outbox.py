"""The outbox worker: delivers what the bot sends on its own, within Telegram's limits.

Items are written to the outbox in the same transaction as the change that causes them. The
worker sends them oldest first, pacing each chat; on 429 it waits `retry_after`, on 5xx and
time-outs it backs off, on 403 it drops what was queued for that person, and on a group
migration it moves to the new id. It records Telegram's message id and closes the item in
one statement, so a restart delivers what is still queued and nothing twice, except in one
window: a crash after Telegram accepted a send and before that statement ran sends it again.
It knows outbox items and their follow-ups, nothing of moderation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Collection
from typing import Any, Protocol

from telegram import Message as TelegramMessage
from telegram import ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot

from bot.delivery.destinations import Destinations
from bot.delivery.keyboards import markup
from bot.delivery.pacer import Pacer, Rates
from bot.delivery.topics import Topics, topic_of
from bot.domain.effects import MODERATORS, Method, OutboxItem, Post
from bot.domain.ports import Transactions

logger = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
BATCH = 100


class OutboxQueue(Protocol):
    async def due(
        self, now: float, limit: int = BATCH, held: Collection[str] = ()
    ) -> list[OutboxItem]: ...

    async def next_due(self) -> float | None: ...

    async def delivered(self, item_id: int, message_id: int, scrub: bool) -> None: ...

    async def postpone(self, item_id: int, not_before: float, attempt: bool) -> None: ...

    async def fail(self, item_id: int) -> None: ...

    async def drop_chat(self, chat: str) -> list[str]: ...


class AfterDelivery(Protocol):
    async def delivered(self, item: OutboxItem, sent_id: int) -> None: ...

    async def failed(self, item: OutboxItem) -> None: ...

    async def blocked(self, person_keys: set[str]) -> None: ...


class OutboxWorker:
    def __init__(
        self,
        bot: ExtBot[int],
        queue: OutboxQueue,
        db: Transactions,
        destinations: Destinations,
        topics: Topics,
        after: AfterDelivery,
        rates: Rates,
        wake: asyncio.Event,
    ) -> None:
        self._bot = bot
        self._queue = queue
        self._db = db
        self._destinations = destinations
        self._topics = topics
        self._after = after
        self._pacer = Pacer(rates)
        # Set by whoever queues something: look at the queue now, not at the next round.
        self._wake = wake
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look at the queue now (what was queued is due), rather than at the next round."""
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Finish the send in progress, then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                pause = await self.deliver_due()
            except Exception:
                logger.exception("Outbox round failed; trying again shortly")
                pause = 5.0
            if self._stopping:
                break
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause)

    async def deliver_due(self) -> float:
        """Send what is due now; return how long to sleep before the next round."""
        now = time.time()
        overall = self._pacer.overall_wait(now)
        if overall > 0:
            return overall
        # Chats that must wait are left out of the query, so a long queue for the moderator
        # group (20 a minute) is not read again at every wake-up.
        held = self._pacer.held(now)
        items = await self._queue.due(now, held=list(held))
        next_wake = min(30.0, *held.values()) if held else 30.0
        blocked: set[str] = set()
        for item in items:
            if self._stopping:
                return 0.0
            if item.chat in blocked:
                continue  # keep a chat's items in order
            wait = self._pacer.wait(item.chat, time.time())
            if wait > 0:
                blocked.add(item.chat)
                next_wake = min(next_wake, wait)
                continue
            await self._deliver(item)
            if len(items) == BATCH:
                next_wake = 0.0
        upcoming = await self._queue.next_due()
        if upcoming is not None:
            next_wake = min(next_wake, max(0.0, upcoming - time.time()))
        return max(next_wake, 0.01)

    async def _deliver(self, item: OutboxItem) -> None:
        queue = self._queue
        now = time.time()
        try:
            target = await self._destinations.resolve(item.chat)
            sent = await self._send(target, item.post, moderators=item.chat == MODERATORS)
        except RetryAfter as error:
            retry = _seconds(error.retry_after)
            self._pacer.block(item.chat, now + retry)
            await queue.postpone(item.id, now + retry, attempt=False)
            logger.info("Outbox item %s: 429, retrying in %.0f s", item.id, retry)
            return
        except ChatMigrated as error:
            await self._destinations.moved(int(error.new_chat_id))
            logger.warning("The moderator group moved to %s; sending there", error.new_chat_id)
            return
        except Forbidden:
            dropped = await queue.drop_chat(item.chat)
            await self._after.blocked(set(dropped))
            logger.info(
                "Outbox item %s: the person blocked the bot; dropped %s", item.id, len(dropped)
            )
            return
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest):
                await self._fail(item)
                logger.error("Outbox item %s refused by Telegram: %s", item.id, error)
                return
            backoff = min(MAX_BACKOFF, 2.0 ** min(item.attempts, 8))
            await queue.postpone(item.id, now + backoff, attempt=True)
            logger.info(
                "Outbox item %s: %s, retrying in %.0f s", item.id, type(error).__name__, backoff
            )
            return
        except TelegramError as error:
            await self._fail(item)
            logger.error("Outbox item %s failed: %s", item.id, type(error).__name__)
            return
        self._pacer.sent(item.chat, time.time())
        async with self._db.transaction():
            await queue.delivered(item.id, sent, scrub=item.private)
            await self._after.delivered(item, sent)

    async def _fail(self, item: OutboxItem) -> None:
        """Close a refused item and undo what waited for it, in one transaction."""
        async with self._db.transaction():
            await self._queue.fail(item.id)
            await self._after.failed(item)

    async def _send(self, chat: int | str, post: Post, moderators: bool) -> int:
        """Send (or edit, or delete) the post; Telegram's id of the message it is. What goes
        to the moderators is protected from being forwarded or saved (the moderators' cards:
        a moderator's account that is taken over cannot pass submissions on; an edited
        message keeps it) and goes to its topic, where the group has topics."""
        if post.method is Method.EDIT and post.target is not None:
            await self._edit(chat, post.target, post.text or "", post)
            return post.target
        if post.method is Method.DELETE and post.target is not None:
            await self._delete(chat, post.target, post.text or "")
            return post.target
        if not moderators:
            return (await self._new(chat, post, False)).message_id

        async def send(thread: int | None) -> TelegramMessage:
            return await self._new(chat, post, True, thread)

        return (await self._topics.send(topic_of(post), send)).message_id

    async def _edit(self, chat: int | str, target: int, text: str, post: Post) -> None:
        try:
            await self._bot.edit_message_text(
                text, chat, target, reply_markup=markup(post.buttons)
            )
        except BadRequest as error:
            if "not modified" in error.message:
                return  # already so: an identical edit is done
            if "no text" not in error.message:
                raise
            await self._bot.edit_message_caption(
                chat, target, caption=text, reply_markup=markup(post.buttons)
            )

    async def _delete(self, chat: int | str, target: int, fallback: str) -> None:
        """Delete the message; where Telegram refuses (too old, no right), blank it instead."""
        try:
            await self._bot.delete_message(chat, target)
            return
        except BadRequest as error:
            logger.info("A post could not be deleted (%s); editing it instead", error.message)
        try:
            await self._edit(chat, target, fallback, Post(Method.EDIT))
        except BadRequest as error:
            if "not found" in error.message:
                return  # gone already
            raise

    async def _new(
        self, chat: int | str, post: Post, protect: bool, thread: int | None = None
    ) -> TelegramMessage:
        bot = self._bot
        buttons = markup(post.buttons)
        if post.method is Method.MESSAGE:
            # A reply to a message deleted meanwhile is sent as a plain message.
            reply = (
                ReplyParameters(post.reply_to, allow_sending_without_reply=True)
                if post.reply_to is not None
                else None
            )
            return await bot.send_message(
                chat,
                post.text or "",
                reply_markup=buttons,
                protect_content=protect,
                message_thread_id=thread,
                reply_parameters=reply,
                rate_limit_args=0,
            )
        if post.method is Method.VIDEO_NOTE:
            return await bot.send_video_note(
                chat,
                post.file_id or "",
                reply_markup=buttons,
                protect_content=protect,
                message_thread_id=thread,
                rate_limit_args=0,
            )
        media, caption = post.file_id or "", post.text
        if post.method is Method.PHOTO:
            return await bot.send_photo(
                chat,
                media,
                caption=caption,
                reply_markup=buttons,
                protect_content=protect,
                message_thread_id=thread,
            )
        if post.method is Method.VOICE:
            return await bot.send_voice(
                chat,
                media,
                caption=caption,
                reply_markup=buttons,
                protect_content=protect,
                message_thread_id=thread,
            )
        return await bot.send_video(
            chat,
            media,
            caption=caption,
            reply_markup=buttons,
            protect_content=protect,
            message_thread_id=thread,
        )


def _seconds(value: Any) -> float:
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)
