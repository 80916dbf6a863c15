"""How a signer is listed: validating typed names, shortening to first name and initial.

A name is published under the letter and shown to the moderators, so it must read as what it
is. Besides length, links and @usernames, a name is refused when it hides characters (format
characters, blanks that look like letters, emoji selectors on letters), when it stacks marks on
a letter, or when one word mixes alphabets the way look-alike spoofs do (UTS #39's "highly
restrictive" level, word by word). Script data comes from fontTools (Unicode's
Script_Extensions); the Default_Ignorable and emoji properties from the `regex` module.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import lru_cache

import regex
from fontTools.unicodedata import script_extension

MIN_LENGTH = 2
MAX_LENGTH = 64  # UTF-16 code units, as Telegram counts: the cards that show a name must fit
# Persian, Kurdish and Arabic names need these two (حسین‌زاده), inside a word; emoji join with
# ZWJ. Every other format character is invisible and can spoof a name: zero-width space,
# bidi overrides and isolates, byte-order mark, left-to-right and right-to-left marks.
ZWNJ, ZWJ = "\u200c", "\u200d"
ALLOWED_FORMAT = {ZWNJ, ZWJ}
# The emoji presentation selector, allowed only right after an emoji (❤️).
EMOJI_STYLE = "\ufe0f"
# Default_Ignorable_Code_Point: drawn as nothing (U+034F, U+17B4, U+FE0F, the Hangul fillers
# …); U+2800, the Braille blank, is drawn as an empty cell.
_IGNORABLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\u2800]")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}")
_EMOJI_BEFORE_ZWJ = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f]")
# UTS #39, 5.4: more than 4 nonspacing marks in a row, or the same one twice, is suspicious.
MAX_MARKS = 4
# A word is a run of letters and marks (joiners included); anything else (spaces, hyphens,
# apostrophes, digits) separates words, so "Jean-Пьер" is two words, each in one alphabet.
_WORD = regex.compile(r"[\p{L}\p{M}\u200c\u200d]+")
# UTS #39, "highly restrictive": one script, or Latin with the scripts written together in
# Japan, China and Korea.
COMMON = {"Zyyy", "Zinh"}
ALLOWED_MIXES = (
    frozenset({"Latn", "Hani", "Hira", "Kana"}),
    frozenset({"Latn", "Hani", "Bopo"}),
    frozenset({"Latn", "Hani", "Hang"}),
)
_LINK = re.compile(
    r"(?i)(\b[a-z][a-z0-9+.-]*://|\bwww\.|\bt\.me/|\b[a-z0-9-]+\.(com|org|net|info|io|me|ir|ru|de|uk|co|xyz|app|link|ly)\b)"
)
_MENTION = re.compile(r"@\w{2,}")


class NameProblem(Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    LINK = "link"
    MENTION = "mention"
    INVISIBLE = "invisible"
    CONTROL = "control"
    NO_LETTERS = "no_letters"
    MARKS = "marks"
    MIXED_SCRIPTS = "mixed_scripts"


class NameRejected(ValueError):
    def __init__(self, problem: NameProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def clean_name(typed: str) -> str:
    """Return the name as it will be shown, or raise NameRejected with the first problem."""
    name = unicodedata.normalize("NFC", typed)
    for index, char in enumerate(name):
        category = unicodedata.category(char)
        if char in "\n\r\t" or category in ("Cc", "Zl", "Zp"):
            raise NameRejected(NameProblem.CONTROL)
        if not _visible_here(name, index, category):
            raise NameRejected(NameProblem.INVISIBLE)
    name = " ".join(name.split())
    if len(name) < MIN_LENGTH:
        raise NameRejected(NameProblem.TOO_SHORT)
    if len(name.encode("utf-16-le")) // 2 > MAX_LENGTH:
        raise NameRejected(NameProblem.TOO_LONG)
    if _LINK.search(name):
        raise NameRejected(NameProblem.LINK)
    if _MENTION.search(name):
        raise NameRejected(NameProblem.MENTION)
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise NameRejected(NameProblem.NO_LETTERS)
    if _stacked_marks(name):
        raise NameRejected(NameProblem.MARKS)
    if any(not _one_script(word) for word in _WORD.findall(name)):
        raise NameRejected(NameProblem.MIXED_SCRIPTS)
    return name


def _visible_here(name: str, index: int, category: str) -> bool:
    """Is the character at `index` one a reader sees, or a joiner where one belongs?"""
    char = name[index]
    before = name[index - 1] if index else ""
    after = name[index + 1] if index + 1 < len(name) else ""
    if char in ALLOWED_FORMAT:
        inside_word = _letter_or_mark(before) and _letter_or_mark(after)  # حسین‌زاده, क्‍ष
        joins_emoji = bool(_EMOJI_BEFORE_ZWJ.match(before) and _EMOJI.match(after))  # 👩🏽‍💻
        return inside_word or (char == ZWJ and joins_emoji)
    if char == EMOJI_STYLE:
        return bool(_EMOJI.match(before))
    if category in ("Cf", "Co", "Cs", "Cn"):
        return False
    return not _IGNORABLE.match(char)


def _letter_or_mark(char: str) -> bool:
    return bool(char) and unicodedata.category(char)[0] in "LM"


def _stacked_marks(name: str) -> bool:
    """More than MAX_MARKS nonspacing marks on one letter, or the same mark twice in a row."""
    run: list[str] = []
    for char in unicodedata.normalize("NFD", name):
        if unicodedata.category(char) in ("Mn", "Me"):
            if run and run[-1] == char:
                return True
            run.append(char)
            if len(run) > MAX_MARKS:
                return True
        else:
            run = []
    return False


@lru_cache(maxsize=4096)
def _scripts(char: str) -> frozenset[str]:
    return frozenset(script_extension(char))


def _one_script(word: str) -> bool:
    """UTS #39's "highly restrictive" level for one word: one script, or an allowed mix."""
    sets = [scripts for scripts in map(_scripts, word) if not scripts <= COMMON]
    if not sets or frozenset.intersection(*sets):
        return True
    return any(all(scripts & mix for scripts in sets) for mix in ALLOWED_MIXES)


# The Arabic article, written joined to the word (الكعبي) or, in Latin letters, with a hyphen
# (Al-Kaabi, el-Sayed; before a "sun letter" it is spoken and often spelt assimilated:
# ash-Shami, ad-Din, an-Nour, ar-Rashid). An initial is the first letter after it.
ARABIC_ARTICLE = "ال"
_LATIN_ARTICLE = re.compile(r"(?i)^(?:[ae]l|[ae](?:dh|d|n|r|sh|s|th|t|z))[-‐](?=\w\w)")
# Persian names that begin with these letters without an article: the Arabic spelling
# writes a hamza (إلهام, إلياس) or the word is Persian (الوند, البرز): الهامی is E., not H.
NOT_THE_ARTICLE = ("الهام", "الهی", "الله", "الیاس", "الوند", "الماس", "البرز", "الفت")
# Family names of two words whose first is "servant of" or "father of" (عبد الرحمن, أبو زيد,
# Abd al-Rahman, Abu Zeid): the initial is that word's.
COMPOUND_STARTS = frozenset({"عبد", "أبو", "ابو", "abd", "abdel", "abdul", "abu", "abou"})


def family_initial(family: str, before: str | None = None) -> str:
    """The first letter of a family name, after the Arabic article if it has one."""
    if before is not None and before.casefold() in COMPOUND_STARTS:
        return before[0]
    if (
        family.startswith(ARABIC_ARTICLE)
        and len(family) > len(ARABIC_ARTICLE) + 1
        and not family.startswith(NOT_THE_ARTICLE)
    ):
        return family[len(ARABIC_ARTICLE)]
    article = _LATIN_ARTICLE.match(family)
    if article:
        return family[article.end()]
    return family[0]


def first_name_and_initial(name: str) -> str:
    """'Maryam Namazie' -> 'Maryam N.', 'هدى الكعبي' -> 'هدى ك.'; a single name stays."""
    words = name.split()
    if len(words) < 2:
        return name
    before = words[-2] if len(words) > 2 else None
    return f"{words[0]} {family_initial(words[-1], before)}."
