"""The sandbox page in headless Chromium: the whole journey, as an organiser would click it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect

from bot.app import build_application
from bot.config import Settings
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN, seed
from bot.sandbox.server import EmulatorServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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


@dataclass(frozen=True)
class Sandbox:
    """The page in a browser, and the emulator behind it (to see what reached Telegram)."""

    page: Page
    url: str
    driver: Driver


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
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
    async with async_playwright() as playwright, Driver(url) as driver:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = await browser.new_page(viewport={"width": 1500, "height": 900})
        await tab.goto(url + "/")
        try:
            yield Sandbox(tab, url, driver)
        finally:
            await browser.close()
            await stop_application(application)
            await server.stop()


@pytest.fixture
def page(sandbox: Sandbox) -> Page:
    return sandbox.page


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
    assert await side(page, "supporter", "مردم جهان!") == "right"
    # Share opens Telegram's chat picker, which the sandbox has not: shown, not pressable.
    share = supporter.get_by_role("button", name="اشتراک‌گذاری نامه", exact=True).last
    await expect(share).to_be_disabled()

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
    await page.get_by_role("button", name="Send", exact=True).first.click()
    await expect(supporter.locator("img")).to_have_count(1)


SARA, ALEX = 20001, 20002
# Where a paragraph's first character is drawn in the last message (in `pane`) holding `start`:
# at the left edge of the text (a left-to-right paragraph), at the right edge (right to left).
FIRST_CHARACTER_SIDE = """([pane, start]) => {
  for (const box of [...document.querySelectorAll(`#${pane}-log .text`)].reverse()) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(start);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      const first = range.getBoundingClientRect(), edges = box.getBoundingClientRect();
      if (first.left - edges.left < 3) return "left";
      if (edges.right - first.right < 3) return "right";
      return "middle";
    }
  }
  return null;
}"""


async def side(page: Page, pane: str, start: str) -> str | None:
    side: str | None = await page.evaluate(FIRST_CHARACTER_SIDE, [pane, start])
    return side


async def bot_says(sandbox: Sandbox, chat_id: int, text: str) -> None:
    """The bot sends `text` (plain) to a chat, through the Bot API as the bot does."""
    await sandbox.driver.request(
        "POST", f"/bot{SANDBOX_TOKEN}/sendMessage", {"chat_id": chat_id, "text": text}
    )


async def test_each_paragraph_takes_its_direction_from_its_first_letter(sandbox: Sandbox) -> None:
    """As Telegram's clients do (the first strong character of each paragraph decides), not
    one direction for the whole message."""
    page = sandbox.page
    await page.select_option("#supporter-select", str(SARA))
    await bot_says(
        sandbox,
        SARA,
        "همبستگی از برلین تا تهران\n/start — خواندن نامه\nSolidarity from Berlin.\n۲٬۰۰۰ — ۲۰۲۶",
    )
    await bot_says(sandbox, SARA, "Message #M1\nدرود از شیراز")
    await expect(page.locator("#supporter-log .text")).to_have_count(2)
    for start, expected in [
        ("همبستگی از برلین", "right"),
        ("/start — خواندن", "left"),  # "s" is its first strong letter: Telegram's rule
        ("Solidarity from Berlin.", "left"),  # English inside a Persian message
        ("۲٬۰۰۰ — ۲۰۲۶", "left"),  # no strong letter: left to right, as Telegram Desktop
        ("Message #M1", "left"),
        ("درود از شیراز", "right"),  # Persian inside an English message
    ]:
        assert await side(page, "supporter", start) == expected, start


async def test_persian_help_reads_as_in_telegram(sandbox: Sandbox) -> None:
    """The command lines read "/start — …", not "start/ —"; the Persian lines right to left."""
    page = sandbox.page
    await page.select_option("#supporter-select", str(SARA))
    await say(page, "supporter", "/help")
    await expect(page.locator("#supporter-log")).to_contain_text("/start —")
    help_text = (await sandbox.driver.bot_messages(SARA))[-1]["text"]
    intro = help_text.split("\n")[0]
    assert await side(page, "supporter", intro) == "right"
    for line in help_text.split("\n"):
        if line.startswith("/"):
            assert await side(page, "supporter", line) == "left", line


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (8).to_bytes(4, "big") * 2


async def sent_by(sandbox: Sandbox, user_id: int) -> list[dict[str, object]]:
    """What the person sent in their chat, as it reached Telegram."""
    return [m for m in await sandbox.driver.messages(user_id) if m["sender"] == "user"]


async def send_button(page: Page, pane: str = "supporter") -> Locator:
    return page.locator(f"#{pane}-form").get_by_role("button", name="Send", exact=True)


async def test_a_photo_waits_for_its_caption_and_can_be_removed(sandbox: Sandbox) -> None:
    page = sandbox.page
    supporter = page.locator("#supporter-log")
    await page.select_option("#supporter-select", str(ALEX))
    await page.set_input_files(
        "#supporter-file", files=[{"name": "berlin.png", "mimeType": "image/png", "buffer": PNG}]
    )
    attachment = page.locator("#supporter-attachment")
    await expect(attachment).to_be_visible()
    await expect(attachment).to_contain_text("berlin.png")
    await page.fill("#supporter-input", "Solidarity from Berlin")
    assert await sent_by(sandbox, ALEX) == []  # nothing leaves before Send
    await (await send_button(page)).click()
    await expect(supporter.locator("img")).to_have_count(1)
    await expect(supporter.locator(".msg.mine")).to_contain_text("Solidarity from Berlin")
    await expect(attachment).to_be_hidden()
    [photo] = await sent_by(sandbox, ALEX)
    assert photo["photo"] and photo["caption"] == "Solidarity from Berlin"

    # Picked by mistake: removed, and the text goes alone.
    await page.set_input_files(
        "#supporter-file", files=[{"name": "other.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await page.get_by_role("button", name="Remove the attachment").click()
    await expect(attachment).to_be_hidden()
    await say(page, "supporter", "/help")
    await expect(supporter.locator(".msg.mine")).to_have_count(2)
    assert [("photo" in m, m.get("text")) for m in await sent_by(sandbox, ALEX)] == [
        (True, None),
        (False, "/help"),
    ]


async def test_stickers_and_files_can_be_sent_and_the_bot_answers_them(sandbox: Sandbox) -> None:
    page = sandbox.page
    supporter = page.locator("#supporter-log")
    await page.select_option("#supporter-select", str(ALEX))
    await say(page, "supporter", "/message")
    await expect(supporter.locator(".msg").last).to_contain_text("2,000")
    refusal = "cannot be sent as messages here"

    # A sticker from the picker: it shows as one, the bot refuses it as a message.
    await page.get_by_role("button", name="Stickers").click()
    await page.get_by_role("button", name="Sticker ❤️").click()
    await expect(supporter.locator("img.sticker")).to_have_count(1)
    await expect(supporter.locator(".msg", has_text=refusal)).to_have_count(1)
    [_, sticker] = await sent_by(sandbox, ALEX)
    picture = await sandbox.driver.download(sticker["sticker"]["file_id"])  # type: ignore[index]
    assert picture[:4] == b"RIFF" and picture[8:12] == b"WEBP"

    # Any file goes as a document, with its name.
    await page.set_input_files(
        "#supporter-file",
        files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
    )
    await expect(page.locator("#supporter-attachment")).to_contain_text("notes.pdf")
    await (await send_button(page)).click()
    await expect(supporter.locator(".msg.mine").last).to_contain_text("notes.pdf")
    await expect(supporter.locator(".msg", has_text=refusal)).to_have_count(2)

    # A photo sent as a file (uncompressed): the bot asks for it as a photo.
    await page.set_input_files(
        "#supporter-file", files=[{"name": "berlin.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await page.check("#supporter-as-file")
    await (await send_button(page)).click()
    await expect(supporter.locator(".msg", has_text="not as a file")).to_have_count(1)
    sent = await sent_by(sandbox, ALEX)
    kinds = [kind for m in sent for kind in ("text", "sticker", "document") if kind in m]
    assert kinds == ["text", "sticker", "document", "document"]


@pytest.mark.parametrize(("width", "height"), [(900, 800), (390, 844)])
async def test_the_send_buttons_are_whole_and_work_on_a_narrow_screen(
    sandbox: Sandbox, width: int, height: int
) -> None:
    page = sandbox.page
    await page.set_viewport_size({"width": width, "height": height})
    await page.select_option("#supporter-select", str(ALEX))
    for pane, text in (("supporter", "/help"), ("moderator", "/pending")):
        button = await send_button(page, pane)
        # The page scrolls to the pane (on a phone they are one under the other); nothing
        # scrolls inside it, which would hide a clipped button's cut.
        await page.locator(f"#{pane}-pane").evaluate("e => window.scrollTo(0, e.offsetTop)")
        box = await button.bounding_box()
        section = await page.locator(f"#{pane}-pane").bounding_box()
        assert box is not None and section is not None
        right = box["x"] + box["width"]
        assert box["x"] >= 0 and right <= min(width, section["x"] + section["width"]), box
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
        assert box["width"] >= 40, box  # the word, not a sliver of it
        on_top = await page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('button')?.textContent",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert on_top == "Send"
        await page.fill(f"#{pane}-input", text)
        await button.click()
        await expect(page.locator(f"#{pane}-log .msg.mine").last).to_contain_text(text)
