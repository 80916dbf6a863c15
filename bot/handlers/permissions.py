"""Who may decide in the moderator group: its creator and administrators (or any member).

Telegram tells the bot (an administrator of the group) of every promotion, demotion and
departure there as a chat_member update; those are applied at once. getChatMember, remembered
for a minute, covers the gaps: after a restart, or while the bot is not an administrator.
"""

from __future__ import annotations

import logging
import re
import time

from telegram import Update, User
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.context import BotContext
from bot.delivery.destinations import Destinations
from bot.domain.decisions import Moderator
from bot.i18n import Translator

logger = logging.getLogger(__name__)

PERMISSION_TTL = 60.0
DECIDERS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
MEMBERS = DECIDERS | {ChatMemberStatus.MEMBER, ChatMemberStatus.RESTRICTED}
# A command as Telegram reads one: a slash and up to 32 letters, digits or underscores.
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}")


def moderator_of(user: User) -> Moderator:
    name = f"@{user.username}" if user.username else user.full_name
    return Moderator(user.id, name)


def _remember(
    group: Destinations, user_id: int, status: str, members_decide: bool, now: float
) -> None:
    """Both answers for one person (any moderator; administrators only), from their status."""
    until = now + PERMISSION_TTL
    group.permissions[(user_id, True)] = (status in DECIDERS, until)
    group.permissions[(user_id, False)] = (
        status in (MEMBERS if members_decide else DECIDERS),
        until,
    )


async def may_decide(context: BotContext, user: User, administrators_only: bool = False) -> bool:
    """Creator or administrator of the moderator group (any member with MODERATORS=members):
    as the last chat_member update said, else asked of Telegram (getChatMember), for a minute."""
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
    _remember(group, user.id, member.status, data.settings.moderators == "members", now)
    return group.permissions[key][0]


async def member_changed(update: Update, context: BotContext) -> None:
    """Apply a promotion, demotion or departure in the moderator group at once."""
    change = update.chat_member
    data = context.bot_data
    if change is None or change.chat.id != data.destinations.moderator_chat_id:
        return
    member = change.new_chat_member
    members_decide = data.settings.moderators == "members"
    _remember(data.destinations, member.user.id, member.status, members_decide, time.monotonic())


async def moderator_pressing(update: Update, context: BotContext) -> Moderator | None:
    """The moderator behind a press on a card; anyone else is refused, and None returned.

    A press is answered every time (the refusal shows to the presser alone and costs the
    group nothing); a refused command is said once in a while, see moderator_commanding.
    """
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
    """The moderator behind a command in the group; anyone else is told why not, once in
    five minutes (each reply there counts against the group's 20 messages a minute)."""
    user = update.effective_user
    if user is not None and await may_decide(context, user, administrators_only):
        return moderator_of(user)
    message = update.effective_message
    if message is None:
        return None
    if user is not None and not context.bot_data.refusals.due(user.id, time.monotonic()):
        logger.debug("A refused command in the moderator group, not answered again")
        return None
    await message.reply_text(
        _refusal(context.moderator_i18n, message.text, administrators_only),
        protect_content=True,  # said in the moderator group, like everything there
    )
    return None


def _refusal(t: Translator, text: str | None, administrators_only: bool) -> str:
    """Why not, naming the command refused ("/stats"); a reply giving a reason is a decision."""
    typed = _COMMAND.match(text or "")
    if typed is None:
        return t.gettext("Only the moderators can decide here.")
    command = typed.group(0)  # "/stats" of "/stats@campaign_bot": the name only, as HTML
    if administrators_only:
        return t.gettext("Only the group's administrators can use {command}.").format(
            command=command
        )
    return t.gettext("Only the moderators can use {command}.").format(command=command)
