"""The aiohttp request class: what reaches the Bot API, and how failures surface in PTB."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import NetworkError, TimedOut
from telegram.ext import TypeHandler

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.request import AiohttpRequest
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.server import EmulatorServer
from tests.conftest import TOKEN
from tests.helpers.people import JSON, buttons, new_supporter
from tests.test_hardening import webhook_settings


class Recorder:
    """A stand-in Bot API that records each request and answers after `delay` seconds."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []
        self.delay = 0.0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["method"] == "getMe":
            me = {"id": 1, "is_bot": True, "first_name": "Bot", "username": "bot"}
            return web.json_response({"ok": True, "result": me})
        self.seen.append((request.content_type, await request.read()))
        await asyncio.sleep(self.delay)
        return web.json_response({"ok": True, "result": True})


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    found = Recorder()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", found.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    found.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield found
    await runner.cleanup()


async def test_parameters_travel_as_json_with_nested_keyboards(recorder: Recorder) -> None:
    async with Bot(TOKEN, base_url=f"{recorder.url}/bot", request=AiohttpRequest()) as bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="v1:x:y")]])
        await bot.do_api_request(
            "customMethod", api_kwargs={"chat_id": 5, "reply_markup": keyboard, "text": "نامه"}
        )
    content_type, body = recorder.seen[-1]
    assert content_type == "application/json"
    sent = json.loads(body)
    assert sent["chat_id"] == 5
    assert sent["text"] == "نامه"
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "Ja", "callback_data": "v1:x:y"}]]
    }


async def test_a_slow_answer_is_a_time_out_and_a_closed_port_a_network_error(
    recorder: Recorder,
) -> None:
    request = AiohttpRequest(read_timeout=0.3, write_timeout=0.1)
    async with Bot(TOKEN, base_url=f"{recorder.url}/bot", request=request) as bot:
        recorder.delay = 2
        with pytest.raises(TimedOut):
            await bot.do_api_request("slowMethod")
    closed = AiohttpRequest(connect_timeout=1)
    await closed.initialize()
    try:
        with pytest.raises(NetworkError):
            await closed.post("http://127.0.0.1:9/botX/getMe")
    finally:
        await closed.shutdown()


async def test_a_streamed_upload_is_sent_whole_again_on_a_retry(
    server: EmulatorServer, emulator: Emulator, driver: Driver
) -> None:
    person = await driver.add_user("Reader")
    file = io.BytesIO(b"line,country\n" * 1000)
    request = AiohttpRequest()
    async with Bot(emulator.token, base_url=f"{server.url}/bot", request=request) as bot:
        for _ in range(2):  # the second send reads the same handle from its start
            document = InputFile(file, filename="signatures.csv", read_file_handle=False)
            sent = await bot.send_document(person["id"], document)
            stored = emulator.files.get(sent.document.file_id)
            assert stored is not None
            assert stored.data == b"line,country\n" * 1000


def watch_presses(application: BotApplication) -> list[Update]:
    """Every press the bot's handlers are given, as they are given it."""
    seen: list[Update] = []

    async def note(update: Update, _context: object) -> None:
        if update.callback_query is not None:
            seen.append(update)

    application.add_handler(TypeHandler(Update, note), group=-1000)
    return seen


async def press_under_the_menu(driver: Driver, seen: list[Update]) -> tuple[JSON, Message]:
    """Alice presses Sign the letter under the letter: the menu as Telegram shows it, and the
    pressed message as the bot's handlers read it."""
    alice = await new_supporter(driver, "Alice", "en")
    menu = (await alice.say("/start", replies=2))[-1]
    assert "Sign the letter" in buttons(menu)  # Telegram shows it with its keyboard
    await alice.press_and_wait("Sign the letter")
    [update] = seen
    pressed = update.callback_query.message if update.callback_query else None
    assert isinstance(pressed, Message)
    assert (pressed.message_id, pressed.chat.id) == (menu["message_id"], alice.id)
    return menu, pressed


async def test_the_bot_reads_a_pressed_message_without_its_keyboard_but_with_its_text(
    bot: BotApplication, driver: Driver
) -> None:
    menu, pressed = await press_under_the_menu(driver, watch_presses(bot))
    assert pressed.text == menu["text"]  # what a card's check compares
    assert pressed.reply_markup is None and pressed.entities == ()  # never parsed


async def test_in_webhook_mode_too_a_pressed_message_comes_without_its_keyboard(
    settings: Settings, driver: Driver
) -> None:
    application = build_application(webhook_settings(settings))
    seen = watch_presses(application)
    await start_application(application, webhook=True)
    try:
        menu, pressed = await press_under_the_menu(driver, seen)
        assert pressed.text == menu["text"]
        assert pressed.reply_markup is None and pressed.entities == ()
    finally:
        await stop_application(application)
