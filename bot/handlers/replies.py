"""Replies to cards and to the bot's questions: /edit and /ask, the author's answer, withdrawing.

A moderator replies to a message's card with `/edit <new text>` or `/ask <question>` (the text
on the same line or the next); the author replies to the bot's question in their private chat.
What the bot then sends on its own leaves through the outbox (see domain.dialogue); what it
answers the one who typed is said here.
"""

from __future__ import annotations

import html
from typing import NoReturn

from telegram import Message, MessageEntity, Update
from telegram.ext import ApplicationHandlerStop

from bot.buttons import Answer, WithdrawMessage
from bot.context import BotContext
from bot.domain.decisions import Moderator
from bot.domain.dialogue import (
    AuthorUnreachable,
    EmptyText,
    ItemDecided,
    ItemGone,
    NothingToEdit,
    QuestionClosed,
    TextTooLong,
    Unchanged,
)
from bot.domain.signatures import Status
from bot.handlers.menu import menu_keyboard
from bot.handlers.permissions import moderator_commanding
from bot.handlers.reply import confirmation, pressed, say, yes_no
from bot.render import cards
from bot.render.dialogue import QUESTION_MARK

# ------------------------------------------------------------------ the moderators


def _typed_after_command(message: Message) -> str:
    """What follows the command (`/edit@bot`), on its line or the next, as typed."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return text[entity.length :]  # a command is ASCII: UTF-16 units are characters
    return text.partition(" ")[2]


async def _tell(message: Message, text: str) -> None:
    await message.reply_text(text, protect_content=True)  # in the moderator group


async def _card(update: Update, context: BotContext, command: str) -> tuple[Message, int] | None:
    """The command's message and the message whose card it replies to; None once answered."""
    message = update.effective_message
    if message is None:
        return None
    replied = message.reply_to_message
    dialogue = context.services.dialogue
    message_id = await dialogue.message_on_card(replied.message_id) if replied else None
    if message_id is None:
        t = context.moderator_i18n
        await _tell(
            message,
            t.gettext("Reply to a message's card to use {command}.").format(command=command),
        )
        return None
    return message, message_id


async def _refuse(
    message: Message, context: BotContext, message_id: int, error: Exception
) -> None:
    """Say why an edit or a question was refused."""
    t = context.moderator_i18n
    if isinstance(error, ItemDecided) and error.previous is not None:
        # A moderator's name and typed reason: escaped, as this goes out as HTML.
        text = html.escape(cards.already(t, error.previous))
    elif isinstance(error, ItemDecided):
        text = t.gettext("#M{number} has already been decided.").format(number=message_id)
    elif isinstance(error, ItemGone):
        text = t.gettext("#M{number} is no longer stored: its author withdrew it.").format(
            number=message_id
        )
    elif isinstance(error, NothingToEdit):
        text = t.gettext("This message has no text to edit.")
    elif isinstance(error, TextTooLong):
        text = t.gettext(
            "The text is {length} characters long; the limit here is {limit}."
        ).format(length=t.number(error.length), limit=t.number(error.limit))
    elif isinstance(error, Unchanged):
        text = t.gettext("That is the text already.")
    else:  # AuthorUnreachable
        text = t.gettext("The author can no longer be reached.")
    await _tell(message, text)


Typed = tuple[Moderator, Message, int, str]


async def _typed(update: Update, context: BotContext, command: str) -> Typed | None:
    """A moderator's command replying to a card: who, the command, the message on the card
    and the text typed after the command; None once the command has been answered."""
    moderator = await moderator_commanding(update, context)
    if moderator is None:
        return None
    found = await _card(update, context, command)
    if found is None:
        return None
    message, message_id = found
    typed = _typed_after_command(message)
    if not typed.strip():
        t = context.moderator_i18n
        await _tell(
            message,
            t.gettext("Write the text after {command}, on the same line or the next.").format(
                command=command
            ),
        )
        return None
    return moderator, message, message_id, typed


async def edit(update: Update, context: BotContext) -> None:
    """/edit <new text>, replying to a card: the pending message's text is replaced."""
    found = await _typed(update, context, "/edit")
    if found is None:
        return
    moderator, message, message_id, typed = found
    try:
        await context.services.dialogue.edit(message_id, typed, moderator)
    except EmptyText:
        await _tell(message, context.moderator_i18n.gettext("The text has nothing visible in it."))
        return
    except (ItemDecided, ItemGone, NothingToEdit, TextTooLong, Unchanged) as error:
        await _refuse(message, context, message_id, error)
        return
    t = context.moderator_i18n
    await _tell(
        message,
        t.gettext(
            "Edited. The card shows the new text; the author is told, and can withdraw the "
            "message."
        ),
    )


async def ask(update: Update, context: BotContext) -> None:
    """/ask <question>, replying to a card: the author gets it from the bot."""
    found = await _typed(update, context, "/ask")
    if found is None:
        return
    moderator, message, message_id, typed = found
    replied = message.reply_to_message
    assert replied is not None  # _card found the card it replies to
    try:
        await context.services.dialogue.ask(message_id, replied.message_id, typed, moderator)
    except EmptyText:
        await _tell(message, context.moderator_i18n.gettext("The text has nothing visible in it."))
        return
    except (ItemDecided, ItemGone, TextTooLong, AuthorUnreachable) as error:
        await _refuse(message, context, message_id, error)
        return
    t = context.moderator_i18n
    await _tell(
        message,
        t.gettext(
            "The question is on its way to the author. Their answer will come here, as a reply "
            "to the card."
        ),
    )


# ------------------------------------------------------------------ the author


async def answer_question(update: Update, context: BotContext) -> None:
    """A reply to the bot's question goes to the moderators; anything else goes on by.

    It comes before the conversations: an answer typed in the middle of one is an answer,
    not the conversation's next step, which stays where it was.
    """
    message = update.effective_message
    replied = message.reply_to_message if message else None
    if message is None or replied is None or replied.from_user is None:
        return
    if replied.from_user.id != context.bot.id:
        return
    t = context.i18n
    dialogue = context.services.dialogue
    question = await dialogue.open_question(context.person_key, replied.message_id)
    if question is None:
        if not (replied.text or "").startswith(QUESTION_MARK):
            return  # a reply to another of the bot's messages: not an answer
        await _closed(update, context)
    if message.text is None:
        await say(update, context, t.gettext("Please answer with a text message."))
        raise ApplicationHandlerStop
    try:
        await dialogue.answer(question, message.text)
    except QuestionClosed:
        await _closed(update, context)
    except EmptyText:
        await say(update, context, t.gettext("That answer has nothing visible in it."))
        raise ApplicationHandlerStop from None
    except TextTooLong as error:
        text = t.gettext(
            "Your text is {length} characters long; the limit is {limit}. Please shorten "
            "it and send it again."
        ).format(length=t.number(error.length), limit=t.number(error.limit))
        await say(update, context, text)
        raise ApplicationHandlerStop from None
    await say(
        update, context, t.gettext("Thank you. Your answer has been passed on to the moderators.")
    )
    raise ApplicationHandlerStop


async def _closed(update: Update, context: BotContext) -> NoReturn:
    t = context.i18n
    await say(
        update,
        context,
        t.gettext(
            "The question is closed: the moderators have decided on that message, or it is no "
            "longer stored."
        ),
    )
    raise ApplicationHandlerStop


async def withdraw_message(update: Update, context: BotContext) -> None:
    """Withdraw one's message: asked first, then removed with its cards (and post)."""
    choice = await confirmation(update, WithdrawMessage)
    payload = pressed(update)
    if not isinstance(payload, WithdrawMessage):
        return
    t = context.i18n
    dialogue = context.services.dialogue
    number = t.number(payload.message_id)
    if choice is Answer.NO:
        await say(update, context, t.gettext("Your message stays."), menu_keyboard(t))
        return
    mine = await dialogue.message_of(context.person_key, payload.message_id)
    if choice is Answer.YES and mine is not None:
        if await dialogue.withdraw(context.person_key, payload.message_id):
            text = t.gettext("Your message {number} has been withdrawn.").format(number=number)
            await say(update, context, text, menu_keyboard(t))
            return
        mine = None  # withdrawn or forgotten meanwhile
    if mine is None:
        await say(
            update, context, t.gettext("That message is no longer stored."), menu_keyboard(t)
        )
        return
    if mine.status is Status.APPROVED:
        question = t.gettext(
            "Withdraw your message {number}? Its post in the channel and its card for the "
            "moderators are deleted."
        )
    else:
        question = t.gettext(
            "Withdraw your message {number}? It will not be published, and its card for the "
            "moderators is deleted."
        )
    markup = yes_no(
        (t.gettext("Withdraw my message"), WithdrawMessage(payload.message_id, Answer.YES)),
        (t.gettext("Keep it"), WithdrawMessage(payload.message_id, Answer.NO)),
    )
    await say(update, context, question.format(number=number), markup)
