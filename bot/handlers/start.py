"""/start, deep links, /help, and what the bot says to anything it does not understand."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.domain.links import START_PREFIX, parse_start
from bot.handlers.letter import send_letter, send_requested_letter
from bot.handlers.menu import help_text, menu_keyboard
from bot.handlers.reply import say
from bot.handlers.share import LETTER_LINK_PREFIX


async def start(update: Update, context: BotContext) -> None:
    """Greet the person and send the letter; `?start=letter-fa` sends the Persian letter.

    A named link (`s-NAME`, `s-NAME-fa` with the Persian letter) is counted when it is
    registered; any other parameter is a plain /start and counts nothing.
    """
    chat = update.effective_chat
    if chat is None:
        return
    payload = context.args[0] if context.args else ""
    if payload.startswith(LETTER_LINK_PREFIX):
        await send_requested_letter(update, context, payload.removeprefix(LETTER_LINK_PREFIX))
        return
    if payload.startswith(START_PREFIX):
        link = parse_start(payload, context.bot_data.letters.languages)
        counted = link is not None and await context.services.links.started(
            context.person_key, link
        )
        if counted and link is not None and link.language is not None:
            await send_requested_letter(update, context, link.language)
            return
    t = context.i18n
    await say(
        update,
        context,
        t.gettext(
            "Welcome. This bot shares the open letter “People of the world!”: here it is. "
            "With the buttons under it you can sign the letter (with your name, your first "
            "name and initial, or anonymously), send a message of solidarity, which the "
            "moderators read before it is published, read the letter in another language, or "
            "change the language of the bot."
        )
        + "\n\n"
        + t.gettext("/mydata shows what the bot stores about you; /forget deletes it.")
        + " "
        + t.gettext("Before you sign, read how to stay safe: /safety"),
    )
    await send_letter(update, context)


async def show_help(update: Update, context: BotContext) -> None:
    """List the commands; the answer to anything the bot does not understand."""
    chat = update.effective_chat
    if chat is None:
        return
    await say(update, context, help_text(context.i18n), markup=menu_keyboard(context.i18n))


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a press on a button this version does not know (old or forged)."""
    query = update.callback_query
    if query is not None:
        await query.answer(context.i18n.gettext("This button is no longer valid."))
