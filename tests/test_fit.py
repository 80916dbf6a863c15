"""Cards and channel posts fit Telegram's limits, as Telegram counts them (UTF-16, after HTML)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from bot.sandbox.telegram_html import utf16_length
from tests.helpers.people import JSON, Supporter, buttons, new_supporter

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (32).to_bytes(4, "big") * 2
MINA = 30_001  # the moderator group's creator
WORDS = "Woman, life, freedom: we hear you and we stand with you. "
CAPTION = (WORDS * 20)[:899] + "!"  # 900 characters, the longest caption allowed
EMOJI = "🌹" * 500  # 500 characters, 1,000 UTF-16 units
NAME = "Leyla Karimi-Tabrizi Hosseini-Esfahani Rahimi-Shirazi Nasrin Ava"  # 64 characters
COUNTRY = "South Georgia & South Sandwich Islands"


@pytest.fixture
async def desk_bot(settings: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(replace(settings, card_interval=0.2, group_rate=(20, 1.0)))
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def send_signed_photo(person: Supporter, caption: str) -> list[JSON]:
    """The /message flow with a photo, signed with NAME from COUNTRY; return the preview."""
    await person.say("/message", replies=2)
    sent = await person.driver.send_media(person.id, "photo", PNG, caption=caption)
    await person.driver.wait_bot_messages(person.id, sent["message_id"])
    await person.press_and_wait("With a name")
    await person.say(NAME)
    await person.say("South Georgia")
    before = await person.last_message_id()
    await person.press(COUNTRY)

    async def preview() -> list[JSON] | None:
        found = await person.driver.bot_messages(person.id, before)
        return found if found and buttons(found[-1]) == ["Send", "Change", "Cancel"] else None

    shown: list[JSON] = await person.driver.wait_for(preview, what="the preview")
    await person.press_and_wait("Send")
    return shown


def text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


async def _group_after(driver: Driver, count: int) -> list[JSON] | None:
    found = [m for m in await driver.bot_messages(MODERATOR_GROUP_ID) if "#M1" in text_of(m)]
    return found if len(found) >= count else None


@pytest.mark.parametrize("caption", [CAPTION, EMOJI], ids=["900 characters", "500 emoji"])
async def test_a_caption_too_long_for_a_card_comes_after_its_photo_with_the_buttons(
    desk_bot: BotApplication, driver: Driver, caption: str
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    published = f"{caption}\n\n— {NAME}, {COUNTRY}"
    preview = await send_signed_photo(alice, caption)
    # The preview shows what the channel will: the photo, and its text (after it where the
    # caption would not fit under it) with the buttons.
    assert text_of(preview[-1]) == published
    assert [m for m in preview if "photo" in m]

    photo, card = await driver.wait_for(lambda: _group_after(driver, 2), what="the card")
    assert "photo" in photo
    assert photo["caption"] == "#M1: the text and the buttons follow."
    assert buttons(photo) == []
    assert card["text"] == f"#M1 · English (en) · waiting for review\n\n{published}"
    assert buttons(card) == ["Approve", "Reject", "Ban author"]
    assert photo["has_protected_content"] is True and card["has_protected_content"] is True

    query = await driver.press(
        MINA, MODERATOR_GROUP_ID, text="Approve", message_id=card["message_id"]
    )
    answered = await driver.wait_answered(query)
    assert answered["answer"]["text"] == "Done."

    async def in_channel() -> list[JSON] | None:
        posts = await driver.bot_messages(CHANNEL_ID)
        shown = [p for p in posts if "photo" in p or caption in text_of(p)]
        return shown if shown and published in text_of(shown[-1]) else None

    posts = await driver.wait_for(in_channel, what="the channel posts")
    if utf16_length(published) <= 1024:  # the 900 characters: under the photo, as previewed
        [media] = posts
        assert media["caption"] == published
    else:  # the 500 emoji: after it
        media, text = posts
        assert "photo" in media and "caption" not in media
        assert text["text"] == published
    link = f"https://t.me/solidarity_sandbox/{media['message_id']}"

    async def told() -> list[JSON] | None:
        found = [m for m in await driver.bot_messages(alice.id) if link in text_of(m)]
        return found or None

    await driver.wait_for(told, what="the author told the link")

    async def stamped() -> JSON | None:
        [now] = [
            m for m in await driver.bot_messages(MODERATOR_GROUP_ID)
            if m["message_id"] == card["message_id"]
        ]  # fmt: skip
        return now if now["edits"] > card["edits"] else None

    done = await driver.wait_for(stamped, what="the card stamped")
    assert "approved by @mina_mod at" in done["text"]
    assert published in done["text"]
