"""A signer of an older text of the letter is told, once, on their next contact, what changed;
they keep their signature under the new text, or withdraw it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.buttons import Clear, Forget, KeepSignature, Withdraw
from bot.context import BotContext
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import answer, button, command_word, keyboard, pressed, replace, say
from bot.render.amendments import amendment_messages

logger = logging.getLogger(__name__)

# Someone cleaning up or reading how to stay safe may have a reason to: the notice ("since
# you signed it") waits for their next other update rather than land in a chat just cleaned.
DISCREET_COMMANDS = frozenset({"/safety", "/clear", "/forget"})
DISCREET_BUTTONS = (Clear, Forget)


def discreet(update: Update) -> bool:
    """A step of cleaning up (/clear, /forget, their buttons) or of /safety."""
    if update.callback_query is not None:
        return isinstance(pressed(update), DISCREET_BUTTONS)
    message = update.message or update.edited_message
    return message is not None and command_word(message.text or "") in DISCREET_COMMANDS


async def tell_of_amendment(update: Update, context: BotContext) -> None:
    """Before answering a signer of an older text: say once that it changed, and how."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot or chat is None or chat.type != ChatType.PRIVATE:
        return
    if discreet(update):
        return
    amendments = context.services.amendments
    if not amendments.may_be_outdated(context.person_key):  # nearly everyone: no query
        return
    amended = await amendments.take_amended(context.person_key)
    if amended is None:
        return
    t = context.i18n
    markup = keyboard(
        [
            button(
                t.gettext("Keep my signature"),
                KeepSignature(amended.language, amended.current_version),
            )
        ],
        [button(t.gettext("Withdraw"), Withdraw())],
        [button(t.gettext("Clear this chat"), Clear())],
    )
    parts = amendment_messages(t, amended)
    try:
        for index, part in enumerate(parts):
            await say(update, context, part, markup if index == len(parts) - 1 else None)
    except TelegramError as error:  # their own update is still answered below
        logger.warning("The amended letter could not be shown: %s", type(error).__name__)


async def keep_signature(update: Update, context: BotContext) -> None:
    """Keep the signature under the current text (never asked again about it)."""
    payload = pressed(update)
    if not isinstance(payload, KeepSignature):
        return
    t = context.i18n
    signature = await context.services.signing.signature_of(context.person_key)
    if signature is None:
        await answer(update)
        await replace(
            update, context, t.gettext("You have not signed the letter."), menu_keyboard(t)
        )
        return
    amendments = context.services.amendments
    if not await amendments.keep(context.person_key, payload.language, payload.version):
        await answer(update, t.gettext("This button is no longer valid."))
        return
    await answer(update)
    await replace(
        update,
        context,
        t.gettext("Your signature stays, under the current text of the letter."),
        menu_keyboard(t),
    )
