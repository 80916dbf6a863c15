"""The benchmark's processes: the emulator (with the latency probe), the bot, py-spy; where
each runs (pinned to cores), and stopping them."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINNING = "--no-pin" not in sys.argv
BOT_ROOT = "BENCH_BOT_ROOT"  # where bench/serve_bot.py takes the bot from (default: ROOT)

from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN  # noqa: E402


async def start_emulator() -> tuple[asyncio.subprocess.Process, str]:
    """The emulator in its own process, the latency probe watching it; its address."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "bench/serve_emulator.py", cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    url = (await process.stdout.readline()).decode().strip()
    return process, url


async def start_process(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def pin(pid: int, cpus: set[int]) -> None:
    """Keep a process on some CPUs (no-op when the machine has fewer)."""
    usable = cpus & os.sched_getaffinity(0)
    if usable and PINNING:
        os.sched_setaffinity(pid, usable)


def place(bot: int, emulator: int) -> None:
    """The bot gets a core of its own; the emulator and this load generator, standing in for
    Telegram and its users, share the other."""
    pin(bot, {0})
    pin(emulator, {1})
    pin(os.getpid(), {1})


async def start_bot(url: str, database: Path) -> asyncio.subprocess.Process:
    return await start_process(
        ["bench/serve_bot.py"],
        {
            "BOT_TOKEN": SANDBOX_TOKEN,
            "TELEGRAM_API_URL": url,
            "MODERATOR_CHAT_ID": str(MODERATOR_GROUP_ID),
            "CHANNEL_ID": str(CHANNEL_ID),
            "DATABASE_PATH": str(database),
            "LOG_LEVEL": "WARNING",
            "MESSAGE_DAILY_LIMIT": "100",
        },
    )


async def stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def profile(pid: int, output: Path) -> asyncio.subprocess.Process:
    """py-spy sampling the bot, written as collapsed stacks (flame graph input)."""
    beside = Path(sys.executable).with_name("py-spy")
    spy = str(beside) if beside.exists() else "py-spy"
    return await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
        "--output", str(output), "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
