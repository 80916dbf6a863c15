"""`python -m bot run` as an organiser starts it: a real process against the emulator."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from bot.loop import loop_factory
from bot.sandbox.driver import Driver
from bot.sandbox.server import EmulatorServer
from tests.conftest import TOKEN
from tests.helpers.people import new_supporter
from tests.helpers.processes import bot_environment, start_bot_process

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_run_serves_and_stops_cleanly_on_a_signal(
    server: EmulatorServer, driver: Driver, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    env = bot_environment(
        server.url, DATABASE_PATH=str(tmp_path / "bot.sqlite3"), LOG_LEVEL="INFO"
    )
    process = await start_bot_process("run", env, tmp_path)
    try:
        alice = await new_supporter(driver, "Alice", "en")
        await driver.wait_for(
            lambda: driver.calls("getUpdates"), timeout=30, what="the bot to poll"
        )
        greeting, _ = await alice.say("/start", replies=2)
        assert greeting["text"].startswith("Welcome.")
        process.send_signal(stop_signal)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    log = stderr.decode()
    assert "Application started" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "/start" not in log  # nothing a person typed


async def test_the_tests_run_on_the_loop_the_bot_runs_on() -> None:
    factory = loop_factory()
    running = type(asyncio.get_running_loop())
    assert factory is not None  # uvloop is a dependency on Linux
    assert running.__module__.startswith("uvloop")
