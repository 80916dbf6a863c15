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

from bot.buttons import SignChoice, SigningStep
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
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


async def wait_for_bot_message(driver: Driver, chat_id: int, what: str) -> dict[str, object]:
    async def probe() -> dict[str, object] | None:
        found = await driver.bot_messages(chat_id)
        return found[-1] if found else None

    message: dict[str, object] = await driver.wait_for(probe, timeout=30, what=what)
    return message


@pytest.fixture
def dotenv(tmp_path: Path) -> Path:
    """A `.env` beside the sandbox, as an organiser keeps one."""
    path = tmp_path / ".env"
    path.write_text("# the channel is Persian\nCHANNEL_LANGUAGE=fa\n", encoding="utf-8")
    return path


async def test_the_sandbox_speaks_the_moderators_and_the_channels_languages(
    dotenv: Path, launch: Launch
) -> None:
    """MODERATOR_LANGUAGE from the environment, CHANNEL_LANGUAGE from .env, as `run` reads
    them: an organiser previews a Persian group and channel."""
    sandbox_process = await launch(MODERATOR_LANGUAGE="fa")
    assert "fa" in "".join(sandbox_process.banner)
    async with Driver(sandbox_process.url) as driver:
        await driver.send(ALEX, "/sign")
        await wait_for_bot_message(driver, ALEX, "the question how to sign")
        for choice in (SignChoice.ANONYMOUS, SignChoice.SKIP, SignChoice.CONFIRM):
            before = (await driver.bot_messages(ALEX))[-1]
            await driver.press(ALEX, ALEX, data=SigningStep(choice).pack())
            await driver.wait_for(
                lambda before=before: _changed(driver, before), timeout=15, what=choice.value
            )
        card = await wait_for_bot_message(driver, MODERATOR_GROUP_ID, "the signatures' card")
        assert PERSIAN.search(str(card["text"])), card["text"]
        markup = card["reply_markup"]
        assert isinstance(markup, dict)
        approve_all = markup["inline_keyboard"][0][0]["callback_data"]
        await driver.press(
            MINA, MODERATOR_GROUP_ID, data=approve_all, message_id=int(str(card["message_id"]))
        )
        post = await wait_for_bot_message(driver, CHANNEL_ID, "the channel's digest")
    await sandbox_process.stop()
    assert PERSIAN.search(str(post["text"])), post["text"]
    assert "New signatures" not in str(post["text"])


async def _changed(driver: Driver, before: dict[str, object]) -> bool:
    """The bot answered a press: a new message, or the question edited in place."""
    latest = (await driver.bot_messages(ALEX))[-1]
    return latest["message_id"] != before["message_id"] or latest != before


async def test_an_unknown_language_is_refused_in_one_line_each(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CHANNEL_LANGUAGE=xx\n", encoding="utf-8")
    env = sandbox_environment(MODERATOR_LANGUAGE="Persian", DEFAULT_LANGUAGE="fa")
    process = await start_sandbox(tmp_path, env)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 2
    lines = stderr.decode().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("error: CHANNEL_LANGUAGE is not a language the bot speaks")
    assert lines[1].startswith("error: MODERATOR_LANGUAGE is not a language the bot speaks")
    assert "fa" in lines[0] and "Traceback" not in stderr.decode()
    assert stdout == b""
