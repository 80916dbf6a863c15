"""Groups and channels: which chat is the moderator group; `/chatid` for the organiser."""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters

from bot.context import BotContext, BotData


class ModeratorChat(filters.UpdateFilter):
    """Updates from the moderator group, wherever it is now (it moves when upgraded)."""

    def __init__(self, data: BotData) -> None:
        super().__init__(name="ModeratorChat")
        self.data = data

    def filter(self, update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and chat.id == self.data.destinations.moderator_chat_id


async def chat_id(update: Update, context: BotContext) -> None:
    """Answer with this chat's id, and nothing else: the id to put in the settings."""
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat.id, f"<code>{chat.id}</code>")
