"""The moderators' cards: a message, a digest of signatures, their buttons and decisions.

Everything a person typed is escaped here.
"""

from __future__ import annotations

import datetime as dt
import html

from bot.buttons import (
    ApproveDigest,
    ApproveMessage,
    AskReason,
    BackToCard,
    BanAuthor,
    RejectMessage,
    RejectSignature,
)
from bot.domain.countries import country_name
from bot.domain.decisions import AuditEntry, Decision
from bot.domain.effects import DIGEST, MESSAGE, FollowUp, Keyboard, Method, Post
from bot.domain.messages import Kind, Message
from bot.domain.signatures import Signature, Status
from bot.i18n import Translator, native_name
from bot.render import fit
from bot.render.lines import line_of, published_text
from bot.render.words import DECISION_WORDS, REASON_LABELS

STATUS_MARKS = {Status.PENDING: "•", Status.APPROVED: "✅", Status.REJECTED: "✖"}
REJECTS_PER_ROW = 4


def message_buttons(t: Translator, message_id: int) -> Keyboard:
    return (
        (
            (t.gettext("Approve"), ApproveMessage(message_id).pack()),
            (t.gettext("Reject"), AskReason(message_id).pack()),
        ),
        ((t.gettext("Ban author"), BanAuthor(message_id).pack()),),
    )


def reason_buttons(t: Translator, message_id: int) -> Keyboard:
    rows = [
        ((t.gettext(label), RejectMessage(message_id, reason).pack()),)
        for reason, label in REASON_LABELS.items()
    ]
    rows.append(((t.gettext("Back"), BackToCard(message_id).pack()),))
    return tuple(rows)


def message_card_text(message: Message, t: Translator, channel: Translator) -> str:
    """The card's text (or caption): reference, language, content and signature line."""
    header = t.gettext("#M{number} · {language} · waiting for review").format(
        number=message.id, language=f"{native_name(message.language)} ({message.language})"
    )
    return f"<b>{html.escape(header)}</b>\n\n" + published_text(
        message.text, line_of(message, channel)
    )


def message_card(message: Message, t: Translator, channel: Translator) -> list[Post]:
    """A pending message for the moderators, cut to fit Telegram's limits (see fit.fitted)."""
    short = t.gettext("#M{number}: the text and the buttons follow.").format(number=message.id)
    return [
        part
        for post in _message_card(message, t, channel)
        for part in fit.fitted(post, html.escape(short), fit.DECISION_ROOM)
    ]


def _message_card(message: Message, t: Translator, channel: Translator) -> list[Post]:
    """A pending message for the moderators: its content, copied by file id, never forwarded."""
    text = message_card_text(message, t, channel)
    buttons = message_buttons(t, message.id)
    shows = ((MESSAGE, message.id),)

    def card(method: Method, file_id: str | None = None) -> Post:
        """The post with the buttons: if Telegram refuses it, the message is set aside."""
        return Post(
            method,
            text,
            file_id,
            buttons,
            follow_up=FollowUp.CARD,
            message_id=message.id,
            shows=shows,
        )

    if message.kind is Kind.TEXT:
        return [card(Method.MESSAGE)]
    if message.kind is Kind.VIDEO_NOTE:  # no caption: the card follows the video message
        return [
            Post(Method.VIDEO_NOTE, file_id=message.file_id, shows=shows),
            card(Method.MESSAGE),
        ]
    return [card(Method(message.kind.value), message.file_id)]


def digest_text(
    digest_id: int, signatures: list[Signature], t: Translator, channel: Translator
) -> str:
    title = t.ngettext(
        "Digest #D{number}: {count} signature",
        "Digest #D{number}: {count} signatures",
        len(signatures),
    ).format(number=digest_id, count=t.number(len(signatures)))
    lines = [f"<b>{html.escape(title)}</b>", ""]
    for signature in signatures:
        country = country_name(signature.country, t.language) if signature.country else "—"
        lines.append(
            f"{STATUS_MARKS[signature.status]} #S{signature.id} · "
            f"{html.escape(line_of(signature, channel))} · {html.escape(country)} · "
            f"{signature.language}"
        )
    return "\n".join(lines)


def digest_buttons(digest_id: int, signatures: list[Signature], t: Translator) -> Keyboard:
    """Approve all, and a reject button per signature still pending; none once all are decided."""
    rejects = [
        (t.gettext("✖ #S{number}").format(number=s.id), RejectSignature(s.id).pack())
        for s in signatures
        if s.status is Status.PENDING
    ]
    if not rejects:
        return ()
    rows = [
        tuple(rejects[i : i + REJECTS_PER_ROW]) for i in range(0, len(rejects), REJECTS_PER_ROW)
    ]
    approve_all = ((t.gettext("Approve all"), ApproveDigest(digest_id).pack()),)
    return (approve_all, *rows)


def digest_card(
    digest_id: int, signatures: list[Signature], t: Translator, channel: Translator
) -> Post:
    return Post(
        Method.MESSAGE,
        digest_text(digest_id, signatures, t, channel),
        buttons=digest_buttons(digest_id, signatures, t),
        shows=((DIGEST, digest_id),),
    )


def removed_card(reference: str, t: Translator) -> str:
    text = t.gettext("{reference}: removed at the request of the person who sent it.")
    return html.escape(text.format(reference=reference))


def when(t: Translator, timestamp: int) -> str:
    return t.datetime(dt.datetime.fromtimestamp(timestamp, dt.UTC))


def decision_line(t: Translator, decision: Decision, name: str, timestamp: int) -> str:
    """“approved by @mina at …”, for a card and for a press that came too late."""
    return t.gettext("{decision} by {moderator} at {time}").format(
        decision=t.gettext(DECISION_WORDS[decision]), moderator=name, time=when(t, timestamp)
    )


def previous_decision(t: Translator, entry: AuditEntry) -> str:
    """“approved by @mina on …”: the audit log keeps the day of a decision, not its time."""
    day = dt.datetime.fromtimestamp(entry.decided_at, dt.UTC).date()
    return t.gettext("{decision} by {moderator} on {date}").format(
        decision=t.gettext(DECISION_WORDS[entry.decision]),
        moderator=entry.moderator_name,
        date=t.date(day),
    )


def stamped(card: str, line: str) -> str:
    """A card with the decision under it, in bold."""
    return f"{card}\n\n<b>{html.escape(line)}</b>"
