"""Sharing the letter inside Telegram: the emulator's inline mode, and the bot's answers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from telegram import Bot, InlineQueryResultArticle, InputTextMessageContent
from telegram.error import BadRequest

from bot.config import Settings
from bot.context import BotApplication
from bot.domain.letter import Letter, LetterLibrary, visible_length
from bot.domain.people import LanguageChoices
from bot.i18n import LANGUAGES, LOCALES_DIR
from bot.operations import Check, check_setup
from bot.render.share import languages_for, preview
from bot.sandbox.driver import Driver, DriverError
from bot.sandbox.server import EmulatorServer
from bot.sandbox.telegram_html import parse_html
from tests.conftest import TOKEN, BotStarter
from tests.helpers.database import rows
from tests.helpers.fakes import FakePeople
from tests.helpers.people import buttons, letter_text, new_supporter

JSON = dict[str, Any]
LANGUAGES_FA_FIRST = ("fa", *(language for language in LANGUAGES if language != "fa"))


class Api:
    """Raw Bot API calls over HTTP, as any client would make them."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = f"{base}/bot{TOKEN}"

    async def __call__(self, method: str, **params: Any) -> tuple[int, JSON]:
        async with self.session.post(f"{self.base}/{method}", json=params) as response:
            return response.status, await response.json()

    async def refused(self, method: str, **params: Any) -> str:
        status, body = await self(method, **params)
        assert status == 400 and not body["ok"], body
        return str(body["description"])


@pytest.fixture
async def api(server: EmulatorServer) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, server.url)


@pytest.fixture
async def person(driver: Driver) -> JSON:
    return await driver.add_user("Dana", "en")


def article(result_id: str, text: str = "People of the world!", **extra: Any) -> JSON:
    return {
        "type": "article",
        "id": result_id,
        "title": "The letter",
        "input_message_content": {"message_text": text},
        **extra,
    }


# ------------------------------------------------- the results, without Telegram


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", LANGUAGES_FA_FIRST),
        ("letter", LANGUAGES_FA_FIRST),
        ("  نامه  ", LANGUAGES_FA_FIRST),
        ("FA", ("fa",)),
        ("ckb", ("ckb",)),
        ("kurdish", ("ckb",)),
        ("Deutsch", ("de",)),
        ("alemán", ("de",)),
        ("آلمانی", ("de",)),
        ("русский", ("ru",)),
        ("de fr", ("de", "fr")),
        ("no such language", LANGUAGES_FA_FIRST),
        ("de" + " x" * 100, ("de",)),
        ("x" * 70 + " de", LANGUAGES_FA_FIRST),  # past 64 characters nothing is read
    ],
)
def test_a_query_names_languages_by_code_or_by_any_of_their_names(
    query: str, expected: tuple[str, ...]
) -> None:
    assert languages_for(query, LANGUAGES, "fa") == expected


def test_the_preview_is_the_title_and_the_first_paragraph_escaped_within_4096() -> None:
    long = "Tom &amp; Jerry &lt;script&gt; " + "word " * 2_000  # as Telegram HTML
    letter = Letter("en", ("<i>A translation.</i>\n\n<b>Title &amp; more</b>\n\n" + long,))
    shown = preview(letter)
    assert shown.title == "Title & more"
    assert shown.message.startswith("<b>Title &amp; more</b>\n\nTom &amp; Jerry &lt;script&gt; ")
    assert shown.message.endswith("…")
    assert visible_length(shown.message) <= 4096
    assert len(shown.description) <= 160 and shown.description.endswith("…")
    assert preview(Letter("sv", ("Världens folk!",))).message == "<b>Världens folk!</b>"


async def test_a_language_choice_is_known_without_the_database_only_once_read() -> None:
    people = FakePeople()
    await people.choose_language("key", "de")
    choices = LanguageChoices(people)
    assert choices.known("key") is None  # not read yet: an inline query takes Telegram's
    assert await choices.stored("key") == "de"
    assert choices.known("key") == "de"


# ------------------------------------------------------------- the emulator


async def test_an_inline_query_reaches_the_bot_as_telegram_sends_it(
    api: Api, driver: Driver, person: JSON
) -> None:
    query_id = await driver.send_inline_query(person["id"], "fa", chat_type="group")
    _, body = await api("getUpdates")
    update = body["result"][-1]["inline_query"]
    assert update == {
        "id": query_id,
        "from": {"id": person["id"], "is_bot": False, "first_name": "Dana", "language_code": "en"},
        "query": "fa",
        "offset": "",
        "chat_type": "group",
    }


async def test_the_answer_is_kept_for_the_driver_with_its_cache_time_and_personal_flag(
    api: Api, driver: Driver, person: JSON
) -> None:
    query_id = await driver.send_inline_query(person["id"], "")
    assert (await driver.inline_answer(query_id))["answered"] is False
    status, body = await api(
        "answerInlineQuery",
        inline_query_id=query_id,
        results=[article("en")],
        cache_time=120,
        is_personal=True,
    )
    assert (status, body["result"]) == (200, True)
    answer = (await driver.inline_answer(query_id))["answer"]
    assert answer["cache_time"] == 120 and answer["is_personal"] is True
    assert [result["id"] for result in answer["results"]] == ["en"]


async def test_fifty_results_are_taken_and_fifty_one_refused(
    api: Api, driver: Driver, person: JSON
) -> None:
    first = await driver.send_inline_query(person["id"])
    results = [article(f"r{n}") for n in range(51)]
    refused = await api.refused("answerInlineQuery", inline_query_id=first, results=results)
    assert refused == "Bad Request: RESULTS_TOO_MUCH"
    status, _ = await api("answerInlineQuery", inline_query_id=first, results=results[:50])
    assert status == 200


@pytest.mark.parametrize(
    ("ids", "error"),
    [
        (["x" * 65], "RESULT_ID_INVALID"),
        (["ж" * 33], "RESULT_ID_INVALID"),  # 66 bytes in 33 characters
        ([""], "RESULT_ID_INVALID"),
        (["same", "same"], "RESULT_ID_DUPLICATE"),
    ],
)
async def test_result_ids_are_one_to_64_bytes_and_unique(
    api: Api, driver: Driver, person: JSON, ids: list[str], error: str
) -> None:
    query_id = await driver.send_inline_query(person["id"])
    results = [article(result_id) for result_id in ids]
    refused = await api.refused("answerInlineQuery", inline_query_id=query_id, results=results)
    assert refused == f"Bad Request: {error}"
    status, _ = await api(
        "answerInlineQuery", inline_query_id=query_id, results=[article("x" * 64)]
    )
    assert status == 200


async def test_a_query_is_answered_once_and_within_ten_seconds(
    api: Api, driver: Driver, person: JSON
) -> None:
    too_old = "Bad Request: query is too old and response timeout expired or query id is invalid"
    assert await api.refused("answerInlineQuery", inline_query_id="42", results=[]) == too_old
    once = await driver.send_inline_query(person["id"])
    status, _ = await api("answerInlineQuery", inline_query_id=once, results=[])
    assert status == 200
    assert await api.refused("answerInlineQuery", inline_query_id=once, results=[]) == too_old
    late = await driver.send_inline_query(person["id"])
    await driver.advance_clock(11)
    assert await api.refused("answerInlineQuery", inline_query_id=late, results=[]) == too_old


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"title": ""}, "RESULT_TITLE_EMPTY"),
        ({"input_message_content": {}}, "MESSAGE_EMPTY"),
        ({"input_message_content": {"message_text": "  "}}, "message text is empty"),
        ({"input_message_content": {"message_text": "x" * 4097}}, "message is too long"),
        (
            {"input_message_content": {"message_text": "<b>bold", "parse_mode": "HTML"}},
            "can't parse entities",
        ),
        ({"type": ""}, "RESULT_TYPE_INVALID"),
        ({"reply_markup": {"inline_keyboard": [[{"text": "Read"}]]}}, "can't parse inline"),
        (
            {"reply_markup": {"inline_keyboard": [[{"text": "Read", "url": "t.me/x"}]]}},
            "BUTTON_URL_INVALID",
        ),
    ],
)
async def test_an_article_needs_a_title_a_text_within_4096_characters_and_valid_buttons(
    api: Api, driver: Driver, person: JSON, change: JSON, error: str
) -> None:
    query_id = await driver.send_inline_query(person["id"])
    results = [{**article("en"), **change}]
    refused = await api.refused("answerInlineQuery", inline_query_id=query_id, results=results)
    assert refused.startswith(f"Bad Request: {error}")


async def test_4096_characters_are_counted_after_the_entities_are_parsed(
    api: Api, driver: Driver, person: JSON
) -> None:
    query_id = await driver.send_inline_query(person["id"])
    content = {"message_text": "<b>" + "y" * 4096 + "</b>", "parse_mode": "HTML"}
    link = {"text": "Read and sign", "url": "https://t.me/SolidarityTestBot?start=letter-en"}
    result = {**article("en"), "input_message_content": content}
    result["reply_markup"] = {"inline_keyboard": [[link]]}
    status, body = await api("answerInlineQuery", inline_query_id=query_id, results=[result])
    assert status == 200, body
    shown = (await driver.inline_answer(query_id))["answer"]["results"][0]
    assert shown["input_message_content"]["message_text"] == "y" * 4096
    assert shown["input_message_content"]["entities"] == [
        {"type": "bold", "offset": 0, "length": 4096}
    ]


async def test_ptb_answers_an_inline_query_with_articles(
    server: EmulatorServer, driver: Driver, person: JSON
) -> None:
    query_id = await driver.send_inline_query(person["id"], "de")
    async with Bot(TOKEN, base_url=f"{server.url}/bot") as ptb:
        result = InlineQueryResultArticle(
            "de", "Menschen der Welt!", InputTextMessageContent("<b>Menschen</b>", "HTML")
        )
        assert await ptb.answer_inline_query(query_id, [result], cache_time=60)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await ptb.answer_inline_query(query_id, [result])
    answer = (await driver.inline_answer(query_id))["answer"]
    assert answer["results"][0]["title"] == "Menschen der Welt!"


@pytest.mark.parametrize(
    ("chosen", "accepted"),
    [
        ({"query": "fa", "allow_user_chats": True}, True),
        ({"allow_group_chats": True, "allow_channel_chats": True}, True),
        ({"query": "fa"}, False),
        ({"query": "fa", "allow_user_chats": False}, False),
        ("fa", False),
    ],
)
async def test_a_share_button_must_allow_some_kind_of_chat(
    api: Api, person: JSON, chosen: Any, accepted: bool
) -> None:
    markup = {"inline_keyboard": [[{"text": "Share", "switch_inline_query_chosen_chat": chosen}]]}
    status, body = await api("sendMessage", chat_id=person["id"], text="x", reply_markup=markup)
    assert (status == 200) is accepted, body
    if accepted:
        assert body["result"]["reply_markup"] == markup


async def test_get_me_says_whether_inline_mode_is_on(
    api: Api, driver: Driver, person: JSON
) -> None:
    _, body = await api("getMe")
    assert body["result"]["supports_inline_queries"] is True  # the seeded world has it on
    await driver.set_inline_mode(False)
    _, body = await api("getMe")
    assert body["result"]["supports_inline_queries"] is False
    with pytest.raises(DriverError, match="inline mode is off"):
        await driver.send_inline_query(person["id"], "fa")


# ------------------------------------------------------------------ the bot


ALL_BUT_FA = [language for language in LANGUAGES if language != "fa"]


def everything_stored(settings: Settings) -> str:
    """Every row of every table of the bot's database, as one text."""
    tables = rows(settings, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return "\n".join(
        repr(row) for (table,) in tables for row in rows(settings, f"SELECT * FROM {table}")
    )


def ids(answer: JSON) -> list[str]:
    return [result["id"] for result in answer["results"]]


def read_and_sign(result: JSON) -> JSON:
    [[button]] = result["reply_markup"]["inline_keyboard"]
    return dict(button)


async def test_a_persian_speaker_is_offered_the_persian_letter_first_then_the_others(
    bot: BotApplication, driver: Driver
) -> None:
    sara = await new_supporter(driver, "Sara", "fa-IR")
    answer = await sara.inline_query("")
    assert ids(answer) == [f"letter-{language}" for language in ("fa", *ALL_BUT_FA)]
    assert answer["is_personal"] is True
    assert 60 <= answer["cache_time"] <= 600
    persian = answer["results"][0]
    assert persian["title"] == "مردم جهان!"
    assert persian["description"].startswith("ما همسایگان، دوستان")
    sent = persian["input_message_content"]
    assert sent["message_text"].startswith("مردم جهان!\n\nما همسایگان")
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": len("مردم جهان!")}]
    assert read_and_sign(persian) == {
        "text": "خواندن و امضای نامه",
        "url": "https://t.me/SolidarityTestBot?start=letter-fa",
    }
    german = answer["results"][ids(answer).index("letter-de")]
    assert read_and_sign(german)["text"] == "Lesen und unterschreiben"


async def test_the_stored_language_comes_first_once_the_bot_knows_the_person(
    bot: BotApplication, driver: Driver
) -> None:
    alex = await new_supporter(driver, "Alex", "en")
    await alex.say("/language")
    await alex.press_and_wait("Deutsch")
    answer = await alex.inline_query("letter")
    assert ids(answer)[:2] == ["letter-de", "letter-en"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("deutsch", ["de"]),
        ("German", ["de"]),
        ("fa", ["fa"]),
        ("فارسی", ["fa"]),
        ("letter", ["en", *[language for language in LANGUAGES if language != "en"]]),
        ("letter es", ["es"]),
    ],
)
async def test_a_query_narrows_the_languages(
    bot: BotApplication, driver: Driver, query: str, expected: list[str]
) -> None:
    alex = await new_supporter(driver, "Alex", "en")
    answer = await alex.inline_query(query)
    assert ids(answer) == [f"letter-{language}" for language in expected]
    assert answer["is_personal"] is (len(expected) > 1)


async def test_read_and_sign_opens_the_letter_in_that_language(
    bot: BotApplication, driver: Driver
) -> None:
    alex = await new_supporter(driver, "Alex", "en")
    [german] = (await alex.inline_query("deutsch"))["results"]
    link = read_and_sign(german)["url"]
    assert link == "https://t.me/SolidarityTestBot?start=letter-de"
    # The recipient follows the link: Telegram opens the bot and sends /start with its payload.
    kim = await new_supporter(driver, "Kim", "sv")
    letter = await kim.say("/start " + link.split("?start=", 1)[1])
    expected = LetterLibrary(LOCALES_DIR, LANGUAGES).get("de").parts
    assert letter_text(letter) == "\n\n".join(parse_html(part)[0] for part in expected)


async def test_a_huge_query_is_answered_and_never_logged(
    bot: BotApplication, driver: Driver, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # PTB's DEBUG lines show whole updates: never on in production
    alex = await new_supporter(driver, "Alex", "en")
    secret = "Evin prison, cell 209, " + "x" * 5_000
    answer = await alex.inline_query(secret)
    assert len(answer["results"]) == len(LANGUAGES)  # it names no language: all of them
    assert await alex.inline_query("deutsch " + "y" * 5_000)  # the words after are not read
    # Telegram refuses an answer (too late): one line says so, without what was typed.
    too_old = "Bad Request: query is too old and response timeout expired or query id is invalid"
    await driver.faults(1, methods=["answerInlineQuery"], status=400, description=too_old)
    await driver.send_inline_query(alex.id, secret)

    async def refused() -> bool:
        return any("not answered" in record.getMessage() for record in caplog.records)

    await driver.wait_for(refused, what="the refusal to be logged")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Evin" not in logged and "x" * 50 not in logged and "y" * 50 not in logged
    await bot.bot_data.database.flush()
    assert "Evin" not in everything_stored(settings)  # nor stored


async def test_an_inline_query_writes_nothing_to_the_database(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    alex = await new_supporter(driver, "Alex", "en")
    await alex.inline_query("fa")
    await bot.bot_data.database.flush()
    assert rows(settings, "SELECT * FROM seen_updates") == []


async def test_the_framework_keeps_no_empty_entry_for_a_sender_and_keeps_a_draft(
    bot: BotApplication, driver: Driver
) -> None:
    alex = await new_supporter(driver, "Alex", "en")
    await alex.inline_query("fa")  # the framework makes an entry for him, by his Telegram id
    bea = await new_supporter(driver, "Bea", "en")
    await bea.say("/sign")  # in the middle of signing: a draft, which must stay

    async def released() -> bool:
        return alex.id not in bot.user_data

    await driver.wait_for(released, timeout=5, what="the empty entry to be dropped")
    assert bot.user_data.get(bea.id)
    await bea.press_and_wait("Anonymously")  # the conversation goes on
    assert bot.user_data.get(bea.id)


# ------------------------------------------------------------ the Share button


def share(message: JSON) -> JSON:
    """The Share the letter button of a message (its label in any language)."""
    [found] = [
        button
        for row in message["reply_markup"]["inline_keyboard"]
        for button in row
        if "switch_inline_query_chosen_chat" in button or "t.me/share" in button.get("url", "")
    ]
    return dict(found)


async def test_after_signing_the_thanks_offer_to_share_and_the_link_to_copy(
    bot: BotApplication, driver: Driver
) -> None:
    sara = await new_supporter(driver, "Sara", "fa-IR")
    await sara.say("/sign")
    await sara.press_and_wait("به‌صورت ناشناس")
    await sara.press_and_wait("از این مرحله بگذرید")
    [thanks] = await sara.press_and_wait("تأیید")
    assert buttons(thanks) == ["اشتراک‌گذاری نامه", "پاک کردن این گفتگو"]
    assert share(thanks)["switch_inline_query_chosen_chat"] == {
        "query": "fa",
        "allow_user_chats": True,
        "allow_group_chats": True,
        "allow_channel_chats": True,
    }
    assert "https://t.me/SolidarityTestBot?start=letter-fa" in thanks["text"]
    # Pressed, Telegram opens the chat picker and types `@bot fa`: the Persian letter.
    answer = await sara.inline_query(share(thanks)["switch_inline_query_chosen_chat"]["query"])
    assert ids(answer) == ["letter-fa"]


async def test_under_the_letter_share_offers_the_letter_in_its_language(
    bot: BotApplication, driver: Driver
) -> None:
    alex = await new_supporter(driver, "Alex", "en")
    *_, last = await alex.say("/start letter-de")
    assert buttons(last)[:2] == ["Sign the letter", "Share the letter"]
    assert share(last)["switch_inline_query_chosen_chat"]["query"] == "de"
    *_, own = await alex.say("/letter")
    assert share(own)["switch_inline_query_chosen_chat"]["query"] == "en"


async def test_without_inline_mode_share_opens_telegrams_share_page_with_the_link(
    start_bot: BotStarter, driver: Driver
) -> None:
    await driver.set_inline_mode(False)  # the organiser skipped /setinline
    await start_bot()
    alex = await new_supporter(driver, "Alex", "en")
    *_, last = await alex.say("/letter")
    link = quote("https://t.me/SolidarityTestBot?start=letter-en", safe="")
    assert share(last) == {
        "text": "Share the letter",
        "url": f"https://t.me/share/url?url={link}",
    }


# ------------------------------------------------------------------ check


async def test_check_says_whether_inline_mode_is_on(settings: Settings, driver: Driver) -> None:
    *_, on = await check_setup(settings)
    assert on == Check(
        True, "Inline mode is on: @SolidarityTestBot in any chat offers the letter."
    )
    await driver.set_inline_mode(False)
    *_, off = await check_setup(settings)
    assert not off.ok
    assert off.line.startswith(
        "Inline mode is off: in @BotFather send /setinline, choose @SolidarityTestBot, give a "
        "placeholder such as “letter”, then restart the bot."
    )


async def test_the_bot_warns_at_start_when_inline_mode_is_off(
    start_bot: BotStarter, driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    await start_bot()
    assert not [r for r in caplog.records if "Inline mode" in r.getMessage()]
    await driver.set_inline_mode(False)
    await start_bot()
    [warning] = [r for r in caplog.records if "Inline mode" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert warning.getMessage().startswith("Set-up: Inline mode is off: in @BotFather")


# ---------------------------------------------------------- what the recipient sees


async def test_the_chosen_letter_reaches_a_group_and_its_button_opens_the_letter(
    bot: BotApplication, driver: Driver
) -> None:
    sara = await new_supporter(driver, "Sara", "fa-IR")
    kim = await new_supporter(driver, "Kim", "en")
    friends = await driver.add_chat("group", "Friends", bot_status="left")
    for person in (sara, kim):
        await driver.set_member(friends["id"], person.id, "member")
    query = await driver.inline_query(sara.id, "")
    shared = await driver.choose_inline_result(sara.id, query["id"], "letter-fa", friends["id"])
    [seen] = await driver.messages(friends["id"])
    assert seen["message_id"] == shared["message_id"]
    assert seen["from"]["id"] == sara.id and seen["via_bot"]["username"] == "SolidarityTestBot"
    assert seen["text"] == "مردم جهان!\n\nما همسایگان، دوستان، عشاق، همکاران و رفقای شما هستیم."
    assert seen["reply_markup"] == {
        "inline_keyboard": [
            [
                {
                    "text": "خواندن و امضای نامه",
                    "url": "https://t.me/SolidarityTestBot?start=letter-fa",
                }
            ]
        ]
    }
    # Kim presses it: Telegram opens the bot, and /start carries the link's payload.
    letter = await kim.say("/start letter-fa")
    assert letter[0]["text"].startswith("این یک ترجمه است")
    with pytest.raises(DriverError, match="no such result"):
        await driver.choose_inline_result(sara.id, query["id"], "letter-xx", friends["id"])
