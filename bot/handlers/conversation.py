"""The toolkit both conversations (signing, messages) are built with.

A conversation keeps its answers in a Draft; each of its states lists its own handlers, then
the ways to leave (/cancel, the Cancel button), then a catch-all that answers anything else
with a hint and the same question again. How a person is listed (the name step and the
country step) is one piece, ListingSteps, that both conversations use.

A draft holds a raw Telegram id (the framework keys user data by it) and what was typed, so
it leaves the database as soon as the conversation ends, is cancelled or times out, not at
the persistence's next round. A conversation left alone ends on a clock of its own
(timed.py); one restored after a restart keeps its deadline, from the stored times.

The draft also notes the id of the question waiting for an answer (its buttons come off when
the conversation is left) and of the messages whose text it holds (the name, a message's text
or caption): an edit of one of those is taken into the draft; an edit of anything else gets a
word on what the step needs. /start at any step ends the conversation and does what /start
does outside one (a deep link into a conversation begins it).
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.buttons import (
    Answer,
    Button,
    Clear,
    KeepSignature,
    PickCountry,
    Withdraw,
    WithdrawMessage,
    exactly,
)
from bot.context import BotApplication, BotContext
from bot.domain.countries import COMMON, country_name, is_country, search_countries
from bot.domain.names import NameRejected, clean_name, first_name_and_initial
from bot.domain.sent import Sent
from bot.domain.signatures import Listing
from bot.handlers.amendments import keep_signature
from bot.handlers.edits import not_read, tell_sent
from bot.handlers.menu import menu_keyboard
from bot.handlers.privacy import clear_chat
from bot.handlers.replies import withdraw_message
from bot.handlers.reply import (
    PREVIEW_SHOWN,
    QUESTION,
    answer,
    ask,
    button,
    close_keyboard,
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
# Takes an edit of a message whose text is in the draft, at the step `ask` asks.
Retake = Callable[[Update, BotContext, Callback], Awaitable[int | None]]
Handlers = list[BaseHandler[Update, BotContext, object]]
TYPED = filters.TEXT & ~filters.COMMAND
# Where a conversation begins: new messages in a private chat (an edit of an old /sign is
# not a new /sign).
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


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
    """A conversation has reached its deadline (bot/handlers/timed.py).

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

    draft: Draft  # kept under the conversation's name
    hint: Callable[[Translator], str]  # what to say to anything unexpected
    skip: Button
    cancel: Button
    # By the draft's key an edited message's text goes to ("name", "kind" for a message's
    # content): filled in by the pieces that ask for them.
    retakes: dict[str, Retake] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        return self.draft.key

    def cancel_button(self, t: Translator) -> InlineKeyboardButton:
        return button(t.gettext("Cancel"), self.cancel)

    # ------------------------------------------------------------ what the draft notes

    async def ask(
        self,
        update: Update,
        context: BotContext,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message | None:
        """The next question, in place of the current one when that was pressed."""
        return await ask(update, context, self.draft.of(context), text, markup)

    def asked(self, context: BotContext, message: Message) -> None:
        self.draft.of(context)[QUESTION] = message.message_id

    def took(self, context: BotContext, key: str, message_id: int) -> None:
        """The draft's `key` holds what message `message_id` says (an edit of it changes it)."""
        self.draft.of(context).setdefault("sources", {})[key] = message_id

    def sent(self, context: BotContext, sent: Sent) -> None:
        """The draft went to the moderators as `sent`: note the messages it was made of."""
        sources = self.draft.of(context).get("sources", {})
        if sources:
            context.bot_data.sent.note(context.person_key, list(sources.values()), sent)

    async def close_question(self, update: Update, context: BotContext) -> None:
        """Take the buttons off the question waiting for an answer, or off the preview
        (unless just pressed)."""
        await close_keyboard(update)
        draft = self.draft.of(context)
        query = update.callback_query
        pressed_id = query.message.message_id if query and query.message else None
        chat = update.effective_chat
        for shown in (draft.get(QUESTION), draft.get(PREVIEW_SHOWN)):
            if shown is None or shown == pressed_id or chat is None:
                continue
            with contextlib.suppress(BadRequest):  # without buttons already, or too old
                await context.bot.edit_message_reply_markup(chat.id, shown, reply_markup=None)

    def take_over(self, update: Update, context: BotContext) -> None:
        """The pressed message (a signature shown, a question begun again) is the one the
        next question replaces."""
        pressed = pressed_message(update)
        if pressed is not None:
            self.draft.of(context)[QUESTION] = pressed.message_id

    # ---------------------------------------------------------------- leaving

    async def leave(self, update: Update, context: BotContext) -> int:
        """Cancel: the draft dropped, nothing stored; the menu again, in place of the question
        when its Cancel was pressed."""
        await answer(update)
        pressed = pressed_message(update)
        current = self.draft.of(context).get(QUESTION)
        in_place = pressed is not None and pressed.message_id == current
        if not in_place:
            await self.close_question(update, context)
        self.draft.drop(context)
        t = context.i18n
        text = t.gettext("Cancelled. Nothing was stored.")
        if in_place:
            await replace(update, context, text, menu_keyboard(t))
        else:
            await say(update, context, text, menu_keyboard(t))
        return ConversationHandler.END

    async def restart(self, update: Update, context: BotContext) -> int:
        """/start at any step: people use it to start over. Leave as Cancel does, quietly,
        then /start does what it does outside any conversation."""
        await self.close_question(update, context)
        self.draft.drop(context)
        state = await self.as_if_outside(update, context)
        # The draft's deletion may have been written already, while /start was answered:
        # this carries the conversation's end too (PTB records it as soon as this returns).
        application = context.application
        application.create_task(application.update_persistence())
        return state

    async def as_if_outside(self, update: Update, context: BotContext) -> int:
        """Hand the update to whatever would take it were this conversation not under way:
        this conversation's own entry points (a deep link into it begins it again, and its
        state is this one's), or the handlers of its group in their order (the other
        conversation's entry points, /start)."""
        application = cast(BotApplication, context.application)
        for group in application.handlers.values():
            handlers = cast(Handlers, group)
            mine = [
                h for h in handlers if isinstance(h, ConversationHandler) and h.name == self.name
            ]
            if not mine:
                continue
            for handler in handlers:
                own = handler is mine[0]
                for candidate in cast(Handlers, mine[0].entry_points) if own else [handler]:
                    check = candidate.check_update(update)
                    if check is None or check is False:
                        continue
                    state = await candidate.handle_update(update, application, check, context)
                    return state if own and isinstance(state, int) else ConversationHandler.END
        return ConversationHandler.END

    # ---------------------------------------------------------- what else comes in

    async def repeat(self, update: Update, context: BotContext, ask: Callback) -> int:
        """Anything unexpected: a short hint (or a stale button's answer), then `ask` again."""
        if update.callback_query is not None:
            await answer(update, context.i18n.gettext("This button is no longer valid."))
        else:
            await say(update, context, self.hint(context.i18n))
        return await ask(update, context)

    async def edited(
        self, update: Update, context: BotContext, ask: Callback, typed: bool
    ) -> int | None:
        """An edit at the step `ask` asks (`typed`: a new message answers it). An edit of what
        the draft holds changes it; of what was sent, the truth; else what the step needs."""
        message = update.edited_message
        assert message is not None  # the handler takes edited messages only
        draft = self.draft.of(context)
        for key, source in draft.get("sources", {}).items():
            retake = self.retakes.get(key)
            if source == message.message_id and retake and draft.get(key) is not None:
                return await retake(update, context, ask)
        if await tell_sent(update, context):
            return None
        if typed:
            await say(update, context, not_read(context))
        else:
            text = context.i18n.gettext(
                "Edits are not read. This step is answered with the buttons of the question above."
            )
            await say(update, context, text)
        return None

    async def retaken(
        self, update: Update, context: BotContext, ask: Callback, review: Callback
    ) -> int | None:
        """An edit went into the draft: say so; at the review step, show it again."""
        await say(update, context, context.i18n.gettext("Your edit has been taken."))
        if ask is not review:
            return None  # the question above still waits; the review will show the edit
        await self.close_question(update, context)
        return await ask(update, context)

    def state(
        self,
        ask: Callback,
        *handlers: BaseHandler[Update, BotContext, object],
        typed: bool = False,
    ) -> Handlers:
        """A state's handlers, then the ways to leave, then anything else: `ask` again.
        `typed`: the step is answered with a new message (else with a button)."""

        async def otherwise(update: Update, context: BotContext) -> int:
            return await self.repeat(update, context, ask)

        async def edited(update: Update, context: BotContext) -> int | None:
            return await self.edited(update, context, ask, typed)

        return [
            TypeHandler(Deadline, self.expired),
            MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited),
            *handlers,
            CommandHandler("start", self.restart),
            CommandHandler("cancel", self.leave),
            CallbackQueryHandler(self.leave, pattern=exactly(self.cancel)),
            # A notice's Withdraw this message, or the one an edit's answer offers.
            CallbackQueryHandler(withdraw_message, pattern=WithdrawMessage.pattern()),
            # Keeping one's signature under an amended letter (told before this update).
            CallbackQueryHandler(keep_signature, pattern=KeepSignature.pattern()),
            # That notice's Withdraw and Clear this chat, answered as outside the conversation
            # (a Yes to their question ends it: see leaving_for).
            CallbackQueryHandler(self.leaving_for(_withdraw), pattern=Withdraw.pattern()),
            CallbackQueryHandler(self.leaving_for(clear_chat), pattern=Clear.pattern()),
            CallbackQueryHandler(otherwise),
            MessageHandler(filters.ALL, otherwise),
        ]

    def leaving_for(self, callback: Callable[[Update, BotContext], Awaitable[None]]) -> Callback:
        """A Withdraw or Clear press in the middle of the conversation, answered by
        `callback` as outside it. Its question and a No leave the conversation as it was;
        a Yes (the signature withdrawn, the chat cleared) ends it, its draft dropped."""

        async def leave_for(update: Update, context: BotContext) -> int | None:
            payload = pressed(update)
            await callback(update, context)  # if it fails, the conversation is untouched
            if not isinstance(payload, Withdraw | Clear) or payload.answer is not Answer.YES:
                return None  # asked, or kept: the step stays as it was
            await self.close_question(update, context)
            self.draft.drop(context)
            return ConversationHandler.END

        return cast(Callback, leave_for)

    # ---------------------------------------------------------------- time

    async def expired(self, update: Update, context: BotContext) -> int:
        """A conversation left alone past its deadline (timed.py) ends quietly, its draft
        dropped."""
        self.draft.drop(context)
        return ConversationHandler.END


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
        flow.retakes["name"] = self.retake_name

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
        assert message is not None  # a name was typed
        self.flow.took(context, "name", message.message_id)
        return await self.ask_country(update, context)

    async def retake_name(self, update: Update, context: BotContext, ask: Callback) -> int | None:
        """The typed name was edited: checked as typed names are, then in the draft."""
        message = update.edited_message
        draft = self.flow.draft.of(context)
        t = context.i18n
        try:
            name = clean_name(message.text if message and message.text else "")
        except NameRejected as rejected:
            kept = t.gettext("The name stays as it was: “{name}”.").format(
                name=html.escape(draft["name"])
            )
            await say(update, context, t.gettext(NAME_PROBLEMS[rejected.problem]) + " " + kept)
            return None
        if draft.get("listing") == Listing.INITIAL.value:
            name = first_name_and_initial(name)
        draft["name"] = name
        return await self.flow.retaken(update, context, ask, self.after_country)

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
        return self.flow.state(self.ask_name, MessageHandler(TYPED, self.take_name), typed=True)

    def country_state_handlers(self) -> Handlers:
        return self.flow.state(
            self.ask_country,
            CallbackQueryHandler(self.choose_country, pattern=PickCountry.pattern()),
            CallbackQueryHandler(self.skip_country, pattern=exactly(self.flow.skip)),
            MessageHandler(TYPED, self.search_country),
            typed=True,
        )


async def _withdraw(update: Update, context: BotContext) -> None:
    # Imported here: the signing flow (sign.py) is built on this module.
    from bot.handlers.sign import withdraw

    await withdraw(update, context)
