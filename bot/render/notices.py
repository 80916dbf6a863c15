"""Telling people what became of what they sent, in their language."""

from __future__ import annotations

import html

from bot.domain.decisions import Why
from bot.i18n import N_, Translator
from bot.render.words import REJECTION_REASONS, SIGNATURE_REASONS

BANNED = N_(
    "The moderators have stopped accepting signatures and messages from you. You can still "
    "read the letter."
)


def signature_notice(t: Translator, approved: bool, why: Why | None = None) -> str:
    """What a signer is told about their signature."""
    if approved:
        return t.gettext(
            "The moderators approved your signature under the open letter. Thank you for your "
            "solidarity."
        )
    if why is not None and why.text:
        return t.gettext(
            "The moderators did not accept your signature under the open letter. Their "
            "reason: {reason}\n\nYou can sign again with /sign."
        ).format(reason=html.escape(why.text))
    if why is not None and why.reason in SIGNATURE_REASONS:
        return t.gettext(
            "The moderators did not accept your signature under the open letter: {reason}. "
            "You can sign again with /sign."
        ).format(reason=t.gettext(SIGNATURE_REASONS[why.reason]))
    return t.gettext(
        "The moderators did not accept your signature under the open letter. You can sign "
        "again with /sign."
    )


def message_notice(t: Translator, why: Why | None, link: str | None) -> str:
    """What an author is told about their message: approved (`why` None), or why not; the
    words a moderator typed reach the author as they were typed."""
    if why is None and link:
        return t.gettext(
            "The moderators approved your message. It has been published: {link}"
        ).format(link=link)
    if why is None:
        return t.gettext("The moderators approved your message. Thank you for your solidarity.")
    if why.text:
        return t.gettext(
            "The moderators did not publish your message. Their reason: {reason}"
        ).format(reason=html.escape(why.text))
    if why.reason in REJECTION_REASONS:
        reason = t.gettext(REJECTION_REASONS[why.reason])
        return t.gettext("The moderators did not publish your message: {reason}.").format(
            reason=reason
        )
    return t.gettext("The moderators decided not to publish your message.")


def banned_notice(t: Translator) -> str:
    return t.gettext(BANNED)
