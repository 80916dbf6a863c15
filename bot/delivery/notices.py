"""Telling people what became of what they sent, in their language."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.domain.messages import REJECTION_REASONS, RejectionReason
from bot.domain.signatures import Notice, SigningService
from bot.i18n import I18n

logger = logging.getLogger(__name__)


def signature_notice_text(notice: Notice, i18n: I18n) -> str:
    t = i18n.get(notice.language)
    if notice.approved:
        return t.gettext(
            "The moderators approved your signature under the open letter. Thank you for your "
            "solidarity."
        )
    return t.gettext(
        "The moderators did not accept your signature under the open letter. You can sign "
        "again with /sign."
    )


async def tell_signature_decision(
    bot: Bot, i18n: I18n, signing: SigningService, notice: Notice
) -> bool:
    """Send the notice; once it is delivered (or can never be), forget the Telegram id."""
    try:
        await bot.send_message(notice.telegram_id, signature_notice_text(notice, i18n))
    except Forbidden:
        logger.info("A signer blocked the bot before hearing the decision")
    except TelegramError as error:
        logger.warning(
            "Decision notice not delivered (%s); it will be retried", type(error).__name__
        )
        return False
    await signing.told(notice.person_key)
    return True


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
