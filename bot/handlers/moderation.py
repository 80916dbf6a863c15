"""The moderator group: deciding on cards and digests, and the group's commands."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import html
import io
import logging
import re
import tempfile
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, TelegramError

from bot.context import BotContext
from bot.delivery import cards
from bot.delivery.desk import Desk, Moderator, Outcome
from bot.domain.messages import KIND_NAMES, RejectionReason
from bot.domain.signatures import Status
from bot.handlers import callback_data
from bot.i18n import N_, Translator

logger = logging.getLogger(__name__)

PERMISSION_TTL = 60.0
DECIDERS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
MEMBERS = DECIDERS | {ChatMemberStatus.MEMBER, ChatMemberStatus.RESTRICTED}
DECISION_WORDS = {
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "banned": N_("rejected, and the author banned,"),
    "unbanned": N_("unbanned"),
}
_REFERENCE = re.compile(r"#?([MSD])(\d{1,12})", re.I)


def moderator_translator(context: BotContext) -> Translator:
    return context.bot_data.i18n.get(context.bot_data.settings.moderator_language)


def desk_of(context: BotContext) -> Desk:
    desk = context.bot_data.desk
    assert desk is not None
    return desk


def moderator_of(user: User) -> Moderator:
    name = f"@{user.username}" if user.username else user.full_name
    return Moderator(user.id, name)


async def may_decide(context: BotContext, user: User, administrators_only: bool = False) -> bool:
    """creator or administrator of the moderator group (any member with MODERATORS=members)."""
    data = context.bot_data
    key = (user.id, administrators_only)
    cached = data.permission_cache.get(key)
    now = time.monotonic()
    if cached is not None and cached[1] > now:
        return cached[0]
    try:
        member = await context.bot.get_chat_member(data.moderator_chat_id, user.id)
    except TelegramError:
        return False
    allowed = DECIDERS if administrators_only or data.settings.moderators != "members" else MEMBERS
    ok = member.status in allowed
    data.permission_cache[key] = (ok, now + PERMISSION_TTL)
    return ok


def when(t: Translator, timestamp: int) -> str:
    return t.datetime(dt.datetime.fromtimestamp(timestamp, dt.UTC))


def decision_line(t: Translator, decision: str, name: str, timestamp: int) -> str:
    return t.gettext("{decision} by {moderator} at {time}").format(
        decision=t.gettext(DECISION_WORDS.get(decision, decision)),
        moderator=name,
        time=when(t, timestamp),
    )


async def _edit_card(update: Update, text: str, buttons: list[list[list[str]]] | None) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    markup = (
        InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in buttons
            ]
        )
        if buttons
        else None
    )
    try:
        if message is not None and getattr(message, "caption", None) is not None:
            await query.edit_message_caption(text, reply_markup=markup)
        else:
            await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def _answer_outcome(
    update: Update, context: BotContext, kind: str, item_id: int, outcome: Outcome, done: str
) -> None:
    query = update.callback_query
    assert query is not None
    t = moderator_translator(context)
    if outcome.decided or outcome.previous is None:
        await query.answer(done)
        return
    previous = outcome.previous
    await query.answer(
        t.gettext("Already {decision}.").format(
            decision=decision_line(
                t, previous.decision, previous.moderator_name, previous.decided_at
            )
        ),
        show_alert=True,
    )


async def _message_card(context: BotContext, message_id: int) -> str | None:
    message = await context.repos.messages.get(message_id)
    if message is None:
        return None
    desk = desk_of(context)
    return cards.message_card_text(message, desk.mod, desk.channel)


async def _digest_card(context: BotContext, digest_id: int) -> tuple[str, list[list[list[str]]]]:
    desk = desk_of(context)
    signatures = await context.repos.moderation.digest(digest_id)
    return (
        cards.digest_text(digest_id, signatures, desk.mod, desk.channel),
        cards.digest_buttons(digest_id, signatures, desk.mod),
    )


async def moderate(update: Update, context: BotContext) -> None:
    """A press on a card or digest: checked, decided once, the card edited to say by whom."""
    query = update.callback_query
    user = update.effective_user
    chat = update.effective_chat
    if query is None or user is None or chat is None:
        return
    t = moderator_translator(context)
    if chat.id != context.bot_data.moderator_chat_id or not await may_decide(context, user):
        await query.answer(t.gettext("Only the moderators can decide here."), show_alert=True)
        return
    payload = callback_data.parse(query.data)
    parts = (payload.argument or "").split(":") if payload else []
    reference = _REFERENCE.fullmatch(parts[1]) if len(parts) >= 2 else None
    if reference is None:
        await query.answer(t.gettext("This button is no longer valid."))
        return
    action, letter, number = parts[0], reference.group(1).upper(), int(reference.group(2))
    desk = desk_of(context)
    moderator = moderator_of(user)
    stamp = decision_line(t, "{}", moderator.name, int(time.time()))

    if letter == "M" and action in ("a", "r", "k", "x", "b"):
        card = await _message_card(context, number)
        if card is None:
            await query.answer(t.gettext("This button is no longer valid."))
            return
        if action == "r" or action == "k":
            message = await context.repos.messages.get(number)
            if message is not None and message.status is Status.PENDING:
                rows = (
                    cards.reason_buttons(t, number)
                    if action == "r"
                    else cards.message_buttons(t, number)
                )
                await query.answer()
                await _edit_card(update, card, rows)
                return
            outcome = Outcome(
                False, await context.repos.moderation.last_decision("message", number)
            )
            await _answer_outcome(update, context, "message", number, outcome, "")
            return
        if action == "a":
            outcome = await desk.approve_message(number, moderator)
            word = "approved"
        else:
            reason_value = parts[2] if action == "x" and len(parts) > 2 else "other"
            try:
                reason = RejectionReason(reason_value)
            except ValueError:
                await query.answer(t.gettext("This button is no longer valid."))
                return
            outcome = await desk.reject_message(number, reason, moderator, ban=action == "b")
            word = "banned" if action == "b" else "rejected"
        previous = outcome.previous
        if outcome.decided:
            status = stamp.replace("{}", t.gettext(DECISION_WORDS[word]))
        elif previous is not None:
            status = decision_line(
                t, previous.decision, previous.moderator_name, previous.decided_at
            )
        else:
            status = ""
        await _answer_outcome(update, context, "message", number, outcome, t.gettext("Done."))
        await _edit_card(update, f"{card}\n\n<b>{html.escape(status)}</b>", None)
        return

    if letter == "D" and action == "d":
        approved = await desk.approve_digest(number, moderator)
        text, rows = await _digest_card(context, number)
        await query.answer(
            t.ngettext(
                "{count} signature approved.", "{count} signatures approved.", approved
            ).format(count=t.number(approved))
        )
        status = stamp.replace("{}", t.gettext(DECISION_WORDS["approved"]))
        await _edit_card(update, f"{text}\n\n<b>{html.escape(status)}</b>", rows)
        return

    if letter == "S" and action == "s":
        digest_id = await context.repos.moderation.digest_of(number)
        if digest_id is None:
            await query.answer(t.gettext("This button is no longer valid."))
            return
        outcome = await desk.decide_signature(number, False, moderator)
        await _answer_outcome(update, context, "signature", number, outcome, t.gettext("Done."))
        text, rows = await _digest_card(context, digest_id)
        await _edit_card(update, text, rows)
        return

    await query.answer(t.gettext("This button is no longer valid."))


# ----------------------------------------------------------------- commands


async def _command_allowed(
    update: Update, context: BotContext, administrators_only: bool = False
) -> bool:
    user = update.effective_user
    if user is None or not await may_decide(context, user, administrators_only):
        t = moderator_translator(context)
        message = update.effective_message
        if message is not None:
            await message.reply_text(
                t.gettext("Only the group's administrators can do this.")
                if administrators_only
                else t.gettext("Only the moderators can decide here.")
            )
        return False
    return True


async def pending(update: Update, context: BotContext) -> None:
    """Send the cards again for everything undecided, oldest first."""
    if not await _command_allowed(update, context):
        return
    t = moderator_translator(context)
    await desk_of(context).card_signatures()
    count = await desk_of(context).resend_pending()
    message = update.effective_message
    assert message is not None
    if count == 0:
        await message.reply_text(t.gettext("Nothing is waiting for review."))
    else:
        await message.reply_text(
            t.ngettext(
                "{count} card is on its way.", "{count} cards are on their way.", count
            ).format(count=t.number(count))
        )


async def ban_command(update: Update, context: BotContext) -> None:
    """/ban M12 or /unban S40: by reference."""
    if not await _command_allowed(update, context):
        return
    t = moderator_translator(context)
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and message.text is not None
    unbanning = message.text.lower().startswith("/unban")
    reference = _REFERENCE.fullmatch(context.args[0]) if context.args else None
    if reference is None or reference.group(1).upper() == "D":
        await message.reply_text(t.gettext("Give a reference, such as /ban M12 or /unban S40."))
        return
    kind = "message" if reference.group(1).upper() == "M" else "signature"
    desk = desk_of(context)
    moderator = moderator_of(user)
    number = int(reference.group(2))
    if unbanning:
        result = await desk.unban(kind, number, moderator)
    else:
        result = await desk.ban(kind, number, moderator)
    if result is None:
        text = t.gettext("There is no {reference}.").format(reference=reference.group(0).upper())
    elif unbanning:
        text = (
            t.gettext("The author is unbanned.")
            if result
            else t.gettext("The author was not banned.")
        )
    else:
        text = (
            t.gettext("The author is banned.")
            if result
            else t.gettext("The author was already banned.")
        )
    await message.reply_text(text)


async def stats(update: Update, context: BotContext) -> None:
    """Totals by status, language, country and day, the outbox backlog, and a chart."""
    if not await _command_allowed(update, context):
        return
    t = moderator_translator(context)
    totals = await context.repos.moderation.totals()
    backlog = await context.repos.outbox.backlog()

    def block(title: str, rows: list[tuple[str, int]]) -> list[str]:
        lines = [f"<b>{html.escape(title)}</b>"]
        lines += [f"{html.escape(name)}: {t.number(count)}" for name, count in rows] or ["—"]
        return [*lines, ""]

    lines: list[str] = []
    lines += block(t.gettext("Signatures by status"), totals["signatures"])
    lines += block(t.gettext("Messages by status"), totals["messages"])
    lines += block(t.gettext("Signatures by language"), totals["languages"])
    lines += block(t.gettext("Signatures by country"), totals["countries"])
    lines += block(t.gettext("Signatures by day"), totals["days"][-14:])
    lines.append(t.gettext("Waiting in the outbox: {count}").format(count=t.number(backlog)))
    lines.append(t.gettext("Signatures per day") + ": ↓")
    message = update.effective_message
    assert message is not None
    await message.reply_text("\n".join(lines))
    # Matplotlib neither joins Arabic-script letters nor lays them out right to left: in
    # Persian, Kurdish and Arabic the chart goes untitled (the text above says what it is).
    title = "" if t.rtl else t.gettext("Signatures per day")
    chart = await asyncio.to_thread(_chart, totals["days"], title)
    await message.reply_photo(chart)


def _chart(days: list[tuple[str, int]], title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 3.5), dpi=100)
    axes.bar(
        [day for day, _ in days] or ["-"], [count for _, count in days] or [0], color="#b3261e"
    )
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()


async def export(update: Update, context: BotContext) -> None:
    """/export: approved signatures as CSV; /export messages: approved messages to read on air."""
    if not await _command_allowed(update, context, administrators_only=True):
        return
    message = update.effective_message
    assert message is not None
    desk = desk_of(context)
    t = moderator_translator(context)
    if context.args and context.args[0].lower() == "messages":
        lines = []
        for item in await context.repos.moderation.approved_messages():
            kind = t.gettext(KIND_NAMES[item.kind])
            body = item.text or ""
            lines.append(
                f"#M{item.id} · {item.language} · {item.submitted_on.isoformat()} · {kind}\n"
                f"{body}\n— {cards.line_for(item, desk.channel)}\n"
            )
        document = ("\n".join(lines) or t.gettext("No approved messages yet.")).encode("utf-8")
        await message.reply_document(document, filename="messages-to-read-on-air.txt")
        return
    # Rows go from the database to a temporary file a page at a time, and the upload streams
    # from that file: memory stays flat however many have signed.
    with tempfile.TemporaryFile() as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(["line", "country", "language", "date"])
        async for signature in context.repos.moderation.approved_signatures():
            writer.writerow(
                [
                    cards.line_for(signature, desk.channel),
                    signature.country or "",
                    signature.language,
                    signature.submitted_on.isoformat(),
                ]
            )
        text.flush()
        text.detach()
        spool.seek(0)
        await message.reply_document(
            InputFile(spool, filename="signatures.csv", read_file_handle=False)
        )


async def moderator_help(update: Update, context: BotContext) -> None:
    t = moderator_translator(context)
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        "\n".join(
            [
                t.gettext("Cards arrive here for every message and, in digests, for signatures."),
                "",
                "/pending — " + t.gettext("cards again for everything undecided"),
                "/stats — " + t.gettext("totals, the outbox backlog and a chart"),
                "/export — " + t.gettext("approved signatures as CSV (administrators)"),
                "/export messages — " + t.gettext("approved messages, to read on air"),
                "/ban M12, /unban M12 — " + t.gettext("stop or allow an author by reference"),
            ]
        )
    )
