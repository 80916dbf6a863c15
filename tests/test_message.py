"""Solidarity messages through the emulator: every kind, bad input, warnings and limits."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, buttons, new_supporter
from tests.helpers.seed import SEED

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (32).to_bytes(4, "big") * 2


def reader_comments() -> list[str]:
    """The numbered reader comments below the letter, each as its author wrote it."""
    below = SEED.read_text(encoding="utf-8").split("\n  1. ", 1)[1]
    pieces = re.split(r"\n\s*\n?\s*(?=\d+\. )", "1. " + below)
    comments = []
    for piece in pieces:
        body = re.sub(r"^\d+\. ", "", piece.strip())
        lines = [line.strip() for line in body.splitlines()]
        comments.append("\n".join(lines).strip())
    return comments


Sender = Callable[[Supporter], Awaitable[JSON]]


async def compose(
    person: Supporter,
    send: Sender,
    sign_as: str = "Anonymously",
    country: str | None = None,
    expect_warning: bool = False,
) -> list[JSON]:
    """Go from /message to the preview; return what the preview step showed."""
    explained, asked = await person.say("/message", replies=2)
    assert (
        "If they approve it, it may be published in the channel and read on air"
        in (explained["text"])
    )
    assert asked["text"].startswith("Send one text (up to 2,000 characters)")
    sent = await send(person)
    [reply] = await person.driver.wait_bot_messages(person.id, sent["message_id"])
    if expect_warning:
        assert "looks like a phone number, an email address or an @username" in reply["text"]
        [reply] = await person.press_and_wait("Keep it as it is")
    assert reply["text"].startswith("How should your message be signed?")
    [asked] = await person.press_and_wait(sign_as)
    if sign_as == "With a name":
        [asked] = await person.say("Leyla Karimi")
    assert "Which country do you live in?" in asked["text"]
    before = await person.last_message_id()
    await person.press(country or "Skip")
    shown = await person.driver.wait_for(
        lambda: _preview_shown(person, before), what="the preview"
    )
    # The country question says what follows, in its place; the preview is new, and stays.
    [header] = [m for m in await person.bot_messages() if m["message_id"] == asked["message_id"]]
    assert header["text"] == "This is exactly how it would be published:"
    assert buttons(header) == []
    return list(shown)


async def _preview_shown(person: Supporter, after: int) -> list[JSON] | None:
    found = await person.driver.bot_messages(person.id, after)
    return found if found and buttons(found[-1]) == ["Send", "Change", "Cancel"] else None


async def finish(person: Supporter) -> JSON:
    [thanks] = await person.press_and_wait("Send")
    assert thanks["text"].startswith("Thank you. Your message is waiting for the moderators")
    return thanks


def text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


# ------------------------------------------------------------------ each kind


@pytest.mark.parametrize(
    ("kind", "caption"),
    [
        ("photo", "From Berlin with love"),
        ("voice", None),
        ("video", "Azadi!"),
        ("video_note", None),
    ],
)
async def test_each_kind_of_media_from_start_to_pending(
    bot: BotApplication, driver: Driver, settings: Settings, kind: str, caption: str | None
) -> None:
    alice = await new_supporter(driver, "Alice", "en")

    async def send_media(person: Supporter) -> JSON:
        extra = {"caption": caption} if caption else {}
        return await driver.send_media(person.id, kind, PNG, **extra)

    preview = await compose(alice, send_media, "With a name", "Germany")
    line = "— Leyla Karimi, Germany"
    expected = f"{caption}\n\n{line}" if caption else line
    assert kind in preview[0]
    assert text_of(preview[-1]) == expected
    await finish(alice)
    [(stored_kind, text, file_id, name, status, language)] = rows(
        settings, "SELECT kind, text, file_id, name, status, language FROM messages"
    )
    assert (stored_kind, text, name, status, language) == (
        kind, caption, "Leyla Karimi", "pending", "en"
    )  # fmt: skip
    media = preview[0][kind]
    shown_id = media[-1]["file_id"] if kind == "photo" else media["file_id"]
    assert file_id == shown_id


async def test_a_text_from_start_to_pending(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    words = "<b>Woman, life, freedom</b> & solidarity"

    async def send_text(person: Supporter) -> JSON:
        return await person.send(words)

    [preview] = await compose(alice, send_text)
    assert preview["text"] == f"{words}\n\n— A supporter"
    await finish(alice)
    assert rows(settings, "SELECT kind, text, listing FROM messages") == [
        ("text", words, "anonymous")
    ]


async def test_sign_as_in_the_signature(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("First name and initial")
    await alice.say("Alice Walker")
    await alice.press_and_wait("Sweden")
    await alice.press_and_wait("Confirm")
    await alice.say("/message", replies=2)
    [asked] = await alice.say("Hello")
    assert "Your signature reads: Alice W., Sweden" in asked["text"]
    header, preview = await alice.press_and_wait("As in my signature", replies=2)
    assert header["message_id"] == asked["message_id"]  # the question, replaced
    assert preview["text"] == "Hello\n\n— Alice W., Sweden"


async def test_texts_and_captions_lose_hidden_and_control_characters(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    letters = "\u0646\u0627\u0645\u0647\u200c\u0647\u0627"  # Persian, its ZWNJ kept
    typed = f"Free\u202eemoh\u202c them\u200b now\u0007\u001b!\n{letters}"
    clean = f"Freeemoh them now!\n{letters}"

    async def send_text(person: Supporter) -> JSON:
        return await person.send(typed)

    [preview] = await compose(alice, send_text)
    assert preview["text"] == f"{clean}\n\n— A supporter"
    await finish(alice)

    async def send_photo(person: Supporter) -> JSON:
        return await driver.send_media(person.id, "photo", PNG, caption="\u2066Azadi\u2069\u200b!")

    *_, shown = await compose(alice, send_photo)
    assert shown["caption"] == "Azadi!\n\n— A supporter"
    await finish(alice)
    assert rows(settings, "SELECT text FROM messages ORDER BY id") == [(clean,), ("Azadi!",)]


async def test_a_text_with_nothing_visible_is_asked_again(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    refused, again = await alice.say("\u200b\u202e\u200b", replies=2)
    assert refused["text"] == (
        "That text has nothing visible in it. Please write your message again."
    )
    assert again["text"].startswith("Send one text")
    [asked] = await alice.say("Hello")
    assert asked["text"].startswith("How should your message be signed?")


async def test_a_disguised_name_to_sign_a_message_with_is_refused(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    await alice.say("Hello")
    await alice.press_and_wait("With a name")
    refused, again = await alice.say("L\u0435yla", replies=2)  # a Cyrillic е
    assert refused["text"].startswith(
        "That name mixes letters from different alphabets in one word"
    )
    assert again["text"].startswith("Type the name to sign your message with")
    [asked] = await alice.say("Leyla Karimi")
    assert "Which country do you live in?" in asked["text"]


# ------------------------------------------------------------------ bad input


async def test_an_over_long_text_gets_its_length_and_the_limit(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    refused, again = await alice.say("x" * 2001, replies=2)
    assert refused["text"] == (
        "Your text is 2,001 characters long; the limit is 2,000. Please shorten it and send "
        "it again."
    )
    assert again["text"].startswith("Send one text")
    [asked] = await alice.say("x" * 2000)
    assert asked["text"].startswith("How should your message be signed?")


async def test_an_album_keeps_the_first_item_only_if_confirmed(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    first = await driver.send_media(alice.id, "photo", PNG, caption="first", media_group_id="g1")
    await driver.send_media(alice.id, "photo", PNG + b"2", media_group_id="g1")
    await driver.send_media(alice.id, "video", PNG + b"3", media_group_id="g1")
    [note] = await driver.wait_bot_messages(alice.id, first["message_id"])
    assert note["text"].startswith("One photo or video per message is accepted")
    assert buttons(note) == ["Keep the first one", "Send something else", "Cancel"]
    [asked] = await alice.press_and_wait("Keep the first one")
    assert asked["text"].startswith("How should your message be signed?")
    # One note for the whole album, now the next question in its place.
    assert [m["message_id"] for m in await driver.bot_messages(alice.id, first["message_id"])] == [
        note["message_id"]
    ]
    await alice.press_and_wait("Anonymously")
    await alice.press_and_wait("Skip", replies=2)  # the header in place, the preview
    await finish(alice)
    assert rows(settings, "SELECT kind, text FROM messages") == [("photo", "first")]


async def test_a_photo_sent_as_a_file_is_refused_with_the_reason(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    sent = await driver.send_media(
        alice.id, "document", PNG, file_name="IMG_2041.jpg", mime_type="image/jpeg"
    )
    refused, again = await driver.wait_bot_messages(alice.id, sent["message_id"], 2)
    assert "not as a file: files keep details such as where and when" in refused["text"]
    assert again["text"].startswith("Send one text")
    [asked] = await alice.say("Still here")
    assert asked["text"].startswith("How should your message be signed?")


@pytest.mark.parametrize(
    "send",
    [
        lambda d, who: d.send_media(who, "sticker", emoji="✊"),
        lambda d, who: d.send_other(who, "location", latitude=35.7, longitude=51.4),
        lambda d, who: d.send_other(who, "contact", phone_number="+100"),
        lambda d, who: d.send_other(who, "poll", question="?", options=["a", "b"]),
    ],
    ids=["sticker", "location", "contact", "poll"],
)
async def test_stickers_locations_contacts_and_polls_get_a_hint(
    bot: BotApplication, driver: Driver, send: Callable[[Driver, int], Awaitable[JSON]]
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    sent = await send(driver, alice.id)
    hint, again = await driver.wait_bot_messages(alice.id, sent["message_id"], 2)
    assert hint["text"].startswith("Stickers, locations, contacts, polls and files cannot be sent")
    assert again["text"].startswith("Send one text")
    [asked] = await alice.say("Solidarity")
    assert asked["text"].startswith("How should your message be signed?")


@pytest.mark.parametrize(
    "words",
    [
        "Call me on +98 912 345 6789",
        "Call ۰۹۱۲۳۴۵۶۷۸۹",
        "Mail me: leyla@example.org",
        "I am @leyla_k",
    ],
)
async def test_phone_numbers_emails_and_usernames_are_warned_about(
    bot: BotApplication, driver: Driver, words: str
) -> None:
    alice = await new_supporter(driver, "Alice", "en")

    async def send_text(person: Supporter) -> JSON:
        return await person.send(words)

    [preview] = await compose(alice, send_text, expect_warning=True)
    assert preview["text"].startswith(words)


async def test_write_it_again_after_a_warning(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    await alice.say("leyla@example.org")
    [again] = await alice.press_and_wait("Write it again")
    assert again["text"].startswith("Send one text")


# ---------------------------------------------------------------------- limits


@pytest.fixture
async def strict_bot(settings: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(replace(settings, message_daily_limit=2))
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def send_a_text(person: Supporter, words: str) -> None:
    async def send_text(someone: Supporter) -> JSON:
        return await someone.send(words)

    await compose(person, send_text)
    await finish(person)


async def test_at_most_three_pending_messages(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    for number in range(3):
        await send_a_text(alice, f"Message {number}")
    [refused] = await alice.say("/message")
    assert refused["text"] == (
        "You have 3 messages waiting for review, the most allowed at once. You can send "
        "another as soon as the moderators have decided on one of them."
    )


async def test_the_daily_limit_says_when_one_can_send_again(
    strict_bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    for number in range(2):
        await send_a_text(alice, f"Message {number}")

    # Decided messages no longer count as pending, but still count for the day.
    # BEGIN IMMEDIATE: the bot commits several times a second, so a deferred transaction's
    # snapshot could be overtaken (SQLITE_BUSY at once); an immediate one waits its turn.
    # In a thread: the bot runs on this loop, and may be inside a transaction just now.
    def approve_all() -> None:
        connection = sqlite3.connect(settings.database_path, isolation_level=None, timeout=10)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE messages SET status = 'approved'")
        connection.execute("COMMIT")
        connection.close()

    await asyncio.to_thread(approve_all)
    [refused] = await alice.say("/message")
    assert refused["text"] == (
        "You have sent 2 messages in the last 24 hours, the most allowed. "
        "You can send again in 24 hours."
    )


# -------------------------------------------------------------- reader comments


def test_the_seed_has_the_reader_comments() -> None:
    comments = reader_comments()
    assert len(comments) == 13
    assert comments[0].startswith("زنده باد انقراض نظام ولایت فقیه!")
    assert comments[-1].startswith("kommunismus ist nicht gleich")


@pytest.mark.parametrize("number", range(13))
async def test_reader_comments_go_through_and_are_stored_intact(
    bot: BotApplication, driver: Driver, settings: Settings, number: int
) -> None:
    comment = reader_comments()[number]
    person = await new_supporter(driver, "Reader", ["fa", "en", "de"][number % 3])

    async def send_text(someone: Supporter) -> JSON:
        return await someone.send(comment)

    if person.language_code != "en":
        await person.say("/language")
        await person.press_and_wait("English")
    [preview] = await compose(person, send_text, expect_warning=False)
    assert preview["text"] == f"{comment}\n\n— A supporter"
    await finish(person)
    assert rows(settings, "SELECT text, status FROM messages") == [(comment, "pending")]


# -------------------------------------------------------------- what is stored


async def test_mydata_lists_messages_and_forget_deletes_them(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_a_text(alice, "Azadi")
    [data] = await alice.say("/mydata")
    assert re.search(
        r"• Message 1 \(text\), waiting for the moderators' review, sent on", data["text"]
    )
    assert "“Azadi”" in data["text"]
    await alice.say("/forget")
    await alice.press_and_wait("Delete everything")
    for table in ("messages", "send_log", "contacts"):
        assert rows(settings, f"SELECT COUNT(*) FROM {table}") == [(0,)]
