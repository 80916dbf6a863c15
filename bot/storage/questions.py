"""The moderators' open questions to authors, keyed by the author's person key.

A question is found again by the bot's message the author replies to: the outbox item that
carried it keeps Telegram's message id once sent. Questions close with their message (see
migration 8's triggers): at the decision, at /forget, and when the message is withdrawn.
"""

from __future__ import annotations

from bot.domain.dialogue import Question
from bot.domain.effects import OutboxStatus
from bot.storage.database import Database

SENT = OutboxStatus.SENT.value


class QuestionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, person_key: str, message_id: int, card_message_id: int, outbox_id: int
    ) -> int:
        row = await self._db.fetchone(
            "INSERT INTO questions (person_key, message_id, card_message_id, outbox_id) "
            "VALUES (?, ?, ?, ?) RETURNING id",
            (person_key, message_id, card_message_id, outbox_id),
        )
        return int(row[0])

    async def replied(self, person_key: str, sent_message_id: int) -> Question | None:
        """The person's open question the bot sent them as `sent_message_id`, if any."""
        row = await self._db.fetchone(
            "SELECT questions.id, questions.message_id, questions.card_message_id "
            "FROM questions JOIN outbox ON outbox.id = questions.outbox_id "
            "WHERE questions.person_key = ? AND outbox.sent_message_id = ? "
            "AND outbox.status = ? LIMIT 1",
            (person_key, sent_message_id, SENT),
        )
        return Question(int(row[0]), int(row[1]), int(row[2])) if row else None

    async def get(self, question_id: int) -> Question | None:
        row = await self._db.fetchone(
            "SELECT id, message_id, card_message_id FROM questions WHERE id = ?",
            (question_id,),
        )
        return Question(int(row[0]), int(row[1]), int(row[2])) if row else None

    async def of_person(self, person_key: str) -> list[int]:
        """The messages the person has open questions about, each once."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT message_id FROM questions WHERE person_key = ? ORDER BY message_id",
            (person_key,),
        )
        return [int(row[0]) for row in rows]
