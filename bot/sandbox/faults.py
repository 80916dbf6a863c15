"""What the emulator can be told to do wrong: fail or hang the next calls, and flood limits."""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field


@dataclass
class Fault:
    mode: str  # "error" or "timeout"
    remaining: int
    methods: set[str] | None = None
    status: int = 500
    delay: float = 30.0
    description: str = "Internal Server Error"

    def applies_to(self, method: str) -> bool:
        return self.remaining > 0 and (self.methods is None or method in self.methods)


@dataclass
class FloodLimits:
    per_chat_per_second: float | None = None
    per_group_per_minute: int | None = None
    overall_per_second: int | None = None
    # Telegram's window for groups is a minute; tests may shorten it to keep time.
    group_window: float = 60.0
    sent: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)

    @property
    def active(self) -> bool:
        return bool(
            self.per_chat_per_second or self.per_group_per_minute or self.overall_per_second
        )

    def admit(self, now: float, chat_id: int, private: bool | None) -> int | None:
        """Record a send to `chat_id` (private: a person's chat; None: no such chat), or
        return the seconds Telegram would ask to wait (429) when a limit is reached."""
        sent = self.sent
        while sent and sent[0][0] < now - max(60.0, self.group_window):
            sent.popleft()
        waits: list[float] = []
        if self.overall_per_second:
            recent = [t for t, _ in sent if t > now - 1]
            if len(recent) >= self.overall_per_second:
                waits.append(recent[0] + 1 - now)
        if private is True and self.per_chat_per_second:
            recent = [t for t, c in sent if c == chat_id and t > now - 1]
            if len(recent) >= self.per_chat_per_second:
                waits.append(recent[0] + 1 - now)
        if private is False and self.per_group_per_minute:
            window = self.group_window
            recent = [t for t, c in sent if c == chat_id and t > now - window]
            if len(recent) >= self.per_group_per_minute:
                waits.append(recent[0] + window - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        sent.append((now, chat_id))
        return None
