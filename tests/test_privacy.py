"""What /clear, /withdraw and /forget leave: in the chat, the channel, the group, the files."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.buttons import SignChoice, SigningStep
from bot.config import Settings
from bot.context import BotApplication
from bot.handlers.timed import TimedConversation
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, buttons, new_supporter
from tests.test_moderation import MINA, card_for, current, press, send_text_message
from tests.test_sign import sign

CLEARED = "This message was cleared."


def quickly(settings: Settings) -> Settings:
    """Cards, channel digests and the counter within a second; the group's window shortened."""
    return replace(
        settings,
        card_interval=0.2,
        counter_interval=0.3,
        signature_digest_interval=0.3,
        group_rate=(20, 1.0),
    )


@pytest.fixture
def quick(settings: Settings) -> Settings:
    return quickly(settings)


@pytest.fixture
async def campaign(quick: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(quick)
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def posts_with(driver: Driver, chat_id: int, text: str) -> list[JSON]:
    return [
        m
        for m in await driver.messages(chat_id)
        if text in str(m.get("text") or m.get("caption") or "")
    ]


async def eventually(driver: Driver, chat_id: int, text: str, what: str) -> JSON:
    async def probe() -> list[JSON]:
        return await posts_with(driver, chat_id, text)

    [found] = (await driver.wait_for(probe, what=what))[-1:]
    return found


async def until_gone(driver: Driver, chat_id: int, text: str, what: str) -> None:
    async def probe() -> bool:
        return not await posts_with(driver, chat_id, text)

    await driver.wait_for(probe, what=what)


async def approved_and_told(driver: Driver, person: Supporter, settings: Settings) -> None:
    card = await card_for(driver, "Digest #D")
    await press(driver, MINA, card, "Approve all")
    await eventually(driver, person.id, "The moderators approved your signature", "the notice")

    async def delivered() -> bool:  # and so noted, in the transaction that closed the item
        return rows(settings, "SELECT COUNT(*) FROM outbox WHERE status = 'queued'") == [(0,)]

    await driver.wait_for(delivered, what="the outbox to be empty")


async def confirm(person: Supporter, command: str, yes: str) -> JSON:
    [asked] = await person.say(command)
    [done] = await person.press_and_wait(yes)
    assert asked["message_id"] < done["message_id"]
    return done


# ------------------------------------------------------------------- the chat


async def test_clear_deletes_the_notices_that_came_through_the_outbox(
    campaign: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "With my name", "Alice Walker", "Sweden")
    await approved_and_told(driver, alice, quick)
    done = await confirm(alice, "/clear", "Delete the conversation")
    assert [m["message_id"] for m in await driver.messages(alice.id)] == [done["message_id"]]


async def test_clear_blanks_the_bots_messages_it_can_no_longer_delete(
    campaign: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "With my name", "Alice Walker", "Sweden")
    await approved_and_told(driver, alice, quick)
    before = await alice.last_message_id()
    await driver.advance_clock(49 * 3600)
    # Two days go by: the tidying job forgets when each message was sent.
    await campaign.bot_data.repos.chat_log.purge(int(time.time()) + 49 * 3600)
    done = await confirm(alice, "/clear", "Delete the conversation")
    left = [m for m in await driver.bot_messages(alice.id) if m["message_id"] <= before]
    assert left, "Telegram keeps messages older than 48 hours"
    assert {m.get("text") for m in left} == {CLEARED}
    assert all(not buttons(m) for m in left)
    assert done["text"].startswith("The conversation has been deleted.")


# ------------------------------------------------------- the channel and the group


async def test_withdraw_and_forget_take_the_lines_off_the_channel_and_the_cards(
    campaign: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    bob = await new_supporter(driver, "Bob", "en")
    await sign(alice, "With my name", "Alice Walker", "Sweden")
    await sign(bob, "With my name", "Bob Brown", "Germany")
    await eventually(driver, MODERATOR_GROUP_ID, "Bob Brown", "both on one card")
    await approved_and_told(driver, alice, quick)
    post = await eventually(driver, CHANNEL_ID, "Bob Brown", "the channel's digest")
    assert "Alice Walker" in post["text"]
    await eventually(driver, CHANNEL_ID, "Signatures so far: 2", "the counter")

    [asked] = await alice.say("/withdraw")
    assert "Its line is also removed from the channel" in asked["text"]
    await alice.press_and_wait("Withdraw my signature")
    await until_gone(driver, CHANNEL_ID, "Alice Walker", "Alice's line to go")
    edited = await current(driver, CHANNEL_ID, post["message_id"])
    assert edited["text"] == "New signatures under the open letter:\n\n• Bob Brown, Germany"
    await until_gone(driver, MODERATOR_GROUP_ID, "Alice Walker", "Alice's card line to go")
    await eventually(driver, CHANNEL_ID, "Signatures so far: 1", "the counter to drop")

    [asked] = await bob.say("/forget")
    assert (
        "• Your signature “Bob Brown, Germany”, its line in the channel and on the "
        in (asked["text"])
    )
    await bob.press_and_wait("Delete everything")
    await until_gone(driver, CHANNEL_ID, "Bob Brown", "Bob's line to go")
    assert post["message_id"] not in {m["message_id"] for m in await driver.messages(CHANNEL_ID)}
    await eventually(
        driver,
        MODERATOR_GROUP_ID,
        "#D1: removed at the request of the person who sent it.",
        "the card to be blanked",
    )
    await eventually(driver, CHANNEL_ID, "Signatures so far: 0", "the counter to drop")
    for (payload,) in rows(quick, "SELECT payload FROM outbox"):
        assert "Alice" not in str(payload) and "Bob" not in str(payload)


async def test_forget_deletes_the_message_post_and_blanks_what_is_too_old_to_delete(
    campaign: BotApplication, driver: Driver, quick: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Freedom for every prisoner")
    card = await card_for(driver, "#M1")
    await press(driver, MINA, card, "Approve")
    post = await eventually(driver, CHANNEL_ID, "Freedom for every prisoner", "the post")
    await eventually(driver, alice.id, "It has been published", "the author's notice")
    # Too old to delete, where the bot may post and edit but not delete others' posts.
    await driver.advance_clock(49 * 3600)
    rights = {"can_post_messages": True, "can_edit_messages": True}
    await driver.set_member(CHANNEL_ID, campaign.bot.id, "administrator", rights)
    [asked] = await alice.say("/forget")
    assert (
        "• Message 1 (text): its post in the channel and its card for the moderators are "
        "deleted" in asked["text"]
    )
    await alice.press_and_wait("Delete everything")
    await until_gone(driver, CHANNEL_ID, "Freedom for every prisoner", "the post to be blanked")
    blanked = await current(driver, CHANNEL_ID, post["message_id"])
    assert blanked["text"] == "Removed at the author's request."
    await until_gone(driver, MODERATOR_GROUP_ID, "Freedom for every prisoner", "the card")
    for (payload,) in rows(quick, "SELECT payload FROM outbox"):
        assert "Freedom" not in str(payload)


# ------------------------------------------------------------------- /safety


async def test_safety_is_linked_where_people_decide_and_answers_mid_flow(
    campaign: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    welcome, *_ = await alice.say("/start", replies=2)
    assert "read how to stay safe: /safety" in welcome["text"]
    await alice.say("/sign")
    await alice.press_and_wait("With my name")
    [guide] = await alice.say("/safety")
    text = guide["text"]
    assert text.startswith("Staying safe when you sign\n\n")
    for fact in (
        "It never shows your Telegram account, username, photo or phone number",
        "“Who can see my phone number”: Nobody",
        "Two-Step Verification: on",
        "deleting the chat itself",
        "Access Now's Digital Security Helpline",
        "https://www.accessnow.org/help/",
    ):
        assert fact in text
    # The step is where it was: the name is taken, and the preview links the guide too.
    [country] = await alice.say("Alice Walker")
    assert "Which country do you live in?" in country["text"]
    [preview] = await alice.press_and_wait("Skip")
    assert "How to stay safe: /safety" in preview["text"]
    [thanks] = await alice.press_and_wait("Confirm")
    assert "How to stay safe: /safety" in thanks["text"]


SOLAR_MONTHS = "فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند"
GREGORIAN_IN_PERSIAN = "ژانویه|فوریه|مارس|آوریل|مه|ژوئن|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر"


async def test_persian_mydata_dates_by_the_solar_hijri_calendar_and_quotes_with_guillemets(
    bot: BotApplication, driver: Driver
) -> None:
    sara = await new_supporter(driver, "Sara", "fa-IR")
    await sara.say("/sign")
    await sara.press_and_wait(data=SigningStep(SignChoice.ANONYMOUS).pack())
    await sara.press_and_wait(data=SigningStep(SignChoice.SKIP).pack())
    await sara.press_and_wait(data=SigningStep(SignChoice.CONFIRM).pack())
    await send_text_message(sara, "زن، زندگی، آزادی")
    [data] = await sara.say("/mydata")
    text = data["text"]
    # «۱۱ آذر ۱۴۰۵»: a Persian day, month and year of the 14th century of the Solar Hijri era.
    day = rf"[۰-۹]{{1,2}} ({SOLAR_MONTHS}) ۱۴[۰-۹]{{2}}"
    assert re.search(rf"امضا: «A supporter»، .*، از {day}", text), text
    assert len(re.findall(day, text)) == 2  # the signature's day and the message's
    assert not re.search(rf"\b({GREGORIAN_IN_PERSIAN})\b|20[0-9]{{2}}|۲۰[۰-۹]{{2}}", text)
    assert "\n  «زن، زندگی، آزادی»" in text  # the excerpt, in Persian quotation marks
    assert "“" not in text and "”" not in text


async def test_memory_lets_go_of_a_person_when_their_conversation_ends_and_at_forget(
    bot: BotApplication, driver: Driver
) -> None:
    timed = [
        h for group in bot.handlers.values() for h in group if isinstance(h, TimedConversation)
    ]
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    assert any((alice.id, alice.id) in h.last_moved for h in timed)  # while she signs
    await alice.press_and_wait("Anonymously")
    await alice.press_and_wait("Skip")
    await alice.press_and_wait("Confirm")
    # Finished: her ids and the time are not held until the next sweep.
    assert not any((alice.id, alice.id) in h.last_moved for h in timed)
    await send_text_message(alice, "Solidarity from Alice")
    key = bot.bot_data.keys.cached(alice.id)
    assert key is not None and key in bot.bot_data.sent  # which message went into what
    await alice.say("/forget")
    await alice.press_and_wait("Delete everything")
    assert key not in bot.bot_data.sent
