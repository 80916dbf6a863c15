"""Ten languages: complete catalogs, letters that fit, negotiation, and the picker at work."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.context import BotApplication
from bot.domain.letter import LetterLibrary
from bot.i18n import LANGUAGES, LOCALES_DIR, I18n, negotiate
from bot.sandbox.driver import Driver
from bot.sandbox.telegram_html import parse_html, utf16_length
from tests.conftest import BotStarter
from tests.helpers.people import buttons, letter_text, new_supporter

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [language for language in LANGUAGES if language != "en"]
GERMAN_MENU = [
    "Brief unterschreiben", "Nachricht senden", "Brief lesen", "In einer anderen Sprache lesen",
    "Sprache",
]  # fmt: skip
GERMAN_LETTER_MENU = [GERMAN_MENU[0], "Brief teilen", *GERMAN_MENU[1:]]  # Share, under the letter
KEYWORDS = {"N_": None, "gettext": None, "ngettext": (1, 2)}
SIGNATORIES = [
    "Maryam Namazie", "Mina Ahadi", "Fariborz Pooya", "Bahram Soroush", "Mahin Alipour",
    "Afsaneh Vahdat", "Abe Asadi", "Farshad Husseini", "Farideh Arman",
    "Karim Shahmohammadi", "Fereshteh Moradi",
]  # fmt: skip


def catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "bot.po").open("rb") as source:
        return read_po(source, locale=language)


def template() -> Catalog:
    with (LOCALES_DIR / "bot.pot").open("rb") as source:
        return read_po(source)


def ids(messages: Catalog) -> set[str]:
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in messages
        if message.id
    }


# ------------------------------------------------------------------- catalogs


def test_the_template_holds_every_string_in_the_code() -> None:
    extracted = {
        message if isinstance(message, str) else message[0]
        for _, _, message, *_ in extract_from_dir(ROOT / "bot", keywords=KEYWORDS)
    }
    assert extracted == ids(template()), "run pybabel extract (see README.md, Translating)"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_is_complete_and_escapes_what_is_not_a_tag(language: str) -> None:
    """Placeholders and tags kept: tests/test_catalogs.py (a form may say its number in words)."""
    messages = catalog(language)
    assert ids(messages) == ids(template()), "run pybabel update (see README.md)"
    for message in messages:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        assert translations and all(translations), f"untranslated: {message.id!r}"
        for translation in translations:
            assert not re.search(
                r"[<>]|&(?!amp;|lt;|gt;)", re.sub(r"</?[a-z][^>]*>", "", translation)
            )
        assert not list(messages.check()), language


def test_every_catalog_compiles() -> None:
    i18n = I18n("en")
    for language in LANGUAGES:
        t = i18n.get(language)
        assert t.language == language
        if language != "en":
            assert t.gettext("Read the letter") != "Read the letter", language


# -------------------------------------------------------------------- letters


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_letter_is_telegram_html_that_fits_and_keeps_the_names(language: str) -> None:
    letter = LetterLibrary(LOCALES_DIR, LANGUAGES).get(language)
    whole = ""
    for part in letter.parts:
        text, _ = parse_html(part)
        assert 0 < utf16_length(text.strip()) <= 4096
        whole += text
    for name in SIGNATORIES:
        assert name in whole, (language, name)
    if language != "en":
        first_line = (LOCALES_DIR / language / "letter.html").read_text(encoding="utf-8")
        assert re.fullmatch(r"<i>[^<]+</i>", first_line.splitlines()[0]), language


# ---------------------------------------------------------------- negotiation


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fa", "fa"),
        ("fa-IR", "fa"),
        ("fa_IR", "fa"),
        ("de-AT", "de"),
        ("DE-ch", "de"),
        ("ckb", "ckb"),
        ("ckb-IQ", "ckb"),
        ("ar-EG", "ar"),
        ("sv-FI", "sv"),
        ("pt-BR", None),
        ("zh-Hans", None),
        ("ku", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_language_codes_map_to_ours(code: str | None, expected: str | None) -> None:
    assert negotiate(code) == expected


def test_the_stored_choice_beats_telegram_which_beats_the_default() -> None:
    i18n = I18n("es")
    assert i18n.resolve("de", "fa-IR") == "de"
    assert i18n.resolve(None, "fa-IR") == "fa"
    assert i18n.resolve(None, "pt-BR") == "es"
    assert i18n.resolve(None, None) == "es"
    assert i18n.resolve("xx", "ru") == "ru"


def test_numbers_and_dates_follow_the_locale() -> None:
    i18n = I18n("en")
    assert i18n.get("fa").number(1234567) == "۱٬۲۳۴٬۵۶۷"
    assert i18n.get("ckb").number(2500) == "٢٬٥٠٠"
    assert i18n.get("de").number(1234567) == "1.234.567"
    assert i18n.get("en").number(1234567) == "1,234,567"
    assert i18n.get("de").date(dt.date(2026, 11, 25)) == "25. November 2026"
    assert i18n.get("ar").date(dt.date(2026, 11, 25)) == "25 نوفمبر 2026"


def test_persian_dates_are_solar_hijri_with_persian_months_and_digits() -> None:
    persian = I18n("en").get("fa")
    assert persian.date(dt.date(2026, 11, 25)) == "۴ آذر ۱۴۰۵"
    assert persian.date(dt.date(2026, 12, 2)) == "۱۱ آذر ۱۴۰۵"
    # Nowruz: the year turns at the March equinox.
    assert persian.date(dt.date(2026, 3, 20)) == "۲۹ اسفند ۱۴۰۴"
    assert persian.date(dt.date(2026, 3, 21)) == "۱ فروردین ۱۴۰۵"
    # A card's stamp: the day in UTC (here still the 20th), then the clock.
    stamp = persian.datetime(
        dt.datetime(2026, 3, 21, 1, 5, tzinfo=dt.timezone(dt.timedelta(hours=3, minutes=30)))
    )
    assert stamp.startswith("۲۹ اسفند ۱۴۰۴") and "۲۱:۳۵" in stamp and stamp.endswith("UTC")
    assert not re.search(r"[0-9]|دسامبر|مارس", stamp)


@pytest.mark.parametrize(
    ("language", "quoted"),
    [
        ("en", "“Azadi”"),
        ("de", "„Azadi“"),
        ("fr", "«\u202fAzadi\u202f»"),
        ("es", "«Azadi»"),
        ("ru", "«Azadi»"),
        ("sv", "”Azadi”"),
        ("tr", "“Azadi”"),
        ("fa", "«Azadi»"),
        ("ar", "«Azadi»"),
        ("ckb", "«Azadi»"),
    ],
)
def test_words_are_quoted_as_each_language_quotes(language: str, quoted: str) -> None:
    assert I18n("en").get(language).quote("Azadi") == quoted


def test_plurals_follow_each_language() -> None:
    i18n = I18n("en")
    msgid = "The letter is available in {count} language. Choose one:"
    plural = "The letter is available in {count} languages. Choose one:"
    russian = i18n.get("ru")
    # Russian takes the singular form for 21 ("на 21 языке"), unlike English.
    assert russian.ngettext(msgid, plural, 21) == russian.ngettext(msgid, plural, 1)
    assert russian.ngettext(msgid, plural, 3) != russian.ngettext(msgid, plural, 1)
    english = i18n.get("en")
    assert english.ngettext(msgid, plural, 21) == plural
    assert english.ngettext(msgid, plural, 1) == msgid


# -------------------------------------------------------------- through Telegram


async def test_a_persian_telegram_user_gets_the_persian_menu_and_letter(
    bot: BotApplication, driver: Driver
) -> None:
    sara = await new_supporter(driver, "Sara", "fa-IR")
    greeting, *letter = await sara.say("/start", replies=2)
    assert "«مردم جهان!»" in greeting["text"]
    expected = [parse_html(p)[0] for p in LetterLibrary(LOCALES_DIR, LANGUAGES).get("fa").parts]
    assert [m["text"] for m in letter] == expected
    assert buttons(letter[-1]) == [
        "امضای نامه", "اشتراک‌گذاری نامه", "ارسال پیام", "خواندن نامه", "خواندن به زبانی دیگر",
        "زبان",
    ]  # fmt: skip
    [picker] = await sara.press_and_wait("خواندن به زبانی دیگر")
    assert "۱۰" in picker["text"] and "10" not in picker["text"]


async def test_switching_to_german_applies_at_once_and_survives_a_restart(
    start_bot: BotStarter, driver: Driver
) -> None:
    await start_bot()
    sara = await new_supporter(driver, "Sara", "fa-IR")
    await sara.say("/start", replies=2)
    [picker] = await sara.press_and_wait("زبان")
    assert "✓ فارسی" in buttons(picker) and "Deutsch" in buttons(picker)
    [menu] = await sara.press_and_wait("Deutsch")
    assert menu["text"] == "Der Bot spricht jetzt Deutsch."
    assert buttons(menu) == GERMAN_MENU
    [help_text] = await sara.say("/help")
    assert "/letter — " in help_text["text"] and "Brief" in help_text["text"]

    await start_bot()  # a new Application on the same database
    greeting, *letter = await sara.say("/start", replies=2)
    assert "„Menschen der Welt!“" in greeting["text"]
    assert letter[0]["text"].startswith("Dies ist eine Übersetzung")
    assert buttons(letter[-1]) == GERMAN_LETTER_MENU


async def test_deep_link_opens_the_letter_in_spanish(bot: BotApplication, driver: Driver) -> None:
    alex = await new_supporter(driver, "Alex", "en")
    letter = await alex.say("/start letter-es")
    expected = [parse_html(p)[0] for p in LetterLibrary(LOCALES_DIR, LANGUAGES).get("es").parts]
    assert letter_text(letter) == "\n\n".join(expected)
    assert "¡Pueblos del mundo!" in letter[0]["text"]
    assert buttons(letter[-1]) == [
        "Sign the letter", "Share the letter", "Send a message", "Read the letter",
        "Read in another language", "Language",
    ]  # fmt: skip


async def test_commands_are_registered_in_each_language(
    bot: BotApplication, driver: Driver
) -> None:
    registered = {
        entry["language_code"]: {c["command"]: c["description"] for c in entry["commands"]}
        for entry in (await driver.state())["commands"]
        if entry["scope"] == "all_private_chats"
    }
    assert set(registered) == {"", *(lang for lang in LANGUAGES if len(lang) == 2)}
    assert registered[""]["letter"] == "Read the open letter"
    assert registered["de"]["letter"] != registered["en"]["letter"]
    assert list(registered["fa"]) == [
        "start", "letter", "sign", "withdraw", "message", "language", "mydata", "forget", "clear",
        "safety", "cancel", "help",
    ]  # fmt: skip
