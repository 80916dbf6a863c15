"""`python -m bot sandbox`: the emulator, a seeded Telegram, and the real bot against it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.app import build_application
from bot.config import Settings, SettingsError
from bot.runtime import start_application, stop_application
from bot.sandbox.emulator import Emulator
from bot.sandbox.server import EmulatorServer

SANDBOX_TOKEN = "100000001:SANDBOX-token-for-the-local-emulator-only"
MODERATOR_GROUP_ID = -1_001_000_000_001
CHANNEL_ID = -1_001_000_000_002
CHANNEL_USERNAME = "solidarity_sandbox"
ADMIN_RIGHTS = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_pin_messages": True,
    "can_invite_users": True,
}


@dataclass(frozen=True)
class Languages:
    """Who reads what in which language: DEFAULT_LANGUAGE, MODERATOR_LANGUAGE and
    CHANNEL_LANGUAGE, as `run` takes them."""

    default: str = "en"
    moderators: str = "en"
    channel: str = "en"


def read_languages(env: Mapping[str, str], known: tuple[str, ...]) -> Languages:
    """The three language settings from the environment and .env (`env`), so that an organiser
    previews the group and the channel in theirs; every unknown one is reported, one line each
    (an error naming them all)."""
    chosen = {
        name: env.get(name, "").strip() or "en"
        for name in ("DEFAULT_LANGUAGE", "MODERATOR_LANGUAGE", "CHANNEL_LANGUAGE")
    }
    wrong = [
        f"{name} is not a language the bot speaks: use one of {', '.join(known)}."
        for name, code in sorted(chosen.items())
        if code not in known
    ]
    if wrong:
        raise SettingsError("\n".join(wrong))
    return Languages(
        chosen["DEFAULT_LANGUAGE"], chosen["MODERATOR_LANGUAGE"], chosen["CHANNEL_LANGUAGE"]
    )


def seed(emulator: Emulator, topics: bool = False) -> dict[str, int]:
    """Two supporters, two moderators and a plain member, the group and the channel, and
    inline mode on (as README's set-up has it); with `topics`, the group is a forum where the
    bot may manage topics."""
    emulator.set_inline_mode(True)
    people = {
        "sara": emulator.add_user("Sara", language_code="fa-IR", user_id=20_001).id,
        "alex": emulator.add_user("Alex", language_code="en", user_id=20_002).id,
        "mina": emulator.add_user("Mina", username="mina_mod", user_id=30_001).id,
        "jonas": emulator.add_user("Jonas", username="jonas_mod", user_id=30_002).id,
        "kim": emulator.add_user("Kim", user_id=30_003).id,
    }
    group = emulator.add_chat(
        "supergroup",
        "Moderators",
        chat_id=MODERATOR_GROUP_ID,
        bot_status="administrator",
        bot_rights={**ADMIN_RIGHTS, "can_manage_topics": topics},
        is_forum=topics,
    )
    emulator.set_member(group.id, people["mina"], "creator")
    emulator.set_member(group.id, people["jonas"], "administrator", {"can_manage_chat": True})
    emulator.set_member(group.id, people["kim"], "member")
    emulator.add_chat(
        "channel",
        "Solidarity",
        username=CHANNEL_USERNAME,
        chat_id=CHANNEL_ID,
        bot_status="administrator",
        bot_rights=ADMIN_RIGHTS,
    )
    return people


def instructions(url: str, people: dict[str, int], languages: Languages = Languages()) -> str:
    sara = people["sara"]
    return f"""\
Sandbox: a local Telegram at {url} with the bot running against it.
  Open {url}/ in a browser: a supporter's chat, the moderator group and the channel.
  Supporters: Sara (id {sara}, Persian) and Alex (id {people["alex"]}, English).
  Moderator group {MODERATOR_GROUP_ID}: Mina (creator), Jonas (administrator), Kim (member);
    the bot speaks {languages.moderators} there (MODERATOR_LANGUAGE).
  Channel @{CHANNEL_USERNAME} ({CHANNEL_ID}): published in {languages.channel} (CHANNEL_LANGUAGE).
  Otherwise the bot speaks a supporter's Telegram language, else {languages.default} \
(DEFAULT_LANGUAGE).
Act as Sara:
  curl -s {url}/driver/send -H 'Content-Type: application/json' \\
       -d '{{"user_id": {sara}, "text": "/start"}}'
  curl -s {url}/driver/chats/{sara}/messages          # what Sara sees now
  curl -s {url}/driver/press -H 'Content-Type: application/json' \\
       -d '{{"user_id": {sara}, "chat_id": {sara}, "text": "Language"}}'
  curl -s {url}/driver/inline -H 'Content-Type: application/json' \\
       -d '{{"user_id": {sara}, "query": "fa", "wait": true}}'   # @bot fa, typed in a chat
Act as a moderator: the same with "chat_id": {MODERATOR_GROUP_ID} and a moderator's user_id.
Every call the bot made: curl -s {url}/driver/calls
Stop with Ctrl+C."""


async def run_sandbox(
    port: int, database: Path, languages: Languages, topics: bool = False
) -> None:
    emulator = Emulator(SANDBOX_TOKEN, bot_username="SolidaritySandboxBot")
    people = seed(emulator, topics)
    server = EmulatorServer(emulator, "127.0.0.1", port)
    url = await server.start()
    settings = Settings(
        bot_token=SANDBOX_TOKEN,
        moderator_chat_id=MODERATOR_GROUP_ID,
        channel_id=CHANNEL_ID,
        database_path=database,
        telegram_api_url=url,
        default_language=languages.default,
        moderator_language=languages.moderators,
        channel_language=languages.channel,
        # Quick enough to watch: digests carded in seconds, the channel digest and counter too.
        card_interval=2.0,
        counter_interval=5.0,
        signature_digest_interval=10.0,
        # Decisions can be undone for half a minute (not ten): authors hear of them then.
        undo_window=30.0,
    )
    application = build_application(settings)
    await start_application(application)
    print(instructions(url, people, languages), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        print("Stopping the sandbox.", file=sys.stderr, flush=True)
        await stop_application(application)
        await server.stop()
