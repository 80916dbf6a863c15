"""Named links (`?start=s-NAME`): how many started, read on and signed by each, per day.

Only counts are stored, and only of days that are over: the day still counting is held here,
in memory, and written once it is over (or when the bot stops), so that no copy of the
database splits a day into before and after one person's signature. Which link a person came
by is held here too, for as long as the bot runs (a restart forgets it), so that their reading
on and their signature can be counted for that link: at most once per person, link and day
for each step. Days are UTC days, for the bot and the terminal alike.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from bot.domain import days

START_PREFIX = "s-"
# Telegram's start parameter: up to 64 of A-Za-z0-9_-. A name leaves room for the prefix
# and a letter's language ("s-" + 40 + "-ckb" is 46), and has no "-" of its own, so the
# language after one is never mistaken for part of the name.
NAME_LENGTH = 40
NAME = re.compile(rf"[A-Za-z0-9_]{{1,{NAME_LENGTH}}}")
_START = re.compile(rf"s-({NAME.pattern})(?:-([a-z]{{2,3}}))?")
REMEMBERED = 100_000  # people whose link is held at once, the longest unseen forgotten first


class Step(Enum):
    """What is counted for a link (the columns of link_counts)."""

    STARTED = "started"  # opened the bot by the link
    READ = "read"  # went on from the first screen: a button under the letter, /sign, /letter
    SIGNED = "signed"  # confirmed a signature


@dataclass(frozen=True)
class LinkStart:
    name: str
    language: str | None  # s-NAME-fa: the letter in Persian


def valid_name(name: str) -> bool:
    return NAME.fullmatch(name) is not None


def parse_start(payload: str, languages: Collection[str]) -> LinkStart | None:
    """The link a start parameter names, or None (not a link, or malformed: a plain /start)."""
    found = _START.fullmatch(payload)
    if found is None:
        return None
    name, language = found.groups()
    if language is not None and language not in languages:
        return None
    return LinkStart(name, language)


def start_parameter(name: str, language: str | None = None) -> str:
    return START_PREFIX + name + (f"-{language}" if language else "")


@dataclass(frozen=True)
class LinkFigures:
    """One link's counts on one day (`day` None: all days together)."""

    name: str
    day: dt.date | None
    started: int
    read: int
    signed: int


class LinkStore(Protocol):
    async def exists(self, name: str) -> bool: ...

    async def add_counts(self, counts: list[tuple[str, dt.date, Step, int]]) -> None:
        """Add each `(link, day, step, n)` to the stored counts, all in one transaction."""
        ...

    async def per_link(self, before: dt.date) -> list[LinkFigures]:
        """Every registered link, its counts over the days before `before`."""
        ...

    async def per_day(self, before: dt.date) -> list[LinkFigures]:
        """Each link's counts on each day before `before` it was used, oldest first."""
        ...


@dataclass
class _Arrival:
    link: str
    day: dt.date
    counted: set[tuple[str, Step]] = field(default_factory=set)


class LinkArrivals:
    """Counts steps per link; remembers, in memory only, which link each person came by."""

    def __init__(
        self,
        store: LinkStore,
        today: Callable[[], dt.date] = days.today,
        remembered: int = REMEMBERED,
    ) -> None:
        self.store = store
        self.today = today
        self.remembered = remembered
        self._arrivals: OrderedDict[str, _Arrival] = OrderedDict()
        self._unwritten: Counter[tuple[str, dt.date, Step]] = Counter()  # no person in it
        self._writing = asyncio.Lock()  # the tidy-up and /stats may write at once

    async def started(self, person_key: str, link: LinkStart) -> bool:
        """The person opened the bot by `link`: counted if the link is registered (else
        nothing is counted or remembered); whether it is."""
        if not await self.store.exists(link.name):
            return False
        day = self.today()
        arrival = self._arrivals.pop(person_key, None)
        if arrival is None or arrival.day != day:
            arrival = _Arrival(link.name, day)
        arrival.link = link.name
        self._arrivals[person_key] = arrival
        while len(self._arrivals) > self.remembered:
            self._arrivals.popitem(last=False)
        await self._count(arrival, Step.STARTED)
        return True

    async def went_on(self, person_key: str) -> None:
        """The person went on from the first screen (counted for the link they came by)."""
        await self._step(person_key, Step.READ)

    async def signed(self, person_key: str) -> None:
        await self._step(person_key, Step.SIGNED)

    # The figures shown stop at yesterday: today's, read before and after one person's
    # signature card, would tell which link they came by.
    async def per_link(self) -> list[LinkFigures]:
        today = self.today()  # once: midnight may pass while the days before are written
        await self.write_past_days(today)
        return await self.store.per_link(today)

    async def per_day(self) -> list[LinkFigures]:
        today = self.today()
        await self.write_past_days(today)
        return await self.store.per_day(today)

    async def write_past_days(self, today: dt.date | None = None) -> None:
        """Store the counts of the days that are over (the tidy-up runs this)."""
        before = self.today() if today is None else today
        await self._write(lambda day: day < before)

    async def write_all(self) -> None:
        """When the bot stops: today's counts so far too, or a restart would lose them."""
        await self._write(lambda day: True)

    async def _write(self, due: Callable[[dt.date], bool]) -> None:
        # One write at a time: two would both take the same counts before either is stored.
        async with self._writing:
            counts = [(*key, n) for key, n in self._unwritten.items() if due(key[1])]
            if not counts:
                return
            await self.store.add_counts(counts)  # if it fails, the counts stay for the next
            for name, day, step, written in counts:  # counted meanwhile: kept for the next
                key = (name, day, step)
                self._unwritten[key] -= written
                if self._unwritten[key] <= 0:
                    del self._unwritten[key]

    def forget(self, person_key: str) -> None:
        """/forget: the link the person came by is not held any longer."""
        self._arrivals.pop(person_key, None)

    def __len__(self) -> int:
        return len(self._arrivals)

    async def _step(self, person_key: str, step: Step) -> None:
        arrival = self._arrivals.get(person_key)
        if arrival is None:
            return
        today = self.today()
        if arrival.day != today:  # came on an earlier day: each step counts on its own day
            arrival.day, arrival.counted = today, set()
        self._arrivals.move_to_end(person_key)
        await self._count(arrival, step)

    async def _count(self, arrival: _Arrival, step: Step) -> None:
        if (arrival.link, step) in arrival.counted:
            return
        arrival.counted.add((arrival.link, step))
        self._unwritten[(arrival.link, arrival.day, step)] += 1
