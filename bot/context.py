"""The typed context handlers receive, and the services it carries (built once, never None)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Settings
from bot.delivery.channel import TelegramChannel
from bot.delivery.destinations import Destinations
from bot.delivery.outbox import OutboxWorker
from bot.delivery.pacer import Rates
from bot.delivery.topics import Topics
from bot.domain.amendments import Amendments
from bot.domain.channel import ChannelService
from bot.domain.dialogue import DialogueService
from bot.domain.flood import INLINE_FLOOD_COUNT, FloodGate
from bot.domain.followups import FollowUps
from bot.domain.identity import Identities, PersonKeys
from bot.domain.letter import LetterLibrary
from bot.domain.links import LinkArrivals
from bot.domain.messages import Limits
from bot.domain.messaging import MessagingService
from bot.domain.moderation import ModerationService
from bot.domain.notices import Notifier
from bot.domain.people import LanguageChoices
from bot.domain.privacy import PrivacyService
from bot.domain.refusals import Refusals
from bot.domain.reports import Reports
from bot.domain.sent import SentMessages
from bot.domain.signing import SigningService
from bot.domain.unpublish import Unpublisher
from bot.i18n import I18n, Translator
from bot.render.dialogue import DialoguePosts
from bot.render.posts import Posts
from bot.storage import Repositories, database_for
from bot.storage.database import Database
from bot.storage.seen import SeenUpdates
from bot.webhook import WebhookServer


@dataclass(frozen=True)
class Services:
    """The domain's services, as handlers and jobs use them."""

    signing: SigningService
    messaging: MessagingService
    moderation: ModerationService
    channel: ChannelService
    privacy: PrivacyService
    languages: LanguageChoices
    reports: Reports
    identities: Identities
    dialogue: DialogueService
    links: LinkArrivals
    amendments: Amendments

    @classmethod
    def on(
        cls,
        repos: Repositories,
        settings: Settings,
        i18n: I18n,
        letters: LetterLibrary,
        keys: PersonKeys,
        bot: ExtBot[int],
        wake: Callable[[], None],
    ) -> Services:
        posts = Posts(i18n, settings.moderator_language, settings.channel_language)
        notifier = Notifier(repos.contacts, repos.outbox, settings.undo_window)
        client = TelegramChannel(bot, settings.channel_id)
        channel = ChannelService(
            repos, posts, notifier, client, settings.channel_id, wake, settings.signature_goal
        )
        languages = LanguageChoices(repos.people)
        limits = Limits(settings.message_pending_limit, settings.message_daily_limit)
        unpublish = Unpublisher(repos, posts, wake)
        moderation = ModerationService(
            repos,
            posts,
            notifier,
            channel,
            wake,
            settings.default_language,
            unpublish,
            settings.undo_window,
        )
        amendments = Amendments(
            repos,
            letters.versions(),
            {language: letters.get(language).text for language in letters.languages},
            posts.letter_amended,
            wake,
        )

        def rekeyed(old: str, new: str) -> None:
            moderation.rekeyed(old, new)
            amendments.rekeyed(old, new)

        return cls(
            signing=SigningService(repos, unpublish),
            messaging=MessagingService(repos, limits, moderation, wake),
            moderation=moderation,
            channel=channel,
            privacy=PrivacyService(repos, languages, unpublish),
            languages=languages,
            reports=Reports(repos),
            identities=Identities(keys, repos.person_keys, rekeyed),
            dialogue=DialogueService(repos, DialoguePosts(posts), unpublish, wake),
            links=LinkArrivals(repos.links),
            amendments=amendments,
        )


@dataclass
class BotData:
    """Long-lived state of the application, shared by every handler and job."""

    settings: Settings
    i18n: I18n
    letters: LetterLibrary
    keys: PersonKeys
    repos: Repositories  # for the runtime (start-up, tidying); handlers use the services
    services: Services
    destinations: Destinations
    topics: Topics
    worker: OutboxWorker
    flood: FloodGate = field(default_factory=FloodGate)
    # Inline queries come a keystroke each: a wider gate of their own (see handlers.guard).
    inline_flood: FloodGate = field(default_factory=lambda: FloodGate(count=INLINE_FLOOD_COUNT))
    refusals: Refusals = field(default_factory=Refusals)  # in the moderator group
    sent: SentMessages = field(default_factory=SentMessages)  # for edits of what was sent
    webhook: WebhookServer | None = None  # while `run --webhook` serves

    @property
    def database(self) -> Database:
        return self.repos.db

    @property
    def seen(self) -> SeenUpdates:
        """Update ids already taken up, against redelivered updates."""
        return self.repos.seen

    @classmethod
    def create(
        cls,
        settings: Settings,
        i18n: I18n,
        letters: LetterLibrary,
        keys: PersonKeys,
        bot: ExtBot[int],
    ) -> BotData:
        """Wire storage, the domain, rendering and delivery; the database opens at start."""
        database = database_for(settings.database_path, settings.database_url)
        repos = Repositories.on(database)
        wake = asyncio.Event()
        services = Services.on(repos, settings, i18n, letters, keys, bot, wake.set)
        destinations = Destinations(repos.state, settings.moderator_chat_id, settings.channel_id)
        moderators = i18n.get(settings.moderator_language)
        topics = Topics(bot, repos.state, destinations, moderators.gettext)
        count, window = settings.group_rate
        worker = OutboxWorker(
            bot,
            repos.outbox,
            database,
            destinations,
            topics,
            FollowUps(services.channel, repos.contacts, repos.chat_log),
            Rates(group_count=count, group_window=window),
            wake,
        )
        return cls(settings, i18n, letters, keys, repos, services, destinations, topics, worker)


class BotContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext with the person's key and translator, settled once per update."""

    __slots__ = ("_person_key", "_telegram_id", "_translator")

    def __init__(
        self,
        application: BotApplication,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._telegram_id = user_id
        self._person_key: str | None = None
        self._translator: Translator | None = None

    @property
    def person_key(self) -> str:
        """The keyed hash of the Telegram id of the person the update comes from.

        Settled by the guard (off the event loop) for every private update before any
        handler; elsewhere it is derived here, blocking, and without re-keying old rows.
        """
        if self._person_key is None:
            if self._telegram_id is None:
                raise LookupError("this update comes from no person")
            self._person_key = self.bot_data.keys.of(self._telegram_id)
        return self._person_key

    async def settle_person_key(self) -> str:
        """Derive the person's key off the event loop (re-keying their old rows, if any)."""
        if self._person_key is None:
            self._person_key = await self.services.identities.key_of(self.telegram_id)
        return self._person_key

    @property
    def telegram_id(self) -> int:
        if self._telegram_id is None:
            raise LookupError("this update comes from no person")
        return self._telegram_id

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

    @property
    def moderator_i18n(self) -> Translator:
        """The language of the moderator group (MODERATOR_LANGUAGE)."""
        return self.bot_data.i18n.get(self.bot_data.settings.moderator_language)

    @property
    def services(self) -> Services:
        return self.bot_data.services


BotApplication = Application[
    ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[BotContext]
]
