"""Signatures: how a signer is listed, and a signature's states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum


class Listing(Enum):
    NAME = "name"
    INITIAL = "initial"
    ANONYMOUS = "anonymous"


class Status(Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class LetterShown:
    """The letter a signer was shown when they confirmed: its language and version."""

    language: str
    version: str


@dataclass(frozen=True)
class Signature:
    id: int
    listing: Listing
    name: str | None
    country: str | None
    language: str
    status: Status
    submitted_on: dt.date
    letter: LetterShown | None = None  # None: signed before versions were recorded


@dataclass(frozen=True)
class SignatureDraft:
    listing: Listing
    name: str | None
    country: str | None


class NotSigned(Exception):
    """The person has no signature."""
