"""Telling people what became of what they sent, in their language."""

from __future__ import annotations

import logging

from bot.domain.messages import REJECTION_REASONS, RejectionReason
from bot.i18n import I18n

logger = logging.getLogger(__name__)


def signature_notice_text(language: str, approved: bool, i18n: I18n) -> str:
    """What a signer is told about their signature, in their language."""
    t = i18n.get(language)
    if approved:
        return t.gettext(
            "The moderators approved your signature under the open letter. Thank you for your "
            "solidarity."
        )
    return t.gettext(
        "The moderators did not accept your signature under the open letter. You can sign "
        "again with /sign."
    )


def message_notice_text(
    language: str, i18n: I18n, approved: bool, reason: RejectionReason | None, link: str | None
) -> str:
    """What an author is told about their message, in their language."""
    t = i18n.get(language)
    if approved and link:
        return t.gettext(
            "The moderators approved your message. It has been published: {link}"
        ).format(link=link)
    if approved:
        return t.gettext("The moderators approved your message. Thank you for your solidarity.")
    why = t.gettext(REJECTION_REASONS[reason or RejectionReason.OTHER])
    return t.gettext("The moderators did not publish your message: {reason}.").format(reason=why)
