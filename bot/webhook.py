"""The webhook's HTTP server (`run --webhook`): Telegram's POSTs in, updates onto the queue.

Our own aiohttp route rather than python-telegram-bot's tornado server, which answers a body
that is not JSON with a 500 and a traceback, and logs a body that is not an update in full
(a person's message, at CRITICAL). Here every refused request gets one line, without its body.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.request import trim_pressed

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes


class WebhookServer:
    def __init__(
        self,
        bot: Bot,
        queue: asyncio.Queue[Any],
        listen: str,
        port: int,
        path: str,
        secret: str | None,
    ) -> None:
        self.bot = bot
        self.queue = queue
        self.listen = listen
        self.port = port
        self.path = "/" + path.strip("/")
        self.secret = secret
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self.receive)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if self.secret is not None and not hmac.compare_digest(
            given.encode("utf-8"), self.secret.encode("utf-8")
        ):
            logger.warning("Webhook request refused: the secret token is missing or wrong")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            logger.warning("Webhook request refused: its body is not JSON")
            return web.Response(status=400)
        update = _update(data, self.bot)
        if update is None:
            logger.warning("Webhook request refused: its body is not an update")
            return web.Response(status=400)
        await self.queue.put(update)
        return web.Response(status=200)


def _update(data: object, bot: Bot) -> Update | None:
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    trim_pressed([data])  # as from getUpdates (bot/request.py)
    try:
        return Update.de_json(data, bot)
    except Exception:  # whatever the shape: the request is refused, nothing logged of it
        return None
