"""Sharing the letter: `@bot` typed in any chat offers it (inline mode), and the Share button
that opens Telegram's chat picker with that query filled in."""

from __future__ import annotations

import logging
from urllib.parse import quote

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    SwitchInlineQueryChosenChat,
    Update,
)
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import Translator
from bot.render.share import QUERY_LIMIT, languages_for, preview

logger = logging.getLogger(__name__)

LETTER_LINK_PREFIX = "letter-"  # ?start=letter-fa opens the bot with the Persian letter

# Telegram keeps an answer this many seconds (per person, when it is personal): a person
# typing, letter by letter, costs the bot one answer per query they have not typed before.
CACHE_TIME = 300


def letter_link(context: BotContext, language: str) -> str:
    """The deep link that opens the bot with the letter in `language`."""
    return f"https://t.me/{context.bot.username}?start={LETTER_LINK_PREFIX}{language}"


def share_button(context: BotContext, language: str) -> InlineKeyboardButton:
    """Share the letter in `language`: Telegram's chat picker, the inline query filled in
    (where inline mode is on), else Telegram's share page with the link."""
    t = context.i18n
    label = t.gettext("Share the letter")
    if context.bot.supports_inline_queries:
        chosen = SwitchInlineQueryChosenChat(
            query=language,
            allow_user_chats=True,
            allow_group_chats=True,
            allow_channel_chats=True,
        )
        return InlineKeyboardButton(label, switch_inline_query_chosen_chat=chosen)
    link = quote(letter_link(context, language), safe="")
    return InlineKeyboardButton(label, url=f"https://t.me/share/url?url={link}")


def article(context: BotContext, language: str) -> InlineQueryResultArticle:
    """The letter in `language` as a result: its title and opening, and a button (in that
    language) that opens the bot with the whole letter."""
    shown = preview(context.bot_data.letters.get(language))
    t: Translator = context.bot_data.i18n.get(language)
    read = InlineKeyboardButton(t.gettext("Read and sign"), url=letter_link(context, language))
    return InlineQueryResultArticle(
        id=f"letter-{language}",
        title=shown.title,
        description=shown.description,
        input_message_content=InputTextMessageContent(shown.message),
        reply_markup=InlineKeyboardMarkup([[read]]),
    )


async def share_letter(update: Update, context: BotContext) -> None:
    """Offer the letter in the sharer's language first, then in the others the query names."""
    query = update.inline_query
    if query is None:
        return
    languages = languages_for(
        query.query[:QUERY_LIMIT], context.bot_data.letters.languages, context.i18n.language
    )
    try:
        await query.answer(
            [article(context, language) for language in languages],
            cache_time=CACHE_TIME,
            # The order puts the sharer's language first: theirs alone, unless one is asked for.
            is_personal=len(languages) > 1,
        )
    except TelegramError as error:
        # Too late (the person typed on), or refused: nothing to tell anyone. What was typed
        # is not logged.
        logger.info("An inline query was not answered: %s: %s", type(error).__name__, error)
