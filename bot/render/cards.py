"""The moderators' cards: a message, a digest of signatures, their buttons and decisions.

Everything a person typed is escaped here.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Collection, Mapping, Sequence

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
from bot.domain.countries import country_name
from bot.domain.decisions import AuditEntry, Decision, Why
from bot.domain.effects import DIGEST, MESSAGE, FollowUp, Keyboard, Method, Post
from bot.domain.messages import Kind, Message
from bot.domain.signatures import Signature, Status
from bot.i18n import Translator, native_name
from bot.render import fit
from bot.render.lines import line_of, published_text
from bot.render.words import (
    BAN_REASONS,
    CARD_STATUS,
    DECISION_WORDS,
    MESSAGE_REASONS,
    REASON_LABELS,
    SIGNATURE_REJECTIONS,
)

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
        ((t.gettext(REASON_LABELS[reason]), RejectMessage(message_id, reason).pack()),)
        for reason in MESSAGE_REASONS
    ]
    rows.append(((t.gettext("Back"), BackToCard(message_id).pack()),))
    return tuple(rows)


def ban_buttons(t: Translator, message_id: int) -> Keyboard:
    """The second step of a ban: its reason (which confirms it), or Back."""
    rows = [
        (
            (
                t.gettext("Ban: {reason}").format(reason=t.gettext(REASON_LABELS[reason])),
                BanAuthor(message_id, reason).pack(),
            ),
        )
        for reason in BAN_REASONS
    ]
    rows.append(((t.gettext("Back"), BackToCard(message_id).pack()),))
    return tuple(rows)


def decided_buttons(t: Translator, message_id: int, undoable: bool, banned: bool) -> Keyboard:
    """A decided message's card: Undo while the decision may be undone; Unban while banned."""
    rows: list[tuple[tuple[str, str], ...]] = []
    if undoable:
        rows.append(((t.gettext("Undo"), UndoMessage(message_id).pack()),))
    if banned:
        rows.append(((t.gettext("Unban the author"), UnbanAuthor(message_id).pack()),))
    return tuple(rows)


def message_card_text(message: Message, t: Translator, channel: Translator) -> str:
    """The card's text (or caption): reference, language, status, content, signature line."""
    header = t.gettext("#M{number} · {language} · {status}").format(
        number=message.id,
        language=f"{native_name(message.language)} ({message.language})",
        status=t.gettext(CARD_STATUS[message.status]),
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
    digest_id: int,
    signatures: list[Signature],
    t: Translator,
    channel: Translator,
    notes: Mapping[int, str] | None = None,
    changed: Sequence[int] = (),
) -> str:
    """The digest's signatures, each with its status (and, once decided, who decided and
    why: `notes`); `changed`: signatures that left the card, changed by their signers."""
    title = t.ngettext(
        "Digest #D{number}: {count} signature",
        "Digest #D{number}: {count} signatures",
        len(signatures),
    ).format(number=digest_id, count=t.number(len(signatures)))
    lines = [f"<b>{html.escape(title)}</b>", ""]
    for signature in signatures:
        country = country_name(signature.country, t.language) if signature.country else "—"
        line = (
            f"{STATUS_MARKS[signature.status]} #S{signature.id} · "
            f"{html.escape(line_of(signature, channel))} · {html.escape(country)} · "
            f"{signature.language}"
        )
        note = (notes or {}).get(signature.id)
        lines.append(f"{line}\n    <i>{html.escape(note)}</i>" if note else line)
    for signature_id in changed:
        note = t.gettext(
            "#S{number} was changed by its signer: the new version will come on a new card."
        ).format(number=signature_id)
        lines.append(f"↻ {html.escape(note)}")
    return "\n".join(lines)


def digest_buttons(
    digest_id: int,
    signatures: list[Signature],
    t: Translator,
    undo_all: bool = False,
    undoable: Collection[int] = (),
) -> Keyboard:
    """Approve all and a reject button per signature still pending; Undo for an Approve all
    and ↩ for a rejection while they may be undone."""
    rejects = [
        (t.gettext("✖ #S{number}").format(number=s.id), RejectSignature(s.id).pack())
        for s in signatures
        if s.status is Status.PENDING
    ]
    undos = [
        (t.gettext("↩ #S{number}").format(number=s.id), UndoSignature(s.id).pack())
        for s in signatures
        if s.id in undoable and s.status is not Status.PENDING
    ]
    keys = rejects + undos
    rows: list[tuple[tuple[str, str], ...]] = [
        tuple(keys[i : i + REJECTS_PER_ROW]) for i in range(0, len(keys), REJECTS_PER_ROW)
    ]
    if rejects:
        rows.insert(0, ((t.gettext("Approve all"), ApproveDigest(digest_id).pack()),))
    if undo_all:
        rows.append(((t.gettext("Undo these approvals"), UndoDigest(digest_id).pack()),))
    return tuple(rows)


def signature_reason_buttons(t: Translator, signature_id: int, digest_id: int) -> Keyboard:
    """Rejecting one signature of a digest: its reason, or Back to the digest's buttons."""
    rows = [
        (
            (
                t.gettext("#S{number}: {reason}").format(
                    number=signature_id, reason=t.gettext(REASON_LABELS[reason])
                ),
                RejectSignature(signature_id, reason).pack(),
            ),
        )
        for reason in SIGNATURE_REJECTIONS
    ]
    rows.append(((t.gettext("Back"), BackToDigest(digest_id).pack()),))
    return tuple(rows)


def digest_card(
    digest_id: int,
    signatures: list[Signature],
    t: Translator,
    channel: Translator,
    changed: Sequence[int] = (),
) -> Post:
    return Post(
        Method.MESSAGE,
        digest_text(digest_id, signatures, t, channel, changed=changed),
        buttons=digest_buttons(digest_id, signatures, t),
        shows=((DIGEST, digest_id),),
    )


def removed_card(reference: str, t: Translator) -> str:
    text = t.gettext("{reference}: removed at the request of the person who sent it.")
    return html.escape(text.format(reference=reference))


def when(t: Translator, timestamp: int) -> str:
    return t.datetime(dt.datetime.fromtimestamp(timestamp, dt.UTC))


def reason_text(t: Translator, why: Why) -> str:
    """A reason as the moderators read it on a card: the words typed, or the label."""
    return why.text or t.gettext(REASON_LABELS[why.reason])


def decision_line(
    t: Translator, decision: Decision, name: str, timestamp: int, why: Why | None = None
) -> str:
    """“approved by @mina at 2 December 2026, 00:50 UTC” (“…: spam” with a reason)."""
    line = t.gettext("{decision} by {moderator} at {time}").format(
        decision=t.gettext(DECISION_WORDS[decision]), moderator=name, time=when(t, timestamp)
    )
    if why is None:
        return line
    return t.gettext("{decision}: {reason}").format(decision=line, reason=reason_text(t, why))


def previous_decision(t: Translator, entry: AuditEntry) -> str:
    """“approved by @mina on …”: the audit log keeps the day of a decision, not its time."""
    day = dt.datetime.fromtimestamp(entry.decided_at, dt.UTC).date()
    line = t.gettext("{decision} by {moderator} on {date}").format(
        decision=t.gettext(DECISION_WORDS[entry.decision]),
        moderator=entry.moderator_name,
        date=t.date(day),
    )
    if entry.reason is None:
        return line
    return t.gettext("{decision}: {reason}").format(
        decision=line, reason=reason_text(t, entry.reason)
    )


def already(t: Translator, entry: AuditEntry | None) -> str:
    """“Already approved by @mina on …”: a press or a reply that came too late (plain text:
    escape it where it goes out as HTML)."""
    if entry is None:  # decided before the audit log kept it, or its entry was scrubbed
        return t.gettext("This has already been decided.")
    return t.gettext("Already {decision}.").format(decision=previous_decision(t, entry))


def stamped(card: str, line: str) -> str:
    """A card with the decision under it, in bold."""
    return f"{card}\n\n<b>{html.escape(line)}</b>"
