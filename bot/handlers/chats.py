"""Groups and channels: `/chatid` tells an organiser the id to put in the settings."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext


async def chat_id(update: Update, context: BotContext) -> None:
    """Answer with this chat's id, and nothing else."""
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat.id, f"<code>{chat.id}</code>")
