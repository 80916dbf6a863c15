"""The emulator behaves like Telegram where our bot depends on it: raw HTTP and through PTB."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.sandbox.driver import Driver, DriverError
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from bot.sandbox.server import EmulatorServer
from tests.conftest import TOKEN

JSON = dict[str, Any]


class Api:
    """Raw Bot API calls over HTTP, as any client would make them."""

    def __init__(self, session: aiohttp.ClientSession, base: str, token: str = TOKEN) -> None:
        self.session = session
        self.base = f"{base}/bot{token}"

    async def __call__(self, method: str, **params: Any) -> tuple[int, JSON]:
        async with self.session.post(f"{self.base}/{method}", json=params) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]


@pytest.fixture
async def api(server: EmulatorServer) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, server.url)


@pytest.fixture
async def ptb(server: EmulatorServer) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    async with bot:
        yield bot


@pytest.fixture
async def person(driver: Driver) -> JSON:
    return await driver.add_user("Dana", "en")


# ----------------------------------------------------------------- text limits


async def test_text_of_4096_characters_is_accepted_and_4097_refused(
    api: Api, person: JSON
) -> None:
    sent = await api.ok("sendMessage", chat_id=person["id"], text="x" * 4096)
    assert len(sent["text"]) == 4096
    status, body = await api("sendMessage", chat_id=person["id"], text="x" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")


async def test_text_length_is_counted_after_entities_are_parsed(api: Api, person: JSON) -> None:
    text = "<b>" + "y" * 4096 + "</b>"
    sent = await api.ok("sendMessage", chat_id=person["id"], text=text, parse_mode="HTML")
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]


async def test_text_length_counts_utf16_code_units(api: Api, person: JSON) -> None:
    status, body = await api("sendMessage", chat_id=person["id"], text="✊🏽" * 1366)
    assert status == 400 and "too long" in body["description"]


async def test_empty_text_is_refused(api: Api, person: JSON) -> None:
    status, body = await api("sendMessage", chat_id=person["id"], text="  \n ")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_caption_over_1024_characters_is_refused(ptb: Bot, person: JSON) -> None:
    with pytest.raises(BadRequest, match="caption is too long"):
        await ptb.send_photo(person["id"], b"\x89PNG photo", caption="c" * 1025)
    sent = await ptb.send_photo(person["id"], b"\x89PNG photo", caption="c" * 1024)
    assert sent.caption == "c" * 1024


# ------------------------------------------------------------------ callbacks


def _keyboard(data: str) -> str:
    return json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": data}]]})


async def test_callback_data_of_64_bytes_is_accepted_and_65_refused(
    api: Api, person: JSON
) -> None:
    await api.ok("sendMessage", chat_id=person["id"], text="a", reply_markup=_keyboard("é" * 32))
    status, body = await api(
        "sendMessage", chat_id=person["id"], text="b", reply_markup=_keyboard("d" * 65)
    )
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_press_only_works_for_a_button_that_is_on_the_message_now(
    api: Api, driver: Driver, person: JSON
) -> None:
    sent = await api.ok("sendMessage", chat_id=person["id"], text="a", reply_markup=_keyboard("x"))
    query_id = await driver.press(person["id"], person["id"], text="Go")
    assert (await driver.callback_answer(query_id))["answered"] is False
    await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Done")
    assert (await driver.callback_answer(query_id))["answer"]["text"] == "Done"
    await api.ok("editMessageReplyMarkup", chat_id=person["id"], message_id=sent["message_id"])
    with pytest.raises(DriverError, match="no such button"):
        await driver.press(person["id"], person["id"], text="Go")


async def test_answering_a_query_too_late_or_twice_fails(
    api: Api, driver: Driver, person: JSON
) -> None:
    await api.ok("sendMessage", chat_id=person["id"], text="a", reply_markup=_keyboard("x"))
    late = await driver.press(person["id"], person["id"], data="x")
    twice = await driver.press(person["id"], person["id"], data="x")
    await api.ok("answerCallbackQuery", callback_query_id=twice)
    status, body = await api("answerCallbackQuery", callback_query_id=twice)
    assert status == 400 and "query is too old" in body["description"]
    await driver.advance_clock(16)
    status, body = await api("answerCallbackQuery", callback_query_id=late)
    assert status == 400 and "query is too old" in body["description"]


# ----------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<script>x</script>", 'unsupported start tag "script"'),
        ("1 < 2", "unexpected character '<'"),
        ("Tom & Jerry", "character '&' is reserved"),
        ("<b><i>x</b></i>", 'unexpected end tag "b"'),
    ],
)
async def test_malformed_html_cannot_be_parsed(
    api: Api, person: JSON, text: str, error: str
) -> None:
    status, body = await api("sendMessage", chat_id=person["id"], text=text, parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities")
    assert error in body["description"]


async def test_html_becomes_text_and_entities(api: Api, person: JSON) -> None:
    sent = await api.ok(
        "sendMessage",
        chat_id=person["id"],
        text='<b>Hi</b> &lt;you&gt; &amp; <a href="https://example.org">link</a>',
        parse_mode="HTML",
    )
    assert sent["text"] == "Hi <you> & link"
    assert sent["entities"] == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 11, "length": 4, "url": "https://example.org"},
    ]


# -------------------------------------------------------------------- editing


async def test_an_identical_edit_is_not_modified(api: Api, ptb: Bot, person: JSON) -> None:
    sent = await api.ok("sendMessage", chat_id=person["id"], text="<i>same</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await ptb.edit_message_text(
            "<i>same</i>", person["id"], sent["message_id"], parse_mode="HTML"
        )
    edited = await ptb.edit_message_text(
        "<b>same</b>", person["id"], sent["message_id"], parse_mode="HTML"
    )
    assert edited.text == "same" and edited.edit_date is not None


async def test_unknown_chat_and_message_are_refused(api: Api, person: JSON) -> None:
    status, body = await api("sendMessage", chat_id=424242, text="hello")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await api("editMessageText", chat_id=person["id"], message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await api("deleteMessage", chat_id=person["id"], message_id=999)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")


async def test_an_unknown_method_is_named_in_the_error(api: Api) -> None:
    status, body = await api("sendTelepathy", chat_id=1)
    assert status == 404 and "sendTelepathy" in body["description"]


async def test_a_wrong_token_is_unauthorized(server: EmulatorServer) -> None:
    async with aiohttp.ClientSession() as session:
        status, body = await Api(session, server.url, "1:wrong")("getMe")
    assert (status, body["description"]) == (401, "Unauthorized")


async def test_messages_older_than_48_hours_cannot_be_deleted(
    api: Api, driver: Driver, person: JSON
) -> None:
    fresh = await driver.send(person["id"], "mine")
    old = await api.ok("sendMessage", chat_id=person["id"], text="old")
    assert await api.ok("deleteMessage", chat_id=person["id"], message_id=fresh["message_id"])
    await driver.advance_clock(48 * 3600 + 1)
    status, body = await api("deleteMessage", chat_id=person["id"], message_id=old["message_id"])
    assert (status, body["description"]) == (400, "Bad Request: message can't be deleted")
    shown = await driver.messages(person["id"], include_deleted=True)
    assert [(m["text"], m["deleted"]) for m in shown] == [("mine", True), ("old", False)]


# --------------------------------------------------------- limits and failures


async def test_flood_limit_answers_429_with_retry_after(
    ptb: Bot, driver: Driver, person: JSON
) -> None:
    await driver.flood(per_chat_per_second=1)
    await ptb.send_message(person["id"], "one")
    with pytest.raises(RetryAfter) as raised:
        await ptb.send_message(person["id"], "two")
    assert raised.value.retry_after.total_seconds() >= 1


async def test_group_limit_is_per_minute(ptb: Bot, driver: Driver) -> None:
    await driver.flood(per_group_per_minute=20)
    for number in range(20):
        await ptb.send_message(MODERATOR_GROUP_ID, f"card {number}")
    with pytest.raises(RetryAfter) as raised:
        await ptb.send_message(MODERATOR_GROUP_ID, "one too many")
    assert 1 <= raised.value.retry_after.total_seconds() <= 60


async def test_overall_limit_per_second(ptb: Bot, driver: Driver) -> None:
    people = [await driver.add_user(f"P{n}") for n in range(4)]
    await driver.flood(overall_per_second=3)
    for someone in people[:3]:
        await ptb.send_message(someone["id"], "hello")
    with pytest.raises(RetryAfter):
        await ptb.send_message(people[3]["id"], "hello")


async def test_a_person_who_blocked_the_bot_answers_403(
    ptb: Bot, driver: Driver, person: JSON
) -> None:
    await driver.block(person["id"])
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await ptb.send_message(person["id"], "hello")


async def test_a_migrated_group_answers_with_its_new_id(ptb: Bot, driver: Driver) -> None:
    group = await driver.add_chat("group", "Old group", bot_status="administrator")
    new_id = await driver.migrate(group["id"])
    with pytest.raises(ChatMigrated) as raised:
        await ptb.send_message(group["id"], "hello")
    assert raised.value.new_chat_id == new_id
    sent = await ptb.send_message(new_id, "hello again")
    assert sent.chat.type == "supergroup"


async def test_faults_answer_5xx_for_the_next_calls(
    ptb: Bot, driver: Driver, person: JSON
) -> None:
    await driver.faults(2, methods=["sendMessage"])
    for _ in range(2):
        with pytest.raises(NetworkError):
            await ptb.send_message(person["id"], "hello")
    assert (await ptb.send_message(person["id"], "hello")).text == "hello"


async def test_timeout_faults_hold_the_call(api: Api, driver: Driver) -> None:
    await driver.faults(1, mode="timeout", delay=0.3, methods=["getMe"])
    status, _ = await api("getMe")
    assert status == 504
    assert (await api.ok("getMe"))["is_bot"] is True


# -------------------------------------------------------------------- updates


async def test_long_polling_returns_as_soon_as_an_update_arrives(
    api: Api, driver: Driver, person: JSON
) -> None:
    poll = asyncio.create_task(api("getUpdates", timeout=30))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await driver.send(person["id"], "hello")
    status, body = await asyncio.wait_for(poll, timeout=5)
    assert status == 200 and body["result"][0]["message"]["text"] == "hello"


async def test_offset_confirms_updates_and_limit_caps_them(
    api: Api, driver: Driver, person: JSON
) -> None:
    for number in range(120):
        await driver.send(person["id"], f"m{number}")
    first = await api.ok("getUpdates", limit=500)
    assert len(first) == 100
    again = await api.ok("getUpdates", offset=first[0]["update_id"])
    assert again[0]["update_id"] == first[0]["update_id"]
    rest = await api.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == [f"m{n}" for n in range(100, 120)]


async def test_allowed_updates_filters_kinds(api: Api, driver: Driver, person: JSON) -> None:
    await api.ok("sendMessage", chat_id=person["id"], text="a", reply_markup=_keyboard("x"))
    await driver.send(person["id"], "text")
    await driver.press(person["id"], person["id"], data="x")
    updates = await api.ok("getUpdates", allowed_updates=["callback_query"])
    assert [list(u)[1] for u in updates] == ["callback_query"]


async def test_a_second_poller_ends_the_first_with_409(api: Api) -> None:
    first = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(api("getUpdates", timeout=1))
    status, body = await asyncio.wait_for(first, timeout=5)
    assert status == 409 and "terminated by other getUpdates request" in body["description"]
    await second


async def test_user_commands_carry_a_bot_command_entity(
    api: Api, driver: Driver, person: JSON
) -> None:
    await driver.send(person["id"], "/start letter-fa")
    [update] = await api.ok("getUpdates")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


async def test_webhook_delivery_carries_the_secret_token(
    api: Api, driver: Driver, person: JSON
) -> None:
    received: list[tuple[str | None, JSON]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await api.ok("setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        status, _ = await api("getUpdates")
        assert status == 409
        await driver.send(person["id"], "via webhook")
        await driver.wait_for(lambda: _true_if(received), what="the webhook")
        assert received[0][0] == "s3cret"
        assert received[0][1]["message"]["text"] == "via webhook"
        assert (await api.ok("getWebhookInfo"))["pending_update_count"] == 0
    finally:
        await api.ok("deleteWebhook")
        await runner.cleanup()


async def _true_if(value: list[Any]) -> bool:
    return bool(value)


# ------------------------------------------------------------- files and chats


async def test_uploads_get_file_ids_that_can_be_downloaded_and_reused(
    ptb: Bot, person: JSON
) -> None:
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") * 2
    sent = await ptb.send_photo(person["id"], photo, caption="<b>look</b>", parse_mode="HTML")
    assert (sent.photo[-1].width, sent.photo[-1].height) == (64, 64)
    file = await ptb.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == photo
    again = await ptb.send_photo(person["id"], sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    for send, field in (
        (ptb.send_voice, "voice"),
        (ptb.send_video, "video"),
        (ptb.send_video_note, "video_note"),
        (ptb.send_document, "document"),
    ):
        message = await send(person["id"], b"bytes of " + field.encode())
        assert getattr(message, field).file_id


async def test_copies_hide_the_sender_and_forwards_show_it(
    ptb: Bot, driver: Driver, person: JSON
) -> None:
    original = await driver.send(person["id"], "my words")
    copy = await ptb.copy_message(MODERATOR_GROUP_ID, person["id"], original["message_id"])
    forward = await ptb.forward_message(MODERATOR_GROUP_ID, person["id"], original["message_id"])
    group = {m["message_id"]: m for m in await driver.messages(MODERATOR_GROUP_ID)}
    assert group[copy.message_id]["text"] == "my words"
    assert "forward_origin" not in group[copy.message_id]
    assert group[forward.message_id]["forward_origin"]["sender_user"]["id"] == person["id"]


async def test_commands_are_kept_per_language(api: Api, driver: Driver) -> None:
    await api.ok("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    await api.ok(
        "setMyCommands", commands=[{"command": "start", "description": "Los"}], language_code="de"
    )
    assert (await api.ok("getMyCommands", language_code="de"))[0]["description"] == "Los"
    assert (await api.ok("getMyCommands"))[0]["description"] == "Start"
    status, body = await api("setMyCommands", commands=[], language_code="ckb")
    assert status == 400 and "language code" in body["description"]
    status, body = await api("setMyCommands", commands=[{"command": "Bad!", "description": "x"}])
    assert status == 400


async def test_chat_members_statuses_parse_as_ptb_objects(ptb: Bot, emulator: Emulator) -> None:
    creator = await ptb.get_chat_member(MODERATOR_GROUP_ID, 30_001)
    admin = await ptb.get_chat_member(MODERATOR_GROUP_ID, 30_002)
    member = await ptb.get_chat_member(MODERATOR_GROUP_ID, 30_003)
    stranger = await ptb.get_chat_member(MODERATOR_GROUP_ID, 20_001)
    assert isinstance(creator, ChatMemberOwner)
    assert isinstance(admin, ChatMemberAdministrator)
    assert (member.status, stranger.status) == ("member", "left")
    bot_in_channel = await ptb.get_chat_member(CHANNEL_ID, emulator.bot.id)
    assert isinstance(bot_in_channel, ChatMemberAdministrator)
    assert bot_in_channel.can_post_messages and bot_in_channel.can_pin_messages
    admins = await ptb.get_chat_administrators(MODERATOR_GROUP_ID)
    assert {a.user.id for a in admins} == {30_001, 30_002, emulator.bot.id}
    chat = await ptb.get_chat("@solidarity_sandbox")
    assert (chat.id, chat.type) == (CHANNEL_ID, "channel")


async def test_channel_posting_and_pinning_need_rights(ptb: Bot, driver: Driver) -> None:
    channel = await driver.add_chat("channel", "No rights", bot_status="member")
    with pytest.raises(BadRequest, match="administrator rights"):
        await ptb.send_message(channel["id"], "hello")
    post = await ptb.send_message(CHANNEL_ID, "counter: 1")
    assert await ptb.pin_chat_message(CHANNEL_ID, post.message_id)
    assert (await ptb.get_chat(CHANNEL_ID)).pinned_message.text == "counter: 1"
    group = await driver.add_chat("supergroup", "Plain", bot_status="member")
    in_group = await ptb.send_message(group["id"], "hi")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await ptb.pin_chat_message(group["id"], in_group.message_id)


async def test_chat_action_is_validated(ptb: Bot, person: JSON) -> None:
    assert await ptb.send_chat_action(person["id"], "typing")
    with pytest.raises(BadRequest):
        await ptb.send_chat_action(person["id"], "dancing")


async def test_inline_keyboards_are_kept_on_the_message(
    ptb: Bot, driver: Driver, person: JSON
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="v1:yes")]])
    sent = await ptb.send_message(person["id"], "Sure?", reply_markup=markup)
    [shown] = await driver.bot_messages(person["id"])
    assert shown["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"
    await ptb.edit_message_text("Done", person["id"], sent.message_id)
    [shown] = await driver.bot_messages(person["id"])
    assert shown["text"] == "Done" and "reply_markup" not in shown and shown["edits"] == 1


async def test_a_send_or_press_can_wait_for_the_bots_replies(
    ptb: Bot, driver: Driver, person: JSON
) -> None:
    """One request per step, for load generators: the answer comes once the bot replied."""

    async def reply_later(text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        await asyncio.sleep(0.2)
        await ptb.send_message(person["id"], text, reply_markup=markup)

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="v1:yes")]])
    bot_side = asyncio.create_task(reply_later("Sure?", markup))
    [reply] = await driver.send_and_wait(person["id"], "/start", replies=1, timeout=5)
    await bot_side
    assert reply["text"] == "Sure?"
    bot_side = asyncio.create_task(reply_later("Thanks"))
    [reply] = await driver.press_and_wait(person["id"], "v1:yes", replies=1, timeout=5)
    await bot_side
    assert reply["text"] == "Thanks"
    with pytest.raises(DriverError, match="waited 0s for 1 bot message"):
        await driver.send_and_wait(person["id"], "hello?", replies=1, timeout=0.3)
