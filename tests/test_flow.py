"""A newcomer's way through the conversations, through the emulator: /start at any step, edits,
media sent without /message, the welcome, and /letter with a language there is no letter in."""

from __future__ import annotations

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.i18n import LANGUAGES, native_name
from bot.sandbox.driver import Driver
from bot.sandbox.run import MODERATOR_GROUP_ID
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, buttons, letter_text, new_supporter
from tests.helpers.seed import seed_letter

MENU = [
    "Sign the letter", "Send a message", "Read the letter", "Read in another language", "Language"
]  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (32).to_bytes(4, "big") * 2
PERSIAN_LETTER = "این یک ترجمه است"
HINTS = ("Please answer the question below", "or send /cancel")


async def message(driver: Driver, chat_id: int, message_id: int) -> JSON:
    """A message of the chat as it is now (edits applied)."""
    [found] = [m for m in await driver.messages(chat_id) if m["message_id"] == message_id]
    return found


async def gone(driver: Driver, settings: Settings, table: str) -> None:
    """Wait until the table is empty (the persistence writes within a second or two)."""

    async def empty() -> bool:
        return rows(settings, f"SELECT * FROM {table}") == []

    await driver.wait_for(empty, timeout=5, what=f"{table} to be empty")


async def at_name_step(alice: Supporter) -> JSON:
    """/sign, With my name: the name question."""
    await alice.say("/sign")
    [asked] = await alice.press_and_wait("With my name")
    assert buttons(asked) == ["Cancel"]
    return asked


async def at_confirmation(alice: Supporter, name: str) -> tuple[JSON, JSON]:
    """/sign with a name, no country: the message with the name, and the confirmation."""
    await at_name_step(alice)
    typed = await alice.send(name)
    await alice.driver.wait_bot_messages(alice.id, typed["message_id"])
    [confirmation] = await alice.press_and_wait("Skip")
    assert buttons(confirmation) == ["Confirm", "Change", "Cancel"]
    return typed, confirmation


async def preview_after(alice: Supporter, after: int) -> list[JSON]:
    async def shown() -> list[JSON] | None:
        found = await alice.driver.bot_messages(alice.id, after)
        return found if found and buttons(found[-1]) == ["Send", "Change", "Cancel"] else None

    found: list[JSON] = await alice.driver.wait_for(shown, what="the preview")
    return found


async def to_preview(alice: Supporter) -> list[JSON]:
    """From "How should your message be signed?": Anonymously, Skip; the preview."""
    # Each press shows the next question in place of the pressed one, the preview's intro
    # too: the preview is what follows the question, from the question on.
    [question] = await alice.press_and_wait("Anonymously")
    await alice.press("Skip")
    return await preview_after(alice, question["message_id"] - 1)


# ---------------------------------------------------------------- /start at any step


async def test_start_in_the_middle_of_signing_starts_over(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    asked = await at_name_step(alice)
    greeting, *letter = await alice.say("/start", replies=2)
    assert greeting["text"].startswith("Welcome.")
    assert not any(hint in greeting["text"] for hint in HINTS)
    assert letter_text(letter) == seed_letter()
    assert buttons(letter[-1]) == [MENU[0], "Share the letter", *MENU[1:]]
    # The question that waited has no buttons left, and nothing of the draft is kept.
    assert buttons(await message(driver, alice.id, asked["message_id"])) == []
    await gone(driver, settings, "conversation_states")
    # Out of the conversation: a name typed now is not taken as one.
    [help_text] = await alice.say("Alice Walker")
    assert "/letter — Read the open letter" in help_text["text"]
    [intro] = await alice.say("/sign")
    assert "How would you like to be listed?" in intro["text"]


async def test_start_at_the_preview_of_a_message_drops_it(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    await alice.say("Azadi!")
    preview = await to_preview(alice)
    await alice.say("/start", replies=2)
    assert buttons(await message(driver, alice.id, preview[-1]["message_id"])) == []
    await gone(driver, settings, "conversation_drafts")
    assert rows(settings, "SELECT * FROM messages") == []


async def test_deep_links_in_the_middle_of_a_step_do_what_they_say(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await at_name_step(alice)
    letter = await alice.say("/start letter-fa")
    assert letter[0]["text"].startswith(PERSIAN_LETTER)
    # A link into the other conversation begins it, and it takes what is sent.
    await at_name_step(alice)
    explained, asked = await alice.say("/start message", replies=2)
    assert "Your message goes to the campaign's moderators" in explained["text"]
    assert asked["text"].startswith("Send one text")
    [sign_as] = await alice.say("Woman, life, freedom")
    assert sign_as["text"].startswith("How should your message be signed?")
    # A link into the same conversation begins it again.
    await alice.press_and_wait("Cancel")
    await at_confirmation(alice, "Alice Walker")
    [intro] = await alice.say("/start sign")
    assert "How would you like to be listed?" in intro["text"]
    [name_question] = await alice.press_and_wait("With my name")
    assert "Type your name" in name_question["text"]
    assert rows(settings, "SELECT * FROM signatures") == []


# ----------------------------------------------------------------------- edits


async def test_an_edited_name_goes_into_the_confirmation(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    typed, confirmation = await at_confirmation(alice, "Alise Walker")
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, typed["message_id"], "Alice Walker")
    taken, shown = await driver.wait_bot_messages(alice.id, last, count=2)
    assert taken["text"] == "Your edit has been taken."
    assert "This is the line that may be published:\n\nAlice Walker\n\n" in shown["text"]
    assert buttons(shown) == ["Confirm", "Change", "Cancel"]
    # The confirmation with the old name can no longer be confirmed.
    assert buttons(await message(driver, alice.id, confirmation["message_id"])) == []
    await alice.press_and_wait("Confirm")
    assert rows(settings, "SELECT name FROM signatures") == [("Alice Walker",)]


async def test_an_edit_after_signing_says_the_moderators_have_what_was_first_typed(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    typed, _ = await at_confirmation(alice, "Alise Walker")
    await alice.press_and_wait("Confirm")
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, typed["message_id"], "Alice Walker")
    [told] = await driver.wait_bot_messages(alice.id, last)
    assert told["text"] == (
        "Your signature was already sent to the moderators as you first typed it: an edit "
        "does not change it. To change your signature, send /sign and press Change."
    )
    assert rows(settings, "SELECT name FROM signatures") == [("Alise Walker",)]


async def test_an_edited_text_goes_into_the_preview_and_to_the_moderators(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    typed = await alice.send("Woman, life, fredom")
    await driver.wait_bot_messages(alice.id, typed["message_id"])
    preview = await to_preview(alice)
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, typed["message_id"], "Woman, life, freedom")
    [taken] = await driver.wait_bot_messages(alice.id, last)
    assert taken["text"] == "Your edit has been taken."
    again = await preview_after(alice, taken["message_id"])
    assert again[-1]["text"] == "Woman, life, freedom\n\n— A supporter"
    assert buttons(await message(driver, alice.id, preview[-1]["message_id"])) == []
    cards_before = len(await driver.bot_messages(MODERATOR_GROUP_ID))
    await alice.press_and_wait("Send")
    assert rows(settings, "SELECT text FROM messages") == [("Woman, life, freedom",)]
    cards = await driver.wait_bot_messages(MODERATOR_GROUP_ID, count=cards_before + 1)
    assert any("Woman, life, freedom" in (card.get("text") or "") for card in cards)
    assert not any("fredom" in (card.get("text") or "") for card in cards)


async def test_an_edited_caption_goes_into_the_preview(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    sent = await driver.send_media(alice.id, "photo", PNG, caption="From Berlni")
    await driver.wait_bot_messages(alice.id, sent["message_id"])
    await to_preview(alice)
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, sent["message_id"], "From Berlin")
    [taken] = await driver.wait_bot_messages(alice.id, last)
    assert taken["text"] == "Your edit has been taken."
    again = await preview_after(alice, taken["message_id"])
    assert again[-1]["caption"] == "From Berlin\n\n— A supporter"
    await alice.press_and_wait("Send")
    assert rows(settings, "SELECT kind, text FROM messages") == [("photo", "From Berlin")]


async def test_an_edit_after_sending_a_message_offers_to_withdraw_it(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/message", replies=2)
    typed = await alice.send("Woman, life, fredom")
    await driver.wait_bot_messages(alice.id, typed["message_id"])
    await to_preview(alice)
    await alice.press_and_wait("Send")
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, typed["message_id"], "Woman, life, freedom")
    [told] = await driver.wait_bot_messages(alice.id, last)
    assert told["text"].startswith(
        "This message was already sent to the moderators as you first wrote it: an edit does "
        "not reach them."
    )
    assert buttons(told) == ["Withdraw this message"]
    [asked] = await alice.press_and_wait("Withdraw this message")
    assert asked["text"].startswith("Withdraw your message 1?")
    await alice.press_and_wait("Withdraw my message")
    assert rows(settings, "SELECT * FROM messages") == []


async def test_an_edit_of_anything_else_at_a_button_step_points_to_the_buttons(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    hello = await alice.send("hello")
    await driver.wait_bot_messages(alice.id, hello["message_id"])
    [intro] = await alice.say("/sign")
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, hello["message_id"], "With my name")
    [told] = await driver.wait_bot_messages(alice.id, last)
    assert told["text"] == (
        "Edits are not read. This step is answered with the buttons of the question above."
    )
    assert buttons(await message(driver, alice.id, intro["message_id"])) != []
    [asked] = await alice.press_and_wait("With my name")
    assert "Type your name" in asked["text"]


async def test_an_edited_command_outside_a_conversation_runs_nothing(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    help_command = await alice.send("/help")
    await driver.wait_bot_messages(alice.id, help_command["message_id"])
    last = await alice.last_message_id()
    await driver.edit(alice.id, alice.id, help_command["message_id"], "/sign")
    [told] = await driver.wait_bot_messages(alice.id, last)
    assert told["text"] == "Edits are not read. Please send it again as a new message."


# ------------------------------------------------------------ media without /message


@pytest.mark.parametrize("kind", ["photo", "voice", "video", "video_note"])
async def test_media_sent_without_message_is_offered_as_a_message(
    bot: BotApplication, driver: Driver, settings: Settings, kind: str
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    extra = {"caption": "Azadi!"} if kind in ("photo", "video") else {}
    sent = await driver.send_media(alice.id, kind, PNG, **extra)
    [offer] = await driver.wait_bot_messages(alice.id, sent["message_id"])
    assert offer["text"].startswith("Send this as a solidarity message?")
    assert buttons(offer) == ["Yes, send it as a message", "No"]
    explained, sign_as = await alice.press_and_wait("Yes, send it as a message", replies=2)
    assert "Your message goes to the campaign's moderators" in explained["text"]
    assert sign_as["text"].startswith("How should your message be signed?")
    preview = await to_preview(alice)
    assert kind in preview[1]
    await alice.press_and_wait("Send")
    text = "Azadi!" if extra else None
    assert rows(settings, "SELECT kind, text, status FROM messages") == [(kind, text, "pending")]


async def test_media_offered_and_refused_leaves_nothing(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    sent = await driver.send_media(alice.id, "photo", PNG, caption="Azadi!")
    await driver.wait_bot_messages(alice.id, sent["message_id"])
    [cancelled] = await alice.press_and_wait("No")
    assert cancelled["text"] == "Cancelled. Nothing was stored."
    assert buttons(cancelled) == MENU
    assert rows(settings, "SELECT * FROM conversation_drafts") == []
    assert rows(settings, "SELECT * FROM messages") == []
    # Text outside a conversation still gets the help.
    [answer] = await alice.say("Azadi!")
    assert "/message — Send a message of solidarity" in answer["text"]


async def test_an_album_sent_without_message_is_offered_once(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    first = await driver.send_media(alice.id, "photo", PNG, media_group_id="album-1")
    await driver.send_media(alice.id, "photo", PNG, media_group_id="album-1")
    await driver.wait_bot_messages(alice.id, first["message_id"])
    await alice.say("/safety")  # after the album, so that all of it has been answered
    offers = [
        m
        for m in await driver.bot_messages(alice.id, first["message_id"])
        if m.get("text", "").startswith(("Send this as", *HINTS))
    ]
    assert len(offers) == 1
    _, album = await alice.press_and_wait("Yes, send it as a message", replies=2)
    assert album["text"].startswith("One photo or video per message is accepted")


# ------------------------------------------------------------------ the welcome


async def test_the_welcome_says_what_a_newcomer_can_do(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    greeting, *_ = await alice.say("/start", replies=2)
    text = greeting["text"]
    for said in (
        "sign the letter",
        "anonymously",
        "send a message of solidarity",
        "read the letter in another language",
        "change the language of the bot",
        "/mydata",
        "/safety",
    ):
        assert said in text, said


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
async def test_the_welcome_is_translated(settings: Settings, language: str) -> None:
    i18n = build_application(settings).bot_data.i18n
    english = i18n.get("en")
    welcome = english.gettext(
        "Welcome. This bot shares the open letter “People of the world!”: here it is. "
        "With the buttons under it you can sign the letter (with your name, your first "
        "name and initial, or anonymously), send a message of solidarity, which the "
        "moderators read before it is published, read the letter in another language, or "
        "change the language of the bot."
    )
    translated = i18n.get(language).gettext(welcome)
    assert translated != welcome
    assert "/mydata" in i18n.get(language).gettext(
        "/mydata shows what the bot stores about you; /forget deletes it."
    )


# -------------------------------------------------------- /letter in an unknown language


async def test_letter_in_an_unknown_language_lists_the_languages(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    [listed] = await alice.say("/letter xx")
    assert listed["text"].startswith("There is no letter in “xx”.")
    for language in LANGUAGES:
        assert f"{native_name(language)}: {language}" in listed["text"]
    assert len(buttons(listed)) == len(LANGUAGES)
    [by_link] = await alice.say("/start letter-<b>")
    assert by_link["text"].startswith("There is no letter in “<b>”.")
    persian = await alice.say("/letter FA-ir")
    assert persian[0]["text"].startswith(PERSIAN_LETTER)


async def test_letter_in_an_unknown_language_is_answered_in_the_readers_language(
    bot: BotApplication, driver: Driver
) -> None:
    reza = await new_supporter(driver, "Reza", "fa")
    [listed] = await reza.say("/letter pt")
    assert not listed["text"].startswith("There is no letter")
    assert "Deutsch: de" in listed["text"]
