"""What the bot keeps about a person: /mydata shows it, /forget deletes it; /clear."""

from __future__ import annotations

import html
import logging
import time

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.messages import KIND_NAMES
from bot.handlers import callback_data
from bot.handlers.listing import describe_status
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import answer, close_keyboard, pressed, say, yes_no
from bot.handlers.sign import line_of
from bot.i18n import native_name
from bot.storage.persistence import SqlitePersistence

logger = logging.getLogger(__name__)


async def my_data(update: Update, context: BotContext) -> None:
    """List everything stored about the person."""
    t = context.i18n
    key = context.person_key
    user = update.effective_user
    assert key is not None and user is not None
    repos = context.repos
    lines = [t.gettext("This is everything the bot stores about you:"), ""]
    language = await repos.people.language_of(key)
    if language:
        lines.append(
            "• " + t.gettext("Language: {language}").format(language=native_name(language))
        )
    signature = await repos.signatures.of_person(key)
    if signature:
        status = describe_status(t, signature.status)
        line = line_of(context, signature.listing, signature.name, signature.country)
        lines.append(
            "• "
            + t.gettext("Signature: “{line}”, {status}, since {date}").format(
                line=html.escape(line), status=status, date=t.date(signature.submitted_on)
            )
        )
    for message in await repos.messages.of_person(key):
        status = describe_status(t, message.status)
        lines.append(
            "• "
            + t.gettext("Message {number} ({kind}), {status}, sent on {date}").format(
                number=t.number(message.id),
                kind=t.gettext(KIND_NAMES[message.kind]),
                status=status,
                date=t.date(message.submitted_on),
            )
        )
        if message.text:
            excerpt = message.text if len(message.text) <= 80 else message.text[:80] + "…"
            lines.append(f"  “{html.escape(excerpt)}”")
    if await repos.contacts.telegram_id(key) is not None:
        lines.append(
            "• "
            + t.gettext(
                "Your Telegram account number, kept only until the moderators' decision has "
                "been sent to you"
            )
        )
    persistence = context.application.persistence
    if isinstance(persistence, SqlitePersistence) and await persistence.has_conversation(user.id):
        lines.append("• " + t.gettext("The answers of a conversation you have not finished"))
    recent = await repos.chat_log.recent(key, int(time.time()))
    if recent:
        lines.append(
            "• "
            + t.ngettext(
                "The number of {count} message in this chat from the last 48 hours, so that "
                "/clear can delete it",
                "The numbers of {count} messages in this chat from the last 48 hours, so that "
                "/clear can delete them",
                len(recent),
            ).format(count=t.number(len(recent)))
        )
    if len(lines) == 2:
        lines.append(t.gettext("Nothing."))
    lines += [
        "",
        t.gettext(
            "You are recognised by a keyed fingerprint of your Telegram account, not by the "
            "account itself. /forget deletes all of this."
        ),
    ]
    await say(update, context, "\n".join(lines))


async def forget(update: Update, context: BotContext) -> None:
    """Ask, then delete everything stored about the person."""
    await answer(update)
    t = context.i18n
    choice = pressed(update)
    if choice is not None:
        await close_keyboard(update)
    if choice == "no":
        await say(update, context, t.gettext("Nothing was deleted."), menu_keyboard(t))
        return
    if choice != "yes":
        await say(
            update,
            context,
            t.gettext(
                "Delete everything the bot stores about you: your signature, your messages, "
                "your language choice and anything waiting to be sent to you? This cannot be "
                "undone."
            ),
            yes_no(t.gettext("Delete everything"), t.gettext("Keep it"), callback_data.FORGET),
        )
        return
    key = context.person_key
    user = update.effective_user
    assert key is not None and user is not None
    repos = context.repos
    await repos.signatures.remove(key)
    await repos.messages.forget(key)
    await repos.contacts.erase(key)
    await repos.people.forget(key)
    await repos.chat_log.forget(key)
    await repos.outbox.forget_person(key)
    context.bot_data.language_cache.pop(key, None)
    if context.user_data is not None:
        context.user_data.clear()
    persistence = context.application.persistence
    if isinstance(persistence, SqlitePersistence):
        await persistence.forget_person(user.id)
    # Sent without remembering its id: nothing about the person is stored after this.
    await context.bot.send_message(
        user.id,
        t.gettext("Everything the bot stored about you has been deleted."),
        reply_markup=menu_keyboard(t),
    )


async def clear_chat(update: Update, context: BotContext) -> None:
    """Offer to delete this conversation from the chat, then delete what Telegram allows."""
    await answer(update)
    t = context.i18n
    choice = pressed(update)
    if choice is not None:
        await close_keyboard(update)
    if choice == "no":
        await say(update, context, t.gettext("Nothing was deleted."))
        return
    if choice != "yes":
        await say(
            update,
            context,
            t.gettext(
                "Delete this conversation from the chat? The bot deletes its messages and "
                "yours from the last 48 hours; Telegram does not let it delete older ones."
            ),
            yes_no(
                t.gettext("Delete the conversation"), t.gettext("Keep it"), callback_data.CLEAR
            ),
        )
        return
    key = context.person_key
    chat = update.effective_chat
    assert key is not None and chat is not None
    ids = await context.repos.chat_log.recent(key, int(time.time()))
    for start in range(0, len(ids), 100):
        try:
            await context.bot.delete_messages(chat.id, ids[start : start + 100])
        except TelegramError as error:
            logger.info("Some messages could not be deleted: %s", type(error).__name__)
    await context.repos.chat_log.forget(key)
    # Not remembered: there is nothing left for /clear to do with it.
    await context.bot.send_message(
        chat.id,
        t.gettext(
            "The conversation has been deleted. To remove anything older, and this message, "
            "delete the chat itself: open the chat's menu and choose “Delete chat”."
        ),
    )
