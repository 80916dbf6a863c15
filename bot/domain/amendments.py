"""Signatures bound to the text that was read: the letter's versions, noticed at start, and
the signers of an older version told once, on their next contact.

No Telegram id is kept for this: the bot knows at start which person keys signed an older
version (in memory, a set look-up per update), and tells them when they next write or press.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.domain.effects import CHANNEL, Post
from bot.domain.letter import paragraphs
from bot.domain.ports import WithDb, WithOutbox
from bot.domain.signatures import LetterShown

logger = logging.getLogger(__name__)

READ_CAPACITY = 10_000  # people whose last-read letter language is remembered (memory only)


@dataclass(frozen=True)
class Amended:
    """A signature given under another version of its language's letter than the current."""

    language: str
    signed_version: str | None  # None: signed before versions were recorded
    current_version: str
    old_text: str | None  # the text they signed (for None: the first recorded), if known
    new_text: str


class Change(Enum):
    REMOVED = "removed"
    ADDED = "added"
    CHANGED = "changed"


@dataclass(frozen=True)
class ParagraphChange:
    change: Change
    old: str | None
    new: str | None


def paragraph_changes(old_text: str, new_text: str) -> list[ParagraphChange]:
    """What changed between two texts, paragraph by paragraph, in the order of the text."""
    old, new = paragraphs(old_text), paragraphs(new_text)
    changes: list[ParagraphChange] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        paired = min(len(removed), len(added)) if tag == "replace" else 0
        for before, after in zip(removed[:paired], added[:paired], strict=True):
            changes.append(ParagraphChange(Change.CHANGED, before, after))
        changes.extend(ParagraphChange(Change.REMOVED, p, None) for p in removed[paired:])
        changes.extend(ParagraphChange(Change.ADDED, None, p) for p in added[paired:])
    return changes


class LetterVersionStore(Protocol):
    async def current(self) -> dict[str, str]:
        """language -> the version in use when the bot last started."""
        ...

    async def record(self, language: str, version: str, text: str, today: dt.date) -> None:
        """Make `version` (with its normalised text) the one in use for `language`."""
        ...

    async def outdated(self) -> list[str]:
        """Person keys of signers (pending or approved) of another version than the current,
        not yet told of the current one."""
        ...

    async def ever_amended(self) -> bool:
        """Whether any language has had more than one version."""
        ...

    async def amended_for(self, person_key: str) -> Amended | None: ...


class SignedVersionStore(Protocol):
    async def keep_under(self, person_key: str, letter: LetterShown) -> bool: ...

    async def told_of(self, person_key: str, version: str) -> None: ...


class WithLetterVersions(Protocol):
    @property
    def letters(self) -> LetterVersionStore: ...


class WithSignedVersions(Protocol):
    @property
    def signatures(self) -> SignedVersionStore: ...


class AmendmentStores(WithDb, WithOutbox, WithLetterVersions, WithSignedVersions, Protocol):
    """The stores the letter's versions are kept in."""


@dataclass(frozen=True)
class Noticed:
    """A language whose letter changed since the bot last started."""

    language: str
    old: str
    new: str


class Amendments:
    def __init__(
        self,
        stores: AmendmentStores,
        versions: Mapping[str, str],
        texts: Mapping[str, str],
        announcement: Callable[[str, dt.date], Post],
        wake: Callable[[], None],
    ) -> None:
        self.stores = stores
        self.versions = dict(versions)  # language -> version of the letter files, as loaded
        self.texts = dict(texts)
        self.announcement = announcement
        self.wake = wake
        self.outdated: set[str] = set()
        self._read: OrderedDict[str, str] = OrderedDict()

    async def notice_changes(self, today: dt.date) -> list[Noticed]:
        """Compare the letters with the versions seen last; record and announce the changes
        (the first time a language is seen, it is recorded and nothing is announced). Then
        learn who signed an older version."""
        stores = self.stores
        noticed: list[Noticed] = []
        async with stores.db.transaction():
            recorded = await stores.letters.current()
            for language, version in self.versions.items():
                old = recorded.get(language)
                if old == version:
                    continue
                await stores.letters.record(language, version, self.texts[language], today)
                if old is not None:
                    noticed.append(Noticed(language, old, version))
                    await stores.outbox.add(CHANNEL, self.announcement(language, today))
        for change in noticed:
            logger.info(
                "Letter: the %s text changed, %s -> %s", change.language, change.old, change.new
            )
        if noticed:
            self.wake()
        await self.load()
        return noticed

    async def load(self) -> None:
        """Who signed an older text: one query at start (none while no text ever changed, so
        a campaign that never amends its letter pays nothing for this)."""
        letters = self.stores.letters
        self.outdated = set(await letters.outdated()) if await letters.ever_amended() else set()

    def rekeyed(self, old: str, new: str) -> None:
        """A person's rows moved to their new key (see Identities): so does this."""
        if old in self.outdated:
            self.outdated.discard(old)
            self.outdated.add(new)
        if old in self._read:
            self._read[new] = self._read.pop(old)

    # ------------------------------------------------------------ signers

    def may_be_outdated(self, person_key: str) -> bool:
        """A set look-up: only those who may need telling cost a query."""
        return person_key in self.outdated

    async def take_amended(self, person_key: str) -> Amended | None:
        """What changed under the person's signature, noted as told (they are told once)."""
        self.outdated.discard(person_key)
        amended = await self.stores.letters.amended_for(person_key)
        if amended is not None:
            await self.stores.signatures.told_of(person_key, amended.current_version)
        return amended

    async def keep(self, person_key: str, language: str, version: str) -> bool:
        """Keep the signature under `version` of `language`, when that is the current one
        (a button from before a later amendment records nothing)."""
        if self.versions.get(language) != version:
            return False
        self.outdated.discard(person_key)
        return await self.stores.signatures.keep_under(person_key, LetterShown(language, version))

    def forget(self, person_key: str) -> None:
        """/forget: the language the person last read the letter in is not held any longer."""
        self._read.pop(person_key, None)
        self.outdated.discard(person_key)

    # ------------------------------------------------------------ what is signed

    def read(self, person_key: str, language: str) -> None:
        """The person was just sent the letter in `language` (remembered in memory only)."""
        self._read[person_key] = language
        self._read.move_to_end(person_key)
        while len(self._read) > READ_CAPACITY:
            self._read.popitem(last=False)

    def shown(self, person_key: str, language: str) -> LetterShown:
        """The letter a signer confirms under: the language they last read it in (since the
        bot started), else `language`; and that letter's version."""
        read = self._read.get(person_key)
        chosen = read if read in self.versions else language
        if chosen not in self.versions:
            chosen = next(iter(self.versions))
        self.outdated.discard(person_key)
        return LetterShown(chosen, self.versions[chosen])
