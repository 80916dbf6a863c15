"""Fixtures: the emulator on loopback, its driver, and the real Application polling it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.identity import KeyCost
from bot.loop import loop_factory
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN, seed
from bot.sandbox.server import EmulatorServer
from bot.storage.database import Database
from tests.helpers.postgres import PostgresServer

TOKEN = SANDBOX_TOKEN
# Person keys in tests: scrypt at a sliver of the production cost (test_production_key_cost
# checks that the bot's settings carry the production one).
CHEAP_KEYS = KeyCost(n=16, r=1, p=1)
# PTB 22 warns that retry_after becomes a timedelta; opt in, as the bot does.
os.environ.setdefault("PTB_TIMEDELTA", "1")


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """The tests run on the loop the bot runs on in production (uvloop, where installed)."""
    factory = loop_factory()
    return {"uvloop": factory} if factory is not None else {"asyncio": asyncio.new_event_loop}


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """A seeded Telegram: moderator group, channel, a few people."""
    emulator = Emulator(TOKEN)
    seed(emulator)
    yield emulator


@pytest.fixture
async def server(emulator: Emulator) -> AsyncIterator[EmulatorServer]:
    server = EmulatorServer(emulator)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def driver(server: EmulatorServer) -> AsyncIterator[Driver]:
    async with Driver(server.url) as driver:
        yield driver


@pytest.fixture
def settings(tmp_path: Path, server: EmulatorServer) -> Settings:
    return Settings(
        bot_token=TOKEN,
        moderator_chat_id=MODERATOR_GROUP_ID,
        channel_id=CHANNEL_ID,
        database_path=tmp_path / "bot.sqlite3",
        telegram_api_url=server.url,
        default_language="en",
        key_file=tmp_path / "keys" / "bot.key",
        key_cost=CHEAP_KEYS,
        # No undo window: the authors hear of decisions at once (tests of Undo set one).
        undo_window=0,
    )


BotStarter = Callable[[], Awaitable[BotApplication]]


@pytest.fixture
async def start_bot(settings: Settings) -> AsyncIterator[BotStarter]:
    """Start the real bot (again, for restart tests); every started bot is stopped at the end."""
    running: list[BotApplication] = []

    async def starter() -> BotApplication:
        for application in running:
            if application.running:
                await stop_application(application)
        application = build_application(settings)
        await start_application(application, poll_timeout=2)
        running.append(application)
        return application

    yield starter
    for application in running:
        if application.running:
            await stop_application(application)


@pytest.fixture
async def bot(start_bot: BotStarter) -> BotApplication:
    return await start_bot()


# Storage on both engines: the `database` fixture runs a test on SQLite and on PostgreSQL (a
# throwaway server, tests/helpers/postgres.py). Without PostgreSQL's binaries (or asyncpg)
# those runs are skipped, unless REQUIRE_POSTGRES is set (CI sets it): then they fail.
ENGINES = ("sqlite", "postgres")


def _postgres_missing() -> str | None:
    from tests.helpers.postgres import binaries

    if binaries() is None:
        return "no PostgreSQL binaries (initdb, pg_ctl): install Debian's postgresql"
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return "asyncpg is not installed: pip install -e '.[postgres]'"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (started at the first test that needs it)."""
    from tests.helpers.postgres import binaries, running_server

    missing = _postgres_missing()
    if missing is not None:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"REQUIRE_POSTGRES is set, but {missing}")
        pytest.skip(missing)
    bin_dir = binaries()
    assert bin_dir is not None
    with running_server(bin_dir) as server:
        yield server


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh database on the session's server, migrated (a copy of the template)."""
    return await postgres_server.new_database()


DatabaseMaker = Callable[[], Database]


@pytest.fixture(params=ENGINES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DatabaseMaker]:
    """Make an (unopened) Database on this test's storage, again after a close for a restart:
    SQLite's file, or a fresh PostgreSQL database. Any left open are closed at the end (an
    open asyncpg connection would hold up the test's loop as it closes)."""
    made: list[Database] = []
    if request.param == "sqlite":
        path = tmp_path / "bot.sqlite3"

        def make() -> Database:
            made.append(Database(path))
            return made[-1]

    else:
        from bot.storage.postgres import PostgresDatabase

        url = await request.getfixturevalue("postgres_server").new_database()

        def make() -> Database:
            made.append(PostgresDatabase(url))
            return made[-1]

    yield make
    for db in made:
        if db.is_open:
            await db.close()
