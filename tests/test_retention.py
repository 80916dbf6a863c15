"""What the bot's files keep, and for how long: drafts, erasures, refused posts, days.

Every check reads the files as anyone holding them could: the database, its journal (-wal)
and its shared memory (-shm), byte for byte, while the bot is still running.
"""

from __future__ import annotations

import asyncio
import sqlite3
import struct
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.decisions import Moderator
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import MODERATOR_GROUP_ID
from bot.storage.database import open_database
from bot.storage.migrations import MIGRATIONS
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, new_supporter
from tests.test_message import PNG, compose, finish
from tests.test_sign import sign

# README's promise: an erased id or text leaves every file of the bot within this long.
ERASURE_WINDOW = 10.0
DAY = 86400
# A realistic id: SQLite stores it in six bytes, distinctive enough to search for.
SIGNER_ID = 7_234_567_891


def files(settings: Settings) -> list[Path]:
    base = settings.database_path
    return [base, Path(f"{base}-wal"), Path(f"{base}-shm")]


def id_forms(telegram_id: int) -> list[bytes]:
    """How an id can sit in a file: as text, or as one of SQLite's big-endian integers."""
    packed = struct.pack(">q", telegram_id)
    return [str(telegram_id).encode(), packed, packed[2:]]


def found_in_files(settings: Settings, secrets: list[bytes]) -> list[bytes]:
    """Which of `secrets` some file of the bot holds (raw bytes; no SQLite connection)."""
    data = [path.read_bytes() for path in files(settings) if path.exists()]
    return [secret for secret in secrets if any(secret in blob for blob in data)]


async def gone_within(driver: Driver, settings: Settings, secrets: list[bytes]) -> float:
    """Wait until no file holds any of `secrets`; return how long that took."""
    started = time.monotonic()

    async def clean() -> bool:
        return not found_in_files(settings, secrets)

    try:
        await driver.wait_for(clean, timeout=ERASURE_WINDOW, what="the erased bytes to go")
    except TimeoutError:
        left = found_in_files(settings, secrets)
        raise AssertionError(f"still in the files after {ERASURE_WINDOW}s: {left}") from None
    return time.monotonic() - started


async def seen_in_files(driver: Driver, settings: Settings, secrets: list[bytes]) -> None:
    """Wait until the test sees `secrets` in the files (an id in one of its forms at least)."""
    ids = set(id_forms(SIGNER_ID))
    texts = [secret for secret in secrets if secret not in ids]

    async def there() -> bool:
        found = found_in_files(settings, secrets)
        return all(text in found for text in texts) and (
            ids.isdisjoint(secrets) or any(form in found for form in ids)
        )

    await driver.wait_for(there, what="the bytes to be written")


async def running(settings: Settings) -> BotApplication:
    application = build_application(settings)
    await start_application(application, poll_timeout=2)
    return application


# ------------------------------------------------------------------ row 2: drafts


@pytest.mark.parametrize("last", ["a typed answer", "a button"])
async def test_a_timed_out_conversation_leaves_neither_its_id_nor_the_name_in_any_file(
    settings: Settings, driver: Driver, last: str
) -> None:
    short = replace(settings, conversation_timeout=2.0)
    application = await running(short)
    try:
        alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
        await alice.say("/sign")
        await alice.press_and_wait("With my name")
        [asked] = await alice.say("Parvin Ardalan")
        if last == "a button":  # the timeout's update is then a button press, not a message
            [asked] = await alice.press_and_wait("Skip")
            assert "Do you confirm your signature?" in asked["text"]
        secrets = [b"Parvin Ardalan", *id_forms(alice.id)]
        await seen_in_files(driver, short, secrets)
        await asyncio.sleep(2.0)  # the timeout
        await gone_within(driver, short, secrets)
        assert rows(short, "SELECT COUNT(*) FROM conversation_drafts") == [(0,)]
        assert rows(short, "SELECT COUNT(*) FROM conversation_states") == [(0,)]
        assert (await alice.bot_messages())[-1]["message_id"] == asked["message_id"]  # quiet
    finally:
        await stop_application(application)


async def to_the_country_step(person: Supporter) -> JSON:
    """Start signing and type a name; the question that follows (the country)."""
    await person.say("/sign")
    await person.press_and_wait("With my name")
    [asked] = await person.say("Parvin Ardalan")
    return asked


async def test_cancel_drops_the_draft_from_the_files_at_once(
    settings: Settings, driver: Driver
) -> None:
    application = await running(settings)
    try:
        alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
        await to_the_country_step(alice)
        await seen_in_files(driver, settings, [b"Parvin Ardalan"])
        [cancelled] = await alice.say("/cancel")
        assert cancelled["text"].startswith("Cancelled. Nothing was stored.")
        await gone_within(driver, settings, [b"Parvin Ardalan", *id_forms(alice.id)])
    finally:
        await stop_application(application)


async def test_a_conversation_resumed_after_a_restart_times_out_at_its_old_deadline(
    settings: Settings, driver: Driver
) -> None:
    short = replace(settings, conversation_timeout=4.0)
    application = await running(short)
    alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
    try:
        asked = await to_the_country_step(alice)
        assert "Which country do you live in?" in asked["text"]
        last_answer = time.time()
    finally:
        await stop_application(application)
    application = await running(short)  # the conversation is restored, without PTB's timeout
    try:

        async def ended() -> bool:
            return rows(short, "SELECT COUNT(*) FROM conversation_states") == [(0,)]

        await driver.wait_for(ended, timeout=12, what="the restored conversation to time out")
        # At its deadline (4 s after the last answer), not 4 s after the restart.
        assert time.time() - last_answer < 4.0 + 2.5
        await gone_within(driver, short, [b"Parvin Ardalan", *id_forms(alice.id)])
        assert (await alice.bot_messages())[-1]["message_id"] == asked["message_id"]  # quiet
        [answer] = await alice.say("Swe")
        assert "Countries matching" not in answer["text"]  # no longer asked a country
        assert "/letter — Read the open letter" in answer["text"]
    finally:
        await stop_application(application)


async def test_a_resumed_conversation_answered_after_the_restart_runs_on(
    settings: Settings, driver: Driver
) -> None:
    short = replace(settings, conversation_timeout=4.0)
    application = await running(short)
    alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
    try:
        await to_the_country_step(alice)
    finally:
        await stop_application(application)
    application = await running(short)
    try:
        await asyncio.sleep(2.5)
        [found] = await alice.say("Swe")  # answered before the old deadline: a new one
        assert "Countries matching" in found["text"]
        await asyncio.sleep(2.5)  # past the old deadline, not the new one
        [confirmation] = await alice.press_and_wait("Sweden")
        assert "Parvin Ardalan, Sweden" in confirmation["text"]
    finally:
        await stop_application(application)


# --------------------------------------------------------------- row 5: the journal


async def test_after_forget_nothing_of_the_person_is_in_any_file_within_the_window(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
    await sign(alice, "With my name", "Parvin Ardalan", "Iran")
    caption = "Zan zendegi azadi from Tabriz"

    async def send_photo(person: Supporter) -> dict[str, object]:
        return await driver.send_media(person.id, "photo", PNG, caption=caption)

    await compose(alice, send_photo, "Anonymously")
    await finish(alice)
    [(file_id,)] = rows(settings, "SELECT file_id FROM messages")

    async def carded() -> bool:  # the cards (which copy the name and the caption) went out
        return await bot.bot_data.repos.outbox.backlog() == 0 and bool(
            rows(settings, "SELECT COUNT(*) FROM digests")[0][0]
        )

    await driver.wait_for(carded, what="the cards to be sent")
    secrets = [b"Parvin Ardalan", caption.encode(), str(file_id).encode(), *id_forms(alice.id)]
    await seen_in_files(driver, settings, secrets)
    await alice.say("/forget")
    await alice.press_and_wait("Delete everything")
    took = await gone_within(driver, settings, secrets)
    assert took < ERASURE_WINDOW


async def test_after_withdraw_neither_the_name_nor_the_id_is_in_any_file(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
    await sign(alice, "With my name", "Parvin Ardalan", None)
    secrets = [b"Parvin Ardalan", *id_forms(alice.id)]
    await seen_in_files(driver, settings, secrets)
    await alice.say("/withdraw")
    [done] = await alice.press_and_wait("Withdraw my signature")
    assert done["text"].startswith("Your signature has been withdrawn.")
    await gone_within(driver, settings, secrets)


# ---------------------------------------------------------- row 6: ids released


async def test_a_notice_telegram_refuses_releases_the_id(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
    await sign(alice, "With my name", "Parvin Ardalan", None)

    async def carded() -> bool:
        return bool(rows(settings, "SELECT digest_id FROM signatures")[0][0]) and (
            await bot.bot_data.repos.outbox.backlog() == 0
        )

    await driver.wait_for(carded, what="the digest card to be sent")
    await driver.faults(1, methods=["sendMessage"], status=400)
    [(signature_id,)] = rows(settings, "SELECT id FROM signatures")
    moderation = bot.bot_data.services.moderation
    assert (
        await moderation.decide_signature(int(signature_id), True, Moderator(1, "@mina"))
    ).decided

    async def failed() -> bool:
        return rows(settings, "SELECT status FROM outbox WHERE status = 'failed'") != []

    await driver.wait_for(failed, what="the notice to be refused")
    assert rows(settings, "SELECT COUNT(*) FROM contacts") == [(0,)]
    await gone_within(driver, settings, id_forms(alice.id))


async def test_a_card_telegram_refuses_sets_the_message_aside_and_releases_the_id(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)

    async def send_photo(person: Supporter) -> dict[str, object]:
        return await driver.send_media(person.id, "photo", PNG, caption="Azadi")

    await compose(alice, send_photo, "Anonymously")
    await driver.faults(1, methods=["sendPhoto"], status=400)  # the card, not the preview
    await finish(alice)

    async def set_aside() -> bool:
        return rows(settings, "SELECT status FROM messages") == [("rejected",)]

    await driver.wait_for(set_aside, what="the uncardable message to be set aside")
    assert rows(settings, "SELECT COUNT(*) FROM contacts") == [(0,)]
    assert rows(settings, "SELECT status, chat, payload FROM outbox") == [
        ("failed", "failed", "{}")
    ]
    await gone_within(driver, settings, id_forms(alice.id))


async def test_a_changed_approved_signature_is_carded_again_and_its_id_released(
    settings: Settings, driver: Driver
) -> None:
    fast = replace(settings, card_interval=0.5)
    application = await running(fast)
    try:
        moderation = application.bot_data.services.moderation
        alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
        await sign(alice, "With my name", "Parvin Ardalan", None)

        async def carded() -> list[tuple[object, ...]]:
            return rows(fast, "SELECT id, digest_id FROM signatures WHERE digest_id IS NOT NULL")

        [(signature_id, first_digest)] = await driver.wait_for(carded, what="the first card")
        mina = Moderator(1, "@mina")
        assert (await moderation.decide_signature(int(signature_id), True, mina)).decided

        async def released() -> bool:
            return rows(fast, "SELECT COUNT(*) FROM contacts") == [(0,)]

        await driver.wait_for(released, what="the id to be released after the notice")
        await alice.say("/sign")
        await alice.press_and_wait("Change")
        await alice.press_and_wait("With my name")
        await alice.say("Parvin Ardalan-Tehrani")
        await alice.press_and_wait("Skip")
        await alice.press_and_wait("Confirm")
        assert rows(fast, "SELECT status FROM signatures") == [("pending",)]

        async def carded_again() -> list[tuple[object, ...]]:
            return rows(fast, f"SELECT digest_id FROM signatures WHERE digest_id > {first_digest}")

        await driver.wait_for(carded_again, what="a new card for the changed signature")
        cards = [m.get("text", "") for m in await driver.bot_messages(MODERATOR_GROUP_ID)]
        assert any("Parvin Ardalan-Tehrani" in text for text in cards)
        assert (await moderation.decide_signature(int(signature_id), True, mina)).decided
        await driver.wait_for(released, what="the id to be released after the new decision")
    finally:
        await stop_application(application)


# ------------------------------------------------------------------ row 8: days


# Kept finer than the day, each for less than 48 hours and purged after.
SHORT_LIVED = {
    ("chat_log", "sent_at"),  # /clear's message ids, 48 hours
    ("send_log", "sent_at"),  # the daily limit, 24 hours
    ("seen_updates", "seen_at"),  # update ids, a day; no person in them
    ("conversation_states", "updated_at"),  # an unfinished conversation, its timeout
    ("conversation_drafts", "updated_at"),
    ("schema_version", "applied_at"),  # the bot's upgrades, no person's
}


def times_at_rest(database: Path) -> dict[tuple[str, str], list[float]]:
    """Every value of every time column (named *_at, or the outbox's not_before)."""
    found: dict[tuple[str, str], list[float]] = {}
    with sqlite3.connect(database) as connection:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master "
                                                   "WHERE type = 'table'")]  # fmt: skip
        for table in tables:
            for column in connection.execute(f"PRAGMA table_info({table})"):
                name = column[1]
                if name.endswith("_at") or name == "not_before":
                    values = connection.execute(f"SELECT {name} FROM {table}").fetchall()
                    found[(table, name)] = [float(value) for (value,) in values]
    return found


async def test_after_a_journey_no_time_at_rest_is_finer_than_the_day(
    settings: Settings, driver: Driver
) -> None:
    fast = replace(settings, card_interval=0.5)
    application = await running(fast)
    try:
        data = application.bot_data
        alice = await new_supporter(driver, "Alice", "en", user_id=SIGNER_ID)
        await alice.say("/language")
        await alice.press_and_wait("✓ English")
        await sign(alice, "With my name", "Parvin Ardalan", None)

        async def carded() -> list[tuple[object, ...]]:
            return rows(fast, "SELECT id FROM signatures WHERE digest_id IS NOT NULL")

        [(signature_id,)] = await driver.wait_for(carded, what="the card")
        mina = Moderator(1, "@mina")
        await data.services.moderation.decide_signature(int(signature_id), True, mina)
        bob = await new_supporter(driver, "Bob", "en")
        await compose(bob, lambda p: driver.send(p.id, "Solidarity from Bob"))
        await finish(bob)
        [(message_id,)] = rows(fast, "SELECT id FROM messages")
        from bot.domain.decisions import ItemKind, Reference

        await data.services.moderation.ban(Reference(ItemKind.MESSAGE, int(message_id)), mina)

        async def drained() -> bool:
            return await data.repos.outbox.backlog() == 0

        await driver.wait_for(drained, what="the outbox to drain")
        found = times_at_rest(fast.database_path)
        for column in (("digests", "created_at"), ("audit_log", "decided_at"),
                       ("people", "created_at"), ("people", "updated_at"),
                       ("banned", "banned_at"), ("outbox", "not_before")):  # fmt: skip
            assert found[column], f"the journey must leave a value in {column}"
        for column, values in found.items():
            if column not in SHORT_LIVED:
                assert all(value % DAY == 0 for value in values), column
    finally:
        await stop_application(application)


async def test_migration_6_rounds_the_times_already_stored_down_to_their_day(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:  # a database as version 5 left it
        old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at "
                    "INTEGER NOT NULL DEFAULT (unixepoch()))")  # fmt: skip
        for version, statements in enumerate(MIGRATIONS[:5], start=1):
            for statement in statements:
                old.execute(statement)
            old.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        moment = 1_700_000_123
        old.execute("INSERT INTO digests (created_at) VALUES (?)", (moment,))
        old.execute("INSERT INTO audit_log (item_kind, item_id, decision, moderator_id, "
                    "moderator_name, decided_at) VALUES ('signature', 1, 'approved', 1, "
                    "'@mina', ?)", (moment,))  # fmt: skip
        old.execute("INSERT INTO people VALUES ('k', 'en', ?, ?)", (moment, moment + 60))
        old.execute("INSERT INTO banned VALUES ('k', ?)", (moment,))
        old.execute("INSERT INTO outbox (chat, payload, status, not_before) "
                    "VALUES ('failed', '{}', 'failed', ?), ('1', '{}', 'queued', ?)",
                    (moment + 0.5, moment + 0.5))  # fmt: skip
    connection = await open_database(path)
    await connection.close()
    day = moment - moment % DAY
    assert rows(path, "SELECT created_at FROM digests") == [(day,)]
    assert rows(path, "SELECT decided_at FROM audit_log") == [(day,)]
    assert rows(path, "SELECT created_at, updated_at FROM people") == [(day, day)]
    assert rows(path, "SELECT banned_at FROM banned") == [(day,)]
    assert rows(path, "SELECT status, not_before FROM outbox ORDER BY id") == [
        ("failed", 0.0), ("queued", moment + 0.5)
    ]  # fmt: skip
    assert rows(path, "SELECT MAX(version) FROM schema_version") == [(len(MIGRATIONS),)]
