"""The domain's ChannelClient: the counter post's pin and edits, straight to Telegram."""

from __future__ import annotations

from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.domain.ports import ChannelUnavailable


class TelegramChannel:
    def __init__(self, bot: ExtBot[int], channel_id: int | str) -> None:
        self._bot = bot
        self._channel_id = channel_id

    async def pin(self, message_id: int) -> None:
        try:
            await self._bot.pin_chat_message(
                self._channel_id, message_id, disable_notification=True
            )
        except TelegramError as error:
            raise ChannelUnavailable(type(error).__name__) from error

    async def edit_text(self, message_id: int, text: str) -> None:
        try:
            await self._bot.edit_message_text(text, self._channel_id, message_id)
        except TelegramError as error:
            raise ChannelUnavailable(type(error).__name__) from error
