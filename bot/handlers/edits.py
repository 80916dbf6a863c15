"""What an edited message is answered with, when it is not part of a conversation's draft.

An edit that reaches the bot changes nothing already sent: a message that went into a signature
or a solidarity message is answered with what happened to it and how to change it for real;
any other edit is asked to be sent again as a new message. (An edit of what a conversation
under way holds is taken into its draft: see conversation.Flow.)
"""

from __future__ import annotations

from telegram import Update

from bot.buttons import WithdrawMessage
from bot.context import BotContext
from bot.domain.decisions import ItemKind
from bot.handlers.reply import button, keyboard, say


async def tell_sent(update: Update, context: BotContext) -> bool:
    """If the edited message went into a signature or a message still stored, say that the
    moderators have it as first sent, and how to change it; False if it did not."""
    message = update.edited_message
    if message is None:
        return False
    sent = context.bot_data.sent.of(context.person_key, message.message_id)
    if sent is None:
        return False
    t = context.i18n
    if sent.kind is ItemKind.SIGNATURE:
        signature = await context.services.signing.signature_of(context.person_key)
        if signature is None or signature.id != sent.item_id:
            return False
        text = t.gettext(
            "Your signature was already sent to the moderators as you first typed it: an edit "
            "does not change it. To change your signature, send /sign and press Change."
        )
        await say(update, context, text)
        return True
    mine = await context.services.dialogue.message_of(context.person_key, sent.item_id)
    if mine is None:
        return False
    text = t.gettext(
        "This message was already sent to the moderators as you first wrote it: an edit does "
        "not reach them. To correct it, withdraw it and send the corrected one with /message."
    )
    withdraw = button(t.gettext("Withdraw this message"), WithdrawMessage(sent.item_id))
    await say(update, context, text, keyboard([withdraw]))
    return True


def not_read(context: BotContext) -> str:
    return context.i18n.gettext("Edits are not read. Please send it again as a new message.")


async def edited_elsewhere(update: Update, context: BotContext) -> None:
    """An edit outside any conversation: what became of it, or send it again."""
    if not await tell_sent(update, context):
        await say(update, context, not_read(context))
