"""Moderation and delivery: digests, decisions, the audit log, bans, the outbox, campaign state."""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Any

from bot.domain.messages import Message
from bot.domain.signatures import Signature, Status
from bot.storage.database import Database
from bot.storage.messages import _COLUMNS as MESSAGE_COLUMNS
from bot.storage.messages import _message
from bot.storage.signatures import _COLUMNS as SIGNATURE_COLUMNS
from bot.storage.signatures import _signature


@dataclass(frozen=True)
class Decision:
    decision: str
    reason: str | None
    moderator_name: str
    decided_at: int


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat: str
    person_key: str | None
    raw_payload: str
    attempts: int

    @functools.cached_property
    def payload(self) -> dict[str, Any]:
        """Parsed when the item is sent, not each time the queue is read."""
        parsed: dict[str, Any] = json.loads(self.raw_payload)
        return parsed


class ModerationRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    # ---------------------------------------------------------------- signatures

    async def card_pending_signatures(
        self, size: int, now: int
    ) -> list[tuple[int, list[Signature]]]:
        """Put every pending signature not yet shown to moderators into digests of `size`."""
        rows = await self._db.fetchall(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE status = 'pending' "
            "AND digest_id IS NULL ORDER BY id"
        )
        digests = []
        for start in range(0, len(rows), size):
            chunk = [_signature(row) for row in rows[start : start + size]]
            row = await self._db.fetchone(
                "INSERT INTO digests (created_at) VALUES (?) RETURNING id", (now,)
            )
            digest_id = int(row[0])
            marks = ",".join("?" for _ in chunk)
            await self._db.execute(
                f"UPDATE signatures SET digest_id = ? WHERE id IN ({marks})",
                (digest_id, *[s.id for s in chunk]),
            )
            digests.append((digest_id, chunk))
        return digests

    async def digest(self, digest_id: int) -> list[Signature]:
        rows = await self._db.fetchall(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE digest_id = ? ORDER BY id",
            (digest_id,),
        )
        return [_signature(row) for row in rows]

    async def digest_of(self, signature_id: int) -> int | None:
        row = await self._db.fetchone(
            "SELECT digest_id FROM signatures WHERE id = ?", (signature_id,)
        )
        return int(row[0]) if row and row[0] is not None else None

    async def pending_digests(self) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT DISTINCT digest_id FROM signatures WHERE status = 'pending' "
            "AND digest_id IS NOT NULL ORDER BY digest_id"
        )
        return [int(row[0]) for row in rows]

    async def unpublished_signatures(self, limit: int) -> list[Signature]:
        rows = await self._db.fetchall(
            f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE status = 'approved' "
            "AND published_on IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_signature(row) for row in rows]

    async def mark_published(self, signature_ids: list[int], today: dt.date) -> None:
        marks = ",".join("?" for _ in signature_ids)
        await self._db.execute(
            f"UPDATE signatures SET published_on = ? WHERE id IN ({marks})",
            (today.isoformat(), *signature_ids),
        )

    async def approved_signatures(self, page: int = 1000) -> AsyncIterator[Signature]:
        """Every approved signature, a page at a time (memory stays flat)."""
        last = 0
        while True:
            rows = await self._db.fetchall(
                f"SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE status = 'approved' "
                "AND id > ? ORDER BY id LIMIT ?",
                (last, page),
            )
            if not rows:
                return
            for row in rows:
                yield _signature(row)
            last = int(rows[-1][0])

    # ------------------------------------------------------------------ messages

    async def pending_messages(self) -> list[Message]:
        rows = await self._db.fetchall(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE status = 'pending' ORDER BY id"
        )
        return [_message(row) for row in rows]

    async def decide_message(
        self, message_id: int, status: Status, today: dt.date
    ) -> tuple[str, str] | None:
        row = await self._db.fetchone(
            "UPDATE messages SET status = ?, decided_on = ? WHERE id = ? AND status = 'pending' "
            "RETURNING person_key, language",
            (status.value, today.isoformat(), message_id),
        )
        return (str(row[0]), str(row[1])) if row else None

    async def author_of(self, kind: str, item_id: int) -> str | None:
        table = "messages" if kind == "message" else "signatures"
        row = await self._db.fetchone(f"SELECT person_key FROM {table} WHERE id = ?", (item_id,))
        return str(row[0]) if row else None

    async def set_post_link(self, message_id: int, link: str) -> None:
        await self._db.execute(
            "UPDATE messages SET post_link = ? WHERE id = ?", (link, message_id)
        )

    async def approved_messages(self) -> list[Message]:
        rows = await self._db.fetchall(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE status = 'approved' ORDER BY id"
        )
        return [_message(row) for row in rows]

    async def pending_of_person(self, person_key: str) -> tuple[list[int], list[int]]:
        signatures = await self._db.fetchall(
            "SELECT id FROM signatures WHERE person_key = ? AND status = 'pending'", (person_key,)
        )
        messages = await self._db.fetchall(
            "SELECT id FROM messages WHERE person_key = ? AND status = 'pending'", (person_key,)
        )
        return [int(r[0]) for r in signatures], [int(r[0]) for r in messages]

    # --------------------------------------------------------------------- audit

    async def record(
        self,
        item_kind: str,
        item_id: int,
        decision: str,
        reason: str | None,
        moderator_id: int,
        moderator_name: str,
        now: int,
    ) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (item_kind, item_id, decision, reason, moderator_id, "
            "moderator_name, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_kind, item_id, decision, reason, moderator_id, moderator_name, now),
        )

    async def last_decision(self, item_kind: str, item_id: int) -> Decision | None:
        row = await self._db.fetchone(
            "SELECT decision, reason, moderator_name, decided_at FROM audit_log "
            "WHERE item_kind = ? AND item_id = ? ORDER BY id DESC LIMIT 1",
            (item_kind, item_id),
        )
        return Decision(str(row[0]), row[1], str(row[2]), int(row[3])) if row else None

    # ---------------------------------------------------------------------- bans

    async def ban(self, person_key: str, now: int) -> bool:
        return (
            await self._db.execute(
                "INSERT OR IGNORE INTO banned (person_key, banned_at) VALUES (?, ?)",
                (person_key, now),
            )
            > 0
        )

    async def unban(self, person_key: str) -> bool:
        return await self._db.execute("DELETE FROM banned WHERE person_key = ?", (person_key,)) > 0

    async def banned_keys(self) -> set[str]:
        return {str(row[0]) for row in await self._db.fetchall("SELECT person_key FROM banned")}

    async def is_banned(self, person_key: str) -> bool:
        row = await self._db.fetchone("SELECT 1 FROM banned WHERE person_key = ?", (person_key,))
        return row is not None

    # -------------------------------------------------------------------- stats

    async def totals(self) -> dict[str, list[tuple[str, int]]]:
        queries = {
            "signatures": "SELECT status, COUNT(*) FROM signatures GROUP BY status "
            "ORDER BY status",
            "messages": "SELECT status, COUNT(*) FROM messages GROUP BY status ORDER BY status",
            "languages": "SELECT language, COUNT(*) FROM signatures GROUP BY language "
            "ORDER BY COUNT(*) DESC",
            "countries": "SELECT COALESCE(country, '-'), COUNT(*) FROM signatures "
            "GROUP BY country ORDER BY COUNT(*) DESC LIMIT 10",
            "days": "SELECT submitted_on, COUNT(*) FROM signatures GROUP BY submitted_on "
            "ORDER BY submitted_on",
            "outbox": "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status",
        }
        return {
            name: [(str(row[0]), int(row[1])) for row in await self._db.fetchall(sql)]
            for name, sql in queries.items()
        }


class OutboxRepository:
    """What the bot sends on its own initiative, written with the change that causes it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, chat: str, payload: dict[str, Any], person_key: str | None = None) -> int:
        row = await self._db.fetchone(
            "INSERT INTO outbox (chat, person_key, payload) VALUES (?, ?, ?) RETURNING id",
            (chat, person_key, json.dumps(payload, ensure_ascii=False)),
        )
        return int(row[0])

    async def due(
        self, now: float, limit: int = 100, held: Collection[str] = ()
    ) -> list[OutboxItem]:
        """The oldest items due now, leaving out chats that must wait (`held`)."""
        marks = ",".join("?" for _ in held)
        rows = await self._db.fetchall(
            "SELECT id, chat, person_key, payload, attempts FROM outbox "
            f"WHERE status = 'queued' AND not_before <= ? AND chat NOT IN ({marks}) "
            "ORDER BY id LIMIT ?",
            (now, *held, limit),
        )
        return [OutboxItem(int(r[0]), str(r[1]), r[2], str(r[3]), int(r[4])) for r in rows]

    async def next_due(self) -> float | None:
        row = await self._db.fetchone("SELECT MIN(not_before) FROM outbox WHERE status = 'queued'")
        return float(row[0]) if row and row[0] is not None else None

    async def delivered(self, item_id: int, message_id: int, scrub: bool) -> None:
        """Record Telegram's message id and close the item; a private chat's id is erased."""
        await self._db.execute(
            "UPDATE outbox SET status = 'sent', sent_message_id = ?, "
            "chat = CASE WHEN ? THEN 'delivered' ELSE chat END, payload = "
            "CASE WHEN ? THEN '{}' ELSE payload END WHERE id = ?",
            (message_id, scrub, scrub, item_id),
        )

    async def postpone(self, item_id: int, not_before: float, attempt: bool) -> None:
        await self._db.execute(
            "UPDATE outbox SET not_before = ?, attempts = attempts + ? WHERE id = ?",
            (not_before, 1 if attempt else 0, item_id),
        )

    async def fail(self, item_id: int) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', chat = 'failed', payload = '{}' WHERE id = ?",
            (item_id,),
        )

    async def drop_chat(self, chat: str) -> list[str]:
        """The person blocked the bot: drop what was queued for them; return their keys."""
        rows = await self._db.fetchall(
            "UPDATE outbox SET status = 'dropped', chat = 'dropped', payload = '{}' "
            "WHERE status = 'queued' AND chat = ? RETURNING person_key",
            (chat,),
        )
        return [str(row[0]) for row in rows if row[0]]

    async def forget_person(self, person_key: str) -> None:
        await self._db.execute(
            "UPDATE outbox SET status = 'dropped', chat = 'dropped', payload = '{}', "
            "person_key = NULL WHERE person_key = ? AND status = 'queued'",
            (person_key,),
        )
        await self._db.execute(
            "UPDATE outbox SET person_key = NULL WHERE person_key = ?", (person_key,)
        )

    async def backlog(self) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) FROM outbox WHERE status = 'queued'")
        return int(row[0])


class SeenUpdates:
    """Update ids already taken up; Telegram redelivers unconfirmed updates for a day.

    Only the newest few thousand ids can come again (those handed over but not yet confirmed
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
            "INSERT OR IGNORE INTO seen_updates (update_id, seen_at) VALUES (?, ?)",
            (update_id, now),
        )
        return True

    async def purge(self, now: int) -> None:
        await self._db.execute("DELETE FROM seen_updates WHERE seen_at < ?", (now - 86_400,))


class CampaignState:
    """Small named values: the current moderator chat id, milestones, the counter post."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        row = await self._db.fetchone("SELECT value FROM campaign_state WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO campaign_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
