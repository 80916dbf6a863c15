"""Answering in a chat: sending (and noting ids for /clear), buttons, and the keyboard helpers."""

from __future__ import annotations

import contextlib
from typing import Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.buttons import Answer, Button
from bot.context import BotContext


async def say(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send `text` (Telegram HTML) to the update's chat (protected in the moderator group)."""
    chat = update.effective_chat
    if chat is None:
        return None
    message = await context.bot.send_message(
        chat.id, text, reply_markup=markup, protect_content=in_moderator_group(context, chat.id)
    )
    remember(context, message)
    return message


def in_moderator_group(context: BotContext, chat_id: int) -> bool:
    """Is this the moderator group? What the bot sends there cannot be forwarded or saved."""
    return chat_id == context.bot_data.destinations.moderator_chat_id


def remember(context: BotContext, message: Message) -> None:
    """Note the id of a message sent in the person's private chat, for /clear."""
    if message.chat.type == ChatType.PRIVATE:
        context.services.privacy.remember(
            context.person_key, message.message_id, int(message.date.timestamp()), mine=True
        )


async def remember_incoming(update: Update, context: BotContext) -> None:
    """Note the id of what the person sent, so /clear can delete it too."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    context.services.privacy.remember(
        context.person_key, message.message_id, int(message.date.timestamp()), mine=False
    )


def pressed(update: Update) -> Button | None:
    """The payload of the button just pressed (None for a message, or a payload unknown)."""
    query = update.callback_query
    return Button.parse(query.data) if query is not None else None


def button(text: str, payload: Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=payload.pack())


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(list(rows))


def two_a_row(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def yes_no(yes: tuple[str, Button], no: tuple[str, Button]) -> InlineKeyboardMarkup:
    """Two buttons, one a row, for a question that needs a confirmation."""
    return keyboard([button(*yes)], [button(*no)])


class Confirmable(Protocol):
    """A yes-or-no payload (Withdraw, Forget, Clear): no answer yet means "ask"."""

    @property
    def answer(self) -> Answer | None: ...


async def confirmation(update: Update, kind: type[Confirmable]) -> Answer | None:
    """For a command or a press of `kind`: the press answered, and the answer given to the
    question (its buttons taken off), or None when the question is still to be asked."""
    await answer(update)
    payload = pressed(update)
    choice = payload.answer if isinstance(payload, kind) else None
    if choice is not None:
        await close_keyboard(update)
    return choice


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
