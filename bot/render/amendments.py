"""An amended letter: the channel's note, and what a signer of the older text is shown."""

from __future__ import annotations

import datetime as dt
import html

from bot.domain.amendments import Amended, Change, ParagraphChange, paragraph_changes
from bot.domain.letter import MESSAGE_LIMIT, displayed_text, split_paragraphs
from bot.i18n import Translator

# A diff longer than this many messages is summarised: a signer should read the new text,
# not scroll through a dozen messages of differences.
MAX_MESSAGES = 3


def amended_note(language: str, day: dt.date, channel: Translator) -> str:
    """The channel's note that one language's text was amended."""
    return channel.gettext("The {language} text of the letter was amended on {date}.").format(
        language=channel.language_name(language), date=channel.date(day)
    )


def _block(t: Translator, change: ParagraphChange) -> list[str]:
    """A change as paragraphs: a label in bold, then the paragraph as a person reads it
    (escaped: the letter's own markup is not carried into a diff)."""

    def shown(paragraph: str | None) -> str:
        return html.escape(displayed_text(paragraph or ""))

    if change.change is Change.REMOVED:
        return ["➖ <b>" + t.gettext("Removed:") + "</b>\n" + shown(change.old)]
    if change.change is Change.ADDED:
        return ["➕ <b>" + t.gettext("Added:") + "</b>\n" + shown(change.new)]
    return [
        "✏️ <b>" + t.gettext("Changed. It read:") + "</b>\n" + shown(change.old),
        "<b>" + t.gettext("It now reads:") + "</b>\n" + shown(change.new),
    ]


def amendment_messages(t: Translator, amended: Amended, limit: int = MESSAGE_LIMIT) -> list[str]:
    """What a signer of an older text is told: that it changed, what changed (paragraph by
    paragraph, within Telegram's limit per message, summarised when long), and the question."""
    language = t.language_name(amended.language)
    if amended.signed_version is None:
        intro = t.gettext(
            "The {language} text of the open letter has been changed since you signed it."
        ).format(language=language)
    else:
        intro = t.gettext(
            "The {language} text of the open letter has been changed since you signed it "
            "(you signed version {old}; it is now version {new})."
        ).format(
            language=language,
            old=f"<code>{amended.signed_version}</code>",
            new=f"<code>{amended.current_version}</code>",
        )
    question = t.gettext("Do you keep your signature under the new text, or withdraw it?")
    read = t.gettext("The whole new text: /letter {code}").format(code=amended.language)
    changes = paragraph_changes(amended.old_text, amended.new_text) if amended.old_text else []
    if not changes:
        return split_paragraphs("\n\n".join([intro, read, question]), limit)
    blocks = [block for change in changes for block in _block(t, change)]
    heading = "<b>" + t.gettext("What changed, paragraph by paragraph:") + "</b>"
    parts = split_paragraphs("\n\n".join([intro, heading, *blocks, read, question]), limit)
    if len(parts) > MAX_MESSAGES:
        summary = _summary(t, changes)
        return split_paragraphs("\n\n".join([intro, summary, read, question]), limit)
    return parts


def _summary(t: Translator, changes: list[ParagraphChange]) -> str:
    counts = {kind: sum(c.change is kind for c in changes) for kind in Change}
    return t.ngettext(
        "{count} paragraph was changed, added or removed: too many to show here.",
        "{count} paragraphs were changed, added or removed: too many to show here.",
        len(changes),
    ).format(count=t.number(len(changes))) + (
        # On a line of their own: the sentence before ends with its full stop.
        "\n{changed} · {added} · {removed}".format(
            changed="✏️ " + t.number(counts[Change.CHANGED]),
            added="➕ " + t.number(counts[Change.ADDED]),
            removed="➖ " + t.number(counts[Change.REMOVED]),
        )
    )
