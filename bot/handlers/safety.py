"""/safety: a short, translated guide to staying safe, answered at any step of any flow."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.handlers.reply import say
from bot.i18n import Translator

HELPLINE = "https://www.accessnow.org/help/"


def safety_text(t: Translator) -> str:
    """Facts only: what the bot shows, what to check on Telegram, where to get help."""
    paragraphs = [
        "<b>" + html.escape(t.gettext("Staying safe when you sign")) + "</b>",
        t.gettext(
            "What the channel shows: only the line you choose when you sign (your name, your "
            "first name and initial, or “A supporter”) and your country if you give one. It "
            "never shows your Telegram account, username, photo or phone number, and neither "
            "do the moderators see them."
        ),
        t.gettext(
            "Signing needs no phone number to be visible to anyone. In Telegram, open "
            "Settings → Privacy and Security and check: Phone Number, “Who can see my phone "
            "number”: Nobody, and “Who can find me by my number”: My Contacts; Two-Step "
            "Verification: on, with a password only you know. Use only the official Telegram "
            "apps."
        ),
        t.gettext(
            "If your phone could be inspected: /clear deletes this conversation from the last "
            "48 hours and blanks the bot's older messages; deleting the chat itself (the "
            "chat's menu, “Delete chat”) removes the rest from your phone. /forget deletes "
            "everything the bot stores about you."
        ),
        t.gettext(
            "For help with the security of your phone and accounts, Access Now's Digital "
            "Security Helpline answers free of charge: {link}"
        ).format(link=HELPLINE),
        t.gettext(
            "These steps lower the risk; they cannot remove it. The bot cannot protect your "
            "phone or your account for you."
        ),
    ]
    return "\n\n".join(paragraphs)


async def safety(update: Update, context: BotContext) -> None:
    """Send the guide; the step a person is at stays where it was."""
    await say(update, context, safety_text(context.i18n))
    raise ApplicationHandlerStop  # a conversation under way must not answer it too
