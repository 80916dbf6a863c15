"""Which chat messages a submitted signature or message was made of, so that an edit of one
can be answered with what really happened to it.

In memory only, never written anywhere: the latest few a person, for the people seen most
recently. After a restart, or once pushed out, an edit gets the answer any edit gets. What it
names is looked up again before it is told (it may have been withdrawn or forgotten since).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bot.domain.decisions import ItemKind

PEOPLE = 10_000
PER_PERSON = 8


@dataclass(frozen=True)
class Sent:
    """A signature or a message, by its id, that a chat message's text went into."""

    kind: ItemKind
    item_id: int


class SentMessages:
    def __init__(self, people: int = PEOPLE, per_person: int = PER_PERSON) -> None:
        self.people = people
        self.per_person = per_person
        self._by_person: OrderedDict[str, OrderedDict[int, Sent]] = OrderedDict()

    def note(self, person_key: str, message_ids: list[int], sent: Sent) -> None:
        """The chat messages `message_ids` of the person went into `sent`."""
        mine = self._by_person.setdefault(person_key, OrderedDict())
        self._by_person.move_to_end(person_key)
        for message_id in message_ids:
            mine[message_id] = sent
            mine.move_to_end(message_id)
        while len(mine) > self.per_person:
            mine.popitem(last=False)
        while len(self._by_person) > self.people:
            self._by_person.popitem(last=False)

    def __contains__(self, person_key: object) -> bool:
        return person_key in self._by_person

    def forget(self, person_key: str) -> None:
        """/forget: which of their messages went where is not held any longer."""
        self._by_person.pop(person_key, None)

    def of(self, person_key: str, message_id: int) -> Sent | None:
        mine = self._by_person.get(person_key)
        return mine.get(message_id) if mine is not None else None
