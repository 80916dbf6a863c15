"""How a signer is listed: validating typed names, shortening to first name and initial."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

MIN_LENGTH = 2
MAX_LENGTH = 64
# Persian, Kurdish and Arabic names need these two (حسین‌زاده); every other format
# character is invisible and can spoof a name: zero-width space, bidi overrides and isolates,
# byte-order mark, left-to-right and right-to-left marks.
ALLOWED_FORMAT = {"\u200c", "\u200d"}
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


class NameRejected(ValueError):
    def __init__(self, problem: NameProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def clean_name(typed: str) -> str:
    """Return the name as it will be shown, or raise NameRejected with the first problem."""
    name = unicodedata.normalize("NFC", typed)
    for char in name:
        category = unicodedata.category(char)
        if char in "\n\r\t" or category in ("Cc", "Zl", "Zp"):
            raise NameRejected(NameProblem.CONTROL)
        if (category in ("Cf", "Co", "Cs", "Cn") and char not in ALLOWED_FORMAT) or char in (
            "\u115f",
            "\u1160",
            "\u3164",
            "\uffa0",
        ):
            raise NameRejected(NameProblem.INVISIBLE)
    name = " ".join(name.split())
    if len(name) < MIN_LENGTH:
        raise NameRejected(NameProblem.TOO_SHORT)
    if len(name) > MAX_LENGTH:
        raise NameRejected(NameProblem.TOO_LONG)
    if _LINK.search(name):
        raise NameRejected(NameProblem.LINK)
    if _MENTION.search(name):
        raise NameRejected(NameProblem.MENTION)
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise NameRejected(NameProblem.NO_LETTERS)
    return name


def first_name_and_initial(name: str) -> str:
    """'Maryam Namazie' -> 'Maryam N.'; a single name stays as it is."""
    words = name.split()
    if len(words) < 2:
        return name
    return f"{words[0]} {words[-1][0]}."
