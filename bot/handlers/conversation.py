"""The toolkit both conversations (signing, messages) are built with.

A conversation keeps its answers in a Draft; each of its states lists its own handlers, then
the ways to leave (/cancel, the Cancel button), then a catch-all that answers anything else
with a hint and the same question again. How a person is listed (the name step and the
country step) is one piece, ListingSteps, that both conversations use.

A draft holds a raw Telegram id (the framework keys user data by it) and what was typed, so
it leaves the database as soon as the conversation ends, is cancelled or times out, not at
the persistence's next round. A conversation restored after a restart keeps its deadline:
PTB's timeout jobs do not outlive a restart, so the runtime feeds it a Deadline then.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.buttons import Button, PickCountry, exactly
from bot.context import BotContext
from bot.domain.countries import COMMON, country_name, is_country, search_countries
from bot.domain.names import NameRejected, clean_name, first_name_and_initial
from bot.domain.signatures import Listing
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import (
    QUESTION,
    answer,
    ask,
    button,
    keyboard,
    pressed,
    pressed_message,
    replace,
    say,
    two_a_row,
)
from bot.i18n import Translator
from bot.render.words import NAME_PROBLEMS

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, int]]
Handlers = list[BaseHandler[Update, BotContext, object]]
TYPED = filters.TEXT & ~filters.COMMAND


class PrivatePress(CallbackQueryHandler[BotContext, object]):
    """A press on a supporter's button, taken in a private chat only: the same payload,
    forged in a group, starts nothing there."""

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or update.effective_chat is None:
            return None
        if update.effective_chat.type != Chat.PRIVATE:
            return None
        return super().check_update(update)


class Deadline(Update):
    """A conversation restored after a restart has reached its deadline.

    Made by the bot, never received from Telegram; it names the conversation's chat and
    person, and only a conversation's Deadline handler takes it.
    """

    __slots__ = ()

    def __init__(self, chat_id: int, user_id: int) -> None:
        super().__init__(update_id=0)
        # A frozen TelegramObject still lets its underscored attributes be set.
        self._effective_chat = Chat(chat_id, Chat.PRIVATE)
        self._effective_user = User(user_id, "", is_bot=False)


class Draft:
    """A conversation's answers so far, in user_data (which the persistence keeps)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def of(self, context: BotContext) -> dict[str, Any]:
        assert context.user_data is not None  # private chats always have a user
        draft: dict[str, Any] = context.user_data.setdefault(self.key, {})
        return draft

    def drop(self, context: BotContext) -> None:
        """Remove the answers, from the database too, at once."""
        if context.user_data is None or context.user_data.pop(self.key, None) is None:
            return
        application = context.application
        application.mark_data_for_update_persistence(user_ids=context.telegram_id)
        # A task starts only once the running callback has returned, so this write also
        # carries the conversation's end, which PTB records right after the callback.
        application.create_task(application.update_persistence())


@dataclass(frozen=True)
class Flow:
    """What the shared pieces need to know of a conversation."""

    draft: Draft
    hint: Callable[[Translator], str]  # what to say to anything unexpected
    skip: Button
    cancel: Button

    def cancel_button(self, t: Translator) -> InlineKeyboardButton:
        return button(t.gettext("Cancel"), self.cancel)

    async def ask(
        self,
        update: Update,
        context: BotContext,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """The next question, in place of the current one when that was pressed."""
        return await ask(update, context, self.draft.of(context), text, markup)

    def take_over(self, update: Update, context: BotContext) -> None:
        """The pressed message (a signature shown, a question begun again) is the one the
        next question replaces."""
        pressed = pressed_message(update)
        if pressed is not None:
            self.draft.of(context)[QUESTION] = pressed.message_id

    async def leave(self, update: Update, context: BotContext) -> int:
        """Cancel: the draft dropped, nothing stored; the menu again, in place of the question
        when its Cancel was pressed."""
        await answer(update)
        pressed = pressed_message(update)
        current = self.draft.of(context).get(QUESTION)
        self.draft.drop(context)
        t = context.i18n
        text = t.gettext("Cancelled. Nothing was stored.")
        if pressed is not None and pressed.message_id == current:
            await replace(update, context, text, menu_keyboard(t))
        else:
            await say(update, context, text, menu_keyboard(t))
        return ConversationHandler.END

    async def repeat(self, update: Update, context: BotContext, ask: Callback) -> int:
        """Anything unexpected: a short hint (or a stale button's answer), then `ask` again."""
        if update.callback_query is not None:
            await answer(update, context.i18n.gettext("This button is no longer valid."))
        else:
            await say(update, context, self.hint(context.i18n))
        return await ask(update, context)

    def state(self, ask: Callback, *handlers: BaseHandler[Update, BotContext, object]) -> Handlers:
        """A state's handlers, then the ways to leave, then anything else: `ask` again."""

        async def otherwise(update: Update, context: BotContext) -> int:
            return await self.repeat(update, context, ask)

        return [
            TypeHandler(Deadline, self.expired),
            *handlers,
            CommandHandler("cancel", self.leave),
            CallbackQueryHandler(self.leave, pattern=exactly(self.cancel)),
            CallbackQueryHandler(otherwise),
            MessageHandler(filters.ALL, otherwise),
        ]

    async def timed_out(self, update: Update, context: BotContext) -> None:
        """A conversation left alone ends quietly, its draft dropped."""
        self.draft.drop(context)

    async def expired(self, update: Update, context: BotContext) -> int:
        """A restored conversation's deadline passed: it ends as a timed-out one does."""
        await self.timed_out(update, context)
        return ConversationHandler.END

    def timeout_state(self) -> Handlers:
        # Whatever the last update was (a message, a button), the timeout drops the draft.
        return [TypeHandler(Update, self.timed_out)]


class ListingSteps:
    """The name step and the country step, then on to the flow's next step."""

    def __init__(
        self,
        flow: Flow,
        name_state: int,
        country_state: int,
        name_question: Callable[[BotContext], str],
        after_country: Callback,
    ) -> None:
        self.flow = flow
        self.name_state = name_state
        self.country_state = country_state
        self.name_question = name_question
        self.after_country = after_country

    async def ask_name(self, update: Update, context: BotContext) -> int:
        markup = keyboard([self.flow.cancel_button(context.i18n)])
        await self.flow.ask(update, context, self.name_question(context), markup)
        return self.name_state

    async def take_name(self, update: Update, context: BotContext) -> int:
        """Check the typed name; give the reason and ask again, or go on to the country."""
        message = update.effective_message
        try:
            name = clean_name(message.text if message and message.text else "")
        except NameRejected as rejected:
            await say(update, context, context.i18n.gettext(NAME_PROBLEMS[rejected.problem]))
            return await self.ask_name(update, context)
        draft = self.flow.draft.of(context)
        if draft.get("listing") == Listing.INITIAL.value:
            name = first_name_and_initial(name)
        draft["name"] = name
        return await self.ask_country(update, context)

    async def ask_country(self, update: Update, context: BotContext) -> int:
        t = context.i18n
        question = t.gettext(
            "Which country do you live in? Choose it below or type its name. You can also "
            "skip this."
        )
        await self.flow.ask(update, context, question, self.countries(t, COMMON))
        return self.country_state

    async def choose_country(self, update: Update, context: BotContext) -> int:
        """Store the country from its button."""
        payload = pressed(update)
        if not isinstance(payload, PickCountry) or not is_country(payload.code):
            return await self.flow.repeat(update, context, self.ask_country)
        await answer(update)
        self.flow.draft.of(context)["country"] = payload.code
        return await self.after_country(update, context)

    async def skip_country(self, update: Update, context: BotContext) -> int:
        await answer(update)
        self.flow.draft.of(context)["country"] = None
        return await self.after_country(update, context)

    async def search_country(self, update: Update, context: BotContext) -> int:
        """Offer the countries whose names match what was typed."""
        message = update.effective_message
        query = (message.text or "") if message else ""
        t = context.i18n
        found = search_countries(query[:100], t.language)
        shown = html.escape(query.strip()[:100])
        if found:
            text = t.gettext("Countries matching “{query}”:")
        else:
            text = t.gettext("No country matches “{query}”. Try another spelling, or skip.")
        await self.flow.ask(update, context, text.format(query=shown), self.countries(t, found))
        return self.country_state

    def countries(self, t: Translator, codes: tuple[str, ...] | list[str]) -> InlineKeyboardMarkup:
        """Countries by name in the reader's language, two a row, then Skip and Cancel."""
        buttons = [button(country_name(code, t.language), PickCountry(code)) for code in codes]
        return keyboard(
            *two_a_row(buttons),
            [button(t.gettext("Skip"), self.flow.skip), self.flow.cancel_button(t)],
        )

    def name_state_handlers(self) -> Handlers:
        return self.flow.state(self.ask_name, MessageHandler(TYPED, self.take_name))

    def country_state_handlers(self) -> Handlers:
        return self.flow.state(
            self.ask_country,
            CallbackQueryHandler(self.choose_country, pattern=PickCountry.pattern()),
            CallbackQueryHandler(self.skip_country, pattern=exactly(self.flow.skip)),
            MessageHandler(TYPED, self.search_country),
        )
