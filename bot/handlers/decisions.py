"""Presses on the moderators' cards: one small handler per action.

Every press is checked (the moderator group, a moderator, and the card it is on: a button
acts only on the item its own card shows), decided once (the domain's conditional update),
answered, and its card edited to say what was decided, by whom, when and why.
"""

from __future__ import annotations

import contextlib
import html
import json
import time
from typing import Protocol, TypeVar

from telegram import ForceReply, Update
from telegram.error import BadRequest, TelegramError

from bot.buttons import (
    ApproveDigest,
    ApproveMessage,
    AskReason,
    BackToCard,
    BackToDigest,
    BanAuthor,
    RejectMessage,
    RejectSignature,
    UnbanAuthor,
    UndoDigest,
    UndoMessage,
    UndoSignature,
)
from bot.context import BotContext
from bot.delivery.keyboards import markup
from bot.domain.decisions import (
    REASON_LENGTH,
    Decision,
    ItemKind,
    Moderator,
    Outcome,
    Reference,
    Why,
)
from bot.domain.effects import DIGEST, MESSAGE, SIGNATURE, Keyboard
from bot.domain.letter import displayed_text, visible_length
from bot.domain.messages import Message, RejectionReason, visible_text
from bot.domain.moderation import Undone
from bot.domain.signatures import Status
from bot.handlers.permissions import moderator_commanding, moderator_pressing
from bot.handlers.reply import pressed
from bot.i18n import N_, Translator
from bot.render import cards, fit

STALE = N_("This button is no longer valid.")
NOT_THIS_CARD = N_("This button does not belong to this card.")
OUT_OF_DATE = N_(
    "This card is out of date: what it showed was changed or withdrawn by the person who sent it."
)
PROMPT = "prompt:"  # campaign state: a prompt for a typed reason, by its message id
PROMPT_TTL = 24 * 3600
T = TypeVar("T")


class OnMessage(Protocol):
    @property
    def message_id(self) -> int: ...


class OnDigest(Protocol):
    @property
    def digest_id(self) -> int: ...


OnMessageT = TypeVar("OnMessageT", bound=OnMessage)
OnDigestT = TypeVar("OnDigestT", bound=OnDigest)


# ------------------------------------------------------------------ the press and its card


async def _edit(
    context: BotContext, message_id: int, caption: bool, text: str, buttons: Keyboard = ()
) -> None:
    """Rewrite a card (its text, or a media card's caption) and its buttons."""
    chat_id = context.bot_data.destinations.moderator_chat_id
    try:
        if caption:
            await context.bot.edit_message_caption(
                chat_id, message_id, caption=text, reply_markup=markup(buttons)
            )
        else:
            await context.bot.edit_message_text(
                text, chat_id, message_id, reply_markup=markup(buttons)
            )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


def _card(update: Update) -> tuple[int, bool]:
    """The pressed card: its message id, and whether it is a media card (with a caption)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    return query.message.message_id, getattr(query.message, "caption", None) is not None


async def _answer(update: Update, text: str = "", alert: bool = False) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(text or None, show_alert=alert)


async def _refuse(update: Update, context: BotContext, why: str) -> None:
    await _answer(update, context.moderator_i18n.gettext(why), alert=True)


async def _pressed(
    update: Update, context: BotContext, kind: type[T]
) -> tuple[Moderator, T, list[tuple[str, int]]] | None:
    """The moderator, the payload of a press of `kind` and what its card shows; None once the
    press has been answered (refused)."""
    moderator = await moderator_pressing(update, context)
    if moderator is None:
        return None
    payload = pressed(update)
    if not isinstance(payload, kind):
        await _refuse(update, context, STALE)
        return None
    card_id, _ = _card(update)
    shown = await context.services.moderation.on_card(card_id)
    return moderator, payload, shown


async def _bound(
    update: Update, context: BotContext, shown: list[tuple[str, int]], item: tuple[str, int]
) -> bool:
    """Whether the press acts on what its card shows; refused (answered) if not."""
    if item in shown:
        return True
    await _refuse(update, context, OUT_OF_DATE if not shown else NOT_THIS_CARD)
    return False


async def refuse(update: Update, context: BotContext) -> None:
    """A moderation payload that does not parse: refused, or answered as a stale button."""
    if await moderator_pressing(update, context) is not None:
        await _refuse(update, context, STALE)


# ------------------------------------------------------------------ messages


async def _render_message(
    context: BotContext, message_id: int, card_id: int, caption: bool, stamp: str
) -> None:
    """The card as its message stands now: its status, `stamp`, and the buttons it allows."""
    moderation = context.services.moderation
    message = await moderation.message(message_id)
    if message is None:
        return
    t = context.moderator_i18n
    text = _card_text(context, message)
    if message.status is Status.PENDING:
        buttons = cards.message_buttons(t, message_id)
    else:
        buttons = cards.decided_buttons(
            t,
            message_id,
            await moderation.undoable(MESSAGE, message_id),
            await moderation.author_banned(Reference(ItemKind.MESSAGE, message_id)),
        )
    await _edit(context, card_id, caption, cards.stamped(text, stamp) if stamp else text, buttons)


def _card_text(context: BotContext, message: Message) -> str:
    """The message's card as it stands, the part its buttons are on (a long caption's text
    follows its media)."""
    card = cards.message_card_text(message, context.moderator_i18n, context.channel_i18n)
    return fit.button_part(card)


async def _on_message(
    update: Update, context: BotContext, kind: type[OnMessageT]
) -> tuple[Moderator, OnMessageT, Message] | None:
    found = await _pressed(update, context, kind)
    if found is None:
        return None
    moderator, payload, shown = found
    if not await _bound(update, context, shown, (MESSAGE, payload.message_id)):
        return None
    message = await context.services.moderation.message(payload.message_id)
    pending = message is not None and message.status is Status.PENDING
    if message is None or (pending and not _shows_now(update, context, message)):
        # Withdrawn; or edited (/edit) and the card not yet showing it: a press decides only
        # what its moderator could read. (Decided meanwhile: the press says by whom.)
        await _refuse(update, context, OUT_OF_DATE)
        return None
    return moderator, payload, message


def _shows_now(update: Update, context: BotContext, message: Message) -> bool:
    """Whether the pressed card, as Telegram shows it now, shows the message as it stands
    (its text as stored, its status): the card the bot would draw, under any stamp."""
    shown = update.effective_message
    if shown is None:
        return True
    card = _card_text(context, message)
    on_card = " ".join((shown.text or shown.caption or "").split())
    return on_card.startswith(" ".join(displayed_text(card).split()))


async def _decided(
    update: Update,
    context: BotContext,
    message_id: int,
    outcome: Outcome,
    decision: Decision,
    moderator: Moderator,
    why: Why | None = None,
) -> None:
    """Answer a decision's press, and stamp the card (this decision, or the earlier one)."""
    t = context.moderator_i18n
    if outcome.decided:
        await _answer(update, t.gettext("Done."))
    else:
        await _answer(update, cards.already(t, outcome.previous), True)
    card_id, caption = _card(update)
    stamp = _stamp(t, outcome, decision, moderator, why)
    await _render_message(context, message_id, card_id, caption, stamp)


def _stamp(
    t: Translator, outcome: Outcome, decision: Decision, moderator: Moderator, why: Why | None
) -> str:
    """What a card says under it after a decision: this one, or the one that came first."""
    if outcome.decided:
        return cards.decision_line(t, decision, moderator.name, int(time.time()), why)
    return cards.previous_decision(t, outcome.previous) if outcome.previous else ""


async def approve_message(update: Update, context: BotContext) -> None:
    """Approve: the message goes to the channel, its author is told with the link."""
    found = await _on_message(update, context, ApproveMessage)
    if found is None:
        return
    moderator, payload, seen = found
    moderation = context.services.moderation
    outcome = await moderation.approve_message(payload.message_id, moderator, seen.text)
    if outcome.changed:  # edited between the card's check and now
        await _refuse(update, context, OUT_OF_DATE)
        return
    await _decided(update, context, payload.message_id, outcome, Decision.APPROVED, moderator)


async def reject_message(update: Update, context: BotContext) -> None:
    """Reject with the reason pressed (Other: the moderator types it); the author is told."""
    found = await _on_message(update, context, RejectMessage)
    if found is None:
        return
    moderator, payload, _ = found
    if payload.reason is RejectionReason.OTHER:
        await _ask_for_reason(update, context, "reject", MESSAGE, payload.message_id)
        return
    why = Why(payload.reason)
    moderation = context.services.moderation
    outcome = await moderation.reject_message(payload.message_id, why, moderator)
    await _decided(update, context, payload.message_id, outcome, Decision.REJECTED, moderator, why)


async def ban_author(update: Update, context: BotContext) -> None:
    """Ban: first the reasons (the confirmation); then reject the message and ban its author."""
    found = await _on_message(update, context, BanAuthor)
    if found is None:
        return
    moderator, payload, _ = found
    t = context.moderator_i18n
    if payload.reason is None:
        rows = cards.ban_buttons(t, payload.message_id)
        hint = t.gettext("Choose a reason to ban the author, or press Back.")
        await _show(update, context, payload.message_id, rows, hint)
        return
    if payload.reason is RejectionReason.OTHER:
        await _ask_for_reason(update, context, "ban", MESSAGE, payload.message_id)
        return
    why = Why(payload.reason)
    moderation = context.services.moderation
    outcome = await moderation.reject_message(payload.message_id, why, moderator, ban=True)
    await _decided(update, context, payload.message_id, outcome, Decision.BANNED, moderator, why)


async def unban_author(update: Update, context: BotContext) -> None:
    """Unban the author of the card's message."""
    found = await _on_message(update, context, UnbanAuthor)
    if found is None:
        return
    moderator, payload, _ = found
    t = context.moderator_i18n
    reference = Reference(ItemKind.MESSAGE, payload.message_id)
    if await context.services.moderation.unban(reference, moderator):
        await _answer(update, t.gettext("The author is unbanned."))
        stamp = cards.decision_line(t, Decision.UNBANNED, moderator.name, int(time.time()))
    else:
        await _answer(update, t.gettext("The author was not banned."))
        stamp = ""
    card_id, caption = _card(update)
    await _render_message(context, payload.message_id, card_id, caption, stamp)


async def undo_message(update: Update, context: BotContext) -> None:
    """Undo the decision on the card's message: pending again, retracted from the channel."""
    found = await _on_message(update, context, UndoMessage)
    if found is None:
        return
    moderator, payload, _ = found
    undone = await context.services.moderation.undo(MESSAGE, payload.message_id, moderator)
    stamp = await _answer_undo(update, context, undone, moderator)
    card_id, caption = _card(update)
    await _render_message(context, payload.message_id, card_id, caption, stamp)


async def _answer_undo(
    update: Update, context: BotContext, undone: Undone, moderator: Moderator
) -> str:
    """Answer an Undo press; the card's stamp."""
    t = context.moderator_i18n
    if undone is Undone.UNDONE:
        await _answer(update, t.gettext("Undone: it is waiting for review again."))
        return cards.decision_line(t, Decision.UNDONE, moderator.name, int(time.time()))
    if undone is Undone.TOO_LATE:
        minutes = max(1, round(context.bot_data.settings.undo_window / 60))
        text = t.ngettext(
            "Too late: a decision can be undone for {count} minute.",
            "Too late: a decision can be undone for {count} minutes.",
            minutes,
        ).format(count=t.number(minutes))
        await _answer(update, text, alert=True)
    else:
        await _refuse(update, context, STALE)
    return ""


async def ask_reason(update: Update, context: BotContext) -> None:
    """Reject: the card shows the reasons to choose from (and Back)."""
    found = await _on_message(update, context, AskReason)
    if found is None:
        return
    _, payload, _ = found
    reasons = cards.reason_buttons(context.moderator_i18n, payload.message_id)
    await _show(update, context, payload.message_id, reasons)


async def back_to_card(update: Update, context: BotContext) -> None:
    """Back from the reasons to the card's own buttons."""
    found = await _on_message(update, context, BackToCard)
    if found is None:
        return
    _, payload, _ = found
    buttons = cards.message_buttons(context.moderator_i18n, payload.message_id)
    await _show(update, context, payload.message_id, buttons)


async def _show(
    update: Update, context: BotContext, message_id: int, rows: Keyboard, hint: str = ""
) -> None:
    """Other buttons on a pending message's card (an undecided step: nothing is decided)."""
    message = await context.services.moderation.message(message_id)
    if message is None or message.status is not Status.PENDING:
        outcome = await context.services.moderation.previous(ItemKind.MESSAGE, message_id)
        await _answer(update, cards.already(context.moderator_i18n, outcome.previous), True)
        return
    await _answer(update, hint)
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_reply_markup(markup(rows))
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


# ------------------------------------------------------------------ signatures


async def _render_digest(
    context: BotContext, digest_id: int, card_id: int, stamp: str = ""
) -> None:
    """The digest card as it stands: each signature with its status, who rejected it and
    why; the buttons still allowed; `stamp` under it."""
    moderation = context.services.moderation
    t = context.moderator_i18n
    signatures = await moderation.digest(digest_id)
    if not signatures:
        await _edit(context, card_id, False, cards.removed_card(f"#D{digest_id}", t))
        return
    notes, short_notes = {}, {}
    undoable = set()
    for signature in signatures:
        if signature.status is Status.REJECTED:
            outcome = await moderation.previous(ItemKind.SIGNATURE, signature.id)
            if outcome.previous is not None:
                notes[signature.id] = cards.previous_decision(t, outcome.previous)
                short_notes[signature.id] = outcome.previous.moderator_name
            if await moderation.undoable(SIGNATURE, signature.id):
                undoable.add(signature.id)
    # Twenty long lines leave little room: who rejected each and why, or, where that would
    # not fit, who (the audit log keeps the reasons).
    room = fit.TEXT_LIMIT - visible_length(cards.stamped("", stamp))
    for each in (notes, short_notes, {}):
        text = cards.digest_text(digest_id, signatures, t, context.channel_i18n, each)
        if visible_length(text) <= room:
            break
    buttons = cards.digest_buttons(
        digest_id, signatures, t, await moderation.undoable(DIGEST, digest_id), undoable
    )
    await _edit(context, card_id, False, cards.stamped(text, stamp) if stamp else text, buttons)


async def _on_digest(
    update: Update, context: BotContext, kind: type[OnDigestT]
) -> tuple[Moderator, OnDigestT] | None:
    found = await _pressed(update, context, kind)
    if found is None:
        return None
    moderator, payload, shown = found
    if not await _bound(update, context, shown, (DIGEST, payload.digest_id)):
        return None
    return moderator, payload


async def approve_digest(update: Update, context: BotContext) -> None:
    """Approve all: every still-pending signature of the digest (what the card shows)."""
    found = await _on_digest(update, context, ApproveDigest)
    if found is None:
        return
    moderator, payload = found
    approved = await context.services.moderation.approve_digest(payload.digest_id, moderator)
    t = context.moderator_i18n
    stamp = ""
    if approved:
        await _answer(
            update,
            t.ngettext(
                "{count} signature approved.", "{count} signatures approved.", len(approved)
            ).format(count=t.number(len(approved))),
        )
        stamp = cards.decision_line(t, Decision.APPROVED, moderator.name, int(time.time()))
    else:
        await _answer(update, t.gettext("Nothing on this card is waiting for a decision."), True)
    await _render_digest(context, payload.digest_id, _card(update)[0], stamp)


async def undo_digest(update: Update, context: BotContext) -> None:
    """Undo an Approve all: its signatures are pending again, their lines retracted."""
    found = await _on_digest(update, context, UndoDigest)
    if found is None:
        return
    moderator, payload = found
    undone = await context.services.moderation.undo(DIGEST, payload.digest_id, moderator)
    stamp = await _answer_undo(update, context, undone, moderator)
    await _render_digest(context, payload.digest_id, _card(update)[0], stamp)


async def back_to_digest(update: Update, context: BotContext) -> None:
    found = await _on_digest(update, context, BackToDigest)
    if found is None:
        return
    _, payload = found
    await _answer(update)
    await _render_digest(context, payload.digest_id, _card(update)[0])


async def _on_signature(
    update: Update, context: BotContext, kind: type[RejectSignature] | type[UndoSignature]
) -> tuple[Moderator, RejectSignature | UndoSignature, int] | None:
    """A press about one signature of a digest card: valid while the signature is still on
    that card (a changed or withdrawn signature has left it)."""
    found = await _pressed(update, context, kind)
    if found is None:
        return None
    moderator, payload, shown = found
    digest_id = await context.services.moderation.digest_of(payload.signature_id)
    on_a_digest = [number for letter, number in shown if letter == DIGEST]
    if digest_id is None or digest_id not in on_a_digest:
        await _refuse(update, context, OUT_OF_DATE if on_a_digest or not shown else NOT_THIS_CARD)
        return None
    return moderator, payload, digest_id


async def reject_signature(update: Update, context: BotContext) -> None:
    """✖ #S40: the reasons; then reject that signature of the digest with the one pressed."""
    found = await _on_signature(update, context, RejectSignature)
    if found is None:
        return
    moderator, payload, digest_id = found
    assert isinstance(payload, RejectSignature)
    t = context.moderator_i18n
    moderation = context.services.moderation
    if payload.reason is None:
        signature = await moderation.signature(payload.signature_id)
        if signature is None or signature.status is not Status.PENDING:
            await _answer(update, t.gettext("This signature has already been decided."), True)
            return
        await _answer(update)
        query = update.callback_query
        assert query is not None
        rows = cards.signature_reason_buttons(t, payload.signature_id, digest_id)
        await query.edit_message_reply_markup(markup(rows))
        return
    if payload.reason is RejectionReason.OTHER:
        await _ask_for_reason(update, context, "reject", SIGNATURE, payload.signature_id)
        return
    why = Why(payload.reason)
    outcome = await moderation.decide_signature(payload.signature_id, False, moderator, why)
    if outcome.decided:
        await _answer(update, t.gettext("Done."))
    else:
        await _answer(update, cards.already(t, outcome.previous), True)
    await _render_digest(context, digest_id, _card(update)[0])


async def undo_signature(update: Update, context: BotContext) -> None:
    """↩ #S40: undo the rejection of one signature."""
    found = await _on_signature(update, context, UndoSignature)
    if found is None:
        return
    moderator, payload, digest_id = found
    undone = await context.services.moderation.undo(SIGNATURE, payload.signature_id, moderator)
    stamp = await _answer_undo(update, context, undone, moderator)
    await _render_digest(context, digest_id, _card(update)[0], stamp)


# ------------------------------------------------------------------ reasons typed


async def _ask_for_reason(
    update: Update, context: BotContext, action: str, letter: str, number: int
) -> None:
    """Other: the bot asks the moderator to type the reason, as a reply to its prompt."""
    t = context.moderator_i18n
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.message is not None and user is not None
    card_id, caption = _card(update)
    reference = f"#{letter}{number}"
    text = (
        t.gettext("Reply to this message with the reason for banning the author of {reference}.")
        if action == "ban"
        else t.gettext("Reply to this message with the reason for rejecting {reference}.")
    ).format(reference=reference)
    note = (
        t.gettext("The author is not told it: it stays on the card and in the audit log.")
        if action == "ban"
        else t.gettext("The author will read your words as you write them.")
    )
    await _answer(update, t.gettext("Type the reason as a reply to the bot's message."))
    shown = update.effective_message
    topic = shown.message_thread_id if shown is not None and shown.is_topic_message else None
    prompt = await context.bot.send_message(
        context.bot_data.destinations.moderator_chat_id,
        f"{html.escape(text)}\n{html.escape(note)}",
        message_thread_id=topic,  # in the card's topic, where the group has topics
        reply_to_message_id=card_id,
        reply_markup=ForceReply(selective=True, input_field_placeholder=reference),
        protect_content=True,
    )
    record = {
        "action": action,
        "letter": letter,
        "number": number,
        "card": card_id,
        "caption": caption,
        "until": time.time() + PROMPT_TTL,
    }
    await context.services.moderation.remember_prompt(
        f"{PROMPT}{prompt.message_id}", json.dumps(record)
    )


async def typed_reason(update: Update, context: BotContext) -> None:
    """A moderator's reply to a prompt for a reason: the rejection (or ban) with those words."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or not message.text:
        return
    moderation = context.services.moderation
    key = f"{PROMPT}{message.reply_to_message.message_id}"
    raw = await moderation.prompt(key)
    if raw is None:
        return  # a reply to something else: not ours to answer
    moderator = await moderator_commanding(update, context)
    if moderator is None:
        return
    t = context.moderator_i18n
    record = json.loads(raw)
    words = " ".join(visible_text(message.text).split())
    if len(words.encode("utf-16-le")) // 2 > REASON_LENGTH:
        await message.reply_text(
            t.gettext("Please keep the reason to {count} characters at most.").format(
                count=t.number(REASON_LENGTH)
            ),
            protect_content=True,
        )
        return
    await moderation.forget_prompt(key)
    if record["until"] < time.time() or not words:
        await message.reply_text(t.gettext(STALE), protect_content=True)
        return
    why = Why(RejectionReason.OTHER, words)
    number = int(record["number"])
    if record["letter"] == MESSAGE:
        ban = record["action"] == "ban"
        outcome = await moderation.reject_message(number, why, moderator, ban=ban)
        decision = Decision.BANNED if ban else Decision.REJECTED
        stamp = _stamp(t, outcome, decision, moderator, why)
        await _render_message(context, number, int(record["card"]), bool(record["caption"]), stamp)
    else:
        outcome = await moderation.decide_signature(number, False, moderator, why)
        digest_id = await moderation.digest_of(number)
        if digest_id is not None:
            await _render_digest(context, digest_id, int(record["card"]))
    if not outcome.decided:  # a moderator's name and typed words: escaped for HTML
        await message.reply_text(
            html.escape(cards.already(t, outcome.previous)), protect_content=True
        )
    with contextlib.suppress(TelegramError):
        await message.reply_to_message.delete()  # the prompt has done its work
