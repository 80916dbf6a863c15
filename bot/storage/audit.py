"""The audit log: every decision, with the moderator who made it."""

from __future__ import annotations

from bot.domain.decisions import NOT_DECISIONS, AuditEntry, Decision, ItemKind, Verdict, Why
from bot.storage.database import Database, day_of


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, verdict: Verdict) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (item_kind, item_id, decision, reason, moderator_id, "
            "moderator_name, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                verdict.kind.value,
                verdict.item_id,
                verdict.decision.value,
                verdict.reason.stored() if verdict.reason else None,
                verdict.moderator.id,
                verdict.moderator.name,
                day_of(verdict.at),  # the day: a time would date the signature or message
            ),
        )

    async def last(self, kind: ItemKind, item_id: int) -> AuditEntry | None:
        """The item's last decision (an edit, a question, an unban or an undo is not one)."""
        acts = sorted(act.value for act in NOT_DECISIONS)
        marks = ",".join("?" for _ in acts)
        row = await self._db.fetchone(
            "SELECT decision, reason, moderator_name, decided_at FROM audit_log "
            f"WHERE item_kind = ? AND item_id = ? AND decision NOT IN ({marks}) "
            "ORDER BY id DESC LIMIT 1",
            (kind.value, item_id, *acts),
        )
        if row is None:
            return None
        return AuditEntry(Decision(row[0]), Why.from_stored(row[1]), str(row[2]), int(row[3]))

    async def scrub(self, kind: ItemKind, item_id: int) -> None:
        """The words a moderator typed about an item go with the item (the decision stays)."""
        await self._db.execute(
            "UPDATE audit_log SET reason = 'other' WHERE item_kind = ? AND item_id = ? "
            "AND reason LIKE 'other:%'",
            (kind.value, item_id),
        )
