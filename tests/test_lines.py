"""How a signer is listed: the initial of a family name, and the published line in every
language, as the preview, the channel's posts and its digests show it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.buttons import MessageChoice, MessageStep, PickCountry, SignChoice, SigningStep
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.countries import country_name
from bot.domain.decisions import Moderator
from bot.domain.names import first_name_and_initial
from bot.domain.signatures import Listing
from bot.i18n import LANGUAGES, I18n
from bot.render.lines import published_line
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID
from tests.helpers.database import rows
from tests.helpers.people import JSON, new_supporter
from tests.test_sign import sign

I18N = I18n("en")

# ------------------------------------------------------------------ the initial


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("هدى الكعبي", "هدى ك."),
        ("محمد الشامي", "محمد ش."),
        ("Hoda Al-Kaabi", "Hoda K."),
        ("Hoda al-Kaabi", "Hoda K."),
        ("Ahmed El-Sayed", "Ahmed S."),
        ("Omar ash-Shami", "Omar S."),
        ("Nour ad-Din", "Nour D."),
        ("Hoda Al Kaabi", "Hoda K."),  # the article as a word of its own
        # Family names of two words, "servant of" or "father of": their first word's letter.
        ("محمد عبد الرحمن", "محمد ع."),
        ("هدى أبو زيد", "هدى أ."),
        ("Ahmed Abd al-Rahman", "Ahmed A."),
        ("Hoda Abu Zeid", "Hoda A."),
        # Names that only begin with the letters: Persian, with no article in them.
        ("مهسا الهامی", "مهسا ا."),
        ("سارا الوندی", "سارا ا."),
        ("Sara Alvandi", "Sara A."),
        ("Ali Elahi", "Ali E."),
        ("Anna Al-", "Anna A."),  # nothing after the hyphen: the letter as typed
        ("مریم نمازی", "مریم ن."),
        ("Maryam Namazie", "Maryam N."),
        ("Jean-Luc Picard", "Jean-Luc P."),
        ("Maryam", "Maryam"),
    ],
)
def test_an_initial_is_the_first_letter_after_the_arabic_article(typed: str, shown: str) -> None:
    assert first_name_and_initial(typed) == shown


# --------------------------------------------------------------------- the line

COUNTRIES = ("GB", "US", "NL", "IR")
# Phrases that put a country into a sentence, and so need its article or case: each is wrong
# for some of these countries ("from United Kingdom", "aus Niederlande", "de Royaume-Uni",
# "из Великобритания", "Birleşik Krallık'dan" for -tan, "من المملكة"…).
UNGRAMMATICAL = {
    "en": r"\bfrom\b",
    "de": r"\b(aus|von)\b",
    "fr": r"\b(de|du|des|d’|d')\b",
    "es": r"\b(de|del)\b",
    "sv": r"\bfrån\b",
    "ru": r"\b(из|от)\b",
    "tr": r"['’](dan|den|tan|ten)\b",
    "fa": r"(^|\s)از\s",
    "ar": r"(^|\s)من\s",
    "ckb": r"(^|\s)لە\s",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", COUNTRIES)
@pytest.mark.parametrize(
    ("listing", "name"), [(Listing.ANONYMOUS, None), (Listing.NAME, "Sara Rahimi")]
)
def test_the_line_is_a_name_and_a_country_each_as_it_stands_alone(
    language: str, code: str, listing: Listing, name: str | None
) -> None:
    t = I18N.get(language)
    line = published_line(listing, name, code, t)
    label = name or t.gettext("A supporter")
    country = country_name(code, language)  # the nominative, as CLDR names it
    assert line.startswith(label) and line.endswith(country), line
    # Between the two, a list's comma and nothing else ("، " in Arabic script).
    assert line[len(label) : -len(country)] in (", ", "، "), line
    assert not re.search(UNGRAMMATICAL[language], line), line


def test_the_english_line_names_the_country_as_a_list_does() -> None:
    t = I18N.get("en")
    lines = [published_line(Listing.ANONYMOUS, None, code, t) for code in COUNTRIES]
    assert lines == [
        "A supporter, United Kingdom",
        "A supporter, United States",
        "A supporter, Netherlands",
        "A supporter, Iran",
    ]
    german = published_line(Listing.ANONYMOUS, None, "GB", I18N.get("de"))
    assert german == "Eine unterstützende Person, Vereinigtes Königreich"
    assert published_line(Listing.ANONYMOUS, None, None, t) == "A supporter"


# -------------------------------------------------------------- through Telegram


@pytest.fixture
async def digesting(settings: Settings) -> AsyncIterator[BotApplication]:
    """Approved signatures go to the channel as a digest within a second."""
    fast = replace(
        settings, card_interval=0.2, counter_interval=0.5, signature_digest_interval=0.5
    )
    application = build_application(fast)
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def test_the_channel_lists_hoda_k_and_a_supporter_in_the_united_kingdom(
    digesting: BotApplication, driver: Driver, settings: Settings
) -> None:
    hoda = await new_supporter(driver, "Hoda", "en")
    confirmation, _ = await sign(hoda, "First name and initial", "هدى الكعبي", "Iran")
    assert "\n\nهدى ك., Iran\n\n" in confirmation["text"]
    sam = await new_supporter(driver, "Sam", "en")
    confirmation, _ = await sign(sam, "Anonymously", None, "United Kingdom")
    assert "\n\nA supporter, United Kingdom\n\n" in confirmation["text"]
    moderation = digesting.bot_data.services.moderation
    for [signature_id] in rows(settings, "SELECT id FROM signatures ORDER BY id"):
        outcome = await moderation.decide_signature(
            int(str(signature_id)), True, Moderator(1, "@mina")
        )
        assert outcome.decided

    async def digest() -> list[JSON]:
        posts = await driver.bot_messages(CHANNEL_ID)
        return [post for post in posts if "New signatures" in post.get("text", "")]

    [post] = await driver.wait_for(digest, what="the channel digest")
    assert post["text"] == (
        "New signatures under the open letter:\n\n• هدى ك., Iran\n\n• A supporter, United Kingdom"
    )
    assert rows(settings, "SELECT name FROM signatures ORDER BY id") == [("هدى ك.",), (None,)]


async def test_the_preview_says_the_line_is_in_the_channels_language(
    bot: BotApplication, driver: Driver
) -> None:
    lena = await new_supporter(driver, "Lena", "de")  # the channel is in English
    await lena.say("/sign")
    await lena.press_and_wait(data=SigningStep(SignChoice.ANONYMOUS).pack())
    [confirmation] = await lena.press_and_wait(data=PickCountry("NL").pack())
    assert confirmation["text"].startswith(
        "Diese Zeile kann veröffentlicht werden. Sie steht in der Sprache des Kanals "
        "(Englisch):\n\nA supporter, Netherlands\n\n"
    )
    await lena.press_and_wait(data=SigningStep(SignChoice.CONFIRM).pack())
    await lena.say("/message", replies=2)
    await lena.say("Solidarität")
    [question] = await lena.press_and_wait(data=MessageStep(MessageChoice.ANONYMOUS).pack())
    await lena.press(data=MessageStep(MessageChoice.SKIP).pack())
    # The intro takes the pressed question's place; the preview follows it.
    intro, preview = await driver.wait_bot_messages(lena.id, question["message_id"] - 1, 2)
    assert intro["text"] == (
        "Genau so würde deine Nachricht veröffentlicht. Die Zeile darunter steht in der "
        "Sprache des Kanals (Englisch):"
    )
    assert preview["text"] == "Solidarität\n\n— A supporter"
