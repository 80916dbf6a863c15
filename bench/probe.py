"""The bot's latency, as the benchmark measures it beside the emulator.

For every update: from the emulator handing it over (getUpdates) to the bot's first answer in
the same chat, or to the pressed button's chat. The emulator knows nothing of this: the probe
is one of its observers.
"""

from __future__ import annotations

import collections
import time
from typing import Any

JSON = dict[str, Any]
REMEMBERED = 100_000


def chat_of(update: JSON) -> int | None:
    for kind in ("message", "edited_message", "channel_post"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None:
        return int(query["message"]["chat"]["id"])
    return None


class LatencyProbe:
    def __init__(self) -> None:
        self._awaiting: dict[int, collections.deque[float]] = {}
        self._handed: set[int] = set()
        self.latencies: list[float] = []

    def handed_over(self, updates: list[JSON]) -> None:
        now = time.monotonic()
        for update in updates:
            if update["update_id"] in self._handed:
                continue  # handed over again (not confirmed yet): timed from the first time
            if len(self._handed) > REMEMBERED:
                self._handed.clear()
            self._handed.add(update["update_id"])
            chat = chat_of(update)
            if chat is not None:
                self._awaiting.setdefault(chat, collections.deque()).append(now)

    def answered(self, chat_id: int) -> None:
        waiting = self._awaiting.get(chat_id)
        if waiting:
            self.latencies.append(time.monotonic() - waiting.popleft())
