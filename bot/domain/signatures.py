"""Signatures: how a signer is listed, the line that may be published, the signing rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.domain.countries import country_name


class Listing(Enum):
    NAME = "name"
    INITIAL = "initial"
    ANONYMOUS = "anonymous"


class Status(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Signature:
    id: int
    listing: Listing
    name: str | None
    country: str | None
    language: str
    status: Status
    submitted_on: dt.date


@dataclass(frozen=True)
class SignatureDraft:
    listing: Listing
    name: str | None
    country: str | None


class AlreadySigned(Exception):
    """One signature per person."""


class NotSigned(Exception):
    """The person has no signature."""


def published_line(
    listing: Listing,
    name: str | None,
    country: str | None,
    gettext: Callable[[str], str],
    language: str,
) -> str:
    """The line as it may be published (plain text; escape it before putting it in HTML)."""
    place = country_name(country, language) if country else None
    if listing is Listing.ANONYMOUS or not name:
        if place:
            return gettext("A supporter from {country}").format(country=place)
        return gettext("A supporter")
    if place:
        return gettext("{name}, {country}").format(name=name, country=place)
    return name


class SignatureStore(Protocol):
    async def of_person(self, person_key: str) -> Signature | None: ...

    async def add(
        self, person_key: str, draft: SignatureDraft, language: str, today: dt.date
    ) -> Signature: ...

    async def replace(
        self, person_key: str, draft: SignatureDraft, language: str, today: dt.date
    ) -> Signature: ...

    async def remove(self, person_key: str) -> bool: ...

    async def count(self, status: Status) -> int: ...


class ContactStore(Protocol):
    async def keep(self, person_key: str, telegram_id: int) -> None: ...

    async def release(self, person_key: str) -> None: ...


class SigningService:
    """Submitting, changing and withdrawing signatures (the moderators' desk decides them)."""

    def __init__(self, signatures: SignatureStore, contacts: ContactStore) -> None:
        self.signatures = signatures
        self.contacts = contacts

    async def submit(
        self, person_key: str, telegram_id: int, draft: SignatureDraft, language: str
    ) -> Signature:
        """Store a new signature, or replace the person's own, as pending review."""
        today = dt.date.today()
        if await self.signatures.of_person(person_key) is None:
            signature = await self.signatures.add(person_key, draft, language, today)
        else:
            signature = await self.signatures.replace(person_key, draft, language, today)
        # The id is kept only so the decision can be told; it is erased once it is.
        await self.contacts.keep(person_key, telegram_id)
        return signature

    async def withdraw(self, person_key: str) -> None:
        if not await self.signatures.remove(person_key):
            raise NotSigned
        await self.contacts.release(person_key)

    async def approved_count(self) -> int:
        return await self.signatures.count(Status.APPROVED)
