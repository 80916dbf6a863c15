"""Named links: a person who came by one and goes on from the first screen is counted."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.buttons import (
    ChooseLanguage,
    LetterLanguages,
    ReadLetter,
    StartMessage,
    StartSigning,
)
from bot.context import BotContext
from bot.handlers.reply import command_word, pressed

# Going on from the first screen: a button under the letter (reading another language among
# them), or the commands that do what those buttons do.
BUTTONS = (StartSigning, StartMessage, ReadLetter, LetterLanguages, ChooseLanguage)
COMMANDS = frozenset({"/sign", "/letter", "/message", "/language"})


def goes_on(update: Update) -> bool:
    if update.callback_query is not None:
        return isinstance(pressed(update), BUTTONS)
    message = update.message
    if message is None or not message.text:
        return False
    command = command_word(message.text)
    return command in COMMANDS or (command == "/start" and message.text.split()[1:] == ["sign"])


async def count_going_on(update: Update, context: BotContext) -> None:
    """Count "read" for the link the person came by, if they came by one (memory only)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or update.effective_user is None:
        return
    if goes_on(update):
        await context.services.links.went_on(context.person_key)
