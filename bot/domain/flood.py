"""Flood control per person: past a rate, a cool-down."""

from __future__ import annotations

import collections

FLOOD_COUNT = 20
FLOOD_WINDOW = 10.0
COOLDOWN = 30.0
# Inline queries in the same window: a client sends one as the person types, a few a second.
INLINE_FLOOD_COUNT = 40


class FloodGate:
    """Updates per person in a sliding window; past the limit, a cool-down."""

    def __init__(self, count: int = FLOOD_COUNT, window: float = FLOOD_WINDOW) -> None:
        self.count = count
        self.window = window
        self._seen: dict[int, collections.deque[float]] = {}
        self._muted_until: dict[int, float] = {}

    def admit(self, user_id: int, now: float) -> bool | None:
        """True: go on. False: dropped quietly. None: dropped, and the notice is due now."""
        if self._muted_until.get(user_id, 0.0) > now:
            return False
        seen = self._seen.setdefault(user_id, collections.deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        seen.append(now)
        if len(seen) > self.count:
            self._muted_until[user_id] = now + COOLDOWN
            seen.clear()
            return None
        if len(self._seen) > 100_000:
            self._seen = {user_id: seen}
            self._muted_until = {k: v for k, v in self._muted_until.items() if v > now}
        return True
