"""Topics: in a forum moderator group, digest cards, message cards and reports each in a topic."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Bot, ChatMemberAdministrator
from telegram.error import BadRequest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.delivery import topics
from bot.domain.effects import MODERATORS, Method, Post
from bot.domain.signatures import Listing, SignatureDraft
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import ADMIN_RIGHTS, CHANNEL_ID, MODERATOR_GROUP_ID, seed
from bot.sandbox.server import EmulatorServer
from tests.conftest import TOKEN, BotStarter
from tests.helpers.database import rows
from tests.helpers.people import JSON, new_supporter
from tests.test_moderation import MINA, card_for, press, send_text_message

BOT_ID = int(TOKEN.split(":", 1)[0])
MANAGE_TOPICS = {**ADMIN_RIGHTS, "can_manage_topics": True}

Starter = BotStarter


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Cards quickly, and the group window shortened to a second."""
    return replace(settings, card_interval=0.2, counter_interval=0.5, group_rate=(20, 1.0))


@pytest.fixture
def fast(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def start(start_bot: BotStarter) -> BotStarter:
    """Start the bot (again, for a restart) once the test has shaped the group."""
    return start_bot


async def make_forum(
    driver: Driver, chat_id: int = MODERATOR_GROUP_ID, manage: bool = True
) -> None:
    """The group's owner turns topics on, and gives the bot Manage topics (or not)."""
    await driver.set_forum(chat_id)
    rights = MANAGE_TOPICS if manage else ADMIN_RIGHTS
    await driver.set_member(chat_id, BOT_ID, "administrator", rights)


async def sign(application: BotApplication, emulator: Emulator, name: str) -> None:
    data = application.bot_data
    signer = emulator.add_user(name)
    draft = SignatureDraft(Listing.NAME, name, "FR")
    await data.services.signing.submit(data.keys.of(signer.id), signer.id, draft, "fr")


async def topic_ids(driver: Driver, chat_id: int = MODERATOR_GROUP_ID) -> dict[str, int]:
    return {
        t["name"]: t["message_thread_id"] for t in await driver.topics(chat_id) if not t["deleted"]
    }


# ------------------------------------------------------------- in a forum


async def test_in_a_forum_cards_go_to_their_topics_and_presses_still_decide(
    start: Starter, driver: Driver, emulator: Emulator, fast: Settings
) -> None:
    await make_forum(driver)
    application = await start()
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Woman, life, freedom")
    await sign(application, emulator, "Signer One")
    message_card = await card_for(driver, "#M1")
    digest_card = await card_for(driver, "Digest #D1")
    ids = await topic_ids(driver)
    assert set(ids) == {"Signatures", "Messages"}  # Reports: none was needed yet
    assert digest_card["message_thread_id"] == ids["Signatures"]
    assert message_card["message_thread_id"] == ids["Messages"]
    assert digest_card["is_topic_message"] and message_card["is_topic_message"]

    assert (await press(driver, MINA, digest_card, "Approve all"))["answer"]["text"]
    assert (await press(driver, MINA, message_card, "Approve"))["answer"]["text"] == "Done."

    async def published() -> list[JSON]:
        return [m for m in await driver.bot_messages(CHANNEL_ID) if "Woman" in m.get("text", "")]

    await driver.wait_for(published, what="the message in the channel")
    assert rows(fast, "SELECT status FROM signatures") == [("approved",)]
    # A command asked in a topic is answered there.
    asked = await driver.send(
        MINA, "/stats", chat_id=MODERATOR_GROUP_ID, message_thread_id=ids["Messages"]
    )
    [answer, *_] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, asked["message_id"])
    assert answer["message_thread_id"] == ids["Messages"]


@pytest.mark.parametrize(
    ("forum", "manage", "why"),
    [
        (True, False, "the bot may not manage topics"),
        (False, True, "has no topics (not a forum)"),
    ],
    ids=["a forum, without the right", "no forum"],
)
async def test_without_the_right_or_a_forum_cards_stay_in_the_main_chat_and_the_log_says_why(
    start: Starter,
    driver: Driver,
    emulator: Emulator,
    caplog: pytest.LogCaptureFixture,
    forum: bool,
    manage: bool,
    why: str,
) -> None:
    if forum:
        await make_forum(driver, manage=manage)
    else:
        await driver.set_member(MODERATOR_GROUP_ID, BOT_ID, "administrator", MANAGE_TOPICS)
    with caplog.at_level(logging.INFO, logger="bot.delivery.topics"):
        application = await start()
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Hello")
    await sign(application, emulator, "Signer One")
    for card in (await card_for(driver, "#M1"), await card_for(driver, "Digest #D1")):
        assert "message_thread_id" not in card
    assert await driver.calls("createForumTopic") == []
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Topics:")]
    assert len(lines) == 1 and why in lines[0], lines


async def test_what_the_bot_posts_on_its_own_that_is_no_card_goes_to_the_reports_topic(
    start: Starter, driver: Driver
) -> None:
    await make_forum(driver)
    application = await start()
    data = application.bot_data
    async with data.repos.db.transaction():
        await data.repos.outbox.add(MODERATORS, Post(Method.MESSAGE, "A note for the group"))
    data.worker.wake()

    async def note() -> list[JSON]:
        found = await driver.bot_messages(MODERATOR_GROUP_ID)
        return [m for m in found if m["text"] == "A note for the group"]

    [posted] = await driver.wait_for(note, what="the note")
    assert posted["message_thread_id"] == (await topic_ids(driver))["Reports"]


async def test_topics_turned_on_later_are_used_without_a_restart(
    start: Starter, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(topics, "RECHECK", 0.0)  # looked at again at every send while off
    await start()
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Before")
    assert "message_thread_id" not in await card_for(driver, "#M1")
    await make_forum(driver)
    await send_text_message(alice, "After")
    after = await card_for(driver, "#M2")
    assert after["message_thread_id"] == (await topic_ids(driver))["Messages"]


# ------------------------------------------------------------- deleted, restarted, moved


async def test_a_topic_deleted_mid_campaign_is_created_again_and_the_card_arrives(
    start: Starter, driver: Driver
) -> None:
    await make_forum(driver)
    await start()
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "First")
    first = await card_for(driver, "#M1")
    await driver.delete_topic(MODERATOR_GROUP_ID, first["message_thread_id"])
    assert "Messages" not in await topic_ids(driver)
    await send_text_message(alice, "Second")
    second = await card_for(driver, "#M2")
    again = (await topic_ids(driver))["Messages"]
    assert second["message_thread_id"] == again != first["message_thread_id"]
    assert "Second" in second["text"]
    refused = [c for c in await driver.calls("sendMessage") if "error" in c]
    assert [c["error"] for c in refused] == ["Bad Request: message thread not found"]


async def test_topic_ids_survive_a_restart(start: Starter, driver: Driver) -> None:
    await make_forum(driver)
    await start()
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Before the restart")
    before = await card_for(driver, "#M1")
    await start()  # stops the running bot first
    await send_text_message(alice, "After the restart")
    after = await card_for(driver, "#M2")
    assert after["message_thread_id"] == before["message_thread_id"]
    assert len(await driver.calls("createForumTopic")) == 1


async def test_topics_follow_the_group_when_it_moves_to_a_supergroup_with_topics(
    fast: Settings, driver: Driver, emulator: Emulator
) -> None:
    group = await driver.add_chat("group", "Moderators (old)", bot_status="administrator")
    await driver.set_member(group["id"], MINA, "creator")
    settings = replace(fast, moderator_chat_id=group["id"])
    application = build_application(settings)
    await start_application(application, poll_timeout=2)
    try:
        new_id = await driver.migrate(group["id"])
        await make_forum(driver, new_id)  # topics turned on after the upgrade
        await sign(application, emulator, "Signer One")

        async def card() -> list[JSON]:
            return [m for m in await driver.bot_messages(new_id) if "Digest #D1" in m["text"]]

        [moved] = await driver.wait_for(card, what="the card in the new supergroup")
        assert moved["message_thread_id"] == (await topic_ids(driver, new_id))["Signatures"]
        assert application.bot_data.destinations.moderator_chat_id == new_id
    finally:
        await stop_application(application)


# ------------------------------------------------------------- the emulator, as Telegram


@pytest.fixture
async def ptb(server: EmulatorServer) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    async with bot:
        yield bot


async def test_the_emulator_has_forums_as_the_bot_api_describes_them(
    ptb: Bot, driver: Driver
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await ptb.create_forum_topic(MODERATOR_GROUP_ID, "Signatures")
    await make_forum(driver, manage=False)
    assert (await ptb.get_chat(MODERATOR_GROUP_ID)).is_forum
    member = await ptb.get_chat_member(MODERATOR_GROUP_ID, BOT_ID)
    assert isinstance(member, ChatMemberAdministrator) and member.can_manage_topics is False
    with pytest.raises(BadRequest, match=r"(?i)not enough rights to create a topic"):
        await ptb.create_forum_topic(MODERATOR_GROUP_ID, "Signatures")
    await make_forum(driver)
    topic = await ptb.create_forum_topic(MODERATOR_GROUP_ID, "Signatures")
    assert topic.name == "Signatures" and topic.icon_color == 0x6FB9F0
    sent = await ptb.send_message(
        MODERATOR_GROUP_ID, "in the topic", message_thread_id=topic.message_thread_id
    )
    assert sent.is_topic_message and sent.message_thread_id == topic.message_thread_id
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.forum_topic_created is not None  # the topic's first message
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await ptb.send_message(MODERATOR_GROUP_ID, "nowhere", message_thread_id=999)
    await driver.delete_topic(MODERATOR_GROUP_ID, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await ptb.send_message(
            MODERATOR_GROUP_ID, "gone", message_thread_id=topic.message_thread_id
        )
    group = await driver.messages(MODERATOR_GROUP_ID, include_deleted=True)
    assert group and all(m["deleted"] for m in group)  # the topic took its messages with it


def test_the_sandbox_seeds_a_forum_group_on_request() -> None:
    plain, forum = Emulator(TOKEN), Emulator(TOKEN)
    seed(plain)
    seed(forum, topics=True)
    assert not plain.chats[MODERATOR_GROUP_ID].is_forum
    group = forum.chats[MODERATOR_GROUP_ID]
    assert group.is_forum and group.members[BOT_ID].can("can_manage_topics")
