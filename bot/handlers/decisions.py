"""Presses on the moderators' cards: one small handler per action.

Every press is checked (the moderator group, a moderator), decided once (the domain's
conditional update), answered, and its card edited to say what was decided and by whom.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from telegram import Update
from telegram.error import BadRequest

from bot.buttons import (
    ApproveDigest,
    ApproveMessage,
    AskReason,
    BackToCard,
    BanAuthor,
    RejectMessage,
    RejectSignature,
)
from bot.context import BotContext
from bot.delivery.keyboards import markup
from bot.domain.decisions import Decision, ItemKind, Moderator, Outcome
from bot.domain.effects import Keyboard
from bot.domain.messages import Message, RejectionReason
from bot.domain.signatures import Status
from bot.handlers.permissions import moderator_pressing
from bot.handlers.reply import pressed
from bot.i18n import N_
from bot.render import cards, fit

STALE = N_("This button is no longer valid.")
T = TypeVar("T")


class OnMessage(Protocol):
    """A payload about one message (approve, reject, ban, the reasons, back)."""

    @property
    def message_id(self) -> int: ...


OnMessageT = TypeVar("OnMessageT", bound=OnMessage)


async def _edit_card(update: Update, text: str, buttons: Keyboard = ()) -> None:
    """Rewrite the pressed card (its text, or a media card's caption) and its buttons."""
    query = update.callback_query
    assert query is not None
    try:
        if query.message is not None and getattr(query.message, "caption", None) is not None:
            await query.edit_message_caption(text, reply_markup=markup(buttons))
        else:
            await query.edit_message_text(text, reply_markup=markup(buttons))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def _answer(update: Update, context: BotContext, outcome: Outcome, done: str) -> None:
    """`done` when decided now; who decided before, and when, when it was too late."""
    query = update.callback_query
    assert query is not None
    t = context.moderator_i18n
    if outcome.decided or outcome.previous is None:
        await query.answer(done)
        return
    previous = cards.previous_decision(t, outcome.previous)
    await query.answer(t.gettext("Already {decision}.").format(decision=previous), show_alert=True)


async def _stale(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(context.moderator_i18n.gettext(STALE))


async def _pressed(
    update: Update, context: BotContext, kind: type[T]
) -> tuple[Moderator, T] | None:
    """The moderator and the payload of a press of `kind`; None once it has been answered."""
    moderator = await moderator_pressing(update, context)
    if moderator is None:
        return None
    payload = pressed(update)
    if not isinstance(payload, kind):
        await _stale(update, context)
        return None
    return moderator, payload


async def refuse(update: Update, context: BotContext) -> None:
    """A moderation payload that does not parse: refused, or answered as a stale button."""
    if await moderator_pressing(update, context) is not None:
        await _stale(update, context)


# ------------------------------------------------------------------ messages


async def _stamp(
    update: Update,
    context: BotContext,
    card: str,
    outcome: Outcome,
    decision: Decision,
    moderator: Moderator,
) -> None:
    """Answer the press, then stamp the card with the decision (now, or the earlier one)."""
    t = context.moderator_i18n
    if outcome.decided:
        status = cards.decision_line(t, decision, moderator.name, int(time.time()))
    elif outcome.previous is not None:
        status = cards.previous_decision(t, outcome.previous)
    else:
        status = ""
    await _answer(update, context, outcome, t.gettext("Done."))
    await _edit_card(update, cards.stamped(card, status))


async def _pressed_on_message(
    update: Update, context: BotContext, kind: type[OnMessageT]
) -> tuple[Moderator, OnMessageT, Message, str] | None:
    """A moderator's press of `kind`, the message it names and its card's text; None (the
    press answered) when the press is refused or names no message."""
    found = await _pressed(update, context, kind)
    if found is None:
        return None
    moderator, payload = found
    message = await context.services.moderation.message(payload.message_id)
    if message is None:
        await _stale(update, context)
        return None
    card = fit.button_part(
        cards.message_card_text(message, context.moderator_i18n, context.channel_i18n)
    )
    return moderator, payload, message, card


async def _decide_message(
    update: Update,
    context: BotContext,
    kind: type[OnMessageT],
    decision: Decision,
    decide: Callable[[Moderator, OnMessageT], Awaitable[Outcome]],
) -> None:
    found = await _pressed_on_message(update, context, kind)
    if found is None:
        return
    moderator, payload, _, card = found
    outcome = await decide(moderator, payload)
    await _stamp(update, context, card, outcome, decision, moderator)


async def approve_message(update: Update, context: BotContext) -> None:
    """Approve: the message goes to the channel, its author is told with the link."""
    moderation = context.services.moderation

    async def decide(moderator: Moderator, payload: ApproveMessage) -> Outcome:
        return await moderation.approve_message(payload.message_id, moderator)

    await _decide_message(update, context, ApproveMessage, Decision.APPROVED, decide)


async def reject_message(update: Update, context: BotContext) -> None:
    """Reject with the reason pressed; the author is told it in their language."""
    moderation = context.services.moderation

    async def decide(moderator: Moderator, payload: RejectMessage) -> Outcome:
        return await moderation.reject_message(payload.message_id, payload.reason, moderator)

    await _decide_message(update, context, RejectMessage, Decision.REJECTED, decide)


async def ban_author(update: Update, context: BotContext) -> None:
    """Reject the message and ban its author."""
    moderation = context.services.moderation

    async def decide(moderator: Moderator, payload: BanAuthor) -> Outcome:
        return await moderation.reject_message(
            payload.message_id, RejectionReason.OTHER, moderator, ban=True
        )

    await _decide_message(update, context, BanAuthor, Decision.BANNED, decide)


async def ask_reason(update: Update, context: BotContext) -> None:
    """Reject: the card shows the reasons to choose from (and Back)."""
    await _show_buttons(update, context, AskReason)


async def back_to_card(update: Update, context: BotContext) -> None:
    """Back from the reasons to the card's own buttons."""
    await _show_buttons(update, context, BackToCard)


async def _show_buttons(
    update: Update, context: BotContext, kind: type[AskReason] | type[BackToCard]
) -> None:
    found = await _pressed_on_message(update, context, kind)
    if found is None:
        return
    _, payload, message, card = found
    if message.status is not Status.PENDING:
        outcome = await context.services.moderation.previous(ItemKind.MESSAGE, payload.message_id)
        await _answer(update, context, outcome, "")
        return
    t = context.moderator_i18n
    rows = (
        cards.reason_buttons(t, payload.message_id)
        if isinstance(payload, AskReason)
        else cards.message_buttons(t, payload.message_id)
    )
    query = update.callback_query
    assert query is not None
    await query.answer()
    await _edit_card(update, card, rows)


# ------------------------------------------------------------------ signatures


async def _edit_digest(update: Update, context: BotContext, digest_id: int, stamp: str) -> None:
    """The digest card again, each signature marked with its status; `stamp` under it."""
    signatures = await context.services.moderation.digest(digest_id)
    t = context.moderator_i18n
    text = cards.digest_text(digest_id, signatures, t, context.channel_i18n)
    await _edit_card(
        update,
        cards.stamped(text, stamp) if stamp else text,
        cards.digest_buttons(digest_id, signatures, t),
    )


async def approve_digest(update: Update, context: BotContext) -> None:
    """Approve all: every still-pending signature of the digest."""
    found = await _pressed(update, context, ApproveDigest)
    if found is None:
        return
    moderator, payload = found
    approved = await context.services.moderation.approve_digest(payload.digest_id, moderator)
    t = context.moderator_i18n
    query = update.callback_query
    assert query is not None
    await query.answer(
        t.ngettext("{count} signature approved.", "{count} signatures approved.", approved).format(
            count=t.number(approved)
        )
    )
    stamp = cards.decision_line(t, Decision.APPROVED, moderator.name, int(time.time()))
    await _edit_digest(update, context, payload.digest_id, stamp)


async def reject_signature(update: Update, context: BotContext) -> None:
    """✖ #S40: reject one signature of a digest."""
    found = await _pressed(update, context, RejectSignature)
    if found is None:
        return
    moderator, payload = found
    moderation = context.services.moderation
    digest_id = await moderation.digest_of(payload.signature_id)
    if digest_id is None:
        await _stale(update, context)
        return
    outcome = await moderation.decide_signature(payload.signature_id, False, moderator)
    await _answer(update, context, outcome, context.moderator_i18n.gettext("Done."))
    await _edit_digest(update, context, digest_id, "")
