"""The sandbox page in headless Chromium: the whole journey, as an organiser would click it."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from bot.app import build_application
from bot.config import Settings
from bot.runtime import start_application, stop_application
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN, seed
from bot.sandbox.server import EmulatorServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Where `SANDBOX_SCREENSHOT=docs/sandbox.png pytest tests/test_sandbox_page.py` saves a picture.
SCREENSHOT = os.environ.get("SANDBOX_SCREENSHOT")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    """The sandbox as `python -m bot sandbox` starts it, quicker, and a browser on its page."""
    emulator = Emulator(SANDBOX_TOKEN, bot_username="SolidaritySandboxBot")
    seed(emulator)
    server = EmulatorServer(emulator)
    url = await server.start()
    settings = Settings(
        bot_token=SANDBOX_TOKEN,
        moderator_chat_id=MODERATOR_GROUP_ID,
        channel_id=CHANNEL_ID,
        database_path=tmp_path / "sandbox.sqlite3",
        telegram_api_url=url,
        card_interval=0.5,
        counter_interval=1.0,
        signature_digest_interval=1.0,
        undo_window=0,  # the journey watches the author told at once
    )
    application = build_application(settings)
    await start_application(application, poll_timeout=2)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = await browser.new_page(viewport={"width": 1500, "height": 900})
        await tab.goto(url + "/")
        try:
            yield tab
        finally:
            await browser.close()
            await stop_application(application)
            await server.stop()


async def say(page: Page, pane: str, text: str) -> None:
    await page.fill(f"#{pane}-input", text)
    await page.press(f"#{pane}-input", "Enter")


async def press(page: Page, pane: str, name: str) -> None:
    await page.locator(f"#{pane}-log").get_by_role("button", name=name, exact=True).last.click()


async def test_the_whole_journey_through_the_page(page: Page) -> None:
    supporter = page.locator("#supporter-log")
    moderators = page.locator("#moderator-log")
    channel = page.locator("#channel-log")
    await page.select_option("#supporter-select", "20001")  # Sara, whose Telegram is Persian

    # Read the letter in Persian: shown right to left.
    await say(page, "supporter", "/start")
    await expect(supporter).to_contain_text("مردم جهان!")
    await expect(supporter).to_contain_text("Fereshteh Moradi")
    assert (
        await supporter.locator(".text").last.evaluate("e => getComputedStyle(e).direction")
        == "rtl"
    )

    # Sign, anonymously.
    await press(page, "supporter", "امضای نامه")
    await press(page, "supporter", "به‌صورت ناشناس")
    await press(page, "supporter", "از این مرحله بگذرید")
    await press(page, "supporter", "تأیید")
    await expect(supporter).to_contain_text("از امضای شما سپاسگزاریم")

    # Send a message.
    await say(page, "supporter", "/message")
    await expect(supporter.locator(".msg").last).to_contain_text("۲٬۰۰۰")
    await say(page, "supporter", "همبستگی از برلین تا تهران")
    await press(page, "supporter", "به‌صورت ناشناس")
    await press(page, "supporter", "از این مرحله بگذرید")
    await press(page, "supporter", "ارسال")
    await expect(supporter).to_contain_text("پیام شما در انتظار بررسی ناظران است")

    # A member who is not an administrator is refused; Mina approves both.
    await expect(moderators).to_contain_text("#M1")
    await page.select_option("#moderator-select", "30003")
    await press(page, "moderator", "Approve")
    await expect(moderators).to_contain_text("Only the moderators can decide here.")
    await page.select_option("#moderator-select", "30001")
    await press(page, "moderator", "Approve")
    await expect(moderators).to_contain_text("approved by @mina_mod")
    await expect(moderators).to_contain_text("Digest #D1")
    await press(page, "moderator", "Approve all")

    # The channel: the message, the signature, and the counter moving.
    await expect(channel).to_contain_text("همبستگی از برلین تا تهران")
    await expect(channel).to_contain_text("New signatures under the open letter:")
    await expect(channel).to_contain_text("Signatures so far: 1", timeout=15_000)
    await expect(supporter).to_contain_text("https://t.me/solidarity_sandbox/")

    # A photo upload reaches the bot as a photo, and shows as one.
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (8).to_bytes(4, "big") * 2
    await page.set_input_files(
        "#supporter-file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png}]
    )
    await expect(supporter.locator("img")).to_have_count(1)
    if SCREENSHOT:
        await page.screenshot(path=SCREENSHOT)
