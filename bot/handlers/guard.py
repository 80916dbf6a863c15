"""Before any handler: duplicates, floods and banned people are stopped here, and the person's
key is settled for the handlers after it.

These run first, in their own handler group, and end an update's processing with
ApplicationHandlerStop; they cost a set look-up or two, no database work, except the record of
the update's id that makes a redelivered update harmless, and (on a person's first contact
since start) the key's derivation in a thread and, while old keys are left, their re-keying.
"""

from __future__ import annotations

import time

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.buttons import (
    Button,
    ChooseLanguage,
    Clear,
    Forget,
    KeepSignature,
    LetterLanguages,
    ReadLetter,
    Withdraw,
    WithdrawMessage,
)
from bot.context import BotContext
from bot.domain.flood import COOLDOWN

# What a banned person may still do: read the letter, choose a language, ask for help, and
# use their privacy rights (see, withdraw and delete what is stored, clear the chat; keep a
# signature under an amended letter, or withdraw it).
ALLOWED_COMMANDS = (
    *("/start", "/letter", "/language", "/help"),
    *("/mydata", "/forget", "/clear", "/withdraw"),
)
ALLOWED_BUTTONS = (
    *(ReadLetter, LetterLanguages, ChooseLanguage),
    *(Withdraw, WithdrawMessage, Forget, Clear, KeepSignature),
)


def _allowed_when_banned(update: Update) -> bool:
    if update.callback_query is not None:
        return isinstance(Button.parse(update.callback_query.data), ALLOWED_BUTTONS)
    message = update.message
    text = message.text if message and message.text else ""
    return text.split(" ", 1)[0].split("@", 1)[0] in ALLOWED_COMMANDS


async def guard(update: Update, context: BotContext) -> None:
    """Stop duplicates, floods and banned people's submissions before anything else."""
    data = context.bot_data
    if update.inline_query is not None:
        # Typed in any chat, a query a keystroke: its id is not recorded (a database write
        # each; answering one twice is harmless, Telegram refuses the second answer), and
        # it has a gate of its own, so that typing cannot mute the person's private chat.
        if not data.inline_flood.admit(update.inline_query.from_user.id, time.monotonic()):
            raise ApplicationHandlerStop
        return
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
    if not private:
        return
    # Derived here, off the event loop, for every handler after this one (the first contact
    # of a person costs about 40 ms of CPU; a returning one, a dictionary look-up).
    person_key = await context.settle_person_key()
    if person_key in data.services.moderation.banned and not _allowed_when_banned(update):
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop
    # An edit goes on: to the conversation under way (an edit of what its draft holds is
    # taken), or to the answer any other edit gets (see handlers.edits).
