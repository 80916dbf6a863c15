"""Storage: the only code with SQL."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.storage.messages import MessageRepository, SendLogRepository
from bot.storage.people import PeopleRepository
from bot.storage.signatures import ChatLogRepository, ContactRepository, SignatureRepository


@dataclass(frozen=True)
class Repositories:
    connection: aiosqlite.Connection
    people: PeopleRepository
    signatures: SignatureRepository
    contacts: ContactRepository
    chat_log: ChatLogRepository
    messages: MessageRepository
    send_log: SendLogRepository

    @classmethod
    def on(cls, connection: aiosqlite.Connection) -> Repositories:
        return cls(
            connection,
            PeopleRepository(connection),
            SignatureRepository(connection),
            ContactRepository(connection),
            ChatLogRepository(connection),
            MessageRepository(connection),
            SendLogRepository(connection),
        )
