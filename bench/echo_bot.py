"""The floor: a minimal python-telegram-bot echo bot against the same emulator.

python bench/echo_bot.py            # as the framework comes: httpx, one update at a time
python bench/echo_bot.py --tuned    # with what our bot uses: aiohttp requests, uvloop,
                                    # concurrent updates, batched polling
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.loop import loop_factory
from bot.request import AiohttpRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat is not None and update.effective_message is not None:
        await context.bot.send_message(
            update.effective_chat.id, update.effective_message.text or ""
        )


def main() -> None:
    tuned = "--tuned" in sys.argv
    base = os.environ["TELEGRAM_API_URL"]
    builder = (
        ApplicationBuilder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
    )
    if tuned:
        builder = (
            builder.request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connection_pool_size=2, read_timeout=15))
            .concurrent_updates(True)
        )
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    if tuned:
        factory = loop_factory()
        if factory is not None:
            asyncio.set_event_loop(factory())
    application.run_polling(poll_interval=0.02 if tuned else 0, timeout=10)


if __name__ == "__main__":
    main()
