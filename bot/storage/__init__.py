"""Storage: SQLite or PostgreSQL, the only code with SQL; one repository per table or concern."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.storage.audit import AuditRepository
from bot.storage.bans import BanRepository
from bot.storage.chat_log import ChatLogRepository
from bot.storage.contacts import ContactRepository
from bot.storage.conversations import ConversationRepository
from bot.storage.database import Database, DatabaseUnavailable
from bot.storage.digests import DigestRepository
from bot.storage.keys import PersonKeyRepository
from bot.storage.letters import LetterVersionRepository
from bot.storage.links import LinkRepository
from bot.storage.messages import MessageRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.people import PeopleRepository
from bot.storage.questions import QuestionRepository
from bot.storage.seen import SeenUpdates
from bot.storage.send_log import SendLogRepository
from bot.storage.shown import ShownRepository
from bot.storage.signatures import SignatureRepository
from bot.storage.state import CampaignState
from bot.storage.stats import StatsRepository


def database_for(path: Path, url: str | None = None) -> Database:
    """The bot's database: on the PostgreSQL server at `url` (DATABASE_URL), else the SQLite
    file at `path`. Opened later, at start (Database.open)."""
    if not url:
        return Database(path)
    try:
        from bot.storage.postgres import PostgresDatabase
    except ImportError:
        raise DatabaseUnavailable(
            "DATABASE_URL names a PostgreSQL server, but asyncpg is not installed: "
            "pip install '.[postgres]' (or leave DATABASE_URL unset for SQLite)."
        ) from None
    return PostgresDatabase(url)


@dataclass(frozen=True)
class Repositories:
    db: Database
    people: PeopleRepository
    signatures: SignatureRepository
    digests: DigestRepository
    contacts: ContactRepository
    chat_log: ChatLogRepository
    messages: MessageRepository
    send_log: SendLogRepository
    audit: AuditRepository
    bans: BanRepository
    outbox: OutboxRepository
    state: CampaignState
    seen: SeenUpdates
    stats: StatsRepository
    conversations: ConversationRepository
    shown: ShownRepository
    person_keys: PersonKeyRepository
    questions: QuestionRepository
    links: LinkRepository
    letters: LetterVersionRepository

    @classmethod
    def on(cls, db: Database) -> Repositories:
        return cls(
            db,
            PeopleRepository(db),
            SignatureRepository(db),
            DigestRepository(db),
            ContactRepository(db),
            ChatLogRepository(db),
            MessageRepository(db),
            SendLogRepository(db),
            AuditRepository(db),
            BanRepository(db),
            OutboxRepository(db),
            CampaignState(db),
            SeenUpdates(db),
            StatsRepository(db),
            ConversationRepository(db),
            ShownRepository(db),
            PersonKeyRepository(db),
            QuestionRepository(db),
            LinkRepository(db),
            LetterVersionRepository(db),
        )

    async def tidy(self) -> None:
        """Drop what is kept only for a while; fold the journal, so erased rows leave it."""
        now = int(time.time())
        await self.chat_log.purge(now)
        await self.send_log.purge(now)
        await self.seen.purge(now)
        await self.state.purge_expired(now)
        await self.db.checkpoint()
