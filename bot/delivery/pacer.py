"""Telegram's sending limits, per chat and overall, as the outbox keeps to them."""

from __future__ import annotations

import collections
from dataclasses import dataclass

from bot.domain.effects import CHANNEL, MODERATORS


@dataclass(frozen=True)
class Rates:
    """Telegram's limits (../shared/TELEGRAM.md): sends per window."""

    private_per_second: int = 1
    group_count: int = 20
    group_window: float = 60.0
    overall_per_second: int = 30


class Pacer:
    def __init__(self, rates: Rates) -> None:
        self.rates = rates
        self._sent: dict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._all: collections.deque[float] = collections.deque()
        self._blocked_until: dict[str, float] = {}

    def _window(self, chat: str) -> tuple[int, float]:
        if chat in (MODERATORS, CHANNEL):
            return self.rates.group_count, self.rates.group_window
        return self.rates.private_per_second, 1.0

    def wait(self, chat: str, now: float) -> float:
        """Seconds until `chat` may be sent to (0 when now)."""
        waits = [self._blocked_until.get(chat, 0.0) - now]
        count, window = self._window(chat)
        sent = self._sent[chat]
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) >= count:
            waits.append(sent[0] + window - now)
        waits.append(self.overall_wait(now))
        return max(0.0, *waits)

    def sent(self, chat: str, now: float) -> None:
        self._sent[chat].append(now)
        self._all.append(now)

    def overall_wait(self, now: float) -> float:
        """Seconds until anything at all may be sent (Telegram's overall limit)."""
        while self._all and self._all[0] <= now - 1.0:
            self._all.popleft()
        if len(self._all) >= self.rates.overall_per_second:
            return self._all[0] + 1.0 - now
        return 0.0

    def held(self, now: float) -> dict[str, float]:
        """The chats that must wait now, with how long; forgets chats long quiet."""
        found: dict[str, float] = {}
        for chat in list(self._sent):
            wait = self.wait(chat, now)
            if wait > 0:
                found[chat] = wait
            elif not self._sent[chat]:
                del self._sent[chat]  # one entry per person ever notified would only grow
        for chat, until in list(self._blocked_until.items()):
            if until > now:
                found[chat] = max(found.get(chat, 0.0), until - now)
            else:
                del self._blocked_until[chat]
        return found

    def block(self, chat: str, until: float) -> None:
        self._blocked_until[chat] = until

    @property
    def tracked(self) -> frozenset[str]:
        """The chats whose recent sends are remembered (quiet ones are forgotten)."""
        return frozenset(self._sent)
