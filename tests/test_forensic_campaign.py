"""A whole campaign, then every file the bot wrote searched as a forensic examiner would.

Every listing choice, text and photo messages, approvals, a rejection, a ban, a change after
approval, /withdraw, /forget, a conversation left to time out and a restart; then the
database, its journal and shared memory, a backup and the log at INFO are searched for the
raw ids of everyone whose id should be gone (as text, and as SQLite stores an integer) and
for every name, text and file id of the people who withdrew or forgot, or never finished.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.runtime import stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from bot.storage.maintenance import backup
from tests.conftest import BotStarter
from tests.helpers.database import rows
from tests.helpers.people import Supporter, new_supporter
from tests.test_moderation import (
    MINA,
    card_for,
    edited,
    press,
    send_photo_message,
    send_text_message,
)
from tests.test_privacy import eventually, quickly
from tests.test_sign import sign

WINDOW = 10.0  # seconds: what README promises for the journal after an erasure


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(quickly(settings), conversation_timeout=2)


def integer_forms(number: int) -> list[bytes]:
    """The id as text, and as a SQLite record stores it (big-endian, the fewest bytes)."""
    forms = [str(number).encode("ascii")]
    for size in (1, 2, 3, 4, 6, 8):
        try:
            forms.append(number.to_bytes(size, "big", signed=True))
            break
        except OverflowError:
            continue
    return forms


def files_of(settings: Settings, extra: list[Path]) -> dict[str, bytes]:
    database = settings.database_path
    found = {}
    for path in [database, *extra, *database.parent.glob(database.name + "-*")]:
        if path.is_file():
            found[path.name] = path.read_bytes()
    return found


def leaks(files: dict[str, bytes], secrets: dict[str, list[bytes]]) -> list[str]:
    return [
        f"{what} in {name}"
        for name, content in files.items()
        for what, forms in secrets.items()
        if any(form in content for form in forms)
    ]


async def outbox_empty(driver: Driver, settings: Settings) -> None:
    async def probe() -> bool:
        return rows(settings, "SELECT COUNT(*) FROM outbox WHERE status = 'queued'") == [(0,)]

    await driver.wait_for(probe, timeout=20, what="the outbox to be empty")


async def told(driver: Driver, person: Supporter, words: str) -> None:
    await eventually(driver, person.id, words, f"{person.id} to be told")


async def test_nothing_of_the_people_who_left_is_left_in_any_file(
    start_bot: BotStarter,
    driver: Driver,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await start_bot()
    people = {
        name: await new_supporter(driver, name, "en", user_id=7_100_000_000 + number)
        for number, name in enumerate("ABCDEFGH", start=1)
    }
    a, b, c, d, e, f, g, h = people.values()

    # Signatures: every way of being listed; one rejected, the rest approved and published.
    await sign(a, "With my name", "Parvaneh Forensic", "Iran")
    await sign(b, "First name and initial", "Behrouz Tracefind", None)
    await sign(c, "Anonymously", None, "Germany")
    await sign(g, "With my name", "Golnar Withdrawn", "Sweden")
    card = await eventually(driver, MODERATOR_GROUP_ID, "Golnar Withdrawn", "the digest card")
    await press(driver, MINA, card, "✖ #S3")
    card = await edited(driver, card)  # the reasons
    await press(driver, MINA, card, "#S3: Spam")
    card = await edited(driver, card)
    await press(driver, MINA, card, "Approve all")
    await eventually(driver, CHANNEL_ID, "Golnar Withdrawn", "the channel's digest")
    for person in (a, b, g):
        await told(driver, person, "The moderators approved your signature")

    # A change after approval: reviewed again, approved again.
    await b.say("/sign")
    await b.press_and_wait("Change")
    await b.press_and_wait("Anonymously")
    await b.press_and_wait("Skip")
    await b.press_and_wait("Confirm")
    card = await card_for(driver, "Digest #D2")
    await press(driver, MINA, card, "Approve all")

    # Messages: a text approved, a photo rejected, a sender banned.
    await send_text_message(d, "Leak-canary-text-D")
    await press(driver, MINA, await card_for(driver, "#M1"), "Approve")
    await eventually(driver, CHANNEL_ID, "Leak-canary-text-D", "the message's post")
    await send_photo_message(e, "Leak-canary-caption-E")
    [(photo_id,)] = rows(settings, "SELECT file_id FROM messages WHERE kind = 'photo'")
    await press(driver, MINA, await card_for(driver, "#M2"), "Reject")
    await press(driver, MINA, await card_for(driver, "#M2"), "Spam")
    await send_text_message(f, "Leak-canary-spam-F")
    banned = await card_for(driver, "#M3")
    await press(driver, MINA, banned, "Ban author")
    await press(driver, MINA, await edited(driver, banned), "Ban: Spam")
    await outbox_empty(driver, settings)

    # A restart; then a conversation left to time out.
    restarted = await start_bot()
    await h.say("/sign")
    await h.press_and_wait("With my name")
    await h.say("Hengameh Timeout")

    async def timed_out() -> bool:
        return rows(settings, "SELECT COUNT(*) FROM conversation_drafts") == [(0,)]

    await driver.wait_for(timed_out, timeout=15, what="the conversation to time out")

    # Leaving: a withdrawal, and three people who ask to be forgotten.
    await g.say("/withdraw")
    await g.press_and_wait("Withdraw my signature")
    for person in (a, d, e):
        await person.say("/forget")
        await person.press_and_wait("Delete everything")
    last_erasure = time.monotonic()
    await outbox_empty(driver, settings)

    secrets = {f"the id of {name}": integer_forms(p.id) for name, p in people.items()}
    for words in (
        "Parvaneh",
        "Tracefind",
        "Golnar",
        "Hengameh",
        "Leak-canary-text-D",
        "Leak-canary-caption-E",
        str(photo_id),
    ):
        secrets[words] = [words.encode("utf-8")]

    # While the bot still runs, within the promised window of the last erasure.
    await asyncio.sleep(max(0.0, WINDOW - (time.monotonic() - last_erasure)))
    copy = tmp_path / "backup.sqlite3"
    backup(settings.database_path, copy)
    running = files_of(settings, [copy])
    assert running, "the files the bot wrote"
    assert leaks(running, secrets) == []
    assert leaks({"the log": caplog.text.encode("utf-8")}, secrets) == []

    # And once it has stopped.
    await stop_application(restarted)
    assert leaks(files_of(settings, [copy]), secrets) == []
