"""Signatures bound to the letter's version: an amended letter is noticed at start, announced in
the channel once, and its older text's signers are told once, on their next contact."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import shutil
from pathlib import Path

import pytest

from bot.buttons import KeepSignature
from bot.config import Settings
from bot.context import BotApplication
from bot.domain import days
from bot.domain.amendments import Amended, Amendments, Change, paragraph_changes
from bot.domain.decisions import Moderator
from bot.domain.effects import CHANNEL, Method, Post
from bot.domain.letter import (
    MESSAGE_LIMIT,
    LetterLibrary,
    normalised,
    version_of,
    visible_length,
)
from bot.domain.signatures import LetterShown, Listing, SignatureDraft
from bot.i18n import LANGUAGES, LOCALES_DIR, I18n
from bot.render.amendments import MAX_MESSAGES, amendment_messages
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from tests.conftest import BotStarter
from tests.helpers.database import rows
from tests.helpers.fakes import FakeStores
from tests.helpers.people import JSON, Supporter, buttons, new_supporter
from tests.test_moderation import MINA
from tests.test_sign import sign

ENGLISH = I18n("en").get("en")
TOLD = "The English text of the open letter has been changed since you signed it"
HELP = "/letter — Read the open letter"


# ------------------------------------------------------------------ versions (unit)


def test_whitespace_only_edits_keep_the_version_and_a_word_changes_it() -> None:
    text = "People of the world!\n\nWe are your neighbours.\n\nYou know us."
    same = [
        text.replace("\n", "\r\n"),  # saved on Windows
        text.replace("\n", "\r"),
        text.replace("!", "!   ").replace(".", ".\t"),  # trailing blanks
        text.replace("\n\n", "\n\n\n\n"),  # extra blank lines
        "\n\n" + text + "\n\n\n",
        text.replace("\n\n", "\n  \n"),  # a blank line holding spaces
    ]
    for edited in same:
        assert version_of(edited) == version_of(text), repr(edited)
    # The same words in another Unicode normal form (é as e + U+0301) are the same text.
    assert version_of("Café") == version_of("Cafe\u0301")
    assert normalised("a  \r\n\r\n\r\nb ") == "a\n\nb"
    for changed in (
        text.replace("know", "knew"),
        text.replace("world!", "world."),
        text.replace("\n\nYou", " You"),  # two paragraphs made one
    ):
        assert version_of(changed) != version_of(text)
    assert len(version_of(text)) == 12 and int(version_of(text), 16) >= 0


def test_the_letter_files_have_versions_at_load() -> None:
    library = LetterLibrary(LOCALES_DIR, LANGUAGES)
    versions = library.versions()
    assert set(versions) == set(LANGUAGES)
    assert len(set(versions.values())) == len(LANGUAGES)  # ten different texts
    english = (LOCALES_DIR / "en" / "letter.html").read_text(encoding="utf-8")
    assert versions["en"] == version_of(english)


def test_paragraph_changes_name_what_was_removed_added_and_changed() -> None:
    old = "Title\n\nOne.\n\nTwo.\n\nThree.\n\nFour."
    new = "Title\n\nOne, amended.\n\nTwo.\n\nFour.\n\nFive."
    changes = paragraph_changes(old, new)
    assert [(c.change, c.old, c.new) for c in changes] == [
        (Change.CHANGED, "One.", "One, amended."),
        (Change.REMOVED, "Three.", None),
        (Change.ADDED, None, "Five."),
    ]
    assert paragraph_changes(old, old + "\n\n\n") == []


def amended(old: str, new: str) -> Amended:
    return Amended("en", "aaaaaaaaaaaa", "bbbbbbbbbbbb", old, new)


def test_the_diff_is_escaped_and_each_message_fits_telegram() -> None:
    old = "Title\n\n<b>Bold</b> words."
    new = "Title\n\n<b>Bold</b> words &amp; &lt;script&gt;."
    [message] = amendment_messages(ENGLISH, amended(old, new))
    assert "Bold words." in message and "<b>Bold</b>" not in message  # read as plain text
    assert "Bold words &amp; &lt;script&gt;." in message  # escaped once, shown literally
    assert message.endswith("Do you keep your signature under the new text, or withdraw it?")
    # Long paragraphs: split into messages within the limit, the question in the last one.
    long_old = "\n\n".join(f"Paragraph {n}: " + "word " * 150 for n in range(5))
    long_new = "\n\n".join(f"Paragraph {n}: " + "other " * 150 for n in range(5))
    parts = amendment_messages(ENGLISH, amended(long_old, long_new), limit=MESSAGE_LIMIT)
    assert 1 < len(parts) <= MAX_MESSAGES
    assert all(visible_length(part) <= MESSAGE_LIMIT for part in parts)
    assert "Do you keep your signature" in parts[-1]


def test_a_diff_too_long_to_read_is_summarised() -> None:
    old = "\n\n".join(f"Paragraph {n}: " + "word " * 300 for n in range(20))
    new = "\n\n".join(f"Paragraph {n}: " + "other " * 300 for n in range(20))
    [message] = amendment_messages(ENGLISH, amended(old, new))
    assert (
        "20 paragraphs were changed, added or removed: too many to show here.\n✏️ 20 · ➕ 0 · ➖ 0"
        in message
    )  # the counts on their own line, not after the sentence's full stop
    assert "The whole new text: /letter en" in message
    assert "word word" not in message


# ------------------------------------------------------------------ the service (fakes)

DAY = dt.date(2026, 12, 3)
DRAFT = SignatureDraft(Listing.ANONYMOUS, None, None)


def service(stores: FakeStores, texts: dict[str, str]) -> tuple[Amendments, list[int]]:
    woken: list[int] = []
    versions = {language: version_of(text) for language, text in texts.items()}

    def announce(language: str, day: dt.date) -> Post:
        return Post(Method.MESSAGE, f"{language} {day.isoformat()}")

    return Amendments(stores, versions, texts, announce, lambda: woken.append(1)), woken


async def test_the_first_start_records_and_a_change_is_announced_once() -> None:
    stores = FakeStores()
    first, woken = service(stores, {"en": "One.\n\nTwo.", "de": "Eins."})
    assert await first.notice_changes(DAY) == []
    assert stores.outbox.queued == [] and woken == []
    await stores.signatures.add("k1", DRAFT, "en", DAY, first.shown("k1", "en"))
    await stores.signatures.add("k2", DRAFT, "en", DAY, first.shown("k2", "de"))
    # Restarted with an amended English text and German re-saved with other line endings.
    second, woken = service(stores, {"en": "One.\n\nTwo, amended.", "de": "Eins.\r\n"})
    [noticed] = await second.notice_changes(DAY)
    assert (noticed.language, noticed.old, noticed.new) == (
        "en", version_of("One.\n\nTwo."), version_of("One.\n\nTwo, amended.")
    )  # fmt: skip
    assert [(chat, post.text) for chat, post, _ in stores.outbox.queued] == [
        (CHANNEL, "en 2026-12-03")
    ]
    assert woken == [1]
    assert second.may_be_outdated("k1") and not second.may_be_outdated("k2")
    third, _ = service(stores, {"en": "One.\n\nTwo, amended.", "de": "Eins."})
    assert await third.notice_changes(DAY) == []
    assert len(stores.outbox.queued) == 1


async def test_a_signer_is_told_once_and_keeps_under_the_current_version_only() -> None:
    stores = FakeStores()
    first, _ = service(stores, {"en": "One.\n\nTwo."})
    await first.notice_changes(DAY)
    await stores.signatures.add("k1", DRAFT, "en", DAY, first.shown("k1", "en"))
    second, _ = service(stores, {"en": "One.\n\nThree."})
    await second.notice_changes(DAY)
    amended = await second.take_amended("k1")
    assert amended is not None and amended.old_text == "One.\n\nTwo."
    assert not second.may_be_outdated("k1")
    assert await second.take_amended("k1") is None  # told once
    await second.load()  # as at the next start
    assert not second.may_be_outdated("k1")
    assert not await second.keep("k1", "en", version_of("One.\n\nTwo."))  # a stale button
    assert not await second.keep("k1", "xx", amended.current_version)
    assert await second.keep("k1", "en", amended.current_version)
    # A button naming another language's current text does not move the signature there.
    third, _ = service(stores, {"en": "One.\n\nThree.", "de": "Eins."})
    assert not await third.keep("k1", "de", version_of("Eins."))
    signature = await stores.signatures.of_person("k1")
    assert signature is not None and signature.letter == LetterShown(
        "en", version_of("One.\n\nThree.")
    )


def test_a_signature_is_given_under_the_letter_last_read() -> None:
    stores = FakeStores()
    amendments, _ = service(stores, {"en": "One.", "fa": "یک.", "de": "Eins."})
    assert amendments.shown("k", "en") == LetterShown("en", version_of("One."))
    amendments.read("k", "fa")
    assert amendments.shown("k", "en") == LetterShown("fa", version_of("یک."))
    amendments.rekeyed("k", "k2")  # the key moved: so does what was read
    assert amendments.shown("k2", "de") == LetterShown("fa", version_of("یک."))
    assert amendments.shown("k", "de") == LetterShown("de", version_of("Eins."))
    amendments.forget("k2")  # /forget: what they read last is not held any longer
    assert amendments.shown("k2", "de") == LetterShown("de", version_of("Eins."))


# ------------------------------------------------------------------ through the emulator


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The bot reads its letters from a copy, which a test amends between two runs."""
    letters = tmp_path / "letters"
    for language in LANGUAGES:
        (letters / language).mkdir(parents=True)
        shutil.copy(LOCALES_DIR / language / "letter.html", letters / language / "letter.html")
    return dataclasses.replace(settings, letters_dir=letters, undo_window=0)


def letter_file(settings: Settings, language: str) -> Path:
    assert settings.letters_dir is not None
    return settings.letters_dir / language / "letter.html"


def amend_english(settings: Settings) -> tuple[str, str]:
    """Change a paragraph, remove one and add one; the versions before and after."""
    path = letter_file(settings, "en")
    old = path.read_text(encoding="utf-8")
    assert "\n\nYou know us.\n\n" in old and "\n\nWe need you to support it full force.\n" in old
    new = (
        old.replace("\n\nYou know us.\n\n", "\n\nYou know us well.\n\n")
        .replace("\n\nWe need you to support it full force.\n", "\n")
        .replace(
            "\n\nYou know us well.\n\n",
            "\n\nYou know us well.\n\nOur numbers grow &amp; so does our resolve.\n\n",
        )
    )
    path.write_text(new, encoding="utf-8")
    return version_of(old), version_of(new)


def channel_notes(messages: list[JSON]) -> list[str]:
    return [m["text"] for m in messages if "text of the letter was amended" in m.get("text", "")]


async def wait_channel_note(driver: Driver) -> list[str]:
    async def probe() -> list[str] | None:
        return channel_notes(await driver.bot_messages(CHANNEL_ID)) or None

    found: list[str] = await driver.wait_for(probe, what="the channel's note")
    return found


def stored_letter(settings: Settings) -> list[tuple[object, ...]]:
    return rows(settings, "SELECT letter_language, letter_version FROM signatures ORDER BY id")


async def said_after(person: Supporter, text: str, replies: int = 1) -> list[str]:
    """What the bot answered to `text`: every message after it (waiting for `replies`)."""
    answers = await person.say(text, replies=replies)
    return [m["text"] for m in answers]


async def test_a_changed_letter_is_noticed_at_start_announced_once_and_logged(
    start_bot: BotStarter,
    driver: Driver,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await start_bot()  # the first start: every version recorded, nothing announced
    alice = await new_supporter(driver, "Alice", "en")
    await alice.say("/help")  # the bot is up and its outbox has run
    assert channel_notes(await driver.bot_messages(CHANNEL_ID)) == []
    assert len(rows(settings, "SELECT * FROM letter_versions WHERE current = 1")) == 10
    old, new = amend_english(settings)
    # German re-saved with Windows line endings and trailing blanks: the same text.
    german = letter_file(settings, "de")
    text = german.read_text(encoding="utf-8")
    german.write_text(text.replace("\n", "  \r\n"), encoding="utf-8", newline="")
    caplog.clear()
    await start_bot()
    today = ENGLISH.date(days.today())
    assert await wait_channel_note(driver) == [
        f"The English text of the letter was amended on {today}."
    ]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.domain.amendments"]
    assert lines == [f"Letter: the en text changed, {old} -> {new}"]
    assert not any("know us" in r.getMessage() for r in caplog.records)  # no text logged
    # The older text is kept for the diff; the new one is current.
    assert rows(
        settings, "SELECT version, current FROM letter_versions WHERE language = 'en' ORDER BY id"
    ) == [(old, 0), (new, 1)]
    assert (
        "You know us.\n\n"
        in rows(settings, f"SELECT text FROM letter_versions WHERE version = '{old}'")[0][0]
    )
    await start_bot()  # nothing changed since: nothing more
    await alice.say("/help")
    assert len(channel_notes(await driver.bot_messages(CHANNEL_ID))) == 1


async def test_a_signer_of_the_old_text_is_told_once_and_keeps_their_signature(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    alice = await new_supporter(driver, "Alice", "en")
    await sign(alice, "Anonymously", None, None)
    bob = await new_supporter(driver, "Bob", "en")
    await bob.say("/letter de")  # he reads the German text, and signs under it
    await sign(bob, "Anonymously", None, None)
    old, new = amend_english(settings)
    assert stored_letter(settings) == [("en", old), ("de", version_of_file(settings, "de"))]
    await start_bot()

    # Alice's next contact: first what changed, then the answer to what she sent.
    notice, help_text = await said_after(alice, "/help", replies=2)
    assert notice.startswith(TOLD)
    assert f"(you signed version {old}; it is now version {new})" in notice
    assert "What changed, paragraph by paragraph:" in notice
    assert "✏️ Changed. It read:\nYou know us.\n\nIt now reads:\nYou know us well." in notice
    assert "➕ Added:\nOur numbers grow & so does our resolve." in notice
    assert "➖ Removed:\nWe need you to support it full force." in notice
    assert "The whole new text: /letter en" in notice
    prompt = next(m for m in await alice.bot_messages() if m["text"] == notice)
    assert buttons(prompt) == ["Keep my signature", "Withdraw", "Clear this chat"]
    assert HELP in help_text
    # Told once: the next message is answered as ever.
    assert await said_after(alice, "/help") == [help_text]
    # Bob signed the German text, which did not change: never told.
    assert HELP in (await said_after(bob, "/help"))[0]
    # Told once, a restart included (the signature row says she was told).
    await start_bot()
    assert await said_after(alice, "/help") == [help_text]
    [kept] = await alice.press_and_wait("Keep my signature")
    assert kept["text"] == "Your signature stays, under the current text of the letter."
    assert stored_letter(settings)[0] == ("en", new)
    # Someone who signs the new text is never told.
    carol = await new_supporter(driver, "Carol", "en")
    await sign(carol, "Anonymously", None, None)
    assert stored_letter(settings)[2] == ("en", new)
    await start_bot()
    assert HELP in (await said_after(carol, "/help"))[0]
    assert HELP in (await said_after(alice, "/help"))[0]


async def test_the_notice_waits_while_the_signer_cleans_up_the_chat_or_reads_safety(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    hana = await new_supporter(driver, "Hana", "en")
    await sign(hana, "Anonymously", None, None)
    amend_english(settings)
    await start_bot()
    # Someone cleaning up is not handed a fresh "since you signed it" to clean again.
    [safety] = await said_after(hana, "/safety")
    assert TOLD not in safety
    [asked] = await said_after(hana, "/forget")
    assert asked.startswith("Delete everything the bot stores about you?")
    [kept] = await hana.press_and_wait("Keep it")
    assert TOLD not in kept["text"]
    [offer] = await said_after(hana, "/clear")
    assert offer.startswith("Delete this conversation from the chat?")
    last = (await hana.bot_messages())[-1]["message_id"]
    await hana.press("Delete the conversation")
    [cleared] = await driver.wait_bot_messages(hana.id, last)
    assert cleared["text"].startswith("The conversation has been deleted.")
    assert not any(TOLD in m["text"] for m in await hana.bot_messages())
    # Her next other message: told then, with a way to clear the chat of it too.
    notice, help_text = await said_after(hana, "/help", replies=2)
    assert notice.startswith(TOLD) and HELP in help_text
    prompt = next(m for m in await hana.bot_messages() if m["text"] == notice)
    assert buttons(prompt) == ["Keep my signature", "Withdraw", "Clear this chat"]
    [offer_again] = await hana.press_and_wait("Clear this chat")
    assert offer_again["text"].startswith("Delete this conversation from the chat?")


def version_of_file(settings: Settings, language: str) -> str:
    return version_of(letter_file(settings, language).read_text(encoding="utf-8"))


async def test_withdrawing_from_the_prompt_withdraws_after_the_confirmation(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    dara = await new_supporter(driver, "Dara", "en")
    await sign(dara, "With my name", "Dara Azadi", None)
    amend_english(settings)
    await start_bot()
    notice, _help = await said_after(dara, "/start", replies=2)
    assert notice.startswith(TOLD)
    [question] = await dara.press_and_wait("Withdraw")
    assert question["text"].startswith("Withdraw your signature? It is removed from the list")
    [done] = await dara.press_and_wait("Withdraw my signature")
    assert done["text"].startswith("Your signature has been withdrawn.")
    assert rows(settings, "SELECT * FROM signatures") == []


async def test_a_keep_button_from_before_a_later_amendment_records_nothing(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    erin = await new_supporter(driver, "Erin", "en")
    await sign(erin, "Anonymously", None, None)
    old, _new = amend_english(settings)
    await start_bot()
    await said_after(erin, "/help", replies=2)
    prompt = next(m for m in await erin.bot_messages() if TOLD in m["text"])
    new = version_of_file(settings, "en")
    forged = [
        KeepSignature("en", "0123456789ab").pack(),  # a version that is not the current one
        KeepSignature("xx", new).pack(),  # a language there is no letter in
        # Another language's current text: Erin signed the English one, and keeps to it.
        KeepSignature("de", version_of_file(settings, "de")).pack(),
        "v1:keep:en",  # malformed
        "v1:keep:en:" + "f" * 40,
    ]
    for data in forged:
        query = await driver.forge_press(erin.id, erin.id, prompt["message_id"], data)
        answer = await driver.wait_answered(query)
        assert answer["answer"]["text"] == "This button is no longer valid.", data
    assert stored_letter(settings) == [("en", old)]


async def test_the_export_and_mydata_name_the_text_signed(
    start_bot: BotStarter, driver: Driver, settings: Settings, emulator: Emulator
) -> None:
    application: BotApplication = await start_bot()
    frank = await new_supporter(driver, "Frank", "en")
    await sign(frank, "With my name", "Frank Ocean", None)
    gita = await new_supporter(driver, "Gita", "en")
    await sign(gita, "With my name", "Gita Sahgal", None)
    english = version_of_file(settings, "en")
    moderation = application.bot_data.services.moderation
    for signature_id in (1, 2):
        await moderation.decide_signature(signature_id, True, Moderator(MINA, "@mina_mod"))
    # Gita's signature from before versions were recorded (as an upgraded database has it).
    await application.bot_data.database.execute(
        "UPDATE signatures SET letter_language = NULL, letter_version = NULL WHERE id = 2"
    )
    sent = await driver.send(MINA, "/export", chat_id=MODERATOR_GROUP_ID)
    [document] = await driver.wait_bot_messages(MODERATOR_GROUP_ID, sent["message_id"])
    content = emulator.files.get(document["document"]["file_id"])
    assert content is not None
    table = list(csv.reader(io.StringIO(content.data.decode("utf-8"))))
    assert table[0][-2:] == ["letter_language", "letter_version"]
    assert [row[0::4] + row[5:] for row in table[1:]] == [
        ["Frank Ocean", "en", english],
        ["Gita Sahgal", "", ""],
    ]
    [mine] = await said_after(frank, "/mydata")
    assert f"• Which text of the letter you signed: the English text, version {english}" in mine
    [hers] = await said_after(gita, "/mydata")
    assert (
        "• Which text of the letter you signed: not recorded (you signed before the bot "
        "recorded it)" in hers
    )


async def test_a_signer_from_before_versions_is_told_when_the_text_changes(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    application = await start_bot()
    hana = await new_supporter(driver, "Hana", "en")
    await sign(hana, "Anonymously", None, None)
    await application.bot_data.database.execute(
        "UPDATE signatures SET letter_language = NULL, letter_version = NULL"
    )
    await start_bot()  # no amendment yet: what she signed is not known to differ
    assert HELP in (await said_after(hana, "/help"))[0]
    _old, new = amend_english(settings)
    await start_bot()
    notice, _help = await said_after(hana, "/help", replies=2)
    assert notice.startswith(TOLD + ".")
    assert "version" not in notice.split("\n")[0]
    assert "✏️ Changed. It read:\nYou know us." in notice
    [kept] = await hana.press_and_wait("Keep my signature")
    assert kept["text"].startswith("Your signature stays")
    assert stored_letter(settings) == [("en", new)]


async def test_keep_is_taken_in_the_middle_of_a_conversation_which_goes_on(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    ina = await new_supporter(driver, "Ina", "en")
    await sign(ina, "Anonymously", None, None)
    _old, new = amend_english(settings)
    await start_bot()
    notice, *asked = await said_after(ina, "/message", replies=3)
    assert notice.startswith(TOLD)
    assert asked[0].startswith("Your message goes to the campaign's moderators.")
    [kept] = await ina.press_and_wait("Keep my signature")
    assert kept["text"] == "Your signature stays, under the current text of the letter."
    assert stored_letter(settings) == [("en", new)]
    # The message conversation is where it was: it still waits for the message.
    [answer] = await said_after(ina, "Woman, life, freedom")
    assert answer.startswith("How should your message be signed?")


async def test_a_persian_signer_is_told_in_persian_and_the_channel_in_its_language(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    sara = await new_supporter(driver, "Sara", "fa-IR")
    await sara.say("/sign")
    await sara.press_and_wait("به‌صورت ناشناس")  # Anonymously
    await sara.press_and_wait("از این مرحله بگذرید")  # Skip (the country)
    await sara.press_and_wait("تأیید")  # Confirm
    assert stored_letter(settings) == [("fa", version_of_file(settings, "fa"))]
    path = letter_file(settings, "fa")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("شما ما را می‌شناسید.", "شما ما را خوب می‌شناسید."), "utf-8")
    await start_bot()
    notice, _help = await said_after(sara, "/help", replies=2)
    assert notice.startswith("متن فارسی نامهٔ سرگشاده از زمانی که آن را امضا کردید تغییر کرده است")
    assert "شما ما را می‌شناسید.\n\nاکنون چنین است:\nشما ما را خوب می‌شناسید." in notice
    prompt = next(m for m in await sara.bot_messages() if m["text"] == notice)
    assert buttons(prompt) == ["امضایم بماند", "پس گرفتن", "پاک کردن این گفتگو"]
    today = ENGLISH.date(days.today())
    assert await wait_channel_note(driver) == [
        f"The Persian text of the letter was amended on {today}."
    ]


async def test_telegram_refusing_the_notice_is_one_log_line_and_the_message_still_answered(
    start_bot: BotStarter, driver: Driver, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await start_bot()
    jan = await new_supporter(driver, "Jan", "en")
    await sign(jan, "Anonymously", None, None)
    amend_english(settings)
    await start_bot()
    caplog.clear()
    await driver.faults(
        1, methods=["sendMessage"], status=400, description="Bad Request: message is too long"
    )
    [answer] = await said_after(jan, "/help")
    assert HELP in answer
    assert [r.getMessage() for r in caplog.records if r.name == "bot.handlers.amendments"] == [
        "The amended letter could not be shown: BadRequest"
    ]


async def test_changing_a_signature_records_the_letter_shown_this_time(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    kim = await new_supporter(driver, "Kim", "en")
    await sign(kim, "Anonymously", None, None)
    assert stored_letter(settings) == [("en", version_of_file(settings, "en"))]
    await kim.say("/letter sv")  # reads the Swedish text, then changes the signature
    await kim.say("/sign")
    await kim.press_and_wait("Change")
    await kim.press_and_wait("Anonymously")
    await kim.press_and_wait("Skip")
    await kim.press_and_wait("Confirm")
    assert stored_letter(settings) == [("sv", version_of_file(settings, "sv"))]


async def test_forget_lets_go_of_the_letter_a_person_read_last(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    ida = await new_supporter(driver, "Ida", "en")
    await ida.say("/letter de")  # held in memory: a signature now would be under German
    await ida.say("/forget")
    await ida.press_and_wait("Delete everything")
    await sign(ida, "Anonymously", None, None)
    assert stored_letter(settings) == [("en", version_of_file(settings, "en"))]


async def test_the_notices_withdraw_and_clear_work_in_the_middle_of_a_conversation(
    start_bot: BotStarter, driver: Driver, settings: Settings
) -> None:
    await start_bot()
    jin = await new_supporter(driver, "Jin", "en")
    await sign(jin, "Anonymously", None, None)
    kim = await new_supporter(driver, "Kim", "en")
    await sign(kim, "Anonymously", None, None)
    amend_english(settings)
    await start_bot()
    for person in (jin, kim):  # each told as they begin a message
        notice, *asked_for = await said_after(person, "/message", replies=3)
        assert notice.startswith(TOLD)
        assert asked_for[-1].startswith("Send one text")
    [offer] = await jin.press_and_wait("Clear this chat")
    assert offer["text"].startswith("Delete this conversation from the chat?")
    [kept] = await jin.press_and_wait("Keep it")
    assert kept["text"] == "Nothing was deleted."
    # Kept: the message she began goes on where it was.
    [step] = await jin.say("Solidarity from Jin")
    assert "Anonymously" in buttons(step)
    await jin.press_and_wait("Clear this chat")
    last = (await jin.bot_messages())[-1]["message_id"]
    await jin.press("Delete the conversation")
    [cleared] = await driver.wait_bot_messages(jin.id, last)
    assert cleared["text"].startswith("The conversation has been deleted.")
    [asked] = await kim.press_and_wait("Withdraw")
    assert asked["text"].startswith("Withdraw your signature? It is removed from the list")
    [done] = await kim.press_and_wait("Withdraw my signature")
    assert done["text"].startswith("Your signature has been withdrawn.")
    assert rows(settings, "SELECT COUNT(*) FROM signatures") == [(1,)]
    # Both left the message they had begun (the persistence writes within a second).

    async def left() -> bool:
        return rows(settings, "SELECT COUNT(*) FROM conversation_states") == [(0,)]

    await driver.wait_for(left, timeout=5, what="both conversations to end")
