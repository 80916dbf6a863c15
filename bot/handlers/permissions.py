"""Who may decide in the moderator group: its creator and administrators (or any member)."""

from __future__ import annotations

import time

from telegram import Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.decisions import Moderator

PERMISSION_TTL = 60.0
DECIDERS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
MEMBERS = DECIDERS | {ChatMemberStatus.MEMBER, ChatMemberStatus.RESTRICTED}


def moderator_of(user: User) -> Moderator:
    name = f"@{user.username}" if user.username else user.full_name
    return Moderator(user.id, name)


async def may_decide(context: BotContext, user: User, administrators_only: bool = False) -> bool:
    """Creator or administrator of the moderator group (any member with MODERATORS=members);
    asked of Telegram (getChatMember) and remembered for a minute."""
    data = context.bot_data
    group = data.destinations
    key = (user.id, administrators_only)
    cached = group.permissions.get(key)
    now = time.monotonic()
    if cached is not None and cached[1] > now:
        return cached[0]
    try:
        member = await context.bot.get_chat_member(group.moderator_chat_id, user.id)
    except TelegramError:
        return False
    members_decide = data.settings.moderators == "members" and not administrators_only
    ok = member.status in (MEMBERS if members_decide else DECIDERS)
    group.permissions[key] = (ok, now + PERMISSION_TTL)
    return ok


async def moderator_pressing(update: Update, context: BotContext) -> Moderator | None:
    """The moderator behind a press on a card; anyone else is refused, and None returned."""
    query = update.callback_query
    user = update.effective_user
    chat = update.effective_chat
    if query is None or user is None or chat is None:
        return None
    in_group = chat.id == context.bot_data.destinations.moderator_chat_id
    if not in_group or not await may_decide(context, user):
        await query.answer(
            context.moderator_i18n.gettext("Only the moderators can decide here."),
            show_alert=True,
        )
        return None
    return moderator_of(user)


async def moderator_commanding(
    update: Update, context: BotContext, administrators_only: bool = False
) -> Moderator | None:
    """The moderator behind a command in the group; anyone else is told why not."""
    user = update.effective_user
    if user is not None and await may_decide(context, user, administrators_only):
        return moderator_of(user)
    t = context.moderator_i18n
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            t.gettext("Only the group's administrators can do this.")
            if administrators_only
            else t.gettext("Only the moderators can decide here."),
            protect_content=True,  # said in the moderator group, like everything there
        )
    return None
