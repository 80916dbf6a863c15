"""Build the Application: settings in, every handler registered in one ordered block."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from telegram import BotCommand, BotCommandScopeAllPrivateChats, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import Conflict, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.context import BotApplication, BotContext, BotData
from bot.delivery import cards
from bot.delivery.desk import Desk
from bot.delivery.limiter import TelegramLimits
from bot.delivery.outbox import CHANNEL, MODERATORS, OutboxWorker, Rates
from bot.domain.identity import PersonKeys, load_or_create_key
from bot.domain.letter import LetterLibrary
from bot.domain.signatures import Status
from bot.handlers import callback_data
from bot.handlers.chats import chat_id
from bot.handlers.guard import guard
from bot.handlers.language import choose_language, resolve_language, show_language_picker
from bot.handlers.letter import letter_button, letter_command, letter_languages
from bot.handlers.menu import COMMANDS
from bot.handlers.message import message_conversation
from bot.handlers.moderation import ban_command, export, moderate, moderator_help, pending, stats
from bot.handlers.privacy import clear_chat, forget, my_data
from bot.handlers.reply import remember_incoming
from bot.handlers.sign import signing_conversation, withdraw
from bot.handlers.start import show_help, stale_button, start
from bot.i18n import LANGUAGES, LOCALES_DIR, I18n
from bot.operations import beat, channel_check, moderator_group_check
from bot.request import AiohttpRequest
from bot.storage import Repositories
from bot.storage.database import Database, open_database
from bot.storage.persistence import SqlitePersistence
from bot.updates import PerChatOrder

logger = logging.getLogger(__name__)

POLL_TIMEOUT = 10
# A pause after each getUpdates answer, so that under load updates come in batches: each call
# costs the bot about as much as handling an update; a person waits at most this much longer.
POLL_INTERVAL = 0.02
# Seconds between writes of queued bookkeeping rows (see Database.defer).
FLUSH_INTERVAL = 0.2
WEBHOOK_PATH = "telegram"


def build_application(settings: Settings, locales_dir: Path = LOCALES_DIR) -> BotApplication:
    """Load catalogs and letters (failing loudly), then wire the bot."""
    i18n = I18n(settings.default_language, locales_dir)
    letters = LetterLibrary(locales_dir, LANGUAGES)
    keys = PersonKeys(load_or_create_key(settings.secret_key, settings.key_file))
    bot_data = BotData(settings=settings, i18n=i18n, letters=letters, keys=keys)
    base = settings.telegram_api_url
    application = cast(
        BotApplication,
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(
            TelegramLimits(group_count=settings.group_rate[0], group_window=settings.group_rate[1])
        )
        # PTB calls bot_data() once to make the application's bot_data: hand it ours.
        .context_types(
            ContextTypes(context=BotContext, bot_data=cast(type[BotData], lambda: bot_data))
        )
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=2, read_timeout=POLL_TIMEOUT + 5))
        .concurrent_updates(PerChatOrder())
        .persistence(
            SqlitePersistence(settings.database_path, max_age=settings.conversation_timeout)
        )
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build(),
    )
    add_handlers(application)
    return application


def add_handlers(application: BotApplication) -> None:
    """Every handler, in the order that decides which one answers."""
    data = application.bot_data
    settings = data.settings
    private = filters.ChatType.PRIVATE
    moderator_chat = ModeratorChat(data)
    other_groups = filters.ChatType.GROUPS & ~moderator_chat

    # Before anything else: duplicates, floods, bans and edits are stopped; then the
    # language of the update is settled, and the ids /clear needs are noted.
    application.add_handler(TypeHandler(Update, guard), group=-200)
    application.add_handler(TypeHandler(Update, resolve_language), group=-100)
    application.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE, remember_incoming), group=-50
    )

    # Signing first: while someone is in the conversation, it answers everything they send.
    application.add_handler(signing_conversation(settings.conversation_timeout))
    application.add_handler(message_conversation(settings.conversation_timeout))

    # Supporters, in their private chat with the bot.
    application.add_handler(CommandHandler("start", start, private))
    application.add_handler(CommandHandler("withdraw", withdraw, private))
    application.add_handler(CommandHandler("mydata", my_data, private))
    application.add_handler(CommandHandler("forget", forget, private))
    application.add_handler(CommandHandler("clear", clear_chat, private))
    for kind, callback in (
        (callback_data.WITHDRAW, withdraw),
        (callback_data.FORGET, forget),
        (callback_data.CLEAR, clear_chat),
    ):
        application.add_handler(
            CallbackQueryHandler(callback, pattern=callback_data.of_kind(kind))
        )
    application.add_handler(CommandHandler("letter", letter_command, private))
    application.add_handler(CommandHandler("language", show_language_picker, private))
    application.add_handler(CommandHandler("help", show_help, private))
    application.add_handler(
        CallbackQueryHandler(
            letter_button, pattern=callback_data.of_kind(callback_data.READ_LETTER)
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            letter_languages, pattern=callback_data.of_kind(callback_data.LETTER_LANGUAGES)
        )
    )
    application.add_handler(
        CallbackQueryHandler(
            choose_language, pattern=callback_data.of_kind(callback_data.LANGUAGE_PICKER)
        )
    )

    # The moderator group: decisions on cards and digests, and the group's commands.
    application.add_handler(
        CallbackQueryHandler(moderate, pattern=callback_data.of_kind(callback_data.MODERATE))
    )
    application.add_handler(CommandHandler("pending", pending, moderator_chat))
    application.add_handler(CommandHandler("stats", stats, moderator_chat))
    application.add_handler(CommandHandler("export", export, moderator_chat))
    application.add_handler(CommandHandler(["ban", "unban"], ban_command, moderator_chat))
    application.add_handler(CommandHandler("help", moderator_help, moderator_chat))

    # Chats the bot was not configured for: only /chatid, to help fill in the settings.
    application.add_handler(CommandHandler("chatid", chat_id, other_groups))
    application.add_handler(
        MessageHandler(
            filters.UpdateType.CHANNEL_POST & filters.Regex(r"^/chatid(@\w+)?$"), chat_id
        )
    )

    # Last: buttons this version does not know, and anything else said in private.
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, show_help))

    application.add_error_handler(on_error)


class ModeratorChat(filters.UpdateFilter):
    """Updates from the moderator group, wherever it is now (it moves when upgraded)."""

    def __init__(self, data: BotData) -> None:
        super().__init__(name="ModeratorChat")
        self.data = data

    def filter(self, update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and chat.id == self.data.moderator_chat_id


async def post_init(application: BotApplication) -> None:
    """Open the database, register the commands, start the outbox and the campaign's jobs."""
    data = application.bot_data
    settings = data.settings
    connection = await open_database(settings.database_path)
    repos = Repositories.on(Database(connection))
    data.repos = repos
    moved = await repos.state.get(f"migrated_from:{settings.moderator_chat_id}")
    data.moderator_chat_id = int(moved) if moved else settings.moderator_chat_id
    await register_commands(application)
    await learn_channel_username(application)
    for result in (
        await moderator_group_check(application.bot, settings),
        await channel_check(application.bot, settings),
    ):
        if not result.ok:
            logger.warning("Set-up: %s", result.line)

    async def resolve(chat: str) -> int | str:
        if chat == MODERATORS:
            return data.moderator_chat_id
        if chat == CHANNEL:
            return settings.channel_id
        return int(chat)

    async def migrated(old: int, new: int) -> None:
        await repos.state.set(f"migrated_from:{settings.moderator_chat_id}", str(new))
        data.moderator_chat_id = new
        data.permission_cache.clear()

    def wake() -> None:
        if data.worker is not None:
            data.worker.wake()

    await repos.seen.load()
    data.flush_stop.clear()
    data.flusher = asyncio.create_task(flush_writes(repos.db, data.flush_stop))
    data.banned.update(await repos.moderation.banned_keys())
    desk = Desk(repos, data.i18n, settings, wake, data.banned)
    data.desk = desk
    count, window = settings.group_rate
    data.worker = OutboxWorker(
        application.bot, repos, resolve, migrated, desk.after_delivery,
        Rates(group_count=count, group_window=window),
    )  # fmt: skip
    data.worker.start()
    jobs = application.job_queue
    if jobs is not None:
        jobs.run_repeating(tidy_database, interval=600, first=600)
        jobs.run_repeating(heartbeat, interval=30, first=0)
        jobs.run_repeating(card_signatures, interval=settings.card_interval, first=1)
        jobs.run_repeating(update_counter, interval=settings.counter_interval, first=5)
        if settings.signature_digest_interval > 0:
            interval = settings.signature_digest_interval
            jobs.run_repeating(publish_signatures, interval=interval, first=interval)


async def learn_channel_username(application: BotApplication) -> None:
    """Public channels' posts are linked by username; learn it once."""
    data = application.bot_data
    if isinstance(data.settings.channel_id, str) or data.repos is None:
        return
    try:
        chat = await application.bot.get_chat(data.settings.channel_id)
    except TelegramError as error:
        logger.warning("Could not read the channel: %s", type(error).__name__)
        return
    if chat.username:
        await data.repos.state.set("channel_username", chat.username)


async def heartbeat(context: BotContext) -> None:
    """Tell the container's health check (`python -m bot health`) that the bot is alive."""
    beat(context.bot_data.settings)


async def card_signatures(context: BotContext) -> None:
    """Pending signatures reach the moderators as digests."""
    if context.bot_data.desk is not None:
        await context.bot_data.desk.card_signatures()


async def publish_signatures(context: BotContext) -> None:
    """Approved signatures reach the channel as digests, so a name's timing reveals little."""
    if context.bot_data.desk is not None:
        await context.bot_data.desk.publish_signatures()


async def update_counter(context: BotContext) -> None:
    """The pinned counter post, edited at most once per interval (a minute)."""
    data = context.bot_data
    repos = context.repos
    state = repos.state
    count = await repos.signatures.count(Status.APPROVED)
    channel = data.i18n.get(data.settings.channel_language)
    message_id = await state.get("counter_message_id")
    if message_id is None:
        if await state.get("counter_value") is None:
            await state.set("counter_value", str(count))
            payload = {"method": "message", "text": cards.counter_text(count, channel)}
            await repos.outbox.add(CHANNEL, {**payload, "after": "counter"})
            if data.worker is not None:
                data.worker.wake()
        return
    try:
        if await state.get("counter_pinned") != message_id:
            await context.bot.pin_chat_message(
                data.settings.channel_id, int(message_id), disable_notification=True
            )
            await state.set("counter_pinned", message_id)
        if await state.get("counter_value") != str(count):
            await context.bot.edit_message_text(
                cards.counter_text(count, channel), data.settings.channel_id, int(message_id)
            )
            await state.set("counter_value", str(count))
    except TelegramError as error:
        logger.warning("The counter post could not be updated: %s", type(error).__name__)


async def post_stop(application: BotApplication) -> None:
    """Let the outbox finish the send in progress."""
    if application.bot_data.worker is not None:
        await application.bot_data.worker.stop()


async def flush_writes(db: Database, stop: asyncio.Event) -> None:
    """Write the bookkeeping rows queued since the last flush (update ids, message ids), until
    `stop` is set. A flush is never cancelled half-way: its rows would be rolled back."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), FLUSH_INTERVAL)
        try:
            await db.flush()
        except sqlite3.Error as error:
            logger.warning("Queued bookkeeping rows were not written: %s", type(error).__name__)


async def tidy_database(context: BotContext) -> None:
    """Drop message ids too old for /clear; fold the WAL so erased rows leave the files."""
    repos = context.repos
    await repos.chat_log.purge(int(time.time()))
    await repos.send_log.purge(int(time.time()))
    await repos.seen.purge(int(time.time()))
    await repos.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def post_shutdown(application: BotApplication) -> None:
    """Close the database."""
    data = application.bot_data
    if data.worker is not None:
        await data.worker.stop()
    if data.flusher is not None:
        data.flush_stop.set()
        await data.flusher
        data.flusher = None
    if data.repos is not None:
        await data.repos.db.close()  # writes what is still queued
        data.repos = None


async def register_commands(application: BotApplication) -> None:
    """setMyCommands per language; Telegram takes two-letter codes only (not ckb)."""
    data = application.bot_data
    scope = BotCommandScopeAllPrivateChats()
    for language in (None, *LANGUAGES):
        if language is not None and len(language) != 2:
            continue
        t = data.i18n.get(language)
        commands = [BotCommand(name, t.gettext(description)) for name, description in COMMANDS]
        try:
            await application.bot.set_my_commands(
                commands, scope=scope, language_code=language or None
            )
        except TelegramError as error:
            logger.warning("Could not register commands for %s: %s", language or "default", error)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure without personal text; tell the person; report to OPS_CHAT_ID."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error(
        "Update %s failed: %s",
        update_id,
        type(error).__name__,
        exc_info=error if logger.isEnabledFor(logging.DEBUG) else None,
    )
    data = context.bot_data
    if data.settings.ops_chat_id is not None:
        ops = data.i18n.get(data.settings.moderator_language)
        report = ops.gettext("Update {update} failed: {error}").format(
            update=update_id, error=type(error).__name__
        )
        try:
            await context.bot.send_message(data.settings.ops_chat_id, report)
        except TelegramError:
            logger.warning("Could not report the failure of update %s", update_id)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            context.i18n.gettext(
                "Sorry, something went wrong on our side. What you sent so far is kept; "
                "please try again in a moment."
            ),
        )
    except TelegramError:
        logger.warning("Could not tell the person about the failure of update %s", update_id)


async def start_application(
    application: BotApplication,
    poll_timeout: int = POLL_TIMEOUT,
    webhook: bool = False,
    error_callback: Callable[[TelegramError], None] | None = None,
) -> None:
    """Start the bot inside a running event loop, as run_polling would, or on a webhook."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    settings = application.bot_data.settings
    if webhook:
        await application.updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=WEBHOOK_PATH,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        await application.updater.start_polling(
            timeout=poll_timeout,
            poll_interval=POLL_INTERVAL,
            allowed_updates=Update.ALL_TYPES,
            error_callback=error_callback,
        )
    await application.start()


async def serve(application: BotApplication, webhook: bool = False) -> int:
    """Run until SIGINT or SIGTERM; exit status 3 when another instance already polls."""
    settings = application.bot_data.settings
    stop = asyncio.Event()
    conflict = False
    started = time.monotonic()

    def polling_failed(error: TelegramError) -> None:
        nonlocal conflict
        if isinstance(error, Conflict):
            if time.monotonic() - started < settings.conflict_window:
                conflict = True
                stop.set()
            else:
                logger.warning("Another instance polls with this token (409 Conflict)")
            return
        logger.warning("Getting updates failed: %s", type(error).__name__)

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await start_application(application, webhook=webhook, error_callback=polling_failed)
    logger.info("The bot is running (%s)", "webhook" if webhook else "long polling")
    try:
        await stop.wait()
    finally:
        await stop_application(application)
    if conflict:
        print(
            "error: another instance of the bot is already running with this BOT_TOKEN "
            "(Telegram answered 409 Conflict): stop it, or use another token.",
            file=sys.stderr,
        )
        return 3
    return 0


async def stop_application(application: BotApplication) -> None:
    """Stop what start_application started, in reverse order."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
