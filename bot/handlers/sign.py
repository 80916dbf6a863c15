"""Signing the letter: how to be listed, name, country, confirmation; and withdrawing."""

from __future__ import annotations

import contextlib
import html
import warnings

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, filters

from bot.buttons import (
    Answer,
    ChangeSignature,
    Clear,
    SignChoice,
    SigningStep,
    StartSigning,
    Withdraw,
    exactly,
)
from bot.context import BotContext
from bot.domain.decisions import ItemKind
from bot.domain.sent import Sent
from bot.domain.signatures import Listing, NotSigned, Signature, SignatureDraft, Status
from bot.handlers.conversation import PRIVATE, Draft, Flow, ListingSteps, PrivatePress
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import (
    answer,
    answer_of,
    button,
    close_keyboard,
    keyboard,
    pressed,
    replace,
    say,
    yes_no,
)
from bot.handlers.share import letter_link, share_button
from bot.handlers.timed import TimedConversation
from bot.i18n import Translator
from bot.render.lines import line_of, published_line
from bot.render.words import describe_status

LISTING, NAME, COUNTRY, CONFIRM = range(4)
LISTINGS = {
    SignChoice.NAME: Listing.NAME,
    SignChoice.INITIAL: Listing.INITIAL,
    SignChoice.ANONYMOUS: Listing.ANONYMOUS,
}


def _hint(t: Translator) -> str:
    return t.gettext("Please answer the question below, or send /cancel to stop signing.")


FLOW = Flow(Draft("signing"), _hint, SigningStep(SignChoice.SKIP), SigningStep(SignChoice.CANCEL))


# ----------------------------------------------------------------------- asking


async def ask_listing(update: Update, context: BotContext) -> int:
    t = context.i18n
    text = (
        t.gettext("You are signing the open letter “People of the world!”.")
        + "\n"
        + t.gettext(
            "It calls for solidarity with the people of Iran rising against the Islamic regime."
        )
        + "\n\n"
        + t.gettext("How would you like to be listed?")
    )
    markup = keyboard(
        [button(t.gettext("With my name"), SigningStep(SignChoice.NAME))],
        [button(t.gettext("First name and initial"), SigningStep(SignChoice.INITIAL))],
        [button(t.gettext("Anonymously"), SigningStep(SignChoice.ANONYMOUS))],
        [FLOW.cancel_button(t)],
    )
    await FLOW.ask(update, context, text, markup)
    return LISTING


def name_question(context: BotContext) -> str:
    t = context.i18n
    if FLOW.draft.of(context).get("listing") == Listing.INITIAL.value:
        return t.gettext(
            "Type your first name and your family name. Only your first name and the first "
            "letter of your family name will be published, like this: Maryam N."
        )
    return t.gettext("Type your name as it should appear under the letter (2 to 64 characters).")


def line_intro(t: Translator, channel_language: str) -> str:
    """What the line below is; and why it reads in another language, when it does."""
    if channel_language == t.language:
        return t.gettext("This is the line that may be published:")
    return t.gettext(
        "This is the line that may be published. It is written in the channel's language "
        "({language}):"
    ).format(language=t.language_name(channel_language))


async def ask_confirmation(update: Update, context: BotContext) -> int:
    t = context.i18n
    draft = FLOW.draft.of(context)
    line = published_line(
        Listing(draft["listing"]), draft.get("name"), draft.get("country"), context.channel_i18n
    )
    text = (
        line_intro(t, context.channel_i18n.language)
        + f"\n\n<b>{html.escape(line)}</b>\n\n"
        + t.gettext("How to stay safe: /safety")
        + "\n\n"
        + t.gettext("Do you confirm your signature?")
    )
    markup = keyboard(
        [button(t.gettext("Confirm"), SigningStep(SignChoice.CONFIRM))],
        [button(t.gettext("Change"), SigningStep(SignChoice.CHANGE)), FLOW.cancel_button(t)],
    )
    await FLOW.ask(update, context, text, markup)
    return CONFIRM


LISTED = ListingSteps(FLOW, NAME, COUNTRY, name_question, ask_confirmation)


# ---------------------------------------------------------------------- entering


def _signature_text(context: BotContext, signature: Signature) -> str:
    t = context.i18n
    line = line_of(signature, context.channel_i18n)
    status = describe_status(t, signature.status)
    return t.gettext("You have signed the letter as:") + (
        f"\n\n<b>{html.escape(line)}</b>\n\n"
        + t.gettext("Status: {status}.").format(status=status)
    )


async def begin(update: Update, context: BotContext) -> int:
    """Show what is being signed and ask how to be listed; or show one's signature."""
    await answer(update)
    if await context.services.moderation.is_banned(context.person_key):
        return ConversationHandler.END  # told once, when banned
    signature = await context.services.signing.signature_of(context.person_key)
    if signature is not None:
        t = context.i18n
        markup = keyboard(
            [
                button(t.gettext("Change"), ChangeSignature()),
                button(t.gettext("Withdraw"), Withdraw()),
            ]
        )
        await say(update, context, _signature_text(context, signature), markup)
        return ConversationHandler.END
    FLOW.draft.drop(context)
    return await ask_listing(update, context)


async def change(update: Update, context: BotContext) -> int:
    """Begin again, to change one's signature (or a draft), in place of what was pressed."""
    await answer(update)
    FLOW.draft.drop(context)
    FLOW.take_over(update, context)
    return await ask_listing(update, context)


# ---------------------------------------------------------------------- answering


async def choose_listing(update: Update, context: BotContext) -> int:
    """Store how to be listed; ask for the name, or straight for the country."""
    payload = pressed(update)
    listing = LISTINGS.get(payload.choice) if isinstance(payload, SigningStep) else None
    if listing is None:
        return await FLOW.repeat(update, context, ask_listing)
    await answer(update)
    draft = FLOW.draft.of(context)
    draft["listing"] = listing.value
    draft.pop("name", None)
    if listing is Listing.ANONYMOUS:
        return await LISTED.ask_country(update, context)
    return await LISTED.ask_name(update, context)


def signed_so_far(t: Translator, count: int) -> str:
    """How many have signed, said to one who just has: their own signature counts, though
    it waits for review (so it is never "nobody")."""
    if count <= 1:
        return t.gettext("You are the first to sign.")
    return t.ngettext(
        "{count} person has signed so far, you among them.",
        "{count} people have signed so far, you among them.",
        count,
    ).format(count=t.number(count))


def toward_goal(t: Translator, count: int, goal: int | None) -> str:
    """Where the signatures stand against the campaign's goal (SIGNATURE_GOAL), if any;
    counted as `signed_so_far` counts them, the new signer's own among them."""
    if goal is None:
        return ""
    return " " + t.ngettext(
        "That is {count} of our goal of {goal} signature.",
        "That is {count} of our goal of {goal} signatures.",
        goal,
    ).format(count=t.number(count), goal=t.number(goal))


async def confirm(update: Update, context: BotContext) -> int:
    """Store the signature as pending review; thank the person and offer to clear the chat."""
    draft = FLOW.draft.of(context)
    if "listing" not in draft:  # the answers were lost: begin again
        return await FLOW.repeat(update, context, ask_listing)
    await answer(update)
    await close_keyboard(update)
    signature = SignatureDraft(Listing(draft["listing"]), draft.get("name"), draft.get("country"))
    signing = context.services.signing
    t = context.i18n
    shown = context.services.amendments.shown(context.person_key, t.language)
    stored = await signing.submit(
        context.person_key, context.telegram_id, signature, t.language, shown
    )
    await context.services.links.signed(context.person_key)  # for the link they came by
    FLOW.sent(context, Sent(ItemKind.SIGNATURE, stored.id))
    FLOW.draft.drop(context)
    count = await signing.signed_count()
    text = (
        t.gettext(
            "Thank you for signing. The moderators will review your signature before it is "
            "published."
        )
        + "\n"
        + signed_so_far(t, count)
        + toward_goal(t, count, context.bot_data.settings.signature_goal)
        + "\n\n"
        + t.gettext("To pass the letter on, share it, or send this link: {link}").format(
            link=letter_link(context, t.language)
        )
        + "\n\n"
        + t.gettext(
            "If your phone could be inspected, you can delete this conversation from the chat."
        )
        + " "
        + t.gettext("How to stay safe: /safety")
    )
    markup = keyboard(
        [share_button(context, t.language)], [button(t.gettext("Clear this chat"), Clear())]
    )
    await say(update, context, text, markup)
    return ConversationHandler.END


def signing_conversation(timeout: float) -> TimedConversation:
    private = PRIVATE
    with warnings.catch_warnings():
        # PTB warns that CallbackQueryHandlers are tracked per chat, not per message:
        # that is what we want (one signing conversation per person).
        warnings.simplefilter("ignore")
        return TimedConversation(
            entry_points=[
                CommandHandler("sign", begin, private),
                CommandHandler("start", begin, private & filters.Regex(r"^/start sign$")),
                PrivatePress(begin, pattern=exactly(StartSigning())),
                PrivatePress(change, pattern=exactly(ChangeSignature())),
            ],
            states={
                LISTING: FLOW.state(
                    ask_listing,
                    CallbackQueryHandler(choose_listing, pattern=SigningStep.pattern(*LISTINGS)),
                ),
                NAME: LISTED.name_state_handlers(),
                COUNTRY: LISTED.country_state_handlers(),
                CONFIRM: FLOW.state(
                    ask_confirmation,
                    CallbackQueryHandler(
                        confirm, pattern=exactly(SigningStep(SignChoice.CONFIRM))
                    ),
                    CallbackQueryHandler(change, pattern=exactly(SigningStep(SignChoice.CHANGE))),
                ),
            },
            fallbacks=[],
            name="signing",
            persistent=True,
            timeout=timeout,
            allow_reentry=False,
        )


# --------------------------------------------------------------------- withdrawing


async def withdraw(update: Update, context: BotContext) -> None:
    """Ask before withdrawing (or answer the confirmation), in place of what was pressed."""
    choice = await answer_of(update, Withdraw)
    t = context.i18n
    signing = context.services.signing
    signature = await signing.signature_of(context.person_key)
    if choice is Answer.NO:
        await replace(update, context, t.gettext("Your signature stays."), menu_keyboard(t))
        return
    if signature is None:
        await replace(
            update, context, t.gettext("You have not signed the letter."), menu_keyboard(t)
        )
        return
    if choice is Answer.YES:
        with contextlib.suppress(NotSigned):  # withdrawn meanwhile: the outcome is the same
            await signing.withdraw(context.person_key)
        count = await signing.signed_count()
        text = (
            t.gettext("Your signature has been withdrawn.")
            + " "
            + t.ngettext(
                "{count} person has signed.", "{count} people have signed.", count
            ).format(count=t.number(count))
        )
        await replace(update, context, text, menu_keyboard(t))
        return
    question = t.gettext("Withdraw your signature? It is removed from the list at once.")
    if signature.status is Status.APPROVED:
        question += " " + t.gettext(
            "Its line is also removed from the channel and from the moderators' cards."
        )
    markup = yes_no(
        (t.gettext("Withdraw my signature"), Withdraw(Answer.YES)),
        (t.gettext("Keep it"), Withdraw(Answer.NO)),
    )
    await replace(update, context, question, markup)
