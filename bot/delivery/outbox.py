"""The outbox worker: delivers what the bot sends on its own, within Telegram's limits.

Items are written to the outbox in the same transaction as the change that causes them. The
worker sends them oldest first, pacing each chat; on 429 it waits `retry_after`, on 5xx and
time-outs it backs off, on 403 it drops what was queued for that person, and on a group
migration it moves to the new id. It records Telegram's message id and closes the item in
one statement, so a restart delivers what is still queued and nothing twice, except in one
window: a crash after Telegram accepted a send and before that statement ran sends it again.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram import Message as TelegramMessage
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

from bot.storage import Repositories
from bot.storage.moderation import OutboxItem

logger = logging.getLogger(__name__)

MODERATORS = "moderators"
CHANNEL = "channel"
MAX_BACKOFF = 300.0


@dataclass(frozen=True)
class Rates:
    """Telegram's limits (../shared/TELEGRAM.md): sends per window."""

    private_per_second: int = 1
    group_count: int = 20
    group_window: float = 60.0
    overall_per_second: int = 30


class Pacer:
    def __init__(self, rates: Rates) -> None:
        self.rates = rates
        self._sent: dict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._all: collections.deque[float] = collections.deque()
        self._blocked_until: dict[str, float] = {}

    def _window(self, chat: str) -> tuple[int, float]:
        if chat in (MODERATORS, CHANNEL):
            return self.rates.group_count, self.rates.group_window
        return self.rates.private_per_second, 1.0

    def wait(self, chat: str, now: float) -> float:
        """Seconds until `chat` may be sent to (0 when now)."""
        waits = [self._blocked_until.get(chat, 0.0) - now]
        count, window = self._window(chat)
        sent = self._sent[chat]
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) >= count:
            waits.append(sent[0] + window - now)
        waits.append(self.overall_wait(now))
        return max(0.0, *waits)

    def sent(self, chat: str, now: float) -> None:
        self._sent[chat].append(now)
        self._all.append(now)

    def overall_wait(self, now: float) -> float:
        """Seconds until anything at all may be sent (Telegram's overall limit)."""
        while self._all and self._all[0] <= now - 1.0:
            self._all.popleft()
        if len(self._all) >= self.rates.overall_per_second:
            return self._all[0] + 1.0 - now
        return 0.0

    def held(self, now: float) -> dict[str, float]:
        """The chats that must wait now, with how long; forgets chats long quiet."""
        found: dict[str, float] = {}
        for chat in list(self._sent):
            wait = self.wait(chat, now)
            if wait > 0:
                found[chat] = wait
            elif not self._sent[chat]:
                del self._sent[chat]  # one entry per person ever notified would only grow
        for chat, until in list(self._blocked_until.items()):
            if until > now:
                found[chat] = max(found.get(chat, 0.0), until - now)
            else:
                del self._blocked_until[chat]
        return found

    def block(self, chat: str, until: float) -> None:
        self._blocked_until[chat] = until


AfterDelivery = Callable[[OutboxItem, TelegramMessage], Awaitable[None]]


class OutboxWorker:
    def __init__(
        self,
        bot: ExtBot[int],
        repos: Repositories,
        resolve: Callable[[str], Awaitable[int | str]],
        migrated: Callable[[int, int], Awaitable[None]],
        after_delivery: AfterDelivery,
        rates: Rates,
    ) -> None:
        self._bot = bot
        self._repos = repos
        self._resolve = resolve
        self._migrated = migrated
        self._after = after_delivery
        self._pacer = Pacer(rates)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
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
        items = await self._repos.outbox.due(now, held=list(held))
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
            if len(items) == 100:
                next_wake = 0.0
        upcoming = await self._repos.outbox.next_due()
        if upcoming is not None:
            next_wake = min(next_wake, max(0.0, upcoming - time.time()))
        return max(next_wake, 0.01)

    async def _deliver(self, item: OutboxItem) -> None:
        outbox = self._repos.outbox
        now = time.time()
        try:
            target = await self._resolve(item.chat)
            sent = await self._send(target, item.payload)
        except RetryAfter as error:
            retry = _seconds(error.retry_after)
            self._pacer.block(item.chat, now + retry)
            await outbox.postpone(item.id, now + retry, attempt=False)
            logger.info("Outbox item %s: 429, retrying in %.0f s", item.id, retry)
            return
        except ChatMigrated as error:
            old = await self._resolve(item.chat)
            await self._migrated(int(old), int(error.new_chat_id))
            logger.warning("The moderator group moved to %s; sending there", error.new_chat_id)
            return
        except Forbidden:
            dropped = await outbox.drop_chat(item.chat)
            for person_key in set(dropped):
                await self._repos.contacts.erase(person_key)
            logger.info(
                "Outbox item %s: the person blocked the bot; dropped %s", item.id, len(dropped)
            )
            return
        except (TimedOut, NetworkError) as error:
            if isinstance(error, BadRequest):
                await outbox.fail(item.id)
                logger.error("Outbox item %s refused by Telegram: %s", item.id, error)
                return
            backoff = min(MAX_BACKOFF, 2.0 ** min(item.attempts, 8))
            await outbox.postpone(item.id, now + backoff, attempt=True)
            logger.info(
                "Outbox item %s: %s, retrying in %.0f s", item.id, type(error).__name__, backoff
            )
            return
        except TelegramError as error:
            await outbox.fail(item.id)
            logger.error("Outbox item %s failed: %s", item.id, type(error).__name__)
            return
        self._pacer.sent(item.chat, time.time())
        async with self._repos.db.transaction():
            await outbox.delivered(item.id, sent.message_id, scrub=item.chat.lstrip("-").isdigit())
            await self._after(item, sent)

    async def _send(self, chat: int | str, payload: dict[str, Any]) -> TelegramMessage:
        bot = self._bot
        markup = _markup(payload.get("buttons"))
        method = payload["method"]
        caption = payload.get("caption")
        if method == "message":
            return await bot.send_message(
                chat, payload["text"], reply_markup=markup, rate_limit_args=0
            )
        if method == "photo":
            return await bot.send_photo(
                chat, payload["file_id"], caption=caption, reply_markup=markup
            )
        if method == "voice":
            return await bot.send_voice(
                chat, payload["file_id"], caption=caption, reply_markup=markup
            )
        if method == "video":
            return await bot.send_video(
                chat, payload["file_id"], caption=caption, reply_markup=markup
            )
        if method == "video_note":
            return await bot.send_video_note(
                chat, payload["file_id"], reply_markup=markup, rate_limit_args=0
            )
        raise ValueError(f"unknown outbox method {method}")


def _markup(rows: list[list[list[str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def _seconds(value: Any) -> float:
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)
