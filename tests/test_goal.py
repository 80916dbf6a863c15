"""SIGNATURE_GOAL: the counter, the thank-you, the milestone and /stats, through the emulator."""

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
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter
from tests.helpers.people import new_supporter as supporter
from tests.test_moderation import MINA, _after, card_for, press
from tests.test_privacy import eventually, posts_with, quickly
from tests.test_sign import sign


async def running(settings: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(settings)
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


@pytest.fixture
def goal(settings: Settings) -> Settings:
    return replace(quickly(settings), signature_goal=2)


@pytest.fixture
async def with_goal(goal: Settings) -> AsyncIterator[BotApplication]:
    async for application in running(goal):
        yield application


@pytest.fixture
async def without_goal(settings: Settings) -> AsyncIterator[BotApplication]:
    async for application in running(quickly(settings)):
        yield application


async def approve_all(driver: Driver, settings: Settings, name: str, people: int) -> None:
    """Approve the digest card with `name` on it; wait for `people` approved in all."""
    card = await card_for(driver, name)
    await press(driver, MINA, card, "Approve all")

    async def approved() -> bool:
        counted = rows(settings, "SELECT COUNT(*) FROM signatures WHERE status = 'approved'")
        return counted == [(people,)]

    await driver.wait_for(approved, what="the approvals")


async def signed(person: Supporter, name: str) -> str:
    _, thanks = await sign(person, "With my name", name, "Sweden")
    return str(thanks["text"])


async def test_the_goal_in_the_thanks_the_counter_the_milestone_and_stats(
    with_goal: BotApplication, driver: Driver, goal: Settings
) -> None:
    alice = await supporter(driver, "Alice", "en")
    thanks = await signed(alice, "Alice Walker")
    # Still true: the signature waits for review, and it is counted as the thanks counts.
    assert "The moderators will review your signature before it is published." in thanks
    assert "You are the first to sign. That is 1 of our goal of 2 signatures.\n" in thanks
    bob = await supporter(driver, "Bob", "en")
    thanks = await signed(bob, "Bob Brown")
    assert "2 people have signed so far, you among them. That is 2 of our goal of 2" in thanks
    counter = await eventually(driver, CHANNEL_ID, "Signatures so far:", "the counter")
    assert counter["text"] == "Signatures so far: 0 of 2"
    card = await eventually(driver, MODERATOR_GROUP_ID, "Bob Brown", "both on one card")
    assert "Alice Walker" in card["text"]
    await approve_all(driver, goal, "Bob Brown", 2)
    await eventually(driver, CHANNEL_ID, "Signatures so far: 2 of 2", "the counter edited")
    reached = await eventually(driver, CHANNEL_ID, "our goal", "the goal's milestone")
    assert reached["text"] == (
        "2 people have signed the open letter “People of the world!”. Thank you!\n\n"
        "We have reached our goal of 2 signatures!"
    )

    carol = await supporter(driver, "Carol", "en")
    await signed(carol, "Carol Cole")
    await approve_all(driver, goal, "Carol Cole", 3)
    await eventually(driver, CHANNEL_ID, "Signatures so far: 3 of 2", "the counter past it")
    assert len(await posts_with(driver, CHANNEL_ID, "our goal")) == 1  # announced once

    sent = await driver.send(MINA, "/stats", chat_id=MODERATOR_GROUP_ID)
    totals, _ = await driver.wait_for(
        lambda: _after(driver, sent["message_id"], 2), what="the stats"
    )
    assert totals["text"].startswith("Goal: 3 of 2 signatures approved\n\n")


async def test_the_goal_in_persian_digits_and_words(settings: Settings, driver: Driver) -> None:
    persian = replace(quickly(settings), signature_goal=5000, channel_language="fa")
    async for _ in running(persian):
        counter = await eventually(driver, CHANNEL_ID, "۵", "the counter")
        assert counter["text"] == "شمار امضاها تاکنون: ۰ از ۵٬۰۰۰"


async def test_without_a_goal_everything_is_as_before(
    without_goal: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await supporter(driver, "Alice", "en")
    thanks = await signed(alice, "Alice Walker")
    assert "You are the first to sign.\n\n" in thanks and "goal" not in thanks
    await approve_all(driver, quickly(settings), "Alice Walker", 1)
    counter = await eventually(driver, CHANNEL_ID, "Signatures so far: 1", "the counter")
    assert counter["text"] == "Signatures so far: 1"
    channel: list[JSON] = await driver.messages(CHANNEL_ID)
    assert not [m for m in channel if "goal" in str(m.get("text"))]
    assert not [m for m in channel if "have signed the open letter" in str(m.get("text"))]
    sent = await driver.send(MINA, "/stats", chat_id=MODERATOR_GROUP_ID)
    totals, _ = await driver.wait_for(
        lambda: _after(driver, sent["message_id"], 2), what="the stats"
    )
    assert totals["text"].startswith("Signatures by status\n")
