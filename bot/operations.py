"""Operations: the set-up checks (`python -m bot check`, and at start), and the heartbeat."""

from __future__ import annotations

import errno
import os
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, ChatMemberAdministrator, ChatMemberOwner
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError, TimedOut

from bot.config import TELEGRAM_URL, Settings
from bot.request import AiohttpRequest

HEARTBEAT_STALE = 120.0
HEARTBEAT_INTERVAL = 30.0  # seconds between heartbeats (the runtime's job)


@dataclass(frozen=True)
class Check:
    ok: bool
    line: str


def heartbeat_file(settings: Settings) -> Path:
    return settings.database_path.with_suffix(".heartbeat")


def beat(settings: Settings) -> None:
    heartbeat_file(settings).write_text(f"{time.time():.0f}\n", encoding="ascii")


def healthy(settings: Settings, now: float | None = None) -> bool:
    """The bot wrote its heartbeat within the last two minutes."""
    return health(settings, now)[0]


def health(settings: Settings, now: float | None = None) -> tuple[bool, str]:
    """Whether the bot wrote its heartbeat lately, and one line saying so or why not."""
    database, heartbeat = settings.database_path, heartbeat_file(settings)
    try:
        last = float(heartbeat.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        if not database.is_file():
            return False, (
                f"unhealthy: no database at {database}: the bot has not started here, or its "
                "DATABASE_PATH is not this one."
            )
        return False, (
            f"unhealthy: no heartbeat at {heartbeat}: the bot is not running (it writes one "
            f"every {HEARTBEAT_INTERVAL:.0f} seconds while it runs)."
        )
    age = max(0.0, (now or time.time()) - last)
    if age >= HEARTBEAT_STALE:
        return False, (
            f"unhealthy: the last heartbeat is {age:.0f} seconds old (more than "
            f"{HEARTBEAT_STALE:.0f}): the bot is stopped or stuck."
        )
    return True, f"healthy: the last heartbeat is {age:.0f} seconds old."


def unreachable(error: TelegramError) -> str:
    """Why Telegram did not answer, in a few words (never the URL: its path holds the token)."""
    if isinstance(error, TimedOut):
        return "no answer in time"
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(cause, ssl.SSLError):
            return "the TLS handshake failed"
        # uvloop raises a plain OSError whose text quotes the call: its errno says it all.
        if isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED:
            return "connection refused: nothing listens there"
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno).lower()
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, NetworkError):
        return error.message[:120]
    return f"what answered there is not a Bot API: {error.message}"[:120]


def refused_token(settings: Settings) -> str:
    """The line for a token Telegram refused (PTB's InvalidToken: a 401 or a 404)."""
    line = (
        "BOT_TOKEN was refused by Telegram: copy the token again from @BotFather "
        "(/mybots, API Token), or /revoke it and use the new one."
    )
    if settings.telegram_api_url != TELEGRAM_URL:
        line += f" Or TELEGRAM_API_URL ({settings.api_address}) is not a Bot API server."
    return line


def terminal_bot(settings: Settings, connections: int) -> Bot:
    """A plain Bot for a command run at a terminal (check, link): no rate limiter, no polling."""
    base = settings.telegram_api_url
    return Bot(
        settings.bot_token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=AiohttpRequest(connection_pool_size=connections),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


async def check_setup(settings: Settings) -> list[Check]:
    """The token works; the bot is in the moderator group; it may post and pin in the channel."""
    bot = terminal_bot(settings, connections=4)
    try:
        return await _checks(bot, settings)
    finally:
        await bot.shutdown()


async def _checks(bot: Bot, settings: Settings) -> list[Check]:
    try:
        await bot.initialize()
    except InvalidToken:
        return [Check(False, refused_token(settings))]
    except TelegramError as error:
        # Once: a person at a terminal wants the answer now (run keeps trying).
        return [
            Check(
                False,
                f"Telegram could not be reached at {settings.api_address} "
                f"({unreachable(error)}): check the network and TELEGRAM_API_URL.",
            )
        ]
    return [
        Check(True, f"The token works: the bot is @{bot.username}."),
        *await chat_checks(bot, settings),
        inline_check(bot),
    ]


async def bot_username(settings: Settings) -> tuple[str | None, str]:
    """The bot's @username from getMe, or None and one line saying why not."""
    bot = terminal_bot(settings, connections=1)
    try:
        await bot.initialize()
        return bot.username, ""
    except InvalidToken:
        return None, refused_token(settings)
    except TelegramError as error:
        return None, (
            f"Telegram could not be reached at {settings.api_address} ({unreachable(error)}): "
            "check the network and TELEGRAM_API_URL, or give the bot's username with "
            "--username."
        )
    finally:
        await bot.shutdown()


def inline_check(bot: Bot) -> Check:
    """Inline mode (getMe's supports_inline_queries): `@bot` in a chat offers the letter, and
    Share opens Telegram's chat picker with it."""
    if bot.supports_inline_queries:
        return Check(True, f"Inline mode is on: @{bot.username} in any chat offers the letter.")
    return Check(
        False,
        f"Inline mode is off: in @BotFather send /setinline, choose @{bot.username}, give a "
        "placeholder such as “letter”, then restart the bot. Until then @"
        f"{bot.username} in a chat offers nothing, and Share opens Telegram's share page with "
        "the link.",
    )


# The id to start with before the real ones are known: the bot runs, answers /chatid, and
# sends nothing to a chat 0 (see README, 'Setting up a campaign on Telegram').
PLACEHOLDER = 0
GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
KINDS: dict[str, str] = {
    ChatType.PRIVATE: "a person's private chat",
    ChatType.GROUP: "a group",
    ChatType.SUPERGROUP: "a group",
    ChatType.CHANNEL: "a channel",
}


async def chat_checks(bot: Bot, settings: Settings) -> list[Check]:
    """The moderator group is a group and the channel a channel (swapped ids are said so),
    then the bot's place in each."""
    group_id, channel_id = settings.moderator_chat_id, settings.channel_id
    if PLACEHOLDER in (group_id, channel_id):
        return [
            placeholder_check("MODERATOR_CHAT_ID", "send /chatid in the moderator group")
            if group_id == PLACEHOLDER
            else await moderator_group_check(bot, settings),
            placeholder_check("CHANNEL_ID", "post /chatid in the channel")
            if channel_id == PLACEHOLDER
            else await channel_check(bot, settings),
        ]
    group_type = await chat_type(bot, group_id)
    channel_type = await chat_type(bot, channel_id)
    if group_type == ChatType.CHANNEL and channel_type in GROUPS:
        swapped = (
            f"MODERATOR_CHAT_ID ({group_id}) is a channel's id and CHANNEL_ID ({channel_id}) a "
            "group's: the two look swapped; exchange them."
        )
        return [
            Check(False, swapped),
            Check(False, f"CHANNEL_ID ({channel_id}) is a group's id: see the line above."),
        ]
    if group_type is not None and group_type not in GROUPS:
        group = Check(
            False,
            f"MODERATOR_CHAT_ID ({group_id}) is {KINDS.get(group_type, group_type)}, not a "
            "group: put the moderator group's id there (send /chatid in the group).",
        )
    else:
        group = await moderator_group_check(bot, settings)
    if channel_type is not None and channel_type != ChatType.CHANNEL:
        channel = Check(
            False,
            f"CHANNEL_ID ({channel_id}) is {KINDS.get(channel_type, channel_type)}, not a "
            "channel: put the channel's id there (post /chatid in the channel), or its "
            "@username.",
        )
    else:
        channel = await channel_check(bot, settings)
    return [group, channel]


def placeholder_check(name: str, how: str) -> Check:
    return Check(
        False,
        f"{name} is 0, a placeholder: {how}, put the number the bot answers in {name}, and "
        "restart the bot.",
    )


async def chat_type(bot: Bot, chat_id: int | str) -> str | None:
    """The chat's type, or None when the bot cannot see the chat (said by the next checks)."""
    try:
        return (await bot.get_chat(chat_id)).type
    except TelegramError:
        return None


async def moderator_group_check(bot: Bot, settings: Settings) -> Check:
    fix = (
        f"add the bot to the moderator group (MODERATOR_CHAT_ID={settings.moderator_chat_id}) "
        "and make it an administrator there."
    )
    try:
        member = await bot.get_chat_member(settings.moderator_chat_id, bot.id)
    except (Forbidden, TelegramError):
        return Check(False, "The bot is not in the moderator group: " + fix)
    if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        return Check(False, "The bot is not in the moderator group: " + fix)
    return Check(True, "The bot is in the moderator group.")


async def channel_check(bot: Bot, settings: Settings) -> Check:
    fix = (
        f"Make the bot an administrator of the channel ({settings.channel_id}) with Post "
        "messages and Edit messages of others (to pin the counter)."
    )
    try:
        member = await bot.get_chat_member(settings.channel_id, bot.id)
    except TelegramError:
        return Check(False, fix)
    if isinstance(member, ChatMemberOwner):
        return Check(True, "The bot may post and pin in the channel.")
    if not isinstance(member, ChatMemberAdministrator):
        return Check(False, fix)
    if not member.can_post_messages:
        return Check(False, "Give the bot Post messages in the channel's administrator rights.")
    if not (member.can_edit_messages or member.can_pin_messages):
        return Check(
            False,
            "Give the bot Edit messages of others in the channel's administrator rights, so it "
            "can pin the counter.",
        )
    return Check(True, "The bot may post and pin in the channel.")
