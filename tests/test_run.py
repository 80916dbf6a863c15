"""`python -m bot run` as an organiser starts it: a real process against the emulator."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.loop import loop_factory
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
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


def free_port() -> int:
    """A loopback port where nothing listens (the emulator may start there later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def read_until(
    stream: asyncio.StreamReader, done: Callable[[list[str]], bool], timeout: float = 30
) -> list[str]:
    """The process's lines until `done` holds for them."""
    lines: list[str] = []

    async def read() -> None:
        while not done(lines):
            line = await stream.readline()
            assert line, "the process ended: " + "".join(lines)
            lines.append(line.decode())

    await asyncio.wait_for(read(), timeout)
    return lines


def unreachable_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if "Telegram is not reachable" in line]


def assert_clean(log: str) -> None:
    assert "Traceback" not in log and "Unclosed" not in log, log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_run_waits_for_telegram_and_serves_once_it_answers(
    emulator: Emulator, tmp_path: Path
) -> None:
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    env = bot_environment(address, DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    process = await start_bot_process("run", env, tmp_path)
    assert process.stderr is not None
    server = EmulatorServer(emulator, port=port)
    try:
        before = await read_until(process.stderr, lambda lines: len(unreachable_lines(lines)) == 2)
        first, second = unreachable_lines(before)
        assert f"Telegram is not reachable at {address} (connection refused" in first
        assert "attempt 1: trying again in 1 s" in first
        assert "attempt 2: trying again in 2 s" in second
        await server.start()
        async with Driver(server.url) as driver:
            alice = await new_supporter(driver, "Alice", "en")
            await driver.wait_for(
                lambda: driver.calls("getUpdates"), timeout=30, what="the bot to poll"
            )
            greeting, _ = await alice.say("/start", replies=2)
            assert greeting["text"].startswith("Welcome.")
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.stop()
    assert process.returncode == 0
    log = "".join(before) + rest.decode()
    assert_clean(log)
    assert f"Telegram answered at {address}" in log


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
async def test_a_signal_while_telegram_is_unreachable_stops_at_once(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    env = bot_environment(
        f"http://127.0.0.1:{free_port()}", DATABASE_PATH=str(tmp_path / "bot.sqlite3")
    )
    process = await start_bot_process("run", env, tmp_path)
    assert process.stderr is not None
    try:
        before = await read_until(process.stderr, lambda lines: bool(unreachable_lines(lines)))
        process.send_signal(stop_signal)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=5)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    log = "".join(before) + rest.decode()
    assert_clean(log)
    assert "Stopped before Telegram was reached" in log


async def test_the_ids_are_found_by_running_with_placeholders_first(
    server: EmulatorServer, driver: Driver, tmp_path: Path
) -> None:
    """README's and env.example's way to the two ids: run with 0 for both, send /chatid."""
    env = bot_environment(
        server.url,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        MODERATOR_CHAT_ID="0",
        CHANNEL_ID="0",
    )
    process = await start_bot_process("run", env, tmp_path)
    try:
        await driver.wait_for(
            lambda: driver.calls("getUpdates"), timeout=30, what="the bot to poll"
        )
        polling = asyncio.get_running_loop().time()
        for chat in (MODERATOR_GROUP_ID, CHANNEL_ID):
            sent = await driver.send(30_001, "/chatid", chat_id=chat)
            [answer] = await driver.wait_bot_messages(chat, sent["message_id"], timeout=30)
            assert answer["text"] == str(chat)
        # Past the counter's first edit (5 s after start): nothing is sent to a chat 0.
        await asyncio.sleep(max(0.0, polling + 6 - asyncio.get_running_loop().time()))
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    log = stderr.decode()
    assert_clean(log)
    assert " ERROR " not in log, log
    for name, how in (
        ("MODERATOR_CHAT_ID", "send /chatid in the moderator group"),
        ("CHANNEL_ID", "post /chatid in the channel"),
    ):
        assert log.count(f"Set-up: {name} is 0, a placeholder: {how}, put the number") == 1


async def test_a_refused_token_is_one_line_and_closes_its_sessions(
    server: EmulatorServer, tmp_path: Path
) -> None:
    env = bot_environment(
        server.url,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        BOT_TOKEN="100000001:wrong-token-wrong-token-wrong-token",
    )
    process = await start_bot_process("run", env, tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 1
    [line] = stderr.decode().splitlines()
    assert line.startswith("error: BOT_TOKEN was refused by Telegram: copy the token again")
    assert f"Or TELEGRAM_API_URL ({server.url}) is not a Bot API server." in line
