"""Telegram's sending limits for every call the bot makes.

PTB's AIORateLimiter pauses every request while one waits out a 429. Here only the call that
was told to wait waits, and the outbox (which passes rate_limit_args=0) is handed the 429 at
once: it reschedules the item itself, so a full moderator group never holds up replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
DEFAULT_RETRIES = 3
# Reads (getChatMember, getChat...) and answers to a person's own action (answerCallbackQuery)
# put nothing in a chat: Telegram's per-group limit is on messages, so these never queue
# behind the group's sends (a moderator's press is answered while twenty replies wait).
UNQUEUED = ("get", "answer")


class TelegramLimits(BaseRateLimiter[int]):
    def __init__(
        self, overall_per_second: int = 30, group_count: int = 20, group_window: float = 60.0
    ) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._group_count = group_count
        self._group_window = group_window
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _group(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._groups.get(chat_id)
        if limiter is None:
            if len(self._groups) > 10_000:
                self._groups.clear()
            limiter = AsyncLimiter(self._group_count, self._group_window)
            self._groups[chat_id] = limiter
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        retries = DEFAULT_RETRIES if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        if endpoint.startswith(UNQUEUED):
            group = False
        for attempt in range(retries + 1):
            async with contextlib.AsyncExitStack() as limits:
                if rate_limit_args == 0:
                    # Proactive sends (the outbox) share Telegram's ~30 a second; answers to
                    # people's own actions are not held to it, as Telegram does not.
                    await limits.enter_async_context(self._overall)
                if group and chat_id is not None:
                    await limits.enter_async_context(self._group(chat_id))
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    if attempt == retries:
                        raise
                    wait = error.retry_after
                    seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else wait
                    logger.info("Telegram asked to wait %s s before %s", seconds, endpoint)
            await asyncio.sleep(float(seconds) + 0.1)
        raise AssertionError("unreachable")
