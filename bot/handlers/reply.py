"""Sending in a private chat, remembering message ids for /clear (48 hours at most)."""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.context import BotContext
from bot.handlers import callback_data


async def say(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send `text` (Telegram HTML) to the update's chat."""
    chat = update.effective_chat
    if chat is None:
        return None
    message = await context.bot.send_message(chat.id, text, reply_markup=markup)
    await remember(context, message)
    return message


async def remember(context: BotContext, message: Message) -> None:
    """Note the id of a message sent in the person's private chat, for /clear."""
    if context.person_key is not None and message.chat.type == ChatType.PRIVATE:
        context.repos.chat_log.record(
            context.person_key, message.message_id, int(message.date.timestamp())
        )


async def remember_incoming(update: Update, context: BotContext) -> None:
    """Note the id of what the person sent, so /clear can delete it too."""
    message = update.effective_message
    if message is None or context.person_key is None:
        return
    context.repos.chat_log.record(
        context.person_key, message.message_id, int(message.date.timestamp())
    )


def pressed(update: Update) -> str | None:
    """The argument of the button just pressed (None for a message, or no argument)."""
    query = update.callback_query
    payload = callback_data.parse(query.data if query is not None else None)
    return payload.argument if payload is not None else None


def yes_no(yes: str, no: str, kind: str) -> InlineKeyboardMarkup:
    """Two buttons, for a question that needs a confirmation: `kind:yes` and `kind:no`."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(yes, callback_data=callback_data.build(kind, "yes"))],
            [InlineKeyboardButton(no, callback_data=callback_data.build(kind, "no"))],
        ]
    )


async def answer(update: Update, text: str | None = None) -> None:
    """Answer a button press (the client spins until it is answered)."""
    if update.callback_query is not None:
        await update.callback_query.answer(text)


async def close_keyboard(update: Update) -> None:
    """Take the buttons off the pressed message, so it cannot be pressed twice."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    with contextlib.suppress(BadRequest):  # already without buttons, or too old to edit
        await query.edit_message_reply_markup(None)
