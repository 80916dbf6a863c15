"""Telling people what became of what they sent, in their language."""

from __future__ import annotations

from bot.domain.messages import RejectionReason
from bot.i18n import N_, Translator
from bot.render.words import REJECTION_REASONS

BANNED = N_(
    "The moderators have stopped accepting signatures and messages from you. You can still "
    "read the letter."
)


def signature_notice(t: Translator, approved: bool) -> str:
    """What a signer is told about their signature."""
    if approved:
        return t.gettext(
            "The moderators approved your signature under the open letter. Thank you for your "
            "solidarity."
        )
    return t.gettext(
        "The moderators did not accept your signature under the open letter. You can sign "
        "again with /sign."
    )


def message_notice(t: Translator, reason: RejectionReason | None, link: str | None) -> str:
    """What an author is told about their message: approved (reason None), or why not."""
    if reason is None and link:
        return t.gettext(
            "The moderators approved your message. It has been published: {link}"
        ).format(link=link)
    if reason is None:
        return t.gettext("The moderators approved your message. Thank you for your solidarity.")
    why = t.gettext(REJECTION_REASONS[reason])
    return t.gettext("The moderators did not publish your message: {reason}.").format(reason=why)


def banned_notice(t: Translator) -> str:
    return t.gettext(BANNED)
