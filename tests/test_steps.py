"""Button steps edit the question in place: what is left in the chat, and what a press costs."""

from __future__ import annotations

import logging

import pytest

from bot.context import BotApplication
from bot.sandbox.driver import Driver
from tests.helpers.people import JSON, Supporter, buttons, new_supporter

MENU = ["Sign the letter", "Send a message", "Read the letter", "Read in another language"]


def text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


async def calls_for(driver: Driver, person: Supporter, since: int) -> list[str]:
    """The Bot API methods the bot called for this person since call number `since`: in their
    chat, and the answers to their presses (the only calls that name no chat)."""
    return [
        call["method"]
        for call in await driver.calls(since=since)
        if call["method"] != "getUpdates"
        and call["params"].get("chat_id", person.id) in (person.id, str(person.id))
        and not call["method"].startswith(("setMy", "getMe", "getChat"))
    ]


async def call_count(driver: Driver) -> int:
    return int((await driver.state())["call_count"])


async def test_a_whole_signing_leaves_the_questions_replaced_and_the_thanks(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    sent = await alice.send("/sign")
    [question] = await driver.wait_bot_messages(alice.id, sent["message_id"])
    [asked] = await alice.press_and_wait("With my name")
    assert asked["message_id"] == question["message_id"]  # the listing question, replaced
    assert asked["text"].startswith("Type your name as it should appear")
    [country] = await alice.say("Alice Walker")  # typed: the next question is new, below it
    [confirmation] = await alice.press_and_wait("Germany")
    assert confirmation["message_id"] == country["message_id"]
    [thanks] = await alice.press_and_wait("Confirm")
    assert thanks["message_id"] > confirmation["message_id"]  # the outcome is a new message
    left = await driver.bot_messages(alice.id, sent["message_id"])
    assert [(text_of(m).split("\n")[0], buttons(m)) for m in left] == [
        ("Type your name as it should appear under the letter (2 to 64 characters).", ["Cancel"]),
        ("This is the line that may be published:", []),
        (
            "Thank you for signing. The moderators will review your signature before it is "
            "published.",
            ["Share the letter", "Clear this chat"],
        ),
    ]
    assert "Alice Walker, Germany" in left[1]["text"]
    # The Cancel left on the name question is harmless now that the signing is over.
    query = await alice.press("Cancel")
    answer = await driver.wait_answered(query)
    assert answer["answer"]["text"] == "This button is no longer valid."
    assert len(await driver.bot_messages(alice.id, sent["message_id"])) == 3


async def test_a_whole_message_flow_leaves_the_preview_and_the_thanks(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    sent = await alice.send("/message")
    await driver.wait_bot_messages(alice.id, sent["message_id"], 2)
    typed = await alice.send("Azadi")
    [sign_as] = await driver.wait_bot_messages(alice.id, typed["message_id"])
    [country] = await alice.press_and_wait("Anonymously")
    assert country["message_id"] == sign_as["message_id"]
    header, preview = await alice.press_and_wait("Skip", replies=2)
    assert header["message_id"] == sign_as["message_id"]
    [thanks] = await alice.press_and_wait("Send")
    left = await driver.bot_messages(alice.id, sent["message_id"])
    assert [(text_of(m).split("\n")[0], buttons(m)) for m in left] == [
        (
            "Your message goes to the campaign's moderators. If they approve it, it may be "
            "published in the channel and read on air, to the protesting people of Iran.",
            [],
        ),
        ("Send one text (up to 2,000 characters), one photo with a caption if you like, a "
         "voice message, a video or a video message.", ["Cancel"]),
        ("This is exactly how it would be published:", []),
        ("Azadi", []),  # the preview stays, its buttons off
        (
            "Thank you. Your message is waiting for the moderators' review. You will be told "
            "here, in your language, what they decide.",
            ["Clear this chat"],
        ),
    ]  # fmt: skip
    assert left[3]["message_id"] == preview["message_id"]
    assert left[4]["message_id"] == thanks["message_id"]


@pytest.mark.parametrize(
    ("steps", "press"),
    [
        (["/sign"], "Anonymously"),
        (["/sign", "[Anonymously]"], "Skip"),
        (["/sign", "[With my name]", "Alice Walker"], "Germany"),
        (["/sign", "[Anonymously]", "[Skip]"], "Change"),
        (["/message", "Azadi"], "Anonymously"),
        (["/message", "Azadi", "[Anonymously]"], "Cancel"),
        (["/language"], "Deutsch"),
    ],
)
async def test_a_press_that_leads_to_the_next_step_costs_an_answer_and_one_edit(
    bot: BotApplication, driver: Driver, steps: list[str], press: str
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    for step in steps:  # [a button], or what is typed
        if step.startswith("["):
            await alice.press_and_wait(step.strip("[]"))
        else:
            await alice.say(step, replies=2 if step == "/message" else 1)
    since = await call_count(driver)
    await alice.press_and_wait(press)
    assert await calls_for(driver, alice, since) == ["answerCallbackQuery", "editMessageText"]


async def test_choosing_a_language_turns_the_picker_into_the_menu_in_that_language(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    [picker] = await alice.say("/language")
    assert "✓ English" in buttons(picker)
    [chosen] = await alice.press_and_wait("Deutsch")
    assert chosen["message_id"] == picker["message_id"]
    assert chosen["text"] == "Der Bot spricht jetzt Deutsch."
    assert buttons(chosen)[0] == "Brief unterschreiben"
    everything = [b for m in await alice.bot_messages() for b in buttons(m)]
    assert not [b for b in everything if b.startswith("✓")]  # no "✓ English" left anywhere


async def test_an_edit_telegram_refuses_sends_the_step_as_a_new_message(
    bot: BotApplication, driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alice = await new_supporter(driver, "Alice", "en")
    [question] = await alice.say("/sign")
    await driver.faults(
        1,
        methods=["editMessageText"],
        status=400,
        description="Bad Request: message to edit not found",
    )
    [asked] = await alice.press_and_wait("Anonymously")
    assert asked["message_id"] > question["message_id"]  # sent anew
    assert asked["text"].startswith("Which country do you live in?")
    [confirmation] = await alice.press_and_wait("Skip")  # and the next edit works again
    assert confirmation["message_id"] == asked["message_id"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Traceback" not in caplog.text
    assert not [m for m in await alice.bot_messages() if "went wrong" in text_of(m)]


async def test_withdrawing_asks_and_answers_in_place_of_the_signature(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("Anonymously")
    await alice.press_and_wait("Skip")
    await alice.press_and_wait("Confirm")
    [shown] = await alice.say("/sign")
    [question] = await alice.press_and_wait("Withdraw")
    assert question["message_id"] == shown["message_id"]
    assert question["text"].startswith("Withdraw your signature?")
    [kept] = await alice.press_and_wait("Keep it")
    assert kept["message_id"] == shown["message_id"]
    assert kept["text"] == "Your signature stays."
    assert buttons(kept)[: len(MENU)] == MENU
