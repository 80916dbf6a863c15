"""Handing out the letter: in the person's language, or in any other."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update

from bot.buttons import ReadLetter
from bot.context import BotContext
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import button, keyboard, pressed, say, two_a_row
from bot.handlers.share import share_button
from bot.i18n import native_name, negotiate

SHOWN_CODE = 16  # of an unknown language code, at most this much is said back


async def send_letter(update: Update, context: BotContext, language: str | None = None) -> None:
    """Send the letter in `language` (default: the person's), the menu under its last part."""
    chat = update.effective_chat
    if chat is None:
        return
    letters = context.bot_data.letters
    letter = letters.get(language if language in letters.languages else context.i18n.language)
    menu = menu_keyboard(context.i18n, share_button(context, letter.language))
    if update.effective_user is not None:  # what a signature from now on is given under
        context.services.amendments.read(context.person_key, letter.language)
    for index, part in enumerate(letter.parts):
        last = index == len(letter.parts) - 1
        await say(update, context, part, markup=menu if last else None)


async def letter_command(update: Update, context: BotContext) -> None:
    """Send the letter; `/letter fa` sends it in Persian."""
    await send_requested_letter(update, context, context.args[0] if context.args else None)


async def send_requested_letter(
    update: Update, context: BotContext, requested: str | None
) -> None:
    """The letter in the language asked for (fa, fa-IR, FA); in the person's, if none was
    asked for; if there is no letter in it, the languages there are."""
    languages = context.bot_data.letters.languages
    language = negotiate(requested, languages) if requested else None
    if requested and language is None:
        await list_languages(update, context, requested)
        return
    await send_letter(update, context, language)


async def list_languages(update: Update, context: BotContext, requested: str) -> None:
    """Say there is no letter in `requested`, and list those there are, with their codes."""
    t = context.i18n
    text = t.gettext(
        "There is no letter in “{code}”. It can be read in these languages (send /letter and "
        "the code, or choose below):"
    ).format(code=html.escape(requested[:SHOWN_CODE]))
    listed = [
        f"{native_name(language)}: <code>{language}</code>"
        for language in context.bot_data.letters.languages
    ]
    await say(
        update, context, "\n".join([text, "", *listed]), markup=letter_languages_keyboard(context)
    )


async def letter_button(update: Update, context: BotContext) -> None:
    """Send the letter in the language the button names (or the person's own)."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    payload = pressed(update)
    await send_letter(
        update, context, payload.language if isinstance(payload, ReadLetter) else None
    )


def letter_languages_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    buttons = [
        button(native_name(language), ReadLetter(language))
        for language in context.bot_data.letters.languages
    ]
    return keyboard(*two_a_row(buttons))


async def letter_languages(update: Update, context: BotContext) -> None:
    """Offer the letter in every language it has been translated into."""
    query = update.callback_query
    chat = update.effective_chat
    if query is not None:
        await query.answer()
    if chat is None:
        return
    t = context.i18n
    count = len(context.bot_data.letters.languages)
    text = t.ngettext(
        "The letter is available in {count} language. Choose one:",
        "The letter is available in {count} languages. Choose one:",
        count,
    ).format(count=t.number(count))
    await say(update, context, text, markup=letter_languages_keyboard(context))
