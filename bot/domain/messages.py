"""Solidarity messages: what may be sent, the limits per person, and what could identify them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.domain.signatures import Listing, Status

MAX_TEXT = 2000
# Telegram allows 1,024 characters of caption; the published one also carries the signature line.
MAX_CAPTION = 900


class Kind(Enum):
    TEXT = "text"
    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"


class RejectionReason(Enum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    DUPLICATE = "duplicate"
    IMPERSONATION = "impersonation"
    OTHER = "other"  # with the words the moderator typed, or none


@dataclass(frozen=True)
class MessageDraft:
    kind: Kind
    text: str | None
    file_id: str | None
    listing: Listing
    name: str | None
    country: str | None


@dataclass(frozen=True)
class Message:
    id: int
    kind: Kind
    text: str | None
    file_id: str | None
    listing: Listing
    name: str | None
    country: str | None
    language: str
    status: Status
    submitted_on: dt.date


@dataclass(frozen=True)
class Limits:
    pending: int = 3
    daily: int = 10


class PendingLimitReached(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class DailyLimitReached(Exception):
    def __init__(self, limit: int, hours_left: int) -> None:
        super().__init__(limit)
        self.limit = limit
        self.hours_left = hours_left


# Taken out of texts and captions before anyone sees them: bidi embeddings, overrides and
# isolates (they reorder what follows: "Trojan Source"), zero-width spaces and the word joiner
# and byte-order mark that act as one, and control characters other than newline and tab.
# ZWNJ and ZWJ stay (Persian words, emoji), and so do the left-to-right and right-to-left marks,
# which only settle the direction of neighbouring punctuation in right-to-left text.
_HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible_text(text: str) -> str:
    """The text without the characters that hide or reorder what it says."""
    return _HIDDEN.sub("", text)


_PHONE = re.compile(r"(?<![\w+])\+?\d[\d \t().\-/]{5,}\d(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_USERNAME = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")


def _ascii_digits(text: str) -> str:
    return "".join(
        str(unicodedata.digit(char)) if char.isdigit() and not char.isascii() else char
        for char in text
    )


def personal_data_in(text: str) -> bool:
    """Does the text hold what looks like a phone number, an email address or an @username?"""
    plain = _ascii_digits(text)
    for match in _PHONE.finditer(plain):
        if sum(char.isdigit() for char in match.group(0)) >= 7:
            return True
    return bool(_EMAIL.search(plain) or _USERNAME.search(plain))
