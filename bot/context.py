"""The typed context handlers receive: repositories, the person's language, the letters."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Settings
from bot.delivery.desk import Desk
from bot.delivery.outbox import OutboxWorker
from bot.domain.flood import FloodGate
from bot.domain.identity import PersonKeys
from bot.domain.letter import LetterLibrary
from bot.domain.messages import Limits, MessagingService
from bot.domain.signatures import SigningService
from bot.i18n import I18n, Translator
from bot.storage import Repositories

LANGUAGE_CACHE_SIZE = 50_000


@dataclass
class BotData:
    """Long-lived state of the application, shared by every handler."""

    settings: Settings
    i18n: I18n
    letters: LetterLibrary
    keys: PersonKeys
    repos: Repositories | None = None
    # person_key -> stored language ("" when none is stored); saves a query per update.
    language_cache: dict[str, str] = field(default_factory=dict)
    desk: Desk | None = None
    worker: OutboxWorker | None = None
    # Writes the database's queued bookkeeping rows every fraction of a second.
    flusher: asyncio.Task[None] | None = None
    flush_stop: asyncio.Event = field(default_factory=asyncio.Event)
    # The moderator group's id now (it changes when the group becomes a supergroup).
    moderator_chat_id: int = 0
    # (user id, administrators only) -> (may decide, until when): getChatMember, cached.
    permission_cache: dict[tuple[int, bool], tuple[bool, float]] = field(default_factory=dict)
    flood: FloodGate = field(default_factory=FloodGate)
    # person_keys of banned people, in memory so that they cost almost nothing.
    banned: set[str] = field(default_factory=set)

    def remember_language(self, person_key: str, language: str) -> None:
        if len(self.language_cache) >= LANGUAGE_CACHE_SIZE:
            self.language_cache.clear()
        self.language_cache[person_key] = language


class BotContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with the person's translator, resolved once per update."""

    __slots__ = ("_translator", "person_key")

    def __init__(
        self,
        application: BotApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._translator: Translator | None = None
        # The keyed hash of the person's Telegram id, set with the language for each update.
        self.person_key: str | None = None

    @property
    def i18n(self) -> Translator:
        """The person's translator; DEFAULT_LANGUAGE where no person is involved."""
        if self._translator is None:
            self._translator = self.bot_data.i18n.get(None)
        return self._translator

    def use_language(self, language: str) -> None:
        self._translator = self.bot_data.i18n.get(language)

    @property
    def channel_i18n(self) -> Translator:
        """The language of what is published in the channel (CHANNEL_LANGUAGE)."""
        return self.bot_data.i18n.get(self.bot_data.settings.channel_language)

    def signing(self) -> SigningService:
        return SigningService(self.repos.signatures, self.repos.contacts)

    def messaging(self) -> MessagingService:
        settings = self.bot_data.settings
        limits = Limits(settings.message_pending_limit, settings.message_daily_limit)
        return MessagingService(
            self.repos.messages, self.repos.send_log, self.repos.contacts, limits
        )

    @property
    def repos(self) -> Repositories:
        repos = self.bot_data.repos
        if repos is None:
            raise RuntimeError("the database is not open yet")
        return repos


BotApplication = Application[
    ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[BotContext]
]
