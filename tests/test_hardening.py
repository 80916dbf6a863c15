"""Trying to break the bot: floods, duplicates, edits, bans, failures, conflicts, webhooks."""

from __future__ import annotations

import asyncio
import html
import socket
from dataclasses import replace
from pathlib import Path

import aiohttp
import regex
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.flood import FloodGate
from bot.domain.messages import Kind, Message
from bot.domain.names import ALLOWED_FORMAT, NameRejected, clean_name
from bot.domain.signatures import Listing, Status
from bot.i18n import I18n
from bot.render import cards
from bot.render.lines import published_line, published_text
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID
from bot.sandbox.server import EmulatorServer
from bot.sandbox.telegram_html import parse_html
from tests.conftest import BotStarter
from tests.helpers.people import new_supporter
from tests.helpers.processes import bot_environment, start_bot_process

ROOT = Path(__file__).resolve().parent.parent
I18N = I18n("en")


async def test_a_flood_is_dropped_with_one_notice(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    first = await alice.send("/help")
    for _ in range(29):
        await alice.send("/help")

    async def notice() -> list[dict[str, object]]:
        return [
            m for m in await driver.bot_messages(alice.id) if "sending a lot" in str(m["text"])
        ]

    [told] = await driver.wait_for(notice, what="the flood notice")
    assert told["text"] == (
        "You are sending a lot at once. The bot will listen to you again in 30 seconds."
    )
    await asyncio.sleep(0.5)
    answers = await driver.bot_messages(alice.id, first["message_id"] - 1)
    assert len([m for m in answers if "/letter" in str(m["text"])]) == 20
    assert len(answers) == 21


def test_the_flood_gate_opens_again_after_the_cool_down() -> None:
    gate = FloodGate(count=3, window=10)
    assert [gate.admit(1, t) for t in (0, 1, 2)] == [True, True, True]
    assert gate.admit(1, 3) is None  # the notice, once
    assert gate.admit(1, 4) is False
    assert gate.admit(2, 4) is True  # someone else is not held up
    assert gate.admit(1, 40) is True


async def test_the_same_update_delivered_twice_is_handled_once(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("Anonymously")
    await alice.press_and_wait("Skip")
    await alice.press_and_wait("Confirm")
    count_before = len(await alice.bot_messages())
    await start_bot()  # a restart: the bot died before Telegram heard it had confirmed these
    for update_id in (1, 2, 3, 4):  # /sign, Anonymously, Skip, Confirm
        await driver.replay(update_id)
    await alice.say("/help")
    assert len(await alice.bot_messages()) == count_before + 1
    import sqlite3

    with sqlite3.connect(settings.database_path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM signatures").fetchone() == (1,)


async def test_an_edited_name_is_checked_as_a_typed_one(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("With my name")
    typed = await alice.send("Alice Walker")
    await driver.wait_bot_messages(alice.id, typed["message_id"])
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, typed["message_id"], "@spam http://spam.example")
    [told] = await driver.wait_bot_messages(alice.id, last)
    assert told["text"] == (
        "A name cannot contain a link. The name stays as it was: “Alice Walker”."
    )
    # A good one is taken; the country question above still waits for its answer.
    await driver.edit(alice.id, alice.id, typed["message_id"], "Alice B. Walker")
    [taken] = await driver.wait_bot_messages(alice.id, told["message_id"])
    assert taken["text"] == "Your edit has been taken."
    [confirmation] = await alice.press_and_wait("Skip")
    assert "Alice B. Walker" in confirmation["text"]


async def test_a_banned_person_can_read_but_not_submit(
    bot: BotApplication, driver: Driver
) -> None:
    troll = await new_supporter(driver, "Troll", "en")
    bot.bot_data.services.moderation.banned.add(bot.bot_data.keys.of(troll.id))
    before = await troll.last_message_id()
    await troll.send("/sign")
    await troll.send("/message")
    letter = await troll.say("/letter")
    assert letter[0]["text"].startswith("People of the world!")
    shown = await driver.bot_messages(troll.id, before)
    assert all("How would you like to be listed?" not in m["text"] for m in shown)
    assert all("moderators" not in m["text"] for m in shown)


async def test_a_failure_is_logged_reported_and_the_person_told(
    settings: Settings, driver: Driver
) -> None:
    ops = await driver.add_chat("supergroup", "Ops", bot_status="member")
    application = build_application(replace(settings, ops_chat_id=ops["id"]))
    await start_application(application, poll_timeout=2)
    try:
        alice = await new_supporter(driver, "Alice", "en")
        await alice.say("/help")
        await driver.faults(1, methods=["sendMessage"])
        sent = await alice.send("/help")
        [sorry] = await driver.wait_bot_messages(alice.id, sent["message_id"])
        assert sorry["text"] == (
            "Sorry, something went wrong on our side. What you sent so far is kept; please try "
            "again in a moment."
        )
        [report] = await driver.wait_bot_messages(ops["id"])
        assert report["text"].startswith("Update ") and report["text"].endswith("NetworkError")
        assert "/help" not in report["text"]
    finally:
        await stop_application(application)


async def test_the_bot_rides_out_getupdates_failing_and_catches_up(
    bot: BotApplication, driver: Driver
) -> None:
    await driver.faults(6, methods=["getUpdates"])
    alice = await new_supporter(driver, "Alice", "en")
    sent = await alice.send("/help")
    [answer] = await driver.wait_bot_messages(alice.id, sent["message_id"], timeout=60)
    assert "/letter" in answer["text"]


async def test_a_second_instance_reports_the_conflict_and_exits(
    settings: Settings, server: EmulatorServer, tmp_path: Path
) -> None:
    first = build_application(replace(settings, conflict_window=0))
    await start_application(first, poll_timeout=2)
    try:
        env = bot_environment(server.url, DATABASE_PATH=str(tmp_path / "second.sqlite3"))
        second = await start_bot_process("run", env, tmp_path)
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=60)
    finally:
        await stop_application(first)
    assert second.returncode == 3
    lines = [line for line in stderr.decode().splitlines() if line.startswith("error:")]
    assert lines == [
        "error: another instance of the bot is already running with this BOT_TOKEN (Telegram "
        "answered 409 Conflict): stop it, or use another token."
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(settings: Settings) -> Settings:
    """The same bot in webhook mode, on a free port of this machine."""
    port = _free_port()
    return replace(
        settings,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_port=port,
        webhook_secret="a-secret-token-of-enough-length",
    )


async def test_webhook_mode_checks_the_secret_token(settings: Settings, driver: Driver) -> None:
    hooked = webhook_settings(settings)
    application = build_application(hooked)
    await start_application(application, webhook=True)
    try:
        alice = await new_supporter(driver, "Alice", "en")
        greeting, *_ = await alice.say("/start", replies=2)
        assert greeting["text"].startswith("Welcome.")
        assert (await driver.state())["webhook"]["url"] == hooked.webhook_url
        chat = {"id": 1, "type": "private"}
        forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": chat}}
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(
                    hooked.webhook_url, json=forged, headers=headers
                ) as response:
                    assert response.status == 403
    finally:
        await stop_application(application)


async def test_channel_posts_and_other_groups_are_ignored(
    bot: BotApplication, driver: Driver
) -> None:
    stranger = await driver.add_chat("supergroup", "Elsewhere", bot_status="member")
    await driver.set_member(stranger["id"], 30_001, "member")
    await driver.send(30_001, "/sign", chat_id=stranger["id"])
    await driver.send(30_001, "hello", chat_id=stranger["id"])
    # Posts in the campaign's own channel, as its administrators write them; /chatid last,
    # whose answer says that the posts before it were handled (one chat's updates in order).
    first = await driver.send(30_001, "/sign", chat_id=CHANNEL_ID)
    for post in ("/start", "/help", "hello", "/chatid"):
        await driver.send(30_001, post, chat_id=CHANNEL_ID)
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/help")
    assert await driver.bot_messages(stranger["id"]) == []

    async def answered() -> list[str] | None:
        found = [
            m["text"]
            for m in await driver.bot_messages(CHANNEL_ID, after=first["message_id"])
            if not m["text"].startswith("Signatures so far")  # the counter post
        ]
        return found if str(CHANNEL_ID) in found else None

    assert await driver.wait_for(answered, what="the /chatid answer") == [str(CHANNEL_ID)]


# --------------------------------------------------------- whatever is typed


typed = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300)


PLACES = {None: None, "IR": "Iran", "DE": "Germany", "SE": "Sweden"}


@hypothesis_settings(max_examples=300, deadline=None)
@given(name=typed, country=st.sampled_from(list(PLACES)))
def test_published_lines_and_texts_are_valid_html_showing_what_was_typed(
    name: str, country: str | None
) -> None:
    place = PLACES[country]
    if name:
        expected = f"{name}, {place}" if place else name
    else:
        expected = f"A supporter, {place}" if place else "A supporter"
    line = published_line(Listing.NAME, name or None, country, I18N.get("en"))
    assert line == expected
    for body in (name, None):
        text, _ = parse_html(published_text(body, line))
        assert text == (f"{body}\n\n— {expected}" if body else f"— {expected}")


@hypothesis_settings(max_examples=200, deadline=None)
@given(body=typed, name=typed)
def test_moderator_cards_are_valid_html(body: str, name: str) -> None:
    import datetime as dt

    message = Message(
        1, Kind.TEXT, body, None, Listing.NAME, name or None, "IR", "fa", Status.PENDING,
        dt.date(2026, 1, 1),
    )  # fmt: skip
    for language in ("en", "fa", "de"):
        t = I18N.get(language)
        card = cards.message_card_text(message, t, I18N.get("en"))
        text, _ = parse_html(card)
        if body:
            assert body in text


@hypothesis_settings(max_examples=500, deadline=None)
@given(typed_name=typed)
def test_accepted_names_have_no_invisible_or_control_characters(typed_name: str) -> None:
    import unicodedata

    try:
        name = clean_name(typed_name)
    except NameRejected:
        return
    assert 2 <= len(name) <= 64
    assert name == name.strip()
    for char in name:
        category = unicodedata.category(char)
        assert category not in ("Cc", "Zl", "Zp", "Co", "Cn") or char in ALLOWED_FORMAT
        assert category != "Cf" or char in ALLOWED_FORMAT
        # Nothing drawn as nothing, but the joiners and an emoji's presentation selector.
        assert not regex.match(r"\p{Default_Ignorable_Code_Point}", char) or char in (
            *ALLOWED_FORMAT,
            "\ufe0f",
        )
    assert parse_html(html.escape(name, quote=False))[0] == name
