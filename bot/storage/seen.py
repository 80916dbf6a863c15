"""Update ids already taken up; Telegram redelivers unconfirmed updates for a day."""

from __future__ import annotations

import collections

from bot.storage.database import Database

DAY = 24 * 3600


class SeenUpdates:
    """Only the newest few thousand ids can come again (those handed over but not yet confirmed
    when the bot stopped), so the check is in memory; ids are written with the next flush and
    the newest are read back at start-up.
    """

    REMEMBERED = 10_000

    def __init__(self, db: Database) -> None:
        self._db = db
        self._recent: collections.OrderedDict[int, None] = collections.OrderedDict()

    async def load(self) -> None:
        rows = await self._db.fetchall(
            "SELECT update_id FROM seen_updates ORDER BY update_id DESC LIMIT ?",
            (self.REMEMBERED,),
        )
        for (update_id,) in reversed(rows):
            self._recent[int(update_id)] = None

    def claim(self, update_id: int, now: int) -> bool:
        """True the first time an update id is seen."""
        if update_id in self._recent:
            return False
        self._recent[update_id] = None
        if len(self._recent) > self.REMEMBERED:
            self._recent.popitem(last=False)
        self._db.defer(
            "INSERT INTO seen_updates (update_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (update_id, now),
        )
        return True

    async def purge(self, now: int) -> None:
        await self._db.execute("DELETE FROM seen_updates WHERE seen_at < ?", (now - DAY,))
