"""Moderators and an author through the bot: /edit and /ask replying to a card, the answer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.app import build_application
from bot.buttons import Answer, Forget
from bot.config import Settings
from bot.context import BotApplication
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, buttons, new_supporter
from tests.test_moderation import (
    JONAS,
    KIM,
    MINA,
    card_for,
    current,
    edited,
    press,
    send_photo_message,
    send_text_message,
)
from tests.test_privacy import quickly

ORIGINAL = "Solidarity from Hamburg, write to me at Elbchaussee 12"
CLEANED = "Solidarity from Hamburg"


@pytest.fixture
def quick(settings: Settings) -> Settings:
    return quickly(settings)


@pytest.fixture
async def desk(quick: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(quick)
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def carded(driver: Driver) -> tuple[Supporter, JSON]:
    """Alice sends ORIGINAL as a text message; its card in the group."""
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, ORIGINAL)
    return alice, await card_for(driver, "#M1")


async def reply_in_group(driver: Driver, who: int, card: JSON, text: str) -> JSON:
    """A moderator's message replying to the card; the bot's reply to it."""
    sent = await driver.send(
        who, text, chat_id=MODERATOR_GROUP_ID, reply_to_message_id=card["message_id"]
    )

    async def probe() -> JSON | None:
        for message in await driver.bot_messages(MODERATOR_GROUP_ID, after=sent["message_id"]):
            if (message.get("reply_to_message") or {}).get("message_id") == sent["message_id"]:
                return message
        return None

    found: JSON = await driver.wait_for(probe, what=f"the bot's reply to {text!r}")
    return found


async def told(driver: Driver, person: Supporter, text: str) -> JSON:
    async def probe() -> JSON | None:
        for message in await driver.bot_messages(person.id):
            if text in str(message.get("text") or ""):
                return message
        return None

    found: JSON = await driver.wait_for(probe, what=f"{text!r} in the author's chat")
    return found


async def answers_under(driver: Driver, card: JSON, count: int = 1) -> list[JSON]:
    """The bot's messages in the group replying to the card (the author's answers)."""

    async def probe() -> list[JSON] | None:
        found = [
            m
            for m in await driver.bot_messages(MODERATOR_GROUP_ID)
            if (m.get("reply_to_message") or {}).get("message_id") == card["message_id"]
        ]
        return found if len(found) >= count else None

    result: list[JSON] = await driver.wait_for(probe, what=f"{count} answer(s) under the card")
    return result


async def answer(driver: Driver, person: Supporter, question: JSON, text: str) -> JSON:
    """The author replies to the bot's question; the bot's reply to that."""
    sent = await driver.send(person.id, text, reply_to_message_id=question["message_id"])
    [reply, *_] = await driver.wait_bot_messages(person.id, sent["message_id"])
    return reply


# ------------------------------------------------------------------ editing


async def test_an_edited_message_is_shown_on_its_card_told_to_its_author_and_published(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice, card = await carded(driver)
    reply = await reply_in_group(driver, MINA, card, f"/edit {CLEANED}")
    assert reply["text"] == (
        "Edited. The card shows the new text; the author is told, and can withdraw the message."
    )
    assert reply["has_protected_content"] is True
    shown = await edited(driver, card)
    assert shown["text"] == (
        f"#M1 · English (en) · waiting for review\n\n{CLEANED}\n\n— A supporter\n\n"
        "edited by @mina_mod"
    )
    assert buttons(shown) == ["Approve", "Reject", "Ban author"]
    notice = await told(driver, alice, "A moderator edited your message 1")
    assert notice["text"] == (
        "A moderator edited your message 1 before publishing it. It now reads:\n\n"
        f"{CLEANED}\n\nIf you do not want it published like this, you can withdraw it."
    )
    assert buttons(notice) == ["Withdraw this message"]
    assert rows(quick, "SELECT text FROM messages") == [(CLEANED,)]
    assert rows(quick, "SELECT decision, moderator_name FROM audit_log") == [
        ("edited", "@mina_mod")
    ]
    await press(driver, JONAS, shown, "Approve")

    async def published() -> list[JSON]:
        return [m for m in await driver.bot_messages(CHANNEL_ID) if "Hamburg" in m["text"]]

    [post] = await driver.wait_for(published, what="the channel post")
    assert post["text"] == f"{CLEANED}\n\n— A supporter"
    # What was taken out is nowhere the bot keeps things.
    assert "Elbchaussee" not in quick.database_path.read_bytes().decode("latin-1")
    assert not rows(quick, "SELECT id FROM outbox WHERE payload LIKE '%Elbchaussee%'")


async def test_the_new_text_may_follow_on_the_next_line_and_a_caption_keeps_its_limit(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_photo_message(alice, "Azadi, my number is below")
    card = await card_for(driver, "#M1")
    too_long = await reply_in_group(driver, MINA, card, "/edit\n" + "x" * 901)
    assert too_long["text"] == "The text is 901 characters long; the limit here is 900."
    hidden = "\u202eAzadi\u200b"  # a direction override and a zero-width space, taken out
    reply = await reply_in_group(driver, MINA, card, f"/edit\n{hidden}\nfor all")
    assert reply["text"].startswith("Edited.")
    shown = await edited(driver, card)
    assert shown["caption"] == (
        "#M1 · English (en) · waiting for review\n\nAzadi\nfor all\n\n— A supporter\n\n"
        "edited by @mina_mod"
    )
    assert rows(quick, "SELECT text FROM messages") == [("Azadi\nfor all",)]
    same = await reply_in_group(driver, JONAS, card, "/edit Azadi\nfor all")
    assert same["text"] == "That is the text already."


async def test_every_card_of_the_message_shows_the_edit(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    _alice, first = await carded(driver)
    sent = await driver.send(MINA, "/pending", chat_id=MODERATOR_GROUP_ID)

    async def second_card() -> JSON | None:
        for message in await driver.bot_messages(MODERATOR_GROUP_ID, after=sent["message_id"]):
            if message["text"].startswith("#M1 ·"):
                return message
        return None

    again = await driver.wait_for(second_card, what="the card sent again")
    await reply_in_group(driver, MINA, first, f"/edit {CLEANED}")
    for card in (first, again):
        shown = await edited(driver, card)
        assert CLEANED + "\n\n— A supporter\n\nedited by @mina_mod" in shown["text"]
        assert "Elbchaussee" not in shown["text"]


async def test_edit_is_refused_on_a_decided_card_and_on_what_is_not_a_card(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    _alice, card = await carded(driver)
    await press(driver, MINA, card, "Approve")
    stamped = await edited(driver, card)
    refused = await reply_in_group(driver, JONAS, stamped, f"/edit {CLEANED}")
    assert refused["text"].startswith("Already approved by @mina_mod on ")
    asked = await reply_in_group(driver, JONAS, stamped, "/ask Which city?")
    assert asked["text"].startswith("Already approved by @mina_mod on ")
    assert rows(quick, "SELECT text FROM messages") == [(ORIGINAL,)]
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(0,)]
    # A reply to the bot's own answer (not a card), and no reply at all.
    not_a_card = await reply_in_group(driver, JONAS, refused, "/edit Hello")
    assert not_a_card["text"] == "Reply to a message's card to use /edit."
    sent = await driver.send(JONAS, "/ask Hello?", chat_id=MODERATOR_GROUP_ID)
    [alone] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    assert alone["text"] == "Reply to a message's card to use /ask."
    empty = await reply_in_group(driver, JONAS, card, "/ask   ")
    assert empty["text"] == "Write the text after /ask, on the same line or the next."


async def test_a_non_moderator_can_neither_edit_nor_ask(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice, card = await carded(driver)
    before = await alice.last_message_id()
    refused = await reply_in_group(driver, KIM, card, f"/edit {CLEANED}")
    assert refused["text"] == "Only the moderators can use /edit."
    # Told once: a second try within minutes gets no answer (the group's messages are kept
    # for the cards), and changes nothing either.
    asked = await driver.send(
        KIM, "/ask Where do you live?", chat_id=MODERATOR_GROUP_ID,
        reply_to_message_id=card["message_id"],
    )  # fmt: skip
    await driver.send(MINA, "/help", chat_id=MODERATOR_GROUP_ID)  # handled after it
    [helped] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, asked["message_id"])
    assert helped["text"].startswith("Cards arrive here")
    assert rows(quick, "SELECT text FROM messages") == [(ORIGINAL,)]
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(0,)]
    assert rows(quick, "SELECT COUNT(*) FROM audit_log") == [(0,)]
    assert await driver.bot_messages(alice.id, before) == []
    assert (await current(driver, MODERATOR_GROUP_ID, card["message_id"]))["edits"] == 0


async def test_an_edit_racing_an_approval_ends_with_one_outcome_that_the_card_showed(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    _alice, card = await carded(driver)
    query = await driver.press(
        JONAS, MODERATOR_GROUP_ID, text="Approve", message_id=card["message_id"]
    )
    replied = await reply_in_group(driver, MINA, card, f"/edit {CLEANED}")  # at once
    pressed = (await driver.wait_answered(query))["answer"]["text"]
    if pressed == "Done.":  # the approval first: the edit is refused, the original published
        assert replied["text"].startswith("Already approved by @jonas_mod on ")

        async def published() -> list[JSON]:
            return [m for m in await driver.bot_messages(CHANNEL_ID) if "Hamburg" in m["text"]]

        [post] = await driver.wait_for(published, what="the channel post")
        assert post["text"] == f"{ORIGINAL}\n\n— A supporter"  # what the card showed
        assert rows(quick, "SELECT decision FROM audit_log") == [("approved",)]
    else:  # the edit first: the press on the card showing the old text decides nothing
        assert pressed.startswith("This card is out of date")
        assert replied["text"].startswith("Edited.")
        assert rows(quick, "SELECT status, text FROM messages") == [("pending", CLEANED)]
        assert rows(quick, "SELECT decision FROM audit_log") == [("edited",)]


async def test_a_press_on_a_card_not_yet_showing_an_edit_is_refused(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    _alice, card = await carded(driver)
    # Telegram is slow to take the card's edit: the card still shows the original text.
    await driver.faults(1, mode="timeout", methods=["editMessageText"], delay=3)
    await reply_in_group(driver, MINA, card, f"/edit {CLEANED}")
    answer = await press(driver, JONAS, card, "Approve")
    assert answer["answer"]["text"].startswith("This card is out of date")
    assert rows(quick, "SELECT status FROM messages") == [("pending",)]
    # Once the card shows the edit, it decides the text it shows.
    shown = await edited(driver, card)
    assert CLEANED in shown["text"] and "Elbchaussee" not in shown["text"]
    assert (await press(driver, JONAS, shown, "Approve"))["answer"]["text"] == "Done."


async def test_the_author_withdraws_an_edited_message_from_the_notice(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice, card = await carded(driver)
    await reply_in_group(driver, MINA, card, "/ask Can we shorten it?")
    await reply_in_group(driver, MINA, card, f"/edit {CLEANED}")
    await told(driver, alice, "A moderator edited your message 1")
    [question] = await alice.press_and_wait("Withdraw this message")
    assert question["text"] == (
        "Withdraw your message 1? It will not be published, and its card for the moderators "
        "is deleted."
    )
    assert buttons(question) == ["Withdraw my message", "Keep it"]
    [done] = await alice.press_and_wait("Withdraw my message")
    assert done["text"] == "Your message 1 has been withdrawn."

    async def card_gone() -> bool:
        found = await driver.messages(MODERATOR_GROUP_ID, include_deleted=True)
        return any(m["message_id"] == card["message_id"] and m["deleted"] for m in found)

    await driver.wait_for(card_gone, what="the card deleted")
    assert rows(quick, "SELECT COUNT(*) FROM messages") == [(0,)]
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(0,)]
    late = await reply_in_group(driver, MINA, card, "/ask Still there?")
    assert late["text"] == "Reply to a message's card to use /ask."


# ------------------------------------------------------------------ questions


async def test_a_question_reaches_the_author_and_the_answer_comes_back_under_the_card(
    desk: BotApplication, driver: Driver, quick: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alice = await new_supporter(driver, "Alice Arvand", "en")
    await send_text_message(alice, ORIGINAL)
    card = await card_for(driver, "#M1")
    reply = await reply_in_group(driver, MINA, card, "/ask Is <b>Hamburg</b> & Kiel right?")
    assert reply["text"] == (
        "The question is on its way to the author. Their answer will come here, as a reply "
        "to the card."
    )
    question = await told(driver, alice, "A moderator asks")
    assert question["text"] == (
        "❓ A moderator asks about your message 1: Is <b>Hamburg</b> & Kiel right?\n\n"
        "To answer, reply to this message. Only the moderators read your answer, and neither "
        "they nor you see the other's account."
    )
    assert "mina" not in str(question).lower()
    assert "forward_origin" not in question
    [listed] = await alice.say("/mydata")
    assert "An open question of the moderators about message 1" in listed["text"]
    thanks = await answer(driver, alice, question, "Hamburg only, thank you")
    assert thanks["text"] == "Thank you. Your answer has been passed on to the moderators."
    [answered] = await answers_under(driver, card)
    assert answered["text"] == "#M1 · the author answers: Hamburg only, thank you"
    assert answered["has_protected_content"] is True
    assert "forward_origin" not in answered
    assert "Alice" not in str(answered) and str(alice.id) not in str(answered)
    assert rows(quick, "SELECT decision, moderator_name FROM audit_log") == [
        ("asked", "@mina_mod")
    ]
    for typed in ("Hamburg</b> & Kiel", "Hamburg only", "Elbchaussee"):
        assert typed not in caplog.text


async def test_an_answer_typed_during_a_conversation_is_an_answer_and_the_step_stays(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice, card = await carded(driver)
    await reply_in_group(driver, MINA, card, "/ask Which street?")
    question = await told(driver, alice, "A moderator asks")
    await alice.say("/message", replies=2)  # asked for the content of a second message
    thanks = await answer(driver, alice, question, "None, please leave it out")
    assert thanks["text"].startswith("Thank you. Your answer has been passed on")
    [answered] = await answers_under(driver, card)
    assert answered["text"] == "#M1 · the author answers: None, please leave it out"
    [step] = await alice.say("A second message")  # the conversation goes on where it was
    assert step["text"] == "How should your message be signed?"
    # A reply to another of the bot's messages is not an answer: the conversation takes it.
    sent = await driver.send(alice.id, "/cancel", reply_to_message_id=step["message_id"])
    [cancelled] = await driver.wait_bot_messages(alice.id, sent["message_id"])
    assert cancelled["text"] == "Cancelled. Nothing was stored."


async def test_two_moderators_ask_at_once_and_each_answer_comes_back(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice, card = await carded(driver)
    for who, text in ((MINA, "/ask Which city?"), (JONAS, "/ask Which year?")):
        await driver.send(
            who, text, chat_id=MODERATOR_GROUP_ID, reply_to_message_id=card["message_id"]
        )
    city = await told(driver, alice, "Which city?")
    year = await told(driver, alice, "Which year?")
    await answer(driver, alice, year, "2022")
    await answer(driver, alice, city, "Hamburg")
    answered = await answers_under(driver, card, 2)
    assert [m["text"] for m in answered] == [
        "#M1 · the author answers: 2022",
        "#M1 · the author answers: Hamburg",
    ]
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(2,)]
    assert rows(quick, "SELECT moderator_name FROM audit_log ORDER BY id") == [
        ("@mina_mod",),
        ("@jonas_mod",),
    ]


async def test_an_answer_after_the_decision_is_told_the_question_is_closed(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice, card = await carded(driver)
    await reply_in_group(driver, MINA, card, "/ask Which city?")
    question = await told(driver, alice, "A moderator asks")
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(1,)]
    await press(driver, JONAS, card, "Approve")
    await told(driver, alice, "The moderators approved your message")
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(0,)]
    closed = await answer(driver, alice, question, "Hamburg")
    assert closed["text"] == (
        "The question is closed: the moderators have decided on that message, or it is no "
        "longer stored."
    )
    assert not [
        m for m in await driver.bot_messages(MODERATOR_GROUP_ID) if "author answers" in m["text"]
    ]


async def test_forget_removes_the_open_question(
    desk: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice, card = await carded(driver)
    await reply_in_group(driver, MINA, card, "/ask Which city?")
    await told(driver, alice, "A moderator asks")
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(1,)]
    await alice.say("/forget")
    await alice.press_and_wait(data=Forget(Answer.YES).pack())
    assert rows(quick, "SELECT COUNT(*) FROM questions") == [(0,)]
    assert rows(quick, "SELECT COUNT(*) FROM messages") == [(0,)]
    [listed] = await alice.say("/mydata")
    assert "open question" not in listed["text"]
