"""Who may decide, kept current and cheap: refusals said once, presses never behind the
group's queue, and a demotion counting at the very next press (issue 16, defects 5 and 7)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Bot, ChatMemberAdministrator, ChatMemberMember, Update

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.delivery.limiter import TelegramLimits
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import MODERATOR_GROUP_ID
from bot.sandbox.server import EmulatorServer
from tests.conftest import TOKEN
from tests.helpers.database import rows
from tests.helpers.people import JSON, new_supporter
from tests.test_moderation import JONAS, KIM, MINA, card_for, press, send_text_message

REFUSAL = "Only the moderators can decide here."
ADMIN = {"can_manage_chat": True}


async def _running(settings: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(settings)
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """As in test_moderation: cards at once, the group's window shortened to a second."""
    return replace(settings, card_interval=0.2, counter_interval=0.5, group_rate=(20, 1.0))


@pytest.fixture
def real_window(fast: Settings) -> Settings:
    """Telegram's own group limit: 20 messages a minute (the limiter lets a burst of 20
    through, then one every 3 seconds)."""
    return replace(fast, group_rate=(20, 60.0))


@pytest.fixture
async def desk_bot(fast: Settings) -> AsyncIterator[BotApplication]:
    async for application in _running(fast):
        yield application


@pytest.fixture
async def limited_bot(real_window: Settings) -> AsyncIterator[BotApplication]:
    async for application in _running(real_window):
        yield application


async def _group_sends(driver: Driver) -> list[JSON]:
    """The bot's sends to the moderator group, in the order the emulator recorded them."""
    return [
        call
        for call in await driver.calls()
        if call["method"] in ("sendMessage", "sendPhoto", "sendDocument")
        and str(call["params"].get("chat_id")) == str(MODERATOR_GROUP_ID)
    ]


async def _answer_call(driver: Driver, query_id: str) -> JSON:
    [call] = [
        c
        for c in await driver.calls("answerCallbackQuery")
        if c["params"].get("callback_query_id") == query_id and c.get("ok")
    ]
    return call


# ------------------------------------------------------------- defect 5: the stall


async def test_forty_commands_from_a_member_get_one_refusal_and_a_press_is_answered_at_once(
    limited_bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Solidarity")
    card = await card_for(driver, "#M1")
    for _ in range(40):
        await driver.send(KIM, "/stats", chat_id=MODERATOR_GROUP_ID)
    answer = await press(driver, MINA, card, "Approve")
    assert answer["answer"]["text"] == "Done."
    # The group's updates are handled in order: once /help is answered, all 40 were.
    sent = await driver.send(MINA, "/help", chat_id=MODERATOR_GROUP_ID)
    await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    said = [m.get("text") for m in await driver.bot_messages(MODERATOR_GROUP_ID)]
    assert said.count("Only the moderators can use /stats.") == 1
    assert len(await _group_sends(driver)) < 20  # nothing waited for the group's limit


async def test_a_press_is_answered_before_the_groups_queued_replies_go_out(
    limited_bot: BotApplication, driver: Driver, real_window: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Solidarity")
    card = await card_for(driver, "#M1")
    # With the card, 22 messages for the group: the last two wait for the limit.
    first = await driver.send(MINA, "/help", chat_id=MODERATOR_GROUP_ID)
    for _ in range(20):
        await driver.send(MINA, "/help", chat_id=MODERATOR_GROUP_ID)
    # Jonas's first press: his rights are not remembered yet, so getChatMember is asked too.
    query = await driver.press(
        JONAS, MODERATOR_GROUP_ID, text="Approve", message_id=card["message_id"]
    )
    assert (await driver.wait_answered(query))["answer"]["text"] == "Done."
    await driver.wait_bot_messages(MODERATOR_GROUP_ID, first["message_id"], 21, timeout=30)
    sends = await _group_sends(driver)
    assert len(sends) == 22
    assert (await _answer_call(driver, query))["n"] < sends[-1]["n"]
    assert rows(real_window, "SELECT status FROM messages") == [("approved",)]


async def test_reads_and_answers_never_wait_behind_the_groups_sends() -> None:
    """The bot's limiter: with the group's share spent, a send waits; the press's
    getChatMember and answerCallbackQuery go through at once."""
    limits = TelegramLimits(group_count=1, group_window=3600.0)
    done: list[str] = []

    async def call(endpoint: str) -> bool:
        done.append(endpoint)
        return True

    async def request(endpoint: str, **data: object) -> object:
        return await limits.process_request(call, (endpoint,), {}, endpoint, data, None)

    group = {"chat_id": MODERATOR_GROUP_ID}
    await request("sendMessage", **group)
    held = asyncio.create_task(request("sendMessage", **group))  # an hour from now
    # A guard against hanging, not a measure: these return at once or never.
    await asyncio.wait_for(request("getChatMember", user_id=KIM, **group), 10)
    await asyncio.wait_for(request("answerCallbackQuery", callback_query_id="1"), 10)
    assert done == ["sendMessage", "getChatMember", "answerCallbackQuery"]
    assert not held.done()
    held.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await held


# ---------------------------------------------------------- defect 7: demotion at once


async def test_a_demoted_administrator_is_refused_on_the_very_next_press(
    desk_bot: BotApplication, driver: Driver, fast: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    for words in ("First", "Second", "Third"):
        await send_text_message(alice, words)
    first, second, third = [await card_for(driver, f"#M{n}") for n in (1, 2, 3)]
    # Kim is a plain member: refused, and that is remembered for a minute...
    assert (await press(driver, KIM, first, "Approve"))["answer"]["text"] == REFUSAL
    # ...yet a promotion counts at once,
    await driver.set_member(MODERATOR_GROUP_ID, KIM, "administrator", ADMIN, by=MINA)
    assert (await press(driver, KIM, first, "Approve"))["answer"]["text"] == "Done."
    # and so does a demotion, with the answer "may decide" still fresh.
    await driver.set_member(MODERATOR_GROUP_ID, KIM, "member", by=MINA)
    assert (await press(driver, KIM, second, "Approve"))["answer"]["text"] == REFUSAL
    # Leaving the group counts at once too.
    assert (await press(driver, JONAS, second, "Approve"))["answer"]["text"] == "Done."
    await driver.set_member(MODERATOR_GROUP_ID, JONAS, "left")
    assert (await press(driver, JONAS, third, "Approve"))["answer"]["text"] == REFUSAL
    assert rows(fast, "SELECT status FROM messages ORDER BY id") == [
        ("approved",),
        ("approved",),
        ("pending",),
    ]
    polls = await driver.calls("getUpdates")
    assert "chat_member" in polls[-1]["params"]["allowed_updates"]


# ------------------------------------------------------------------ the emulator


@pytest.fixture
async def ptb(server: EmulatorServer) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    async with bot:
        yield bot


async def test_the_emulator_reports_member_changes_as_telegram_does(
    ptb: Bot, driver: Driver
) -> None:
    # Not asked for (chat_member is not among the default kinds): nothing is reported.
    assert await ptb.get_updates(timeout=0) == ()
    await driver.set_member(MODERATOR_GROUP_ID, KIM, "administrator", ADMIN)
    assert await ptb.get_updates(timeout=0, allowed_updates=["chat_member"]) == ()
    # Asked for, in a group where the bot is an administrator: reported as it happens.
    await driver.set_member(MODERATOR_GROUP_ID, KIM, "member", by=MINA)
    [update] = await ptb.get_updates(timeout=0, allowed_updates=["chat_member"])
    change = update.chat_member
    assert isinstance(update, Update) and change is not None
    assert change.chat.id == MODERATOR_GROUP_ID and change.from_user.id == MINA
    assert isinstance(change.old_chat_member, ChatMemberAdministrator)
    assert change.old_chat_member.can_manage_chat
    assert isinstance(change.new_chat_member, ChatMemberMember)
    assert change.new_chat_member.user.id == KIM
    # The same status again is no change; leaving is the person's own doing.
    await driver.set_member(MODERATOR_GROUP_ID, KIM, "member")
    await driver.set_member(MODERATOR_GROUP_ID, KIM, "left")
    [left] = await ptb.get_updates(
        offset=update.update_id + 1, timeout=0, allowed_updates=["chat_member"]
    )
    assert left.chat_member is not None and left.chat_member.from_user.id == KIM
    assert left.chat_member.new_chat_member.status == "left"
    # Where the bot is a plain member, Telegram tells it nothing.
    group = await driver.add_chat("supergroup", "Elsewhere", bot_status="member")
    await driver.set_member(group["id"], KIM, "administrator", ADMIN, by=MINA)
    assert await ptb.get_updates(offset=left.update_id + 1, timeout=0) == ()
