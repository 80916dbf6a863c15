"""Answering in a chat: sending (and noting ids for /clear), buttons, and the keyboard helpers.

A press that leads to the next step shows it in place of the pressed message (one edit), not
as a new message under it with the old one's buttons taken off (two calls): the chat keeps
what a person should keep (the letter, the preview, the outcome), not a trail of spent
questions. When Telegram refuses the edit (the message is gone, or too old), the step goes out
as a new message instead.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.buttons import Answer, Button
from bot.context import BotContext

logger = logging.getLogger(__name__)
QUESTION = "question"  # in a conversation's draft: the id of the message asking its question
PREVIEW_SHOWN = "preview"  # ... and of the preview, whose buttons are taken off when it is left


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


async def replace(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Show `text` in place of the pressed message; a new message when the update is no
    press, when the pressed message is media (its buttons are taken off), or when Telegram
    refuses the edit."""
    pressed = pressed_message(update)
    query = update.callback_query
    if pressed is None or query is None:
        return await say(update, context, text, markup)
    if pressed.text is None:  # a photo, a voice message...: a caption is no question
        await close_keyboard(update)
        return await say(update, context, text, markup)
    try:
        edited = await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" in error.message:  # it shows this already
            return pressed
        logger.info("Sending the next step anew, the edit was refused: %s", error.message)
        return await say(update, context, text, markup)
    return edited if isinstance(edited, Message) else pressed


async def ask(
    update: Update,
    context: BotContext,
    draft: dict[str, Any],
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """A conversation's next question: in place of its current question when that is what
    was pressed, else a new message (after a typed answer, or a press elsewhere such as the
    menu under the letter, which stays). The message shown becomes the current question."""
    pressed = pressed_message(update)
    if pressed is not None and pressed.message_id == draft.get(QUESTION):
        shown = await replace(update, context, text, markup)
    else:
        shown = await say(update, context, text, markup)
    if shown is not None:
        draft[QUESTION] = shown.message_id
    return shown


def pressed_message(update: Update) -> Message | None:
    """The message whose button was just pressed (None for a message, or one too old to see)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message if isinstance(message, Message) else None


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


def command_word(text: str) -> str:
    """A message's first word as a command: `/Sign@CampaignBot now` is `/sign`."""
    words = text.split(maxsplit=1)
    return words[0].partition("@")[0].lower() if words else ""


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
    choice = await answer_of(update, kind)
    if choice is not None:
        await close_keyboard(update)
    return choice


async def answer_of(update: Update, kind: type[Confirmable]) -> Answer | None:
    """For a command or a press of `kind`: the press answered, and the answer given to the
    question, or None when the question is still to be asked (the buttons stay, for the
    outcome to replace)."""
    await answer(update)
    payload = pressed(update)
    return payload.answer if isinstance(payload, kind) else None


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
