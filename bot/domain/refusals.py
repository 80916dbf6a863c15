"""Refusals said once: a person told "no" is not told again for a while.

In the moderator group every reply counts against Telegram's 20 messages a minute; a member
repeating a command they may not use would otherwise spend the moderators' share on refusals.
"""

from __future__ import annotations

REFUSAL_INTERVAL = 300.0
MAX_REMEMBERED = 10_000


class Refusals:
    """When each person was last refused; a refusal is due again after `interval` seconds."""

    def __init__(self, interval: float = REFUSAL_INTERVAL) -> None:
        self.interval = interval
        self._told: dict[int, float] = {}

    def due(self, person: int, now: float) -> bool:
        """True: say the refusal now (and remember it). False: it was said lately; stay quiet."""
        told = self._told.get(person)
        if told is not None and now - told < self.interval:
            return False
        if len(self._told) >= MAX_REMEMBERED:
            self._told = {p: t for p, t in self._told.items() if now - t < self.interval}
        self._told[person] = now
        return True
