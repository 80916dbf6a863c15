"""Before any handler: duplicates, floods, banned people and edited messages are stopped here.

These run first, in their own handler group, and end an update's processing with
ApplicationHandlerStop; they cost a set look-up or two, no database work, except the record of
the update's id that makes a redelivered update harmless.
"""

from __future__ import annotations

import time

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.buttons import Button, ChooseLanguage, LetterLanguages, ReadLetter
from bot.context import BotContext
from bot.domain.flood import COOLDOWN

# What a banned person may still do: read the letter, choose a language, ask for help.
READING_COMMANDS = ("/start", "/letter", "/language", "/help")
READING_BUTTONS = (ReadLetter, LetterLanguages, ChooseLanguage)


def _reading(update: Update) -> bool:
    if update.callback_query is not None:
        return isinstance(Button.parse(update.callback_query.data), READING_BUTTONS)
    message = update.message
    text = message.text if message and message.text else ""
    return text.split(" ", 1)[0].split("@", 1)[0] in READING_COMMANDS


async def guard(update: Update, context: BotContext) -> None:
    """Stop duplicates, floods, banned people's submissions and edits before anything else."""
    data = context.bot_data
    if not data.seen.claim(update.update_id, int(time.time())):
        raise ApplicationHandlerStop  # delivered again after a crash: handled already
    user = update.effective_user
    if user is None or user.is_bot:
        return
    chat = update.effective_chat
    if chat is not None and chat.id == data.destinations.moderator_chat_id:
        return  # moderators at work (fifty digests in a row) are not a flood
    verdict = data.flood.admit(user.id, time.monotonic())
    if verdict is False:
        raise ApplicationHandlerStop
    private = chat is not None and chat.type == ChatType.PRIVATE
    if verdict is None:
        if private:
            t = data.i18n.get(data.i18n.resolve(None, user.language_code))
            await context.bot.send_message(
                user.id,
                t.gettext(
                    "You are sending a lot at once. The bot will listen to you again in "
                    "{seconds} seconds."
                ).format(seconds=t.number(int(COOLDOWN))),
            )
        raise ApplicationHandlerStop
    if private and context.person_key in data.services.moderation.banned and not _reading(update):
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop
    if private and update.edited_message is not None:
        t = data.i18n.get(data.i18n.resolve(None, user.language_code))
        await context.bot.send_message(
            user.id,
            t.gettext("Edits are not read. Please send it again as a new message."),
        )
        raise ApplicationHandlerStop
