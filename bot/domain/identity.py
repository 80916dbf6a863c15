"""Keyed hashes of Telegram ids: people are recognised without their ids being stored.

A person's key is scrypt of their Telegram id (as text) under the campaign's secret key: a
memory-hard derivation, so that whoever holds the database and the key still pays about
40 ms of CPU and 16 MiB for every id tried (see README, 'Privacy: what is stored'). Keys are
derived off the event loop and kept in memory (bounded), so a returning person costs a
dictionary look-up.

Databases of earlier versions hold HMAC-SHA256 keys (64 hex digits, cheap to reverse with the
key); while any is left, a person's rows are moved to their new key at their next contact.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.domain.ports import KeyStore

logger = logging.getLogger(__name__)

CACHE_SIZE = 100_000
# Derivations at once: each holds its memory (16 MiB) for as long as it runs.
PARALLEL_DERIVATIONS = 2
LEGACY_LENGTH = 64  # HMAC-SHA256 as hex; a key of this version is 43 characters long


@dataclass(frozen=True)
class KeyCost:
    """scrypt's parameters: it needs 128 * n * r bytes and time to match, per id."""

    n: int
    r: int
    p: int = 1

    @property
    def memory(self) -> int:
        return 128 * self.n * self.r


# The production cost: 16 MiB and about 40 ms of CPU per id (bench/key_cost.py).
PRODUCTION_COST = KeyCost(n=2**14, r=8, p=1)


def derive(secret: bytes, telegram_id: int, cost: KeyCost) -> str:
    """The person key of a Telegram id: 43 characters (URL-safe base64 of 32 bytes)."""
    digest = hashlib.scrypt(
        str(telegram_id).encode("ascii"),
        salt=secret,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.memory * cost.p + 2**20,
        dklen=32,
    )
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def legacy_key(secret: bytes, telegram_id: int) -> str:
    """The key earlier versions stored: HMAC-SHA256 of the id as text, in hex."""
    return hmac.new(secret, str(telegram_id).encode("ascii"), hashlib.sha256).hexdigest()


def is_legacy(person_key: str) -> bool:
    return len(person_key) == LEGACY_LENGTH


class PersonKeys:
    """Person keys under the campaign's secret, the most recently used kept in memory."""

    def __init__(
        self, secret: bytes, cost: KeyCost = PRODUCTION_COST, capacity: int = CACHE_SIZE
    ) -> None:
        self._secret = secret
        self.cost = cost
        self._capacity = capacity
        self._cache: OrderedDict[int, str] = OrderedDict()

    def cached(self, telegram_id: int) -> str | None:
        key = self._cache.get(telegram_id)
        if key is not None:
            self._cache.move_to_end(telegram_id)
        return key

    def remember(self, telegram_id: int, key: str) -> None:
        self._cache[telegram_id] = key
        self._cache.move_to_end(telegram_id)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)

    def derive(self, telegram_id: int) -> str:
        """The key, computed (slow on purpose: call it off the event loop)."""
        return derive(self._secret, telegram_id, self.cost)

    def legacy(self, telegram_id: int) -> str:
        return legacy_key(self._secret, telegram_id)

    def of(self, telegram_id: int) -> str:
        """The key, from memory or computed here and now (blocking)."""
        key = self.cached(telegram_id)
        if key is None:
            key = self.derive(telegram_id)
            self.remember(telegram_id, key)
        return key


class Identities:
    """Settles the key of the person an update comes from, re-keying old rows on the way."""

    def __init__(
        self,
        keys: PersonKeys,
        store: KeyStore,
        rekeyed: Callable[[str, str], None] = lambda old, new: None,
    ) -> None:
        self.keys = keys
        self.store = store
        self.rekeyed = rekeyed
        self.legacy = False  # whether the database may still hold keys of earlier versions
        self._slots = asyncio.Semaphore(PARALLEL_DERIVATIONS)

    async def load(self) -> None:
        """Once at start: only a database with old keys left pays for looking them up."""
        self.legacy = await self.store.any_legacy()
        if self.legacy:
            logger.info(
                "The database holds person keys of an earlier version; each person is "
                "re-keyed at their next contact"
            )

    async def key_of(self, telegram_id: int) -> str:
        key = self.keys.cached(telegram_id)
        if key is not None:
            return key
        async with self._slots:
            key = self.keys.cached(telegram_id)  # derived meanwhile, for another update
            if key is not None:
                return key
            key = await asyncio.to_thread(self.keys.derive, telegram_id)
        if self.legacy:
            old = self.keys.legacy(telegram_id)
            if await self.store.rekey(old, key):
                self.rekeyed(old, key)
        self.keys.remember(telegram_id, key)
        return key


def load_or_create_key(secret_key: str | None, key_file: Path) -> bytes:
    """SECRET_KEY when set; else the key file, created with mode 0600 on first start."""
    if secret_key:
        return secret_key.encode("utf-8")
    if key_file.is_file():
        return bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key
