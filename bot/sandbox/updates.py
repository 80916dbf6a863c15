"""Getting updates: long polling with offsets and allowed_updates, redelivery, webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import re
from urllib.parse import urlsplit

import aiohttp

from bot.sandbox.base import EmulatorState
from bot.sandbox.params import Params
from bot.sandbox.world import JSON, ApiError, bad_request

UPDATE_TYPES = {
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "inline_query",
    "my_chat_member",
    "chat_member",
}


class UpdateMethods(EmulatorState):
    def replay(self, update_id: int) -> JSON:
        """Deliver an update again, as Telegram does when the bot died before confirming it."""
        update = self._history.get(update_id)
        if update is None:
            raise bad_request("no such update")
        self._updates.appendleft(update)
        self._new_update.set()
        return update

    @property
    def pending_update_count(self) -> int:
        return len(self._updates)

    async def get_updates(self, params: Params) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset")
        limit = params.integer("limit") or 100
        if not 1 <= limit <= 100:
            limit = 100
        timeout = max(0, params.integer("timeout") or 0)
        allowed = params.decoded("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = set(allowed) if allowed else None
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if offset is not None:
                self._confirm(offset)
            ready = [u for u in self._updates if self._allowed(u)][:limit]
            if ready or loop.time() >= deadline or self.closed:
                for observer in self.observers:
                    observer.handed_over(ready)
                return ready
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - loop.time())
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
            return
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()

    def _allowed(self, update: JSON) -> bool:
        allowed = self.allowed_updates
        if allowed is None:
            allowed = UPDATE_TYPES - {"chat_member"}
        return any(kind in update for kind in allowed)

    async def set_webhook(self, params: Params) -> bool:
        url = params.string("url") or ""
        if not url:
            return await self.delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise bad_request("bad webhook: the emulator delivers only to loopback addresses")
        secret = params.string("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        allowed = params.decoded("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = set(allowed) if allowed else None
        self.webhook = {"url": url, "secret_token": secret, "last_error": None}
        self._poll_generation += 1
        self._new_update.set()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        return True

    async def delete_webhook(self, params: Params) -> bool:
        self.webhook = None
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return True

    async def get_webhook_info(self, params: Params) -> JSON:
        hook = self.webhook or {}
        info: JSON = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if hook.get("last_error"):
            info["last_error_message"] = hook["last_error"]
            info["last_error_date"] = int(self.clock.now())
        return info

    async def _deliver_to_webhook(self) -> None:
        backoff = 0.05
        async with aiohttp.ClientSession() as session:
            while self.webhook is not None:
                ready = [u for u in self._updates if self._allowed(u)]
                if not ready:
                    self._new_update.clear()
                    await self._new_update.wait()
                    continue
                update = ready[0]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(
                        self.webhook["url"],
                        json=update,
                        headers=headers,
                        timeout=aiohttp.ClientTimeout(total=10),
                    ) as response:
                        ok = 200 <= response.status < 300
                        error = f"Wrong response from the webhook: {response.status}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    ok, error = False, f"Connection failed: {type(exc).__name__}"
                if ok:
                    backoff = 0.05
                    self._confirm(update["update_id"] + 1)
                else:
                    self.webhook["last_error"] = error
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
