"""The first feature: /start, /letter, /help and the menu, through the emulator."""

from __future__ import annotations

from bot.buttons import ChooseLanguage
from bot.context import BotApplication
from bot.domain.letter import split_paragraphs, visible_length
from bot.sandbox.driver import Driver
from bot.sandbox.run import MODERATOR_GROUP_ID
from tests.helpers.people import buttons, letter_text, new_supporter
from tests.helpers.seed import seed_letter

MENU = [
    "Sign the letter", "Send a message", "Read the letter", "Read in another language", "Language"
]  # fmt: skip
# Under the letter, Share comes after Sign (the menu elsewhere has no Share).
LETTER_MENU = [MENU[0], "Share the letter", *MENU[1:]]


async def test_start_greets_and_sends_the_letter_as_in_the_seed(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    greeting, *letter = await alice.say("/start", replies=2)
    assert "open letter “People of the world!”" in greeting["text"]
    assert letter_text(letter) == seed_letter()
    assert "Fereshteh Moradi" in letter[-1]["text"]
    assert buttons(letter[-1]) == LETTER_MENU


async def test_letter_command_and_button_send_it_again(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    letter = await alice.say("/letter")
    assert letter_text(letter) == seed_letter()
    assert buttons(letter[-1]) == LETTER_MENU
    again = await alice.press_and_wait("Read the letter")
    assert letter_text(again) == seed_letter()


async def test_unknown_commands_and_text_get_the_help(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    for said in ("/frobnicate", "hello there", "/help"):
        [answer] = await alice.say(said)
        assert "/letter — Read the open letter" in answer["text"], said
        assert "/language — Choose the language of the bot" in answer["text"]
        assert buttons(answer) == MENU


async def test_a_sticker_gets_the_help_too(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    sent = await driver.send_media(alice.id, "sticker", emoji="🙂")
    [answer] = await driver.wait_bot_messages(alice.id, sent["message_id"])
    assert "/start — Start, and read the open letter" in answer["text"]


async def test_the_letter_can_be_read_in_another_language(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/letter")
    [picker] = await alice.press_and_wait("Read in another language")
    assert picker["text"] == "The letter is available in 10 languages. Choose one:"
    assert buttons(picker) == [
        "English", "فارسی", "کوردیی ناوەندی", "العربية", "Türkçe",
        "Deutsch", "Français", "Español", "Svenska", "Русский",
    ]  # fmt: skip
    persian = await alice.press_and_wait("فارسی")
    assert persian[0]["text"].startswith("این یک ترجمه است")
    assert "مردم جهان!" in persian[0]["text"]
    assert buttons(persian[-1]) == LETTER_MENU  # the interface stays in English


async def test_a_stale_or_forged_button_is_answered_and_changes_nothing(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    [*_, letter] = await alice.say("/letter")
    before = len(await alice.bot_messages())
    # Another version, no payload at all, a language the bot does not speak, an unknown kind.
    for data in ("v0:letter", "garbage", ChooseLanguage("xx").pack(), "v1:unknown"):
        query = await driver.forge_press(alice.id, alice.id, letter["message_id"], data)
        answer = await driver.wait_answered(query)
        assert answer["answer"]["text"] == "This button is no longer valid.", data
    assert len(await alice.bot_messages()) == before


async def test_chatid_answers_in_a_group_it_was_not_configured_for(
    bot: BotApplication, driver: Driver
) -> None:
    organiser = await driver.add_user("Organiser")
    group = await driver.add_chat(
        "supergroup", "New moderators", members=[{"user_id": organiser["id"], "status": "creator"}]
    )
    sent = await driver.send(organiser["id"], "/chatid", chat_id=group["id"])
    [answer] = await driver.wait_bot_messages(group["id"], sent["message_id"])
    assert answer["text"] == str(group["id"])
    chatter = await driver.send(organiser["id"], "hello everyone", chat_id=group["id"])
    moderator_says = await driver.send(30_001, "/chatid", chat_id=MODERATOR_GROUP_ID)
    await alice_roundtrip(driver)
    assert await driver.bot_messages(group["id"], chatter["message_id"]) == []
    assert await driver.bot_messages(MODERATOR_GROUP_ID, moderator_says["message_id"]) == []


async def alice_roundtrip(driver: Driver) -> None:
    """A supporter's exchange after the group messages: proves they were processed first."""
    someone = await new_supporter(driver, "Later")
    await someone.say("/help")


def test_a_long_letter_is_split_on_paragraph_boundaries() -> None:
    paragraphs = [f"Paragraph {n}: " + "word " * 150 for n in range(20)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_paragraphs(text)
    assert len(parts) > 1
    assert all(visible_length(part) <= 4096 for part in parts)
    assert "\n\n".join(parts) == text
    assert all(part.startswith("Paragraph") for part in parts)
