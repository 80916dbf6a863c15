"""What the bot posts on its own: moderator cards and digests, channel posts, notices.

Each function returns outbox payloads: {"method": ..., "text" | "file_id" + "caption",
"buttons": [[[text, callback data], ...], ...]}. Everything a person typed is escaped here.
"""

from __future__ import annotations

import html
from typing import Any

from bot.domain.countries import country_name
from bot.domain.letter import split_paragraphs
from bot.domain.messages import Kind, Message, RejectionReason, published_text
from bot.domain.signatures import Signature, published_line
from bot.handlers import callback_data
from bot.i18n import N_, Translator, native_name

Payload = dict[str, Any]
MODERATE = callback_data.MODERATE

REASON_LABELS = {
    RejectionReason.SPAM: N_("Spam"),
    RejectionReason.ABUSIVE: N_("Abusive"),
    RejectionReason.OFF_TOPIC: N_("Off-topic"),
    RejectionReason.PERSONAL_DATA: N_("Personal data"),
    RejectionReason.DUPLICATE: N_("Duplicate"),
    RejectionReason.OTHER: N_("Other"),
}


def line_for(item: Signature | Message, channel: Translator) -> str:
    return published_line(item.listing, item.name, item.country, channel.gettext, channel.language)


def message_buttons(t: Translator, message_id: int) -> list[list[list[str]]]:
    ref = f"M{message_id}"
    return [
        [
            [t.gettext("Approve"), callback_data.build(MODERATE, f"a:{ref}")],
            [t.gettext("Reject"), callback_data.build(MODERATE, f"r:{ref}")],
        ],
        [[t.gettext("Ban author"), callback_data.build(MODERATE, f"b:{ref}")]],
    ]


def reason_buttons(t: Translator, message_id: int) -> list[list[list[str]]]:
    rows = [
        [[t.gettext(label), callback_data.build(MODERATE, f"x:M{message_id}:{reason.value}")]]
        for reason, label in REASON_LABELS.items()
    ]
    rows.append([[t.gettext("Back"), callback_data.build(MODERATE, f"k:M{message_id}")]])
    return rows


def message_card_text(message: Message, t: Translator, channel: Translator) -> str:
    """The card's text (or caption): reference, language, content and signature line."""
    header = t.gettext("#M{number} · {language} · waiting for review").format(
        number=message.id, language=f"{native_name(message.language)} ({message.language})"
    )
    return f"<b>{html.escape(header)}</b>\n\n" + published_text(
        message.text, line_for(message, channel)
    )


def message_card(message: Message, t: Translator, channel: Translator) -> list[Payload]:
    """A pending message for the moderators: its content, copied by file id, never forwarded."""
    text = message_card_text(message, t, channel)
    buttons = message_buttons(t, message.id)
    if message.kind is Kind.TEXT:
        return [{"method": "message", "text": text, "buttons": buttons}]
    if message.kind is Kind.VIDEO_NOTE:
        return [
            {"method": "video_note", "file_id": message.file_id},
            {"method": "message", "text": text, "buttons": buttons},
        ]
    return [
        {
            "method": message.kind.value,
            "file_id": message.file_id,
            "caption": text,
            "buttons": buttons,
        }
    ]


def digest_text(
    digest_id: int, signatures: list[Signature], t: Translator, channel: Translator
) -> str:
    lines = [
        "<b>"
        + html.escape(
            t.ngettext(
                "Digest #D{number}: {count} signature",
                "Digest #D{number}: {count} signatures",
                len(signatures),
            ).format(number=digest_id, count=t.number(len(signatures)))
        )
        + "</b>",
        "",
    ]
    marks = {"pending": "•", "approved": "✅", "rejected": "✖"}
    for signature in signatures:
        country = country_name(signature.country, t.language) if signature.country else "—"
        lines.append(
            f"{marks[signature.status.value]} #S{signature.id} · "
            f"{html.escape(line_for(signature, channel))} · {html.escape(country)} · "
            f"{signature.language}"
        )
    return "\n".join(lines)


def digest_buttons(
    digest_id: int, signatures: list[Signature], t: Translator
) -> list[list[list[str]]]:
    pending = [s for s in signatures if s.status.value == "pending"]
    if not pending:
        return []
    rejects = [
        [
            t.gettext("✖ #S{number}").format(number=s.id),
            callback_data.build(MODERATE, f"s:S{s.id}"),
        ]
        for s in pending
    ]
    rows = [rejects[i : i + 4] for i in range(0, len(rejects), 4)]
    rows.insert(0, [[t.gettext("Approve all"), callback_data.build(MODERATE, f"d:D{digest_id}")]])
    return rows


def digest_card(
    digest_id: int, signatures: list[Signature], t: Translator, channel: Translator
) -> Payload:
    return {
        "method": "message",
        "text": digest_text(digest_id, signatures, t, channel),
        "buttons": digest_buttons(digest_id, signatures, t),
    }


def channel_post(message: Message, channel: Translator) -> list[Payload]:
    """An approved message as the channel shows it; the last payload gets the post link."""
    text = published_text(message.text, line_for(message, channel))
    after = {"after": "published", "message_id": message.id}
    if message.kind is Kind.TEXT:
        return [{"method": "message", "text": text, **after}]
    if message.kind is Kind.VIDEO_NOTE:
        return [
            {"method": "video_note", "file_id": message.file_id, **after},
            {"method": "message", "text": text},
        ]
    return [{"method": message.kind.value, "file_id": message.file_id, "caption": text, **after}]


def signatures_posts(signatures: list[Signature], channel: Translator) -> list[Payload]:
    """New approved signatures for the channel, split to fit Telegram's limit."""
    title = "<b>" + html.escape(channel.gettext("New signatures under the open letter:")) + "</b>"
    body = "\n".join("• " + html.escape(line_for(s, channel)) for s in signatures)
    return [
        {"method": "message", "text": part}
        for part in split_paragraphs(f"{title}\n\n{body}".replace("\n•", "\n\n•"))
    ]


def milestone_post(count: int, channel: Translator) -> Payload:
    text = channel.ngettext(
        "{count} person has signed the open letter “People of the world!”. Thank you!",
        "{count} people have signed the open letter “People of the world!”. Thank you!",
        count,
    ).format(count=channel.number(count))
    return {"method": "message", "text": f"<b>{html.escape(text)}</b>"}


def counter_text(count: int, channel: Translator) -> str:
    return html.escape(
        channel.ngettext("Signatures so far: {count}", "Signatures so far: {count}", count).format(
            count=channel.number(count)
        )
    )


def notice(text: str) -> Payload:
    return {"method": "message", "text": text}
