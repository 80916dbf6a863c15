"""Signing the letter: how to be listed, name, country, confirmation; and withdrawing."""

from __future__ import annotations

import contextlib
import html
import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.domain.countries import COMMON, is_country
from bot.domain.names import NameRejected, clean_name, first_name_and_initial
from bot.domain.signatures import (
    Listing,
    NotSigned,
    Signature,
    SignatureDraft,
    published_line,
)
from bot.handlers import callback_data
from bot.handlers.listing import (
    NAME_PROBLEMS,
    Draft,
    button,
    country_keyboard,
    country_question,
    country_search,
    country_step,
    describe_status,
    fallbacks,
    hint_then_ask,
    leave,
)
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import answer, close_keyboard, pressed, say, yes_no
from bot.i18n import Translator

LISTING, NAME, COUNTRY, CONFIRM = range(4)
DRAFT = "signing"


SIGNING_DRAFT = Draft(DRAFT)
_draft = SIGNING_DRAFT.of
_drop_draft = SIGNING_DRAFT.drop


def line_of(context: BotContext, listing: Listing, name: str | None, country: str | None) -> str:
    """The published line, in the channel's language."""
    t = context.channel_i18n
    return published_line(listing, name, country, t.gettext, t.language)


def _cancelbutton(t: Translator) -> InlineKeyboardButton:
    return button(t.gettext("Cancel"), callback_data.SIGNING_STEP, "cancel")


# ----------------------------------------------------------------------- asking


async def ask_listing(update: Update, context: BotContext) -> int:
    t = context.i18n
    _draft(context)["step"] = LISTING
    text = (
        t.gettext("You are signing the open letter “People of the world!”.")
        + "\n"
        + t.gettext(
            "It calls for solidarity with the people of Iran rising against the Islamic regime."
        )
        + "\n\n"
        + t.gettext("How would you like to be listed?")
    )
    keyboard = InlineKeyboardMarkup(
        [
            [button(t.gettext("With my name"), callback_data.SIGNING_STEP, "name")],
            [button(t.gettext("First name and initial"), callback_data.SIGNING_STEP, "initial")],
            [button(t.gettext("Anonymously"), callback_data.SIGNING_STEP, "anonymous")],
            [_cancelbutton(t)],
        ]
    )
    await say(update, context, text, keyboard)
    return LISTING


async def ask_name(update: Update, context: BotContext) -> int:
    t = context.i18n
    draft = _draft(context)
    draft["step"] = NAME
    if draft.get("listing") == Listing.INITIAL.value:
        text = t.gettext(
            "Type your first name and your family name. Only your first name and the first "
            "letter of your family name will be published, like this: Maryam N."
        )
    else:
        text = t.gettext(
            "Type your name as it should appear under the letter (2 to 64 characters)."
        )
    await say(update, context, text, InlineKeyboardMarkup([[_cancelbutton(t)]]))
    return NAME


async def ask_country(update: Update, context: BotContext) -> int:
    t = context.i18n
    _draft(context)["step"] = COUNTRY
    await say(
        update,
        context,
        country_question(t),
        country_keyboard(t, COMMON, callback_data.SIGNING_STEP),
    )
    return COUNTRY


async def ask_confirmation(update: Update, context: BotContext) -> int:
    t = context.i18n
    draft = _draft(context)
    draft["step"] = CONFIRM
    line = line_of(context, Listing(draft["listing"]), draft.get("name"), draft.get("country"))
    text = (
        t.gettext("This is the line that may be published:")
        + f"\n\n<b>{html.escape(line)}</b>\n\n"
        + t.gettext("Do you confirm your signature?")
    )
    keyboard = InlineKeyboardMarkup(
        [
            [button(t.gettext("Confirm"), callback_data.SIGNING_STEP, "confirm")],
            [
                button(t.gettext("Change"), callback_data.SIGNING_STEP, "change"),
                _cancelbutton(t),
            ],
        ]
    )
    await say(update, context, text, keyboard)
    return CONFIRM


ASK = {LISTING: ask_listing, NAME: ask_name, COUNTRY: ask_country, CONFIRM: ask_confirmation}


# ---------------------------------------------------------------------- entering


def _signature_text(context: BotContext, signature: Signature) -> str:
    t = context.i18n
    line = line_of(context, signature.listing, signature.name, signature.country)
    status = describe_status(t, signature.status)
    return t.gettext("You have signed the letter as:") + (
        f"\n\n<b>{html.escape(line)}</b>\n\n"
        + t.gettext("Status: {status}.").format(status=status)
    )


async def begin(update: Update, context: BotContext) -> int:
    """Show what is being signed and ask how to be listed; or show one's signature."""
    await answer(update)
    assert context.person_key is not None
    if await context.repos.moderation.is_banned(context.person_key):
        return ConversationHandler.END  # told once, when banned
    signature = await context.repos.signatures.of_person(context.person_key)
    if signature is not None:
        t = context.i18n
        keyboard = InlineKeyboardMarkup(
            [
                [
                    button(t.gettext("Change"), callback_data.SIGN, "change"),
                    button(t.gettext("Withdraw"), callback_data.WITHDRAW),
                ]
            ]
        )
        await say(update, context, _signature_text(context, signature), keyboard)
        return ConversationHandler.END
    _drop_draft(context)
    return await ask_listing(update, context)


async def change(update: Update, context: BotContext) -> int:
    """Begin again, to change one's signature (or a draft)."""
    await answer(update)
    await close_keyboard(update)
    _drop_draft(context)
    return await ask_listing(update, context)


# ---------------------------------------------------------------------- answering


async def choose_listing(update: Update, context: BotContext) -> int:
    """Store how to be listed; ask for the name, or straight for the country."""
    await answer(update)
    argument = pressed(update)
    if argument not in {listing.value for listing in Listing}:
        return await repeat_step(update, context)
    await close_keyboard(update)
    draft = _draft(context)
    draft["listing"] = argument
    draft.pop("name", None)
    if argument == Listing.ANONYMOUS.value:
        return await ask_country(update, context)
    return await ask_name(update, context)


async def take_name(update: Update, context: BotContext) -> int:
    """Check the typed name; give the reason and ask again, or go on to the country."""
    message = update.effective_message
    typed = message.text if message and message.text else ""
    t = context.i18n
    try:
        name = clean_name(typed)
    except NameRejected as rejected:
        await say(update, context, t.gettext(NAME_PROBLEMS[rejected.problem]))
        return await ask_name(update, context)
    draft = _draft(context)
    if draft.get("listing") == Listing.INITIAL.value:
        name = first_name_and_initial(name)
    draft["name"] = name
    return await ask_country(update, context)


async def choose_country(update: Update, context: BotContext) -> int:
    """Store the country from its button."""
    await answer(update)
    code = pressed(update)
    if code is None or not is_country(code):
        return await repeat_step(update, context)
    await close_keyboard(update)
    _draft(context)["country"] = code
    return await ask_confirmation(update, context)


async def skip_country(update: Update, context: BotContext) -> int:
    await answer(update)
    await close_keyboard(update)
    _draft(context).pop("country", None)
    return await ask_confirmation(update, context)


async def search_country(update: Update, context: BotContext) -> int:
    """Offer the countries whose names match what was typed."""
    message = update.effective_message
    query = (message.text or "") if message else ""
    t = context.i18n
    text, found = country_search(t, query)
    await say(update, context, text, country_keyboard(t, found, callback_data.SIGNING_STEP))
    return COUNTRY


async def confirm(update: Update, context: BotContext) -> int:
    """Store the signature as pending review; thank the person and offer to clear the chat."""
    await answer(update)
    await close_keyboard(update)
    draft = _draft(context)
    user = update.effective_user
    if "listing" not in draft or user is None or context.person_key is None:
        return await repeat_step(update, context)
    signature_draft = SignatureDraft(
        Listing(draft["listing"]), draft.get("name"), draft.get("country")
    )
    signing = context.signing()
    await signing.submit(context.person_key, user.id, signature_draft, context.i18n.language)
    _drop_draft(context)
    t = context.i18n
    count = await signing.approved_count()
    text = (
        t.gettext(
            "Thank you for signing. The moderators will review your signature before it is "
            "published."
        )
        + "\n"
        + t.ngettext(
            "{count} person has signed so far.", "{count} people have signed so far.", count
        ).format(count=t.number(count))
        + "\n\n"
        + t.gettext(
            "If your phone could be inspected, you can delete this conversation from the chat."
        )
    )
    keyboard = InlineKeyboardMarkup([[button(t.gettext("Clear this chat"), callback_data.CLEAR)]])
    await say(update, context, text, keyboard)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the conversation; nothing is stored."""
    return await leave(update, context, SIGNING_DRAFT)


async def repeat_step(update: Update, context: BotContext) -> int:
    """Anything unexpected: a short hint, then the same step again."""
    hint = context.i18n.gettext(
        "Please answer the question below, or send /cancel to stop signing."
    )
    return await hint_then_ask(
        update, context, hint, ASK[int(_draft(context).get("step", LISTING))]
    )


async def timed_out(update: Update, context: BotContext) -> None:
    """A conversation left alone ends quietly, its draft dropped."""
    _drop_draft(context)


def signing_conversation(timeout: float) -> ConversationHandler[BotContext]:
    private = filters.ChatType.PRIVATE

    def step_is(*arguments: str) -> Any:
        return callback_data.of_step(callback_data.SIGNING_STEP, *arguments)

    def sign_payload(argument: str | None) -> Any:
        def matches(data: object) -> bool:
            return callback_data.parse(data) == callback_data.Payload(callback_data.SIGN, argument)

        return matches

    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that CallbackQueryHandlers are tracked per chat, not per message:
        # that is what we want (one signing conversation per person).
        warnings.simplefilter("ignore")
        return ConversationHandler(
            entry_points=[
                CommandHandler("sign", begin, private),
                CommandHandler("start", begin, private & filters.Regex(r"^/start sign$")),
                CallbackQueryHandler(begin, pattern=sign_payload(None)),
                CallbackQueryHandler(change, pattern=sign_payload("change")),
            ],
            states={
                LISTING: [
                    CallbackQueryHandler(
                        choose_listing, pattern=step_is("name", "initial", "anonymous")
                    )
                ],
                NAME: [MessageHandler(text, take_name)],
                COUNTRY: country_step(
                    choose_country, skip_country, search_country, callback_data.SIGNING_STEP
                ),
                CONFIRM: [
                    CallbackQueryHandler(confirm, pattern=step_is("confirm")),
                    CallbackQueryHandler(change, pattern=step_is("change")),
                ],
                ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out)],
            },
            fallbacks=fallbacks(cancel, repeat_step, callback_data.SIGNING_STEP),
            name="signing",
            persistent=True,
            conversation_timeout=timeout,
            allow_reentry=False,
        )


# --------------------------------------------------------------------- withdrawing


async def withdraw(update: Update, context: BotContext) -> None:
    """Ask before withdrawing (or answer the confirmation)."""
    await answer(update)
    t = context.i18n
    assert context.person_key is not None
    choice = pressed(update)
    signature = await context.repos.signatures.of_person(context.person_key)
    if choice is not None:
        await close_keyboard(update)
    if choice == "no":
        await say(update, context, t.gettext("Your signature stays."), menu_keyboard(t))
        return
    if signature is None:
        await say(update, context, t.gettext("You have not signed the letter."), menu_keyboard(t))
        return
    if choice == "yes":
        signing = context.signing()
        with contextlib.suppress(NotSigned):  # withdrawn meanwhile: the outcome is the same
            await signing.withdraw(context.person_key)
        count = await signing.approved_count()
        text = (
            t.gettext("Your signature has been withdrawn.")
            + " "
            + t.ngettext(
                "{count} person has signed.", "{count} people have signed.", count
            ).format(count=t.number(count))
        )
        await say(update, context, text, menu_keyboard(t))
        return
    keyboard = yes_no(
        t.gettext("Withdraw my signature"), t.gettext("Keep it"), callback_data.WITHDRAW
    )
    await say(
        update,
        context,
        t.gettext("Withdraw your signature? It is removed from the list at once."),
        keyboard,
    )
