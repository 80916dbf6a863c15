"""The README's picture of the sandbox page, made again: `python -m tests.helpers.screenshots`.

Starts the sandbox as `python -m bot sandbox` does (in this process, with quicker jobs), walks
Sara's journey (read the letter in Persian, sign, send a message; Mina approves both; the
channel publishes them) through the driver API, and saves docs/sandbox.png from headless
Chromium (Debian's `chromium`, Playwright from the test extras). The buttons are pressed by
their payloads, not their texts, so that it keeps working while the wording changes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from bot.app import build_application
from bot.buttons import (
    ApproveDigest,
    ApproveMessage,
    Button,
    MessageChoice,
    MessageStep,
    SignChoice,
    SigningStep,
)
from bot.config import Settings
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN, seed
from bot.sandbox.server import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SARA, MINA = 20_001, 30_001
SIZE = {"width": 1500, "height": 900}
os.environ.setdefault("PTB_TIMEDELTA", "1")  # as the bot runs


async def changed(driver: Driver, chat_id: int, action: Callable[[], Awaitable[Any]]) -> None:
    """Do `action`, then wait until the bot has answered in the chat (a message sent, edited
    or deleted) and is quiet for a moment."""

    async def bot_side() -> str:
        messages = await driver.messages(chat_id, include_deleted=True)
        return json.dumps([m for m in messages if m["sender"] == "bot"])

    before = await bot_side()
    await action()
    for _ in range(200):
        await asyncio.sleep(0.1)
        now = await bot_side()
        if now != before:
            await asyncio.sleep(0.5)
            if await bot_side() == now:
                return
            before = now
    raise TimeoutError(f"the bot did not answer in chat {chat_id}")


async def card_button(driver: Driver, kind: type[Button]) -> tuple[int, str]:
    """The newest card in the group with a button of `kind`: its message id and payload."""
    for _ in range(200):
        for message in reversed(await driver.bot_messages(MODERATOR_GROUP_ID)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in (b for row in rows for b in row):
                if kind.parse(button.get("callback_data")) is not None:
                    return int(message["message_id"]), str(button["callback_data"])
        await asyncio.sleep(0.1)
    raise TimeoutError(f"no card with a {kind.__name__} button")


async def journey(driver: Driver) -> None:
    async def say(text: str) -> None:
        await changed(driver, SARA, lambda: driver.send(SARA, text))

    async def press(data: str) -> None:
        await changed(driver, SARA, lambda: driver.press(SARA, SARA, data=data))

    await say("/start")
    await say("/sign")
    for sign in (SignChoice.ANONYMOUS, SignChoice.SKIP, SignChoice.CONFIRM):
        await press(SigningStep(sign).pack())
    await say("/message")
    await say("همبستگی از برلین تا تهران")
    for step in (MessageChoice.ANONYMOUS, MessageChoice.SKIP, MessageChoice.SEND):
        await press(MessageStep(step).pack())
    for kind in (ApproveMessage, ApproveDigest):  # the message, then all the signatures
        message_id, data = await card_button(driver, kind)
        await changed(
            driver,
            MODERATOR_GROUP_ID,
            lambda m=message_id, d=data: driver.press(
                MINA, MODERATOR_GROUP_ID, data=d, message_id=m
            ),
        )
    for _ in range(300):  # the message, the signatures' digest and the counter
        if len(await driver.bot_messages(CHANNEL_ID)) >= 3:
            break
        await asyncio.sleep(0.1)


async def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        emulator = Emulator(SANDBOX_TOKEN, bot_username="SolidaritySandboxBot")
        seed(emulator)
        server = EmulatorServer(emulator)
        url = await server.start()
        settings = Settings(
            bot_token=SANDBOX_TOKEN,
            moderator_chat_id=MODERATOR_GROUP_ID,
            channel_id=CHANNEL_ID,
            database_path=Path(folder) / "sandbox.sqlite3",
            telegram_api_url=url,
            card_interval=0.5,
            counter_interval=1.0,
            signature_digest_interval=1.0,
            undo_window=0,
        )
        application = build_application(settings)
        await start_application(application, poll_timeout=2)
        try:
            async with Driver(url) as driver, async_playwright() as playwright:
                await journey(driver)
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                page = await browser.new_page(viewport=SIZE)
                await page.goto(url + "/")
                await page.wait_for_selector("#channel-log .msg")
                await page.select_option("#supporter-select", str(SARA))
                await page.wait_for_timeout(1500)  # the page polls every 0.4 s
                await page.screenshot(path=out / "sandbox.png")
                await browser.close()
        finally:
            await stop_application(application)
            await server.stop()
    print(f"Saved {out / 'sandbox.png'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder (docs/)")
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(arguments.out))
    sys.exit(0)
