"""The person's language: resolved before every handler, chosen with /language."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.buttons import ChooseLanguage
from bot.context import BotContext
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import button, keyboard, pressed, replace, say, two_a_row
from bot.i18n import LANGUAGES, native_name


async def resolve_language(update: Update, context: BotContext) -> None:
    """Settle this update's language: stored choice, else Telegram's, else the default.

    An inline query (typed in any chat, one a keystroke) takes the stored choice only when
    it is known without deriving the person's key or reading the database: when the person
    spoke to the bot lately."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    if update.inline_query is not None:
        key = context.bot_data.keys.cached(user.id)
        stored = context.services.languages.known(key) if key is not None else None
    else:
        stored = await context.services.languages.stored(context.person_key)
    context.use_language(context.bot_data.i18n.resolve(stored, user.language_code))


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        button(
            ("✓ " if language == current else "") + native_name(language), ChooseLanguage(language)
        )
        for language in LANGUAGES
    ]
    return keyboard(*two_a_row(buttons))


async def show_language_picker(update: Update, context: BotContext) -> None:
    """Show every language by its own name, the current one marked."""
    chat = update.effective_chat
    if update.callback_query is not None:
        await update.callback_query.answer()
    if chat is None:
        return
    t = context.i18n
    await say(
        update,
        context,
        t.gettext("Choose the language of the bot:"),
        markup=language_keyboard(t.language),
    )


async def choose_language(update: Update, context: BotContext) -> None:
    """Store the chosen language; the picker becomes the menu in it (no "✓" left on the old
    language)."""
    query = update.callback_query
    payload = pressed(update)
    if query is None or not isinstance(payload, ChooseLanguage):
        return
    if payload.language is None:
        await show_language_picker(update, context)
        return
    if payload.language not in LANGUAGES:
        await query.answer(context.i18n.gettext("This button is no longer valid."))
        return
    await context.services.languages.choose(context.person_key, payload.language)
    context.use_language(payload.language)
    t = context.i18n
    await query.answer()
    text = t.gettext("The bot now speaks {language}.").format(language=native_name(t.language))
    await replace(update, context, text, markup=menu_keyboard(t))
