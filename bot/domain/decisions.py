"""What moderators decide, who decided, and the references they use (#M12, #S40, #D3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.domain.messages import RejectionReason


class Decision(Enum):
    """An entry of the audit log."""

    APPROVED = "approved"
    REJECTED = "rejected"
    BANNED = "banned"  # rejected, and the author banned
    UNBANNED = "unbanned"
    UNDONE = "undone"  # a decision reversed from its card: the item is pending again
    # What a moderator did to a pending message without deciding it (see dialogue).
    EDITED = "edited"
    ASKED = "asked"  # the author was asked a question (its text is not kept)


# Entries that are not decisions: "already decided by …" looks past them.
ACTS = frozenset({Decision.EDITED, Decision.ASKED})
# Nor are a ban lifted or a decision undone: "already rejected by …" names the decision that
# stands (after an undo, the item is pending again and is decided anew).
NOT_DECISIONS = ACTS | {Decision.UNBANNED, Decision.UNDONE}


class ItemKind(Enum):
    SIGNATURE = "signature"
    MESSAGE = "message"


# A reason a moderator types, at most, in UTF-16 units as Telegram counts (the author reads
# it verbatim, and the card it is stamped on must still fit: see render/fit.DECISION_ROOM).
REASON_LENGTH = 200
_TYPED = "other:"


@dataclass(frozen=True)
class Why:
    """Why something was rejected (or its author banned): a listed reason, or, for OTHER,
    the words the moderator typed."""

    reason: RejectionReason
    text: str | None = None

    def stored(self) -> str:
        return f"{_TYPED}{self.text}" if self.text else self.reason.value

    @classmethod
    def from_stored(cls, value: str | None) -> Why | None:
        if value is None:
            return None
        if value.startswith(_TYPED):
            return cls(RejectionReason.OTHER, value[len(_TYPED) :] or None)
        try:
            return cls(RejectionReason(value))
        except ValueError:
            return None


@dataclass(frozen=True)
class Moderator:
    id: int
    name: str


@dataclass(frozen=True)
class Verdict:
    """A decision as the audit log records it."""

    kind: ItemKind
    item_id: int
    decision: Decision
    reason: Why | None
    moderator: Moderator
    at: int  # Unix time


@dataclass(frozen=True)
class AuditEntry:
    decision: Decision
    reason: Why | None
    moderator_name: str
    decided_at: int


@dataclass(frozen=True)
class Outcome:
    """What a press did: decided now, or already decided before (by whom, when)."""

    decided: bool
    previous: AuditEntry | None = None
    changed: bool = False  # not decided: the item changed since its card was read


# No leading zero: #M0001 is not a way of writing #M1.
_REFERENCE = re.compile(r"#?([MS])([1-9]\d{0,11})", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """A message or a signature, as moderators name it: M12, S40."""

    kind: ItemKind
    number: int

    @property
    def letter(self) -> str:
        return "M" if self.kind is ItemKind.MESSAGE else "S"

    def __str__(self) -> str:
        return f"#{self.letter}{self.number}"

    @classmethod
    def parse(cls, text: str) -> Reference | None:
        found = _REFERENCE.fullmatch(text.strip())
        if found is None:
            return None
        kind = ItemKind.MESSAGE if found.group(1).upper() == "M" else ItemKind.SIGNATURE
        return cls(kind, int(found.group(2)))
