"""Cards bound to what they publish, and the moderators' tools (issue 16), through the emulator."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.buttons import ApproveDigest, ApproveMessage, RejectSignature, StartSigning
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
    fast,  # noqa: F401  (a fixture)
    press,
    send_text_message,
)
from tests.test_sign import sign

# "December 2, 2026, 00:50 UTC": the month as a word, a 24-hour clock.
DAY_AND_TIME = r"[A-Z][a-z]+ \d{1,2}, \d{4}, \d\d:\d\d UTC"


@pytest.fixture
def desk(fast: Settings) -> Settings:  # noqa: F811
    """Cards quickly, and approved signatures in the channel within a second."""
    return replace(fast, signature_digest_interval=0.5)


@pytest.fixture
async def moderated(desk: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(desk)
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


@pytest.fixture
async def undoing(desk: Settings) -> AsyncIterator[BotApplication]:
    """Decisions may be undone for two minutes; their authors hear of them after that."""
    application = build_application(replace(desk, undo_window=120))
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


def keys(card: JSON) -> list[str]:
    return [
        key["text"]
        for row in card.get("reply_markup", {}).get("inline_keyboard", [])
        for key in row
    ]


def text_of(card: JSON) -> str:
    return str(card.get("text") or card.get("caption") or "")


async def channel_posts(driver: Driver, text: str) -> list[JSON]:
    return [m for m in await driver.messages(CHANNEL_ID) if text in text_of(m)]


async def in_channel(driver: Driver, text: str) -> JSON:
    async def probe() -> JSON | None:
        found = await channel_posts(driver, text)
        return found[0] if found else None

    post: JSON = await driver.wait_for(probe, what=f"{text!r} in the channel")
    return post


async def change_name(person: Supporter, name: str) -> None:
    """/sign again, Change, and sign with another name (same country)."""
    await person.say("/sign")
    await person.press_and_wait("Change")
    await person.press_and_wait("With my name")
    await person.say(name)
    await person.press_and_wait("Germany")
    await person.press_and_wait("Confirm")


async def until(driver: Driver, card: JSON, holds: str) -> JSON:
    """The card once its text holds `holds`."""

    async def probe() -> JSON | None:
        now = await current(driver, MODERATOR_GROUP_ID, card["message_id"])
        return now if holds in text_of(now) else None

    found: JSON = await driver.wait_for(probe, what=f"the card with {holds!r}")
    return found


# ------------------------------------------------------------ 1. a change supersedes its card


async def test_a_change_after_carding_supersedes_the_card_and_only_the_new_card_decides(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "With my name", "Alice Walker", "Germany")
    old = await card_for(driver, "Alice Walker")
    await change_name(alice, "Minister of Justice")
    # The old card says so, and lost its buttons; the new version is on a new card.
    old = await until(driver, old, "#S1 was changed by its signer")
    assert "Minister of Justice" not in text_of(old)
    assert keys(old) == []
    new = await card_for(driver, "Minister of Justice")
    assert new["message_id"] != old["message_id"]
    # The old card's buttons, pressed anyway, publish nothing no moderator saw.
    query = await driver.forge_press(
        MINA, MODERATOR_GROUP_ID, old["message_id"], ApproveDigest(1).pack()
    )
    answer = await driver.wait_answered(query)
    assert answer["answer"]["text"] == "Nothing on this card is waiting for a decision."
    query = await driver.forge_press(
        MINA, MODERATOR_GROUP_ID, old["message_id"], RejectSignature(1).pack()
    )
    answer = await driver.wait_answered(query)
    assert answer["answer"]["text"].startswith("This card is out of date")
    assert rows(desk, "SELECT status FROM signatures") == [("pending",)]
    # The new card decides the new version.
    await press(driver, MINA, new, "Approve all")
    await in_channel(driver, "Minister of Justice, Germany")
    assert await channel_posts(driver, "Alice Walker") == []


async def test_an_approved_signature_changed_is_reviewed_again_and_its_line_replaced(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "With my name", "Alice Walker", "Germany")
    await press(driver, MINA, await card_for(driver, "Alice Walker"), "Approve all")
    post = await in_channel(driver, "Alice Walker, Germany")
    await change_name(alice, "Alice Walker-Smith")
    assert rows(desk, "SELECT status FROM signatures") == [("pending",)]
    card = await card_for(driver, "Alice Walker-Smith")
    await press(driver, MINA, card, "Approve all")

    async def replaced() -> JSON | None:
        now = await current(driver, CHANNEL_ID, post["message_id"])
        return now if "Alice Walker-Smith, Germany" in now["text"] else None

    await driver.wait_for(replaced, what="the channel line replaced")
    assert len(await channel_posts(driver, "Alice Walker")) == 1  # edited, not posted again


# ------------------------------------------------------------ 3. withdrawn items


async def test_a_withdrawn_signature_shows_as_such_and_cannot_be_decided(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "With my name", "Alice Walker", "Germany")
    card = await card_for(driver, "Alice Walker")
    await alice.say("/withdraw")
    await alice.press_and_wait("Withdraw my signature")
    card = await until(driver, card, "removed at the request of the person who sent it")
    assert keys(card) == []
    query = await driver.forge_press(
        MINA, MODERATOR_GROUP_ID, card["message_id"], ApproveDigest(1).pack()
    )
    answer = await driver.wait_answered(query)
    assert answer["answer"]["text"] == "Nothing on this card is waiting for a decision."
    assert "approved" not in text_of(await current(driver, MODERATOR_GROUP_ID, card["message_id"]))
    assert rows(desk, "SELECT COUNT(*) FROM audit_log") == [(0,)]


# ------------------------------------------------------------ 4. cards say what was decided


async def test_decided_cards_show_the_status_the_reason_the_moderator_and_a_clear_date(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    bob = await new_supporter(driver, "Bob", "en")
    await send_text_message(alice, "Solidarity from Alice")
    await send_text_message(bob, "Buy cheap pills")
    first = await card_for(driver, "#M1")
    assert "#M1 · English (en) · waiting for review" in text_of(first)
    await press(driver, MINA, first, "Approve")
    first = await until(driver, first, "approved by @mina_mod")
    assert "#M1 · English (en) · approved" in text_of(first)
    assert "waiting for review" not in text_of(first)
    assert re.search(f"approved by @mina_mod at {DAY_AND_TIME}", text_of(first))

    second = await card_for(driver, "#M2")
    await press(driver, JONAS, second, "Reject")
    second = await edited(driver, second)
    await press(driver, JONAS, second, "Spam")
    second = await until(driver, second, "rejected by @jonas_mod")
    assert "#M2 · English (en) · rejected" in text_of(second)
    assert re.search(f"rejected by @jonas_mod at {DAY_AND_TIME}: Spam", text_of(second))

    # A signature's rejection asks for a reason, records who decided, and says both.
    carol = await new_supporter(driver, "Carol", "en")
    await sign(carol, "With my name", "The Prime Minister", "Germany")
    digest = await card_for(driver, "The Prime Minister")
    await press(driver, MINA, digest, "✖ #S1")
    digest = await edited(driver, digest)
    assert keys(digest) == [
        "#S1: Poses as someone else",
        "#S1: Abusive",
        "#S1: Spam",
        "#S1: Duplicate",
        "#S1: Other",
        "Back",
    ]
    last = await carol.last_message_id()
    await press(driver, MINA, digest, "#S1: Poses as someone else")
    digest = await until(driver, digest, "rejected by @mina_mod")
    assert "Poses as someone else" in text_of(digest)
    assert rows(
        desk, "SELECT moderator_id, decision, reason FROM audit_log WHERE item_kind = 'signature'"
    ) == [(MINA, "rejected", "impersonation")]
    [told] = await driver.wait_bot_messages(carol.id, last)
    assert told["text"] == (
        "The moderators did not accept your signature under the open letter: the name poses "
        "as someone else. You can sign again with /sign."
    )


# ------------------------------------------------------------ 6. forged payloads


async def test_a_press_is_valid_only_for_its_own_card_in_its_own_chat(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "First message")
    await send_text_message(alice, "Second message")
    first = await card_for(driver, "#M1")
    await card_for(driver, "#M2")
    query = await driver.forge_press(
        MINA, MODERATOR_GROUP_ID, first["message_id"], ApproveMessage(2).pack()
    )
    answer = await driver.wait_answered(query)
    assert answer["answer"]["text"] == "This button does not belong to this card."
    assert rows(desk, "SELECT id, status FROM messages ORDER BY id") == [
        (1, "pending"),
        (2, "pending"),
    ]
    assert text_of(await current(driver, MODERATOR_GROUP_ID, first["message_id"])) == text_of(
        first
    )
    # A reference with a leading zero is not a reference.
    sent = await driver.send(MINA, "/ban #M0001", chat_id=MODERATOR_GROUP_ID)
    [reply] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    assert reply["text"] == "Give a reference, such as /ban M12 or /unban S40."
    assert rows(desk, "SELECT COUNT(*) FROM banned") == [(0,)]
    # A supporter's payload forged in a group the bot was not configured for starts nothing.
    other = await driver.add_chat("supergroup", "Another group")
    await driver.set_member(other["id"], alice.id, "member")
    said = await driver.send(alice.id, "hello", chat_id=other["id"])
    before = await driver.bot_messages(other["id"])
    query = await driver.forge_press(
        alice.id, other["id"], said["message_id"], StartSigning().pack()
    )
    await driver.wait_answered(query)
    assert await driver.bot_messages(other["id"]) == before
    assert rows(
        desk, f"SELECT COUNT(*) FROM conversation_states WHERE key LIKE '%{other['id']}%'"
    ) == [(0,)]


# ------------------------------------------------------------ tools


async def test_other_asks_the_moderator_for_the_reason_and_the_author_reads_it_verbatim(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    author = await new_supporter(driver, "Anna", "de")
    await send_text_message(author, "Grüße aus Berlin")
    card = await card_for(driver, "#M1")
    await press(driver, MINA, card, "Reject")
    card = await edited(driver, card)
    answer = await press(driver, MINA, card, "Other")
    assert answer["answer"]["text"] == "Type the reason as a reply to the bot's message."

    async def prompt() -> JSON | None:
        for message in await driver.bot_messages(MODERATOR_GROUP_ID):
            if "Reply to this message with the reason for rejecting #M1" in message["text"]:
                return message
        return None

    asked: JSON = await driver.wait_for(prompt, what="the prompt for a reason")
    assert asked["reply_to_message"]["message_id"] == card["message_id"]
    assert rows(desk, "SELECT status FROM messages") == [("pending",)]
    # A member who is not a moderator cannot answer it.
    await driver.send(
        KIM, "no reason", chat_id=MODERATOR_GROUP_ID, reply_to_message_id=asked["message_id"]
    )
    last = await author.last_message_id()
    await driver.send(
        MINA,
        "Please send it again without the phone number <b>",
        chat_id=MODERATOR_GROUP_ID,
        reply_to_message_id=asked["message_id"],
    )
    card = await until(driver, card, "Please send it again without the phone number <b>")
    assert re.search(
        f"rejected by @mina_mod at {DAY_AND_TIME}: Please send it again", text_of(card)
    )
    [told] = await driver.wait_bot_messages(author.id, last)
    # In the author's language, with the moderator's words as they were typed.
    assert told["text"] == (
        "Das Moderationsteam hat deine Nachricht nicht veröffentlicht. Begründung: "
        "Please send it again without the phone number <b>"
    )
    assert rows(desk, "SELECT moderator_id, reason FROM audit_log") == [
        (MINA, "other:Please send it again without the phone number <b>")
    ]


async def test_the_author_is_never_told_a_reason_that_only_repeats_the_decision() -> None:
    from bot.domain.decisions import Why
    from bot.domain.messages import RejectionReason
    from bot.i18n import LANGUAGES, I18n
    from bot.render.notices import message_notice

    i18n = I18n("en")
    for language in LANGUAGES:
        t = i18n.get(language)
        text = message_notice(t, Why(RejectionReason.OTHER), None)
        english = "The moderators decided not to publish your message."
        assert text == t.gettext(english)
        assert ":" not in text.rstrip(".")  # no "did not publish it: decided not to publish it"


async def test_ban_is_confirmed_by_its_reason_and_undone_from_the_card(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    troll = await new_supporter(driver, "Troll", "en")
    await send_text_message(troll, "spam spam")
    card = await card_for(driver, "#M1")
    await press(driver, MINA, card, "Ban author")
    card = await edited(driver, card)
    await press(driver, MINA, card, "Back")
    card = await edited(driver, card)
    assert keys(card) == ["Approve", "Reject", "Ban author"]
    assert rows(desk, "SELECT COUNT(*) FROM banned") == [(0,)]
    await press(driver, MINA, card, "Ban author")
    card = await edited(driver, card)
    await press(driver, MINA, card, "Ban: Abusive")
    card = await until(driver, card, "the author banned")
    assert re.search(f"the author banned, by @mina_mod at {DAY_AND_TIME}: Abusive", text_of(card))
    assert keys(card) == ["Unban the author"]
    assert rows(desk, "SELECT COUNT(*) FROM banned") == [(1,)]
    # A member who is not a moderator cannot unban.
    answer = await press(driver, KIM, card, "Unban the author")
    assert answer["answer"]["text"] == "Only the moderators can decide here."
    answer = await press(driver, JONAS, card, "Unban the author")
    assert answer["answer"]["text"] == "The author is unbanned."
    card = await until(driver, card, "author unbanned by @jonas_mod")
    assert keys(card) == []
    assert rows(desk, "SELECT COUNT(*) FROM banned") == [(0,)]


async def test_undo_retracts_a_published_message_and_its_author_hears_nothing(
    undoing: BotApplication, driver: Driver, desk: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Solidarity from Alice")
    card = await card_for(driver, "#M1")
    last = await alice.last_message_id()
    await press(driver, MINA, card, "Approve")
    card = await until(driver, card, "approved by @mina_mod")
    assert keys(card) == ["Undo"]
    post = await in_channel(driver, "Solidarity from Alice")
    # A second moderator undoes it: pending again, with its buttons; the post is gone.
    answer = await press(driver, JONAS, card, "Undo")
    assert answer["answer"]["text"] == "Undone: it is waiting for review again."
    card = await until(driver, card, "decision undone by @jonas_mod")
    assert "#M1 · English (en) · waiting for review" in text_of(card)
    assert keys(card) == ["Approve", "Reject", "Ban author"]

    async def gone() -> bool | None:
        return True if not await channel_posts(driver, "Solidarity from Alice") else None

    await driver.wait_for(gone, what="the channel post retracted")
    assert post["message_id"] not in [m["message_id"] for m in await driver.messages(CHANNEL_ID)]
    assert rows(desk, "SELECT status, post_link FROM messages") == [("pending", None)]
    # The author was told nothing: the approval's notice waited out the window, and went.
    assert [m for m in await driver.bot_messages(alice.id, last) if "approved" in m["text"]] == []

    # Nothing left to send: the deletion is closed (Telegram takes it just before the outbox
    # records it), and the held notice was dropped, not merely postponed.
    async def settled() -> bool | None:
        queued = rows(desk, "SELECT COUNT(*) FROM outbox WHERE status = 'queued'")
        return True if queued == [(0,)] else None

    await driver.wait_for(settled, what="the outbox settled")
    assert rows(
        desk, "SELECT COUNT(*) FROM outbox WHERE status = 'dropped' AND person_key IS NOT NULL"
    ) == [(1,)]
    # The same press again finds nothing left to undo.
    answer = await press(driver, JONAS, card, "Approve")
    assert answer["answer"]["text"] == "Done."
    assert buttons(await until(driver, card, "approved by @jonas_mod")) == ["Undo"]


async def test_a_press_on_an_item_the_ban_rejected_says_who_rejected_it(
    moderated: BotApplication, driver: Driver, desk: Settings
) -> None:
    troll = await new_supporter(driver, "Troll", "en")
    await send_text_message(troll, "spam spam")
    await send_text_message(troll, "more spam")
    first = await card_for(driver, "#M1")
    second = await card_for(driver, "#M2")
    await press(driver, MINA, first, "Ban author")
    first = await edited(driver, first)
    await press(driver, MINA, first, "Ban: Spam")
    await until(driver, first, "the author banned")
    # The ban rejected #M2 too: a press on its card says so, not "Already ."
    answer = await press(driver, JONAS, second, "Approve")
    assert re.fullmatch(
        r"Already rejected, and the author banned, by @mina_mod on "
        r"[A-Z][a-z]+ \d{1,2}, \d{4}: Spam\.",
        answer["answer"]["text"],
    ), answer["answer"]["text"]
