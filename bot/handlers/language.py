"""The person's language: resolved before every handler, chosen with /language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers import callback_data
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import say
from bot.i18n import LANGUAGES, native_name


async def resolve_language(update: Update, context: BotContext) -> None:
    """Settle this update's language: stored choice, else Telegram's, else the default."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    data = context.bot_data
    key = data.keys.of(user.id)
    context.person_key = key
    stored = data.language_cache.get(key)
    if stored is None:
        stored = await context.repos.people.language_of(key) or ""
        data.remember_language(key, stored)
    context.use_language(data.i18n.resolve(stored or None, user.language_code))


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            ("✓ " if language == current else "") + native_name(language),
            callback_data=callback_data.build(callback_data.LANGUAGE_PICKER, language),
        )
        for language in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


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
    """Store the chosen language and send the menu again in it."""
    query = update.callback_query
    user = update.effective_user
    chat = update.effective_chat
    if query is None or user is None or chat is None:
        return
    payload = callback_data.parse(query.data)
    if payload is None or payload.argument is None:
        await show_language_picker(update, context)
        return
    if payload.argument not in LANGUAGES:
        await query.answer(context.i18n.gettext("This button is no longer valid."))
        return
    key = context.bot_data.keys.of(user.id)
    await context.repos.people.choose_language(key, payload.argument)
    context.bot_data.remember_language(key, payload.argument)
    context.use_language(payload.argument)
    t = context.i18n
    await query.answer()
    text = t.gettext("The bot now speaks {language}.").format(language=native_name(t.language))
    await say(update, context, text, markup=menu_keyboard(t))
