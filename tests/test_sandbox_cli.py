"""`python -m bot sandbox` (and `run`) as an organiser starts them: what the terminal shows, and
the languages of the moderator group and the channel taken from the settings."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.sandbox.driver import Driver
from bot.sandbox.server import EmulatorServer
from tests.helpers.processes import ROOT, bot_environment, start_bot_process

ALEX, MINA = 20_002, 30_001
BANNER = "Sandbox: a local Telegram at"
BANNER_END = "Stop with Ctrl+C."
PERSIAN = re.compile("[\u0600-\u06ff]")
SCHEDULER_CHATTER = ("apscheduler", "Running job", "executed successfully", "Added job")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SandboxProcess:
    process: asyncio.subprocess.Process
    url: str
    banner: list[str]

    async def stop(self) -> tuple[str, str]:
        """Ctrl+C; everything it printed (the banner included) and the log."""
        self.process.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(self.process.communicate(), timeout=30)
        return "".join(self.banner) + stdout.decode(), stderr.decode()


def sandbox_environment(**settings: str) -> dict[str, str]:
    """This environment without a bot's settings (an organiser's shell), plus `settings`."""
    names = ("BOT_TOKEN", "DEFAULT_LANGUAGE", "CHANNEL_LANGUAGE", "MODERATOR_LANGUAGE")
    env = {name: value for name, value in os.environ.items() if name not in names}
    return {**env, "PYTHONPATH": str(ROOT), **settings}


async def start_sandbox(cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        str(free_port()),
        "--database",
        str(cwd / "data" / "sandbox.sqlite3"),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


Launch = Callable[..., Awaitable[SandboxProcess]]


@pytest.fixture
async def launch(tmp_path: Path) -> AsyncIterator[Launch]:
    """`launch(**settings)`: `python -m bot sandbox` in a folder (with the `.env` a test wrote
    there) and `settings` in its environment, once its banner is printed."""
    started: list[asyncio.subprocess.Process] = []

    async def start(**settings: str) -> SandboxProcess:
        process = await start_sandbox(tmp_path, sandbox_environment(**settings))
        started.append(process)
        assert process.stdout is not None
        banner: list[str] = []
        while not banner or not banner[-1].startswith(BANNER_END):
            line = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
            assert line, "the sandbox stopped before printing its banner"
            banner.append(line)
        url = "".join(banner).split(BANNER, 1)[1].split()[0]
        return SandboxProcess(process, url, banner)

    try:
        yield start
    finally:
        for process in started:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def test_the_sandbox_terminal_keeps_its_banner(launch: Launch) -> None:
    """The scheduler's jobs (every 2 s in the sandbox) do not flood the terminal."""
    sandbox_process = await launch()
    await asyncio.sleep(5)  # the card job runs twice, the counter's once
    printed, log = await sandbox_process.stop()
    assert sandbox_process.process.returncode == 0
    assert f"Open {sandbox_process.url}/ in a browser" in printed
    chatter = [line for line in log.splitlines() if any(s in line for s in SCHEDULER_CHATTER)]
    assert chatter == []
    assert "Application started" in log
    assert len(log.splitlines()) < 30


async def test_run_logs_no_scheduler_chatter(
    server: EmulatorServer, driver: Driver, tmp_path: Path
) -> None:
    env = bot_environment(
        server.url, DATABASE_PATH=str(tmp_path / "bot.sqlite3"), LOG_LEVEL="INFO"
    )
    process = await start_bot_process("run", env, tmp_path)
    try:
        await driver.wait_for(
            lambda: driver.calls("getUpdates"), timeout=30, what="the bot to poll"
        )
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert "Application started" in log
    assert [line for line in log.splitlines() if any(s in line for s in SCHEDULER_CHATTER)] == []
