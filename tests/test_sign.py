"""Signing the letter, and the privacy model around it, through the emulator."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import pytest

from bot.buttons import PickCountry, SignChoice, SigningStep
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.decisions import Moderator
from bot.sandbox.driver import Driver
from tests.conftest import BotStarter
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, buttons, new_supporter

LISTING = ["With my name", "First name and initial", "Anonymously", "Cancel"]


async def sign(
    person: Supporter, listing: str, name: str | None, country: str | None
) -> list[JSON]:
    """Go through the whole flow in English; return the confirmation and the thanks."""
    [intro] = await person.say("/sign")
    assert buttons(intro) == LISTING
    [asked] = await person.press_and_wait(listing)
    if name is not None:
        [asked] = await person.say(name)
    assert "Which country do you live in?" in asked["text"]
    if country is None:
        [confirmation] = await person.press_and_wait("Skip")
    else:
        [confirmation] = await person.press_and_wait(country)
    [thanks] = await person.press_and_wait("Confirm")
    return [confirmation, thanks]


@pytest.mark.parametrize(
    ("listing", "name", "country", "line", "stored"),
    [
        ("With my name", "Maryam Namazie", "Germany", "Maryam Namazie, Germany",
         ("name", "Maryam Namazie", "DE")),
        ("First name and initial", "Maryam  Namazie ", None, "Maryam N.",
         ("initial", "Maryam N.", None)),
        ("Anonymously", None, "Iran", "A supporter, Iran", ("anonymous", None, "IR")),
        ("Anonymously", None, None, "A supporter", ("anonymous", None, None)),
    ],
)  # fmt: skip
async def test_the_whole_flow_for_each_way_of_being_listed(
    bot: BotApplication,
    driver: Driver,
    settings: Settings,
    listing: str,
    name: str | None,
    country: str | None,
    line: str,
    stored: tuple[object, ...],
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    confirmation, thanks = await sign(alice, listing, name, country)
    assert f"This is the line that may be published:\n\n{line}\n\n" in confirmation["text"]
    assert buttons(confirmation) == ["Confirm", "Change", "Cancel"]
    assert "The moderators will review your signature" in thanks["text"]
    assert "You are the first to sign." in thanks["text"]
    assert buttons(thanks) == ["Share the letter", "Clear this chat"]
    assert rows(settings, "SELECT listing, name, country, status, language FROM signatures") == [
        (*stored, "pending", "en")
    ]


async def test_the_thanks_count_the_signers_own_and_pending_signatures_not_rejected_ones(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    _, thanks = await sign(alice, "Anonymously", None, None)
    assert "You are the first to sign." in thanks["text"]
    assert "0 people" not in thanks["text"]
    bob = await new_supporter(driver, "Bob", "en")
    _, thanks = await sign(bob, "With my name", "Bob Brown", "Germany")
    # Alice's signature waits for review, and so does Bob's: both have signed.
    assert "2 people have signed so far, you among them." in thanks["text"]
    moderation = bot.bot_data.services.moderation
    [[alice_id]] = rows(settings, "SELECT id FROM signatures WHERE listing = 'anonymous'")
    outcome = await moderation.decide_signature(int(str(alice_id)), False, Moderator(1, "@mina"))
    assert outcome.decided
    carol = await new_supporter(driver, "Carol", "en")
    _, thanks = await sign(carol, "Anonymously", None, "Sweden")
    assert "2 people have signed so far, you among them." in thanks["text"]  # not Alice's


async def test_the_intro_says_what_is_being_signed(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    [intro] = await alice.say("/sign")
    assert intro["text"].startswith("You are signing the open letter “People of the world!”.")
    assert "How would you like to be listed?" in intro["text"]
    [by_link] = await (await new_supporter(driver, "Carol", "en")).say("/start sign")
    assert buttons(by_link) == LISTING
    bob = await new_supporter(driver, "Bob", "en")
    await bob.say("/help")
    [from_menu] = await bob.press_and_wait("Sign the letter")
    assert buttons(from_menu) == LISTING


async def test_country_can_be_found_by_typing(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("Anonymously")
    [none] = await alice.say("Atlantis")
    assert none["text"] == "No country matches “Atlantis”. Try another spelling, or skip."
    [found] = await alice.say("swed")
    assert found["text"] == "Countries matching “swed”:"
    assert buttons(found) == ["Sweden", "Skip", "Cancel"]
    [confirmation] = await alice.press_and_wait("Sweden")
    assert "A supporter, Sweden" in confirmation["text"]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("M" * 65, "That name is too long: use at most 64 characters."),
        ("x", "That name is too short: use at least 2 characters."),
        ("Visit https://spam.example", "A name cannot contain a link."),
        ("Bob @spammer", "A name cannot contain an @username."),
        ("Maryam \u202eeizamaN", "That name contains invisible characters"),
        ("Mar\u200byam", "That name contains invisible characters"),
        ("Line\nbreak", "A name must be on a single line"),
        ("12345", "A name needs at least one letter."),
        ("x" * 5000, "That name is too long"),
        ("\u2800\u2800\u2800", "That name contains invisible characters"),
        ("Bob\ufe0f", "That name contains invisible characters"),
        ("Bo\u034fb", "That name contains invisible characters"),
        ("Bo\u17b4b", "That name contains invisible characters"),
        ("\u200cBob", "That name contains invisible characters"),
        (
            "Zo" + "".join(chr(0x0300 + n) for n in range(40)),
            "That name has too many accents or marks on one letter. Please type it again as "
            "it is usually written.",
        ),
        (
            "P\u0430ypal Support",  # a Cyrillic а
            "That name mixes letters from different alphabets in one word (such as Latin and "
            "Cyrillic letters that look alike). Please type each word in one alphabet.",
        ),
    ],
)
async def test_wrong_names_get_the_reason_and_the_question_again(
    bot: BotApplication, driver: Driver, typed: str, reason: str
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("With my name")
    refused, again = await alice.say(typed, replies=2)
    assert refused["text"].startswith(reason)
    assert again["text"].startswith("Type your name as it should appear")
    [asked] = await alice.say("Alice Walker")
    assert "Which country do you live in?" in asked["text"]


@pytest.mark.parametrize(
    "name",
    [
        "حسین\u200cزاده",
        "<b>Bob</b> & <script>",
        "Nguyễn Thị Minh Khai",
        "山田 Taro",
        "Jean-Пьер O'Brien",
        "Sara \u2764\ufe0f",
    ],
)
async def test_names_are_kept_and_shown_exactly_as_typed(
    bot: BotApplication, driver: Driver, settings: Settings, name: str
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    confirmation, _ = await sign(alice, "With my name", name, None)
    assert f"\n\n{name}\n\n" in confirmation["text"]
    assert rows(settings, "SELECT name FROM signatures") == [(name,)]


async def test_a_sticker_or_a_command_mid_step_gets_a_hint_and_the_step_again(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("With my name")
    sticker = await driver.send_media(alice.id, "sticker", emoji="✊")
    hint, again = await driver.wait_bot_messages(alice.id, sticker["message_id"], 2)
    assert hint["text"] == "Please answer the question below, or send /cancel to stop signing."
    assert again["text"].startswith("Type your name as it should appear")
    location = await driver.send_other(alice.id, "location", latitude=35.7, longitude=51.4)
    hint, again = await driver.wait_bot_messages(alice.id, location["message_id"], 2)
    assert again["text"].startswith("Type your name")
    hint, again = await alice.say("/letter", replies=2)
    assert again["text"].startswith("Type your name")
    [asked] = await alice.say("Alice Walker")
    assert "Which country" in asked["text"]


async def test_cancel_leaves_at_any_step(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("With my name")
    await alice.say("Alice Walker")
    [cancelled] = await alice.say("/cancel")
    assert cancelled["text"] == "Cancelled. Nothing was stored."
    assert rows(settings, "SELECT COUNT(*) FROM signatures") == [(0,)]
    [letter, *_] = await alice.say("/letter")
    assert letter["text"].startswith("People of the world!")


async def test_old_buttons_after_the_flow_are_refused(bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    [intro] = await alice.say("/sign")
    await alice.press_and_wait("Anonymously")
    await alice.press_and_wait("Skip")
    await alice.press_and_wait("Confirm")
    name = SigningStep(SignChoice.NAME).pack()
    query = await driver.forge_press(alice.id, alice.id, intro["message_id"], name)
    answer = await driver.wait_answered(query)
    assert answer["answer"]["text"] == "This button is no longer valid."


async def test_a_forged_country_is_refused_once_and_the_question_stays(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    [question] = await alice.press_and_wait("Anonymously")
    forged = PickCountry("XX").pack()  # no such country
    since = (await driver.state())["call_count"]
    query = await driver.forge_press(alice.id, alice.id, question["message_id"], forged)
    answer = await driver.wait_answered(query)
    assert answer["answer"]["text"] == "This button is no longer valid."
    # The question is asked again in its place, where it already reads so: nothing new.
    [edit] = await driver.wait_for(lambda: driver.calls("editMessageText", since))
    assert "not modified" in edit["error"]
    [*_, last] = await alice.bot_messages()
    assert last["message_id"] == question["message_id"]
    assert last["text"].startswith("Which country do you live in?")
    [confirmation] = await alice.press_and_wait("Germany")  # the conversation goes on
    assert "A supporter, Germany" in confirmation["text"]
    texts = [m.get("text", "") for m in await alice.bot_messages()]
    assert not any(text.startswith("Sorry, something went wrong") for text in texts)


async def test_a_second_sign_shows_the_signature_with_change_and_withdraw(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "With my name", "Alice Walker", "Sweden")
    [shown] = await alice.say("/sign")
    assert shown["text"] == (
        "You have signed the letter as:\n\nAlice Walker, Sweden\n\n"
        "Status: waiting for the moderators' review."
    )
    assert buttons(shown) == ["Change", "Withdraw"]
    [intro] = await alice.press_and_wait("Change")
    assert buttons(intro) == LISTING
    await alice.press_and_wait("Anonymously")
    await alice.press_and_wait("Skip")
    await alice.press_and_wait("Confirm")
    assert rows(settings, "SELECT listing, name, country, status FROM signatures") == [
        ("anonymous", None, None, "pending")
    ]


async def test_withdraw_asks_then_removes_and_the_count_drops(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "With my name", "Alice Walker", None)
    moderation = bot.bot_data.services.moderation
    [signature_id] = [row[0] for row in rows(settings, "SELECT id FROM signatures")]
    last = await alice.last_message_id()
    outcome = await moderation.decide_signature(
        int(str(signature_id)), True, Moderator(1, "@mina")
    )
    assert outcome.decided
    await driver.wait_bot_messages(alice.id, last)  # the approval notice, via the outbox
    [asked] = await alice.say("/withdraw")
    assert asked["text"] == (
        "Withdraw your signature? It is removed from the list at once. Its line is also "
        "removed from the channel and from the moderators' cards."
    )
    [kept] = await alice.press_and_wait("Keep it")
    assert kept["text"] == "Your signature stays."
    await alice.say("/withdraw")
    [done] = await alice.press_and_wait("Withdraw my signature")
    assert done["text"] == "Your signature has been withdrawn. 0 people have signed."
    assert rows(settings, "SELECT COUNT(*) FROM signatures") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM contacts") == [(0,)]
    [nothing] = await alice.say("/withdraw")
    assert nothing["text"] == "You have not signed the letter."


async def test_mydata_shows_everything_and_forget_deletes_it(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/language")
    await alice.press_and_wait("✓ English")
    await sign(alice, "First name and initial", "Alice Walker", "Sweden")
    [data] = await alice.say("/mydata")
    text = data["text"]
    assert "• Language: English" in text
    assert "• Signature: “Alice W., Sweden”, waiting for the moderators' review, since" in text
    assert "Telegram account number, kept only until the moderators' decision" in text
    assert "messages in this chat from the last 48 hours" in text
    [asked] = await alice.say("/forget")
    assert buttons(asked) == ["Delete everything", "Keep it"]
    [done] = await alice.press_and_wait("Delete everything")
    assert done["text"] == "Everything the bot stored about you has been deleted."
    for table in ("signatures", "contacts", "people", "chat_log", "conversation_states"):
        assert rows(settings, f"SELECT COUNT(*) FROM {table}") == [(0,)], table
    [after] = await alice.say("/mydata")
    listed = [line for line in after["text"].splitlines() if line.startswith("• ")]
    # All that is left: the id of the /mydata just sent, so that /clear can delete it.
    assert listed == [
        "• The number of 1 message in this chat from the last 48 hours, so that /clear can "
        "delete it"
    ]


async def test_clear_deletes_the_conversation_from_the_chat(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/start", replies=2)
    await sign(alice, "Anonymously", None, None)
    [asked] = await alice.press_and_wait("Clear this chat")
    assert asked["text"].startswith("Delete this conversation from the chat?")
    [done] = await alice.press_and_wait("Delete the conversation")
    assert done["text"].startswith("The conversation has been deleted.")
    remaining = await driver.messages(alice.id)
    assert [m["message_id"] for m in remaining] == [done["message_id"]]
    everything = await driver.messages(alice.id, include_deleted=True)
    assert len(everything) > 5


async def test_clear_cannot_delete_what_is_older_than_48_hours(
    bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    old = await alice.say("/help")
    await driver.advance_clock(49 * 3600)
    await alice.say("/clear")
    await alice.press_and_wait("Delete the conversation")
    remaining = {m["message_id"] for m in await driver.messages(alice.id)}
    assert old[0]["message_id"] in remaining


async def test_a_restart_mid_flow_resumes_at_the_same_step(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/sign")
    await alice.press_and_wait("First name and initial")
    await alice.say("Alice Walker")  # now at the country step
    await start_bot()
    [found] = await alice.say("Swe")
    assert buttons(found)[0] == "Sweden"
    [confirmation] = await alice.press_and_wait("Sweden")
    assert "Alice W., Sweden" in confirmation["text"]
    await alice.press_and_wait("Confirm")
    assert rows(settings, "SELECT name, country FROM signatures") == [("Alice W.", "SE")]

    async def nothing_left_behind() -> bool:  # persistence writes once a second
        states = rows(settings, "SELECT COUNT(*) FROM conversation_states")
        drafts = rows(settings, "SELECT COUNT(*) FROM conversation_drafts")
        return states == drafts == [(0,)]

    await driver.wait_for(nothing_left_behind, what="the finished conversation to be dropped")


def _id_forms(telegram_id: int) -> list[bytes]:
    """How an id can sit in a file: as text, or as SQLite's big-endian integers."""
    packed = struct.pack(">q", telegram_id)
    return [str(telegram_id).encode(), packed, packed[2:]]


async def test_once_decided_and_told_no_telegram_id_of_the_signer_is_in_the_file(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    application = await start_bot()
    # A realistic id: SQLite stores it in six bytes, distinctive enough to search for.
    signer = await new_supporter(driver, "Signer", "en", user_id=7_234_567_891)
    await sign(signer, "With my name", "Sina Rahimi", "Iran")
    files = [settings.database_path, Path(f"{settings.database_path}-wal")]
    data = application.bot_data
    before = b"".join(f.read_bytes() for f in files if f.exists())
    assert any(form in before for form in _id_forms(signer.id)), "the test must see the id"
    [signature_id] = rows(settings, "SELECT id FROM signatures")
    last = (await signer.bot_messages())[-1]["message_id"]
    outcome = await data.services.moderation.decide_signature(
        int(str(signature_id[0])), True, Moderator(1, "@mina")
    )
    assert outcome.decided
    [told] = await driver.wait_bot_messages(signer.id, last)  # through the outbox
    assert told["text"].startswith("The moderators approved your signature")

    async def released() -> bool:  # the id is forgotten once the notice is delivered
        return rows(settings, "SELECT COUNT(*) FROM contacts") == [(0,)]

    await driver.wait_for(released, what="the Telegram id to be forgotten")

    await start_bot()  # stops the first bot: the database is checkpointed and closed
    after = b"".join(f.read_bytes() for f in files if f.exists())
    for form in _id_forms(signer.id):
        assert form not in after
    assert rows(settings, "SELECT name, status FROM signatures") == [("Sina Rahimi", "approved")]


async def test_a_conversation_left_alone_times_out_quietly(
    settings: Settings, driver: Driver
) -> None:
    from dataclasses import replace

    from bot.app import build_application
    from bot.runtime import start_application, stop_application

    application = build_application(replace(settings, conversation_timeout=1.0))
    await start_application(application, poll_timeout=2)
    try:
        alice = await new_supporter(driver, "Alice", "en")
        await alice.say("/sign")
        [asked] = await alice.press_and_wait("With my name")

        async def dropped() -> bool:
            return rows(settings, "SELECT COUNT(*) FROM conversation_states") == [(0,)]

        await asyncio.sleep(1.5)
        await driver.wait_for(dropped, what="the timed-out conversation to be dropped")
        assert (await alice.bot_messages())[-1]["message_id"] == asked["message_id"]  # quiet
        [answer] = await alice.say("Alice Walker")
        assert "/letter — Read the open letter" in answer["text"]  # no longer asked a name
    finally:
        await stop_application(application)


@pytest.mark.parametrize(
    ("listing", "name", "country", "line"),
    [
        ("با نام خودم", "حسین\u200cزاده", "ایران", "حسین\u200cزاده، ایران"),
        ("نام و حرف اول نام خانوادگی", "مریم نمازی", None, "مریم ن."),
        ("به‌صورت ناشناس", None, "آلمان", "یک حامی، آلمان"),
    ],
)
async def test_the_whole_flow_in_persian(
    driver: Driver,
    settings: Settings,
    listing: str,
    name: str | None,
    country: str | None,
    line: str,
) -> None:
    from dataclasses import replace

    from bot.app import build_application
    from bot.runtime import start_application, stop_application

    # The published line reads in the channel's language: here a Persian channel.
    application = build_application(replace(settings, channel_language="fa"))
    await start_application(application, poll_timeout=2)
    try:
        sara = await new_supporter(driver, "Sara", "fa-IR")
        [intro] = await sara.say("/sign")
        assert "«مردم جهان!»" in intro["text"]
        assert buttons(intro)[:3] == ["با نام خودم", "نام و حرف اول نام خانوادگی", "به‌صورت ناشناس"]
        [asked] = await sara.press_and_wait(listing)
        if name is not None:
            [asked] = await sara.say(name)
        assert "ایران" in buttons(asked) and "از این مرحله بگذرید" in buttons(asked)
        [confirmation] = await sara.press_and_wait(country or "از این مرحله بگذرید")
        assert f"\n\n{line}\n\n" in confirmation["text"]
        [thanks] = await sara.press_and_wait("تأیید")
        assert "شما نخستین امضاکنندهٔ نامه هستید." in thanks["text"]
        assert "۰" not in thanks["text"]  # never "nobody has signed"
        expected_name = line.split("،")[0] if name else None
        stored = rows(settings, "SELECT name, status, language FROM signatures")
        assert stored == [(expected_name, "pending", "fa")]
    finally:
        await stop_application(application)
