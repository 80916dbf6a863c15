"""Storage: the only code with SQL."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import Database
from bot.storage.messages import MessageRepository, SendLogRepository
from bot.storage.moderation import (
    CampaignState,
    ModerationRepository,
    OutboxRepository,
    SeenUpdates,
)
from bot.storage.people import PeopleRepository
from bot.storage.signatures import ChatLogRepository, ContactRepository, SignatureRepository


@dataclass(frozen=True)
class Repositories:
    db: Database
    people: PeopleRepository
    signatures: SignatureRepository
    contacts: ContactRepository
    chat_log: ChatLogRepository
    messages: MessageRepository
    send_log: SendLogRepository
    moderation: ModerationRepository
    outbox: OutboxRepository
    state: CampaignState
    seen: SeenUpdates

    @classmethod
    def on(cls, db: Database) -> Repositories:
        return cls(
            db,
            PeopleRepository(db),
            SignatureRepository(db),
            ContactRepository(db),
            ChatLogRepository(db),
            MessageRepository(db),
            SendLogRepository(db),
            ModerationRepository(db),
            OutboxRepository(db),
            CampaignState(db),
            SeenUpdates(db),
        )
