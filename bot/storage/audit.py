"""The audit log: every decision, with the moderator who made it."""

from __future__ import annotations

from bot.domain.decisions import AuditEntry, Decision, ItemKind, Moderator
from bot.domain.messages import RejectionReason
from bot.storage.database import Database


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        kind: ItemKind,
        item_id: int,
        decision: Decision,
        reason: RejectionReason | None,
        moderator: Moderator,
        now: int,
    ) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (item_kind, item_id, decision, reason, moderator_id, "
            "moderator_name, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                kind.value,
                item_id,
                decision.value,
                reason.value if reason else None,
                moderator.id,
                moderator.name,
                now,
            ),
        )

    async def last(self, kind: ItemKind, item_id: int) -> AuditEntry | None:
        row = await self._db.fetchone(
            "SELECT decision, reason, moderator_name, decided_at FROM audit_log "
            "WHERE item_kind = ? AND item_id = ? ORDER BY id DESC LIMIT 1",
            (kind.value, item_id),
        )
        if row is None:
            return None
        return AuditEntry(Decision(row[0]), row[1], str(row[2]), int(row[3]))
