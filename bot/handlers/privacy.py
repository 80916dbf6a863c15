"""What the bot keeps about a person: /mydata shows it, /forget deletes it; /clear."""

from __future__ import annotations

import html
import logging
import time

from telegram import Update
from telegram.error import BadRequest, TelegramError

from bot.buttons import Answer, Clear, Forget
from bot.context import BotContext
from bot.domain.privacy import PersonalData
from bot.domain.signatures import Status
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import confirmation, say, yes_no
from bot.i18n import Translator, native_name
from bot.render.lines import line_of
from bot.render.words import KIND_NAMES, describe_status

logger = logging.getLogger(__name__)
EXCERPT = 80
DELETE_BATCH = 100  # deleteMessages takes up to 100 ids


def report_lines(data: PersonalData, t: Translator, channel: Translator) -> list[str]:
    """Each thing stored about the person, one line a thing (“Nothing.” when there is none)."""
    lines = []
    if data.language:
        lines.append(t.gettext("Language: {language}").format(language=native_name(data.language)))
    if data.signature:
        lines.append(
            t.gettext("Signature: {line}, {status}, since {date}").format(
                line=t.quote(html.escape(line_of(data.signature, channel))),
                status=describe_status(t, data.signature.status),
                date=t.date(data.signature.submitted_on),
            )
        )
        shown = data.signature.letter
        if shown is None:
            lines.append(
                t.gettext(
                    "Which text of the letter you signed: not recorded (you signed before the "
                    "bot recorded it)"
                )
            )
        else:
            lines.append(
                t.gettext(
                    "Which text of the letter you signed: the {language} text, version {version}"
                ).format(
                    language=t.language_name(shown.language),
                    version=f"<code>{html.escape(shown.version)}</code>",
                )
            )
    for message in data.messages:
        line = t.gettext("Message {number} ({kind}), {status}, sent on {date}").format(
            number=t.number(message.id),
            kind=t.gettext(KIND_NAMES[message.kind]),
            status=describe_status(t, message.status),
            date=t.date(message.submitted_on),
        )
        if message.text:
            text = message.text
            excerpt = text if len(text) <= EXCERPT else text[:EXCERPT] + "…"
            line += "\n  " + t.quote(html.escape(excerpt))
        lines.append(line)
    for number in data.questions:
        lines.append(
            t.gettext(
                "An open question of the moderators about message {number}, so that your "
                "reply reaches them (deleted when they decide)"
            ).format(number=t.number(number))
        )
    if data.telegram_id_kept:
        lines.append(
            t.gettext(
                "Your Telegram account number, kept only until the moderators' decision has "
                "been sent to you"
            )
        )
    if data.unfinished_conversation:
        lines.append(t.gettext("The answers of a conversation you have not finished"))
    if data.recent_chat_messages:
        count = data.recent_chat_messages
        lines.append(
            t.ngettext(
                "The number of {count} message in this chat from the last 48 hours, so that "
                "/clear can delete it",
                "The numbers of {count} messages in this chat from the last 48 hours, so that "
                "/clear can delete them",
                count,
            ).format(count=t.number(count))
        )
    if data.banned:
        lines.append(
            t.gettext(
                "That the moderators no longer accept your signatures and messages (this is "
                "kept after /forget)"
            )
        )
    return ["• " + line for line in lines] or [t.gettext("Nothing.")]


async def my_data(update: Update, context: BotContext) -> None:
    """List everything stored about the person."""
    t = context.i18n
    data = await context.services.privacy.report(
        context.person_key, context.telegram_id, int(time.time())
    )
    lines = [
        t.gettext("This is everything the bot stores about you:"),
        "",
        *report_lines(data, t, context.channel_i18n),
        "",
        t.gettext(
            "You are recognised by a keyed fingerprint of your Telegram account, not by the "
            "account itself. /forget deletes all of this."
        ),
    ]
    await say(update, context, "\n".join(lines))


def forget_lines(data: PersonalData, t: Translator, channel: Translator) -> list[str]:
    """What /forget will remove, one line a thing, as the confirmation lists it."""
    lines = []
    if data.signature:
        line = t.quote(html.escape(line_of(data.signature, channel)))
        if data.signature.status is Status.APPROVED:
            text = t.gettext(
                "Your signature {line}, its line in the channel and on the moderators' cards"
            )
        else:
            text = t.gettext("Your signature {line} and its line on the moderators' cards")
        lines.append(text.format(line=line))
    for message in data.messages:
        if message.status is Status.APPROVED:
            text = t.gettext(
                "Message {number} ({kind}): its post in the channel and its card for the "
                "moderators are deleted"
            )
        else:
            text = t.gettext("Message {number} ({kind}): its card for the moderators is deleted")
        lines.append(
            text.format(number=t.number(message.id), kind=t.gettext(KIND_NAMES[message.kind]))
        )
    if data.language:
        lines.append(t.gettext("Your language choice"))
    if data.telegram_id_kept:
        lines.append(
            t.gettext("Your Telegram account number and anything waiting to be sent to you")
        )
    if data.unfinished_conversation:
        lines.append(t.gettext("The answers of a conversation you have not finished"))
    lines.append(
        t.gettext(
            "This chat: the bot deletes the messages of the last 48 hours and blanks its own "
            "older ones"
        )
    )
    return ["• " + line for line in lines]


async def forget(update: Update, context: BotContext) -> None:
    """Ask, saying what will go; then delete everything stored about the person."""
    choice = await confirmation(update, Forget)
    t = context.i18n
    if choice is Answer.NO:
        await say(update, context, t.gettext("Nothing was deleted."), menu_keyboard(t))
        return
    privacy = context.services.privacy
    if choice is not Answer.YES:
        data = await privacy.report(context.person_key, context.telegram_id, int(time.time()))
        lines = [
            t.gettext("Delete everything the bot stores about you? This removes:"),
            "",
            *forget_lines(data, t, context.channel_i18n),
            "",
            t.gettext("This cannot be undone."),
        ]
        await say(
            update,
            context,
            "\n".join(lines),
            yes_no(
                (t.gettext("Delete everything"), Forget(Answer.YES)),
                (t.gettext("Keep it"), Forget(Answer.NO)),
            ),
        )
        return
    if context.user_data is not None:
        context.user_data.clear()
    chat = await privacy.chat_to_clear(context.person_key, int(time.time()))
    await privacy.forget(context.person_key, context.telegram_id)
    context.services.links.forget(context.person_key)  # the link they came by, in memory
    context.services.amendments.forget(context.person_key)  # the letter they read last
    await clear(context, context.telegram_id, *chat)
    # Sent without remembering its id: nothing about the person is stored after this.
    await context.bot.send_message(
        context.telegram_id,
        t.gettext("Everything the bot stored about you has been deleted."),
        reply_markup=menu_keyboard(t),
    )


async def clear(context: BotContext, chat_id: int, recent: list[int], older: list[int]) -> None:
    """Delete what Telegram lets the bot delete; blank the bot's older messages."""
    for start in range(0, len(recent), DELETE_BATCH):
        try:
            await context.bot.delete_messages(chat_id, recent[start : start + DELETE_BATCH])
        except TelegramError as error:
            logger.info("Some messages could not be deleted: %s", type(error).__name__)
    blank = context.i18n.gettext("This message was cleared.")
    for message_id in older:
        try:
            await _blank(context, chat_id, message_id, blank)
        except TelegramError as error:
            logger.info("An older message could not be blanked: %s", type(error).__name__)


async def _blank(context: BotContext, chat_id: int, message_id: int, text: str) -> None:
    try:
        await context.bot.edit_message_text(text, chat_id, message_id)
    except BadRequest as error:
        if "no text" not in error.message:
            raise
        await context.bot.edit_message_caption(chat_id, message_id, caption=text)


async def clear_chat(update: Update, context: BotContext) -> None:
    """Offer to delete this conversation from the chat, then delete what Telegram allows."""
    choice = await confirmation(update, Clear)
    t = context.i18n
    if choice is Answer.NO:
        await say(update, context, t.gettext("Nothing was deleted."))
        return
    if choice is not Answer.YES:
        await say(
            update,
            context,
            t.gettext(
                "Delete this conversation from the chat? The bot deletes its messages and "
                "yours from the last 48 hours; Telegram does not let it delete older ones, so "
                "it blanks its own older messages instead."
            ),
            yes_no(
                (t.gettext("Delete the conversation"), Clear(Answer.YES)),
                (t.gettext("Keep it"), Clear(Answer.NO)),
            ),
        )
        return
    privacy = context.services.privacy
    chat = update.effective_chat
    assert chat is not None
    await clear(
        context, chat.id, *await privacy.chat_to_clear(context.person_key, int(time.time()))
    )
    await privacy.chat_cleared(context.person_key)
    # Not remembered: there is nothing left for /clear to do with it.
    await context.bot.send_message(
        chat.id,
        t.gettext(
            "The conversation has been deleted. To remove anything older, and this message, "
            "delete the chat itself: open the chat's menu and choose “Delete chat”."
        ),
    )
