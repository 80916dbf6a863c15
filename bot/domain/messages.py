"""Solidarity messages: what may be sent, the limits per person, and what could identify them."""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.domain.signatures import Listing, Status
from bot.i18n import N_

MAX_TEXT = 2000
# Telegram allows 1,024 characters of caption; the published one also carries the signature line.
MAX_CAPTION = 900
DAY = 24 * 3600


class Kind(Enum):
    TEXT = "text"
    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"


KIND_NAMES = {
    Kind.TEXT: N_("text"),
    Kind.PHOTO: N_("photo"),
    Kind.VOICE: N_("voice message"),
    Kind.VIDEO: N_("video"),
    Kind.VIDEO_NOTE: N_("video message"),
}


class RejectionReason(Enum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    DUPLICATE = "duplicate"
    OTHER = "other"


# Told to the author, in the author's language.
REJECTION_REASONS = {
    RejectionReason.SPAM: N_("it looks like spam"),
    RejectionReason.ABUSIVE: N_("it is abusive"),
    RejectionReason.OFF_TOPIC: N_("it is off-topic"),
    RejectionReason.PERSONAL_DATA: N_("it contains personal data that could put someone at risk"),
    RejectionReason.DUPLICATE: N_("it repeats a message already sent"),
    RejectionReason.OTHER: N_("the moderators decided not to publish it"),
}


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


class PendingLimitReached(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class DailyLimitReached(Exception):
    def __init__(self, limit: int, hours_left: int) -> None:
        super().__init__(limit)
        self.limit = limit
        self.hours_left = hours_left


_PHONE = re.compile(r"(?<![\w+])\+?\d[\d \t().\-/]{5,}\d(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_USERNAME = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")


def published_text(body: str | None, line: str) -> str:
    """The message as the channel shows it, in Telegram HTML: the words, then who sent them."""
    signed = "— " + html.escape(line)
    return f"{html.escape(body)}\n\n{signed}" if body else signed


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


class MessageStore(Protocol):
    async def add(
        self, person_key: str, draft: MessageDraft, language: str, today: dt.date
    ) -> Message: ...

    async def pending_count(self, person_key: str) -> int: ...

    async def of_person(self, person_key: str) -> list[Message]: ...

    async def forget(self, person_key: str) -> None: ...


class SendLog(Protocol):
    async def sent_since(self, person_key: str, since: int) -> list[int]: ...

    async def record(self, person_key: str, now: int) -> None: ...


class ContactStore(Protocol):
    async def keep(self, person_key: str, telegram_id: int) -> None: ...


@dataclass(frozen=True)
class Limits:
    pending: int = 3
    daily: int = 10


class MessagingService:
    def __init__(
        self, messages: MessageStore, sends: SendLog, contacts: ContactStore, limits: Limits
    ) -> None:
        self.messages = messages
        self.sends = sends
        self.contacts = contacts
        self.limits = limits

    async def check_limits(self, person_key: str, now: int) -> None:
        """Raise when the person may not send another message now."""
        if await self.messages.pending_count(person_key) >= self.limits.pending:
            raise PendingLimitReached(self.limits.pending)
        sent = await self.sends.sent_since(person_key, now - DAY)
        if len(sent) >= self.limits.daily:
            free_at = sorted(sent)[-self.limits.daily] + DAY
            raise DailyLimitReached(self.limits.daily, max(1, math.ceil((free_at - now) / 3600)))

    async def submit(
        self, person_key: str, telegram_id: int, draft: MessageDraft, language: str, now: int
    ) -> Message:
        await self.check_limits(person_key, now)
        message = await self.messages.add(
            person_key, draft, language, dt.datetime.fromtimestamp(now, dt.UTC).date()
        )
        await self.sends.record(person_key, now)
        # Kept only until the decision is told; see SigningService.
        await self.contacts.keep(person_key, telegram_id)
        return message
