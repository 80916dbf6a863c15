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
    # What a moderator did to a pending message without deciding it (see dialogue).
    EDITED = "edited"
    ASKED = "asked"  # the author was asked a question (its text is not kept)


# Entries that are not decisions: "already decided by …" looks past them.
ACTS = frozenset({Decision.EDITED, Decision.ASKED})


class ItemKind(Enum):
    SIGNATURE = "signature"
    MESSAGE = "message"


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
    reason: RejectionReason | None
    moderator: Moderator
    at: int  # Unix time


@dataclass(frozen=True)
class AuditEntry:
    decision: Decision
    reason: str | None
    moderator_name: str
    decided_at: int


@dataclass(frozen=True)
class Outcome:
    """What a press did: decided now, or already decided before (by whom, when)."""

    decided: bool
    previous: AuditEntry | None = None


_REFERENCE = re.compile(r"#?([MS])(\d{1,12})", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """A message or a signature, as moderators name it: M12, S40."""

    kind: ItemKind
    number: int

    @classmethod
    def parse(cls, text: str) -> Reference | None:
        found = _REFERENCE.fullmatch(text.strip())
        if found is None:
            return None
        kind = ItemKind.MESSAGE if found.group(1).upper() == "M" else ItemKind.SIGNATURE
        return cls(kind, int(found.group(2)))
