"""How a person is listed under what they send: shared by signing and by messages."""

from __future__ import annotations

import html
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.domain.countries import country_name, search_countries
from bot.domain.names import NameProblem
from bot.domain.signatures import Status
from bot.handlers import callback_data
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import answer, close_keyboard, say
from bot.i18n import N_, Translator

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, int]]

NAME_PROBLEMS = {
    NameProblem.TOO_SHORT: N_("That name is too short: use at least 2 characters."),
    NameProblem.TOO_LONG: N_("That name is too long: use at most 64 characters."),
    NameProblem.LINK: N_("A name cannot contain a link."),
    NameProblem.MENTION: N_("A name cannot contain an @username."),
    NameProblem.INVISIBLE: N_(
        "That name contains invisible characters (such as zero-width spaces or direction "
        "marks) that could disguise it. Please type it again without them."
    ),
    NameProblem.CONTROL: N_("A name must be on a single line, without control characters."),
    NameProblem.NO_LETTERS: N_("A name needs at least one letter."),
}


class Draft:
    """A conversation's answers so far, in user_data (which the persistence keeps)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def of(self, context: BotContext) -> dict[str, Any]:
        assert context.user_data is not None
        draft: dict[str, Any] = context.user_data.setdefault(self.key, {})
        return draft

    def drop(self, context: BotContext) -> None:
        if context.user_data is not None:
            context.user_data.pop(self.key, None)


async def leave(update: Update, context: BotContext, draft: Draft) -> int:
    """Cancel: the keyboard closed, the draft dropped, nothing stored; the menu again."""
    await answer(update)
    await close_keyboard(update)
    draft.drop(context)
    t = context.i18n
    await say(update, context, t.gettext("Cancelled. Nothing was stored."), menu_keyboard(t))
    return ConversationHandler.END


async def hint_then_ask(update: Update, context: BotContext, hint: str, ask: Callback) -> int:
    """Anything unexpected: a short hint (or a stale button's answer), then the step again."""
    if update.callback_query is not None:
        await answer(update, context.i18n.gettext("This button is no longer valid."))
    else:
        await say(update, context, hint)
    return await ask(update, context)


def country_step(
    choose: Callback, skip: Callback, search: Callback, step_kind: str
) -> list[BaseHandler[Update, BotContext, object]]:
    """The country step of a conversation: a button, Skip, or a typed name to search."""
    return [
        CallbackQueryHandler(choose, pattern=callback_data.of_kind(callback_data.COUNTRY)),
        CallbackQueryHandler(skip, pattern=callback_data.of_step(step_kind, "skip")),
        MessageHandler(filters.TEXT & ~filters.COMMAND, search),
    ]


def fallbacks(
    cancel: Callback, repeat: Callback, step_kind: str
) -> list[BaseHandler[Update, BotContext, object]]:
    """/cancel or Cancel leave; anything else gets a hint and the step again."""
    return [
        CommandHandler("cancel", cancel),
        CallbackQueryHandler(cancel, pattern=callback_data.of_step(step_kind, "cancel")),
        CallbackQueryHandler(repeat),
        MessageHandler(filters.ALL, repeat),
    ]


def describe_status(t: Translator, status: Status) -> str:
    return {
        Status.PENDING: t.gettext("waiting for the moderators' review"),
        Status.APPROVED: t.gettext("approved"),
        Status.REJECTED: t.gettext("not accepted by the moderators"),
    }[status]


def button(text: str, kind: str, argument: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=callback_data.build(kind, argument))


def country_keyboard(
    t: Translator, codes: tuple[str, ...] | list[str], step_kind: str
) -> InlineKeyboardMarkup:
    """Countries by name in the reader's language, two a row, then Skip and Cancel."""
    buttons = [
        button(country_name(code, t.language), callback_data.COUNTRY, code) for code in codes
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            button(t.gettext("Skip"), step_kind, "skip"),
            button(t.gettext("Cancel"), step_kind, "cancel"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def country_question(t: Translator) -> str:
    return t.gettext(
        "Which country do you live in? Choose it below or type its name. You can also skip this."
    )


def country_search(t: Translator, query: str) -> tuple[str, list[str]]:
    """The answer to a typed country name: a text and the matching codes."""
    found = search_countries(query[:100], t.language)
    shown = html.escape(query.strip()[:100])
    if not found:
        text = t.gettext("No country matches “{query}”. Try another spelling, or skip.")
    else:
        text = t.gettext("Countries matching “{query}”:")
    return text.format(query=shown), found
