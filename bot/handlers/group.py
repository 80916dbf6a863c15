"""The moderator group's commands: /pending, /stats, /export, /ban and /unban, /help.

Everything the bot says in the group goes with protect_content, like the cards: what the
moderators read there cannot be forwarded or saved out of it.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import html
import io
import tempfile

from telegram import InputFile, Message, Update

from bot.context import BotContext
from bot.domain.decisions import Reference
from bot.domain.links import LinkFigures
from bot.domain.reports import spreadsheet_cell
from bot.domain.signatures import Status
from bot.handlers.permissions import moderator_commanding
from bot.i18n import Translator
from bot.render.chart import links_per_day, signatures_per_day
from bot.render.lines import line_of
from bot.render.words import KIND_NAMES

RECENT_DAYS = 14


def _message(update: Update) -> Message:
    message = update.effective_message
    assert message is not None  # commands come in messages
    return message


async def pending(update: Update, context: BotContext) -> None:
    """Send the cards again for everything undecided, oldest first."""
    if await moderator_commanding(update, context) is None:
        return
    t = context.moderator_i18n
    moderation = context.services.moderation
    await moderation.card_signatures()
    count = await moderation.resend_pending()
    if count == 0:
        text = t.gettext("Nothing is waiting for review.")
    else:
        text = t.ngettext(
            "{count} card is on its way.", "{count} cards are on their way.", count
        ).format(count=t.number(count))
    await _message(update).reply_text(text, protect_content=True)


async def ban_command(update: Update, context: BotContext) -> None:
    """/ban M12 or /unban S40: by reference."""
    moderator = await moderator_commanding(update, context)
    if moderator is None:
        return
    t = context.moderator_i18n
    message = _message(update)
    unbanning = (message.text or "").lower().startswith("/unban")
    reference = Reference.parse(context.args[0]) if context.args else None
    if reference is None:
        await message.reply_text(
            t.gettext("Give a reference, such as /ban M12 or /unban S40."), protect_content=True
        )
        return
    moderation = context.services.moderation
    if unbanning:
        result = await moderation.unban(reference, moderator)
        done, not_done = (
            t.gettext("The author is unbanned."),
            t.gettext("The author was not banned."),
        )
    else:
        result = await moderation.ban(reference, moderator)
        done, not_done = (
            t.gettext("The author is banned."),
            t.gettext("The author was already banned."),
        )
    if result is None:
        assert context.args is not None
        text = t.gettext("There is no {reference}.").format(reference=context.args[0].upper())
    else:
        text = done if result else not_done
    await message.reply_text(text, protect_content=True)


async def stats(update: Update, context: BotContext) -> None:
    """Totals by status, language, country and day, the outbox backlog, and a chart."""
    if await moderator_commanding(update, context) is None:
        return
    t = context.moderator_i18n
    reports = context.services.reports
    totals = await reports.totals()
    backlog = await reports.backlog()

    def block(title: str, rows: list[tuple[str, int]]) -> list[str]:
        lines = [f"<b>{html.escape(title)}</b>"]
        lines += [f"{html.escape(name)}: {t.number(count)}" for name, count in rows] or ["—"]
        return [*lines, ""]

    lines: list[str] = []
    goal = context.bot_data.settings.signature_goal
    if goal is not None:
        approved = dict(totals["signatures"]).get(Status.APPROVED.value, 0)
        progress = t.ngettext(
            "Goal: {count} of {goal} signature approved",
            "Goal: {count} of {goal} signatures approved",
            goal,
        ).format(count=t.number(approved), goal=t.number(goal))
        lines += [f"<b>{html.escape(progress)}</b>", ""]
    lines += block(t.gettext("Signatures by status"), totals["signatures"])
    lines += block(t.gettext("Messages by status"), totals["messages"])
    lines += block(t.gettext("Signatures by language"), totals["languages"])
    lines += block(t.gettext("Signatures by country"), totals["countries"])
    recent = totals["days"][-RECENT_DAYS:]
    days = [(t.date(dt.date.fromisoformat(day)), count) for day, count in recent]
    lines += block(t.gettext("Signatures by day"), days)
    links = await context.services.links.per_link()
    if links:
        title = t.gettext("Named links, up to yesterday: started · read on · signed")
        lines += [f"<b>{html.escape(title)}</b>"]
        lines += [
            f"{html.escape(link.name)}: "
            + " · ".join(t.number(n) for n in (link.started, link.read, link.signed))
            for link in links
        ]
        lines.append("")
    lines.append(t.gettext("Waiting in the outbox: {count}").format(count=t.number(backlog)))
    lines.append(t.gettext("Signatures per day") + ": ↓")
    message = _message(update)
    await message.reply_text("\n".join(lines), protect_content=True)
    # Matplotlib neither joins Arabic-script letters nor lays them out right to left: in
    # Persian, Kurdish and Arabic the chart goes untitled (the text above says what it is).
    title = "" if t.rtl else t.gettext("Signatures per day")
    chart = await asyncio.to_thread(signatures_per_day, totals["days"], title)
    await message.reply_photo(chart, protect_content=True)
    per_day = await context.services.links.per_day()
    if per_day:
        await message.reply_photo(await links_chart(t, per_day), protect_content=True)


async def links_chart(t: Translator, per_day: list[LinkFigures]) -> bytes:
    """Each link's last RECENT_DAYS days: started, read on, signed (untitled and without a
    legend in right-to-left languages, which Matplotlib cannot write; the text says it)."""
    shown = {day for figures in per_day if (day := figures.day) is not None}
    recent = sorted(shown)[-RECENT_DAYS:]
    rows = [
        (f.name, t.date(f.day), (f.started, f.read, f.signed))
        for f in per_day
        if f.day is not None and f.day in recent
    ]
    labels = None if t.rtl else (t.gettext("started"), t.gettext("read on"), t.gettext("signed"))
    title = "" if t.rtl else t.gettext("Named links per day")
    return await asyncio.to_thread(links_per_day, rows, labels, title)


async def export(update: Update, context: BotContext) -> None:
    """/export: approved signatures as CSV; /export messages: approved messages to read on air."""
    if await moderator_commanding(update, context, administrators_only=True) is None:
        return
    message = _message(update)
    reports = context.services.reports
    channel = context.channel_i18n
    if context.args and context.args[0].lower() == "messages":
        t = context.moderator_i18n
        lines = []
        for item in await reports.approved_messages():
            kind = t.gettext(KIND_NAMES[item.kind])
            lines.append(
                f"#M{item.id} · {item.language} · {item.submitted_on.isoformat()} · {kind}\n"
                f"{item.text or ''}\n— {line_of(item, channel)}\n"
            )
        document = ("\n".join(lines) or t.gettext("No approved messages yet.")).encode("utf-8")
        await message.reply_document(
            document, filename="messages-to-read-on-air.txt", protect_content=True
        )
        return
    # Rows go from the database to a temporary file a page at a time, and the upload streams
    # from that file: memory stays flat however many have signed.
    with tempfile.TemporaryFile() as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        writer = csv.writer(text)
        # The letter signed: empty for signatures given before versions were recorded.
        writer.writerow(
            ["line", "country", "language", "date", "letter_language", "letter_version"]
        )
        async for signature in reports.approved_signatures():
            shown = signature.letter
            row = [
                line_of(signature, channel),
                signature.country or "",
                signature.language,
                signature.submitted_on.isoformat(),
                shown.language if shown else "",
                shown.version if shown else "",
            ]
            writer.writerow([spreadsheet_cell(cell) for cell in row])
        text.flush()
        text.detach()
        spool.seek(0)
        await message.reply_document(
            InputFile(spool, filename="signatures.csv", read_file_handle=False),
            protect_content=True,
        )


async def moderator_help(update: Update, context: BotContext) -> None:
    t = context.moderator_i18n
    await _message(update).reply_text(
        "\n".join(
            [
                t.gettext("Cards arrive here for every message and, in digests, for signatures."),
                "",
                "/pending — " + t.gettext("cards again for everything undecided"),
                "/stats — " + t.gettext("totals, the outbox backlog and a chart"),
                "/export — " + t.gettext("approved signatures as CSV (administrators)"),
                "/export messages — " + t.gettext("approved messages, to read on air"),
                "/ban M12, /unban M12 — " + t.gettext("stop or allow an author by reference"),
                "/edit — " + t.gettext("replying to a message's card: replace its text"),
                "/ask — " + t.gettext("replying to a message's card: ask its author"),
            ]
        ),
        protect_content=True,
    )
