"""A reader's review of tr, fr, es, sv, ru and de (issue 17, Translations): what a person reads."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.decisions import AuditEntry
from bot.i18n import LOCALES_DIR, I18n
from bot.render import cards
from bot.render.words import DECISION_WORDS
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from tests.helpers.people import buttons, new_supporter
from tests.test_i18n import catalog
from tests.test_moderation import (
    JONAS,
    MINA,
    card_for,
    edited,
    fast,  # noqa: F401  (a fixture)
    press,
    send_text_message,
)
from tests.test_moderation_integrity import keys, text_of, until

DECEMBER_2 = 1_796_172_600  # 2 December 2026, 00:50 UTC

# Every label the code puts on a button (bot/handlers, bot/render), by its msgid.
BUTTON_LABELS = [
    "Sign the letter", "Send a message", "Read the letter", "Read in another language",
    "Language", "Cancel", "Skip", "As in my signature", "With a name", "With my name",
    "First name and initial", "Anonymously", "Send", "Change", "Confirm", "Withdraw",
    "Keep the first one", "Send something else", "Keep it as it is", "Write it again",
    "Clear this chat", "Delete everything", "Delete the conversation", "Keep it",
    "Withdraw my message", "Withdraw my signature", "Withdraw this message", "Approve",
    "Reject", "Ban author", "Ban: {reason}", "Back", "Undo", "Unban the author", "Approve all",
    "Undo these approvals", "Share the letter", "Read and sign", "Keep my signature",
]  # fmt: skip


# ------------------------------------------------------------------ Turkish buttons


def test_turkish_buttons_are_all_in_the_short_imperative() -> None:
    """“Onayla”, “Gönder”, “İmzamı geri çek”: never the polite “Onaylayın”, never “Onaylıyorum”."""
    strings = {message.id: message.string for message in catalog("tr") if message.id}
    for label in BUTTON_LABELS:
        verb = strings[label].replace(": {reason}", "").split()[-1]
        assert not re.search(r"(y[ıiuü]n|[ıiuü]n|yorum)$", verb), (label, strings[label])


async def test_a_turkish_supporter_signs_with_short_imperative_buttons(
    bot: BotApplication, driver: Driver
) -> None:
    ayse = await new_supporter(driver, "Ayşe", "tr")
    *_, letter = await ayse.say("/start", replies=2)
    assert buttons(letter) == [
        "Mektubu imzala", "Mektubu paylaş", "Mesaj gönder", "Mektubu oku", "Başka bir dilde oku",
        "Dil",
    ]  # fmt: skip
    *_, how = await ayse.press_and_wait("Mektubu imzala")
    assert buttons(how) == ["Adımla", "Ad ve soyadın baş harfi", "Anonim olarak", "İptal"]
    [country] = await ayse.press_and_wait("Anonim olarak")
    assert "Atla" in buttons(country)
    *_, confirm = await ayse.press_and_wait("Atla")
    assert buttons(confirm) == ["Onayla", "Değiştir", "İptal"]


# ------------------------------------------------- a decision slotted into a sentence


def decision_lines(language: str) -> list[str]:
    t = I18n("en").get(language)
    lines = [cards.decision_line(t, d, "@mina", DECEMBER_2) for d in DECISION_WORDS]
    lines += [cards.already(t, AuditEntry(d, None, "@mina", DECEMBER_2)) for d in DECISION_WORDS]
    return lines


def test_french_decision_lines_are_grammatical_for_every_decision() -> None:
    when = "le 2 décembre 2026, 00:50 UTC"
    assert decision_lines("fr")[:5] == [
        f"approuvé par @mina {when}",
        f"rejeté par @mina {when}",
        f"rejeté, et l’auteur banni, par @mina {when}",
        f"bannissement de l’auteur levé par @mina {when}",
        f"décision annulée par @mina {when}",
    ]
    already = "Décision déjà prise\u202f: approuvé par @mina le 2 décembre 2026."
    assert decision_lines("fr")[5] == already


def test_french_high_punctuation_is_set_off_by_a_narrow_no_break_space() -> None:
    """« : ; ! ? » take a narrow no-break space before them, as the catalog sets them, never a
    plain or a wide no-break space (which a line may break at, or which gapes)."""
    wrong = [
        (message.id, hit.group(0))
        for message in catalog("fr")
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        for hit in re.finditer(r"\w[ \u00a0][:;!?»]", text)
    ]
    assert wrong == []


def test_german_decision_lines_are_stamps_for_every_decision() -> None:
    assert decision_lines("de")[3:5] == [
        "Sperre der Person aufgehoben von @mina am 2. Dezember 2026, 00:50 UTC",
        "Entscheidung rückgängig gemacht von @mina am 2. Dezember 2026, 00:50 UTC",
    ]


def test_a_russian_date_is_not_followed_by_a_second_full_stop() -> None:
    for line in decision_lines("ru"):
        assert "г.." not in line, line
    assert decision_lines("ru")[5] == (
        "Решение уже принято: одобрено модератором @mina (2 декабря 2026\u202fг.)."
    )


@pytest.fixture
async def french_desk(fast: Settings) -> AsyncIterator[BotApplication]:  # noqa: F811
    application = build_application(replace(fast, moderator_language="fr"))
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def test_french_moderators_read_an_unban_stamp_as_french(
    french_desk: BotApplication, driver: Driver
) -> None:
    troll = await new_supporter(driver, "Troll", "en")
    await send_text_message(troll, "spam spam")
    card = await card_for(driver, "#M1")
    await press(driver, MINA, card, "Bannir l’auteur")
    card = await edited(driver, card)
    await press(driver, MINA, card, "Bannir\u202f: Spam")
    card = await until(driver, card, "l’auteur banni")
    assert "rejeté, et l’auteur banni, par @mina_mod le " in text_of(card)
    assert keys(card) == ["Lever le bannissement"]
    await press(driver, JONAS, card, "Lever le bannissement")
    card = await until(driver, card, "bannissement de l’auteur levé par @jonas_mod le ")
    assert "Demande" not in text_of(card)


# ------------------------------------------------------------- one variety of Spanish


def test_spanish_is_european_spanish_in_the_letter_and_the_interface() -> None:
    letter = (LOCALES_DIR / "es" / "letter.html").read_text(encoding="utf-8")
    assert "Nos conocéis." in letter
    interface = [m.string for m in catalog("es") if m.id and isinstance(m.string, str)]
    assert [s for s in interface if re.search(r"\bvideo\b", s)] == []
    assert I18n("en").get("es").gettext("video") == "vídeo"


# ----------------------------------------------------------------------- the letters


@pytest.mark.parametrize(
    ("language", "unwanted", "wanted"),
    [
        ("sv", "Vi behöver att ni stöder den", "Vi behöver ert fulla stöd för den."),
        ("sv", "Träd fram", "Gå ut offentligt och fördöm regimen"),
        ("tr", "uzun zamandır", "devrimimiz – hazırlandığımız ve beklediğimiz devrim –"),
        ("ru", "в прежней Южной Африке", "в бывшей Южной Африке"),
        ("es", "(Nuevo Canal)", "New Channel, que emite las 24 horas"),
    ],
)
def test_a_letter_says_what_the_english_says_as_its_writers_would(
    language: str, unwanted: str, wanted: str
) -> None:
    letter = (LOCALES_DIR / language / "letter.html").read_text(encoding="utf-8")
    assert unwanted not in letter
    assert wanted in letter
