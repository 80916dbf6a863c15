"""The bot's life: start-up and shutdown, its jobs, serving and stopping, the error handler."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import cast

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import Conflict, InvalidToken, TelegramError

from bot.context import BotApplication, BotContext
from bot.delivery.topics import REPORTS
from bot.domain import days
from bot.handlers.menu import COMMANDS
from bot.handlers.timed import TimedConversation, sweep_interval
from bot.i18n import LANGUAGES
from bot.operations import (
    HEARTBEAT_INTERVAL,
    PLACEHOLDER,
    beat,
    chat_checks,
    inline_check,
    unreachable,
)
from bot.webhook import WebhookServer

logger = logging.getLogger(__name__)

POLL_TIMEOUT = 10
# A pause after each getUpdates answer, so that under load updates come in batches: each call
# costs the bot about as much as handling an update; a person waits at most this much longer.
POLL_INTERVAL = 0.02
# Seconds between writes of queued bookkeeping rows (see Database.defer).
FLUSH_INTERVAL = 0.2
TIDY_INTERVAL = 600
WEBHOOK_PATH = "telegram"
# Seconds between attempts to reach Telegram at start: doubling from the first, then the last
# for as long as it takes (a network that comes back later, a Bot API server started after).
CONNECT_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0)


async def post_init(application: BotApplication) -> None:
    """Open the database, register the commands, start the outbox and the campaign's jobs."""
    data = application.bot_data
    settings = data.settings
    await data.database.open()
    await data.services.identities.load()
    await data.destinations.load()
    await register_commands(application)
    await learn_channel_username(application)
    for result in [*await chat_checks(application.bot, settings), inline_check(application.bot)]:
        if not result.ok:
            logger.warning("Set-up: %s", result.line)
    try:
        if settings.moderator_chat_id != PLACEHOLDER:
            await data.topics.check()
    except TelegramError as error:  # a time-out: checked again at the first card
        logger.warning("Topics: not checked yet (%s)", type(error).__name__)
    await data.repos.seen.load()
    await data.services.amendments.notice_changes(days.today())
    data.database.start_flushing(FLUSH_INTERVAL)
    await data.services.moderation.load_bans()
    data.worker.start()
    jobs = application.job_queue
    if jobs is not None:
        await keep_deadlines(application)
        jobs.run_repeating(tidy_database, interval=TIDY_INTERVAL, first=TIDY_INTERVAL)
        jobs.run_repeating(heartbeat, interval=HEARTBEAT_INTERVAL, first=0)
        # With a placeholder id (set-up: the bot only answers /chatid), nothing is sent there.
        if settings.moderator_chat_id != PLACEHOLDER:
            jobs.run_repeating(card_signatures, interval=settings.card_interval, first=1)
        if settings.channel_id != PLACEHOLDER:
            jobs.run_repeating(update_counter, interval=settings.counter_interval, first=5)
        if settings.channel_id != PLACEHOLDER and settings.signature_digest_interval > 0:
            interval = settings.signature_digest_interval
            jobs.run_repeating(publish_signatures, interval=interval, first=interval)


async def post_stop(application: BotApplication) -> None:
    """Let the outbox finish the send in progress."""
    await application.bot_data.worker.stop()


async def post_shutdown(application: BotApplication) -> None:
    """Close the database, writing what is still queued (today's link counts among it)."""
    data = application.bot_data
    await data.worker.stop()
    try:
        if data.database.is_open:
            await data.services.links.write_all()
    except data.database.errors as error:
        logger.warning("Today's link counts were not written: %s", type(error).__name__)
    finally:
        await data.database.close()


async def learn_channel_username(application: BotApplication) -> None:
    """Public channels' posts are linked by username; learn it once."""
    data = application.bot_data
    if isinstance(data.settings.channel_id, str) or data.settings.channel_id == PLACEHOLDER:
        return
    try:
        chat = await application.bot.get_chat(data.settings.channel_id)
    except TelegramError as error:
        logger.warning("Could not read the channel: %s", type(error).__name__)
        return
    if chat.username:
        await data.services.channel.learn_username(chat.username)


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


# ----------------------------------------------------------------------- jobs


def timed_conversations(application: BotApplication) -> list[TimedConversation]:
    return [
        handler
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, TimedConversation)
    ]


async def keep_deadlines(application: BotApplication) -> None:
    """Conversations restored from the database time out when they would have, and every
    conversation left alone ends on the clock (bot/handlers/timed.py)."""
    jobs = application.job_queue
    assert jobs is not None
    conversations = application.bot_data.repos.conversations
    for handler in timed_conversations(application):
        stored = await conversations.deadlines(str(handler.name), handler.timeout)
        for key, deadline in stored.items():
            handler.moved_at((int(key[0]), int(key[-1])), deadline - handler.timeout)
        jobs.run_repeating(
            end_idle_conversations,
            interval=sweep_interval(handler.timeout),
            first=0,
            data=handler,
            name="idle conversations",
        )


async def end_idle_conversations(context: BotContext) -> None:
    """End the conversations of one handler left alone past its timeout."""
    assert context.job is not None
    handler = context.job.data
    assert isinstance(handler, TimedConversation)
    await handler.end_the_idle(cast(BotApplication, context.application), time.time())


async def heartbeat(context: BotContext) -> None:
    """Tell the container's health check (`python -m bot health`) that the bot is alive."""
    beat(context.bot_data.settings)


async def card_signatures(context: BotContext) -> None:
    """Pending signatures reach the moderators as digests."""
    await context.services.moderation.card_signatures()


async def publish_signatures(context: BotContext) -> None:
    """Approved signatures reach the channel as digests, so a name's timing reveals little."""
    await context.services.channel.publish_signatures()


async def update_counter(context: BotContext) -> None:
    """The pinned counter post, edited at most once per interval (a minute)."""
    await context.services.channel.update_counter()


async def tidy_database(context: BotContext) -> None:
    """Write the link counts of days that are over; drop message ids too old for /clear;
    fold the WAL so erased rows leave the files."""
    try:
        await context.services.links.write_past_days()
    except context.bot_data.database.errors as error:  # kept in memory for the next tidy
        logger.warning("The link counts of past days were not written: %s", type(error).__name__)
    await context.bot_data.repos.tidy()


# --------------------------------------------------------------- the error handler


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
        report = context.moderator_i18n.gettext("Update {update} failed: {error}").format(
            update=update_id, error=type(error).__name__
        )
        in_group = data.settings.ops_chat_id == data.destinations.moderator_chat_id
        ops_chat_id = data.settings.ops_chat_id

        async def send(thread: int | None) -> object:
            return await context.bot.send_message(
                ops_chat_id, report, protect_content=in_group, message_thread_id=thread
            )

        try:
            await (data.topics.send(REPORTS, send) if in_group else send(None))
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


# --------------------------------------------------------------- serving


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
    # Every kind, chat_member included: Telegram sends those (promotions and demotions in the
    # moderator group) only to a bot that asks for them by name, as ALL_TYPES does.
    if webhook:
        assert settings.webhook_url is not None
        server = WebhookServer(
            application.bot,
            application.update_queue,
            settings.webhook_listen,
            settings.webhook_port,
            WEBHOOK_PATH,
            settings.webhook_secret,
        )
        await server.start()
        application.bot_data.webhook = server
        await application.bot.set_webhook(
            settings.webhook_url,
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


def connect_delays() -> Iterator[float]:
    yield from CONNECT_DELAYS
    while True:
        yield CONNECT_DELAYS[-1]


async def connect(application: BotApplication, stop: asyncio.Event) -> bool:
    """Reach Telegram (getMe), trying again with back-off; False when stopped first.

    One line per failed attempt, naming the address and the reason, never a traceback. A
    refused token (InvalidToken) is not retried: it is raised, the bot's sessions closed.
    """
    bot = application.bot
    address = application.bot_data.settings.api_address
    stopping = asyncio.ensure_future(stop.wait())
    reached = False
    try:
        for attempt, delay in enumerate(connect_delays(), start=1):
            reaching = asyncio.ensure_future(bot.initialize())
            await asyncio.wait({reaching, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not reaching.done():
                reaching.cancel()
                await asyncio.gather(reaching, return_exceptions=True)
                break
            error = reaching.exception()
            if error is None:
                reached = True
                if attempt > 1:
                    logger.info("Telegram answered at %s (attempt %d)", address, attempt)
                return True
            if isinstance(error, InvalidToken) or not isinstance(error, TelegramError):
                raise error
            logger.warning(
                "Telegram is not reachable at %s (%s), attempt %d: trying again in %.0f s",
                address,
                unreachable(error),
                attempt,
                delay,
            )
            await asyncio.wait({stopping}, timeout=delay)
            if stopping.done():
                break
        logger.info("Stopped before Telegram was reached")
        return False
    finally:
        stopping.cancel()
        if not reached:  # its HTTP sessions are open: close them
            await bot.shutdown()


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
    if not await connect(application, stop):
        return 0
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
    server, application.bot_data.webhook = application.bot_data.webhook, None
    if server is not None:
        await server.stop()
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
