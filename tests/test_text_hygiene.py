"""What a typed name, a message's text and an export's cell may hold: the domain's rules, fast."""

from __future__ import annotations

import pytest

from bot.domain.messages import visible_text
from bot.domain.names import NameProblem, NameRejected, clean_name
from bot.domain.reports import spreadsheet_cell

ZWNJ, ZWJ = "\u200c", "\u200d"


@pytest.mark.parametrize(
    "name",
    [
        "Maryam Namazie",
        f"مهرناز{ZWNJ}ها",  # Persian: ZWNJ between the letters of a word
        f"حسین{ZWNJ}زاده",
        "Hêvîn Kurdî",
        "José Muñoz Jürgen Öztürk",
        "Nguyễn Thị Minh Khai",  # Vietnamese: two marks on one letter
        "नरेंद्र मोदी",  # Devanagari
        f"क्{ZWJ}ष",  # a ZWJ after a virama
        "བསྒྲུབས",  # Tibetan: three marks stacked
        "עִבְרִית",  # Hebrew with its points
        "山田たろう",  # Han with Hiragana
        "Taro山田",  # and with Latin: "highly restrictive" allows it
        "金민준",  # Han with Hangul
        "王小明ㄅ",  # Han with Bopomofo
        "O'Brien-Smith",  # hyphens and apostrophes belong to every script
        "Jean-Пьер",  # two words, each in one alphabet
        "Ivan Петров",
        "Ελένη Papadaki",
        "Sara \u2764\ufe0f",  # the emoji presentation selector after an emoji
        f"Sara 👩🏽{ZWJ}💻",  # an emoji ZWJ sequence
    ],
)
def test_real_names_are_kept_as_typed(name: str) -> None:
    assert clean_name(name) == name


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("\u2800\u2800\u2800", NameProblem.INVISIBLE),  # the Braille blank
        ("Bob\ufe0f", NameProblem.INVISIBLE),  # an emoji selector on a letter
        ("Bo\u034fb", NameProblem.INVISIBLE),  # the combining grapheme joiner
        ("Bo\u17b4b", NameProblem.INVISIBLE),  # a Khmer inherent vowel, drawn as nothing
        ("\u3164Bob", NameProblem.INVISIBLE),  # the Hangul filler
        ("\u00adBob", NameProblem.INVISIBLE),  # a soft hyphen
        (f"{ZWNJ}Bob", NameProblem.INVISIBLE),  # a joiner that joins nothing
        (f"Bob{ZWNJ} Marley", NameProblem.INVISIBLE),
        (f"Bob {ZWJ}", NameProblem.INVISIBLE),
        ("Z" + "\u0300\u0301\u0302\u0303\u0304" + "oe", NameProblem.MARKS),  # five on one
        ("Zo" + "".join(chr(0x0300 + n) for n in range(40)), NameProblem.MARKS),
        ("Zoe\u0301\u0301", NameProblem.MARKS),  # the same mark twice
        ("Pаypal", NameProblem.MIXED_SCRIPTS),  # a Cyrillic а among Latin letters
        ("Маrуam Smith", NameProblem.MIXED_SCRIPTS),  # Latin a and y among Cyrillic
        ("Αlex", NameProblem.MIXED_SCRIPTS),  # a Greek capital alpha
        ("علیAli", NameProblem.MIXED_SCRIPTS),
    ],
)
def test_disguised_names_are_refused_with_the_reason(typed: str, problem: NameProblem) -> None:
    with pytest.raises(NameRejected) as refused:
        clean_name(typed)
    assert refused.value.problem is problem


def test_texts_lose_what_hides_or_reorders_them_and_keep_the_rest() -> None:
    typed = (
        "Free\u202eme\u202c \u2066them\u2069 now\u200b\u2060\ufeff!\u0007\u001b[31m\r"
        "\nline two\tend \u200cنامه\u200cها \u200fRTL\u200e 👩\u200d💻"
    )
    assert visible_text(typed) == (
        "Freeme them now![31m\nline two\tend \u200cنامه\u200cها \u200fRTL\u200e 👩\u200d💻"
    )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://example.org","x")', '\'=HYPERLINK("https://example.org","x")'),
        ("+SUM(1;2) Bob", "'+SUM(1;2) Bob"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("Bob = 1", "Bob = 1"),
        ("A supporter, Sweden", "A supporter, Sweden"),
        ("", ""),
    ],
)
def test_export_cells_never_start_a_formula(value: str, cell: str) -> None:
    assert spreadsheet_cell(value) == cell
