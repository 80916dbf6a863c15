"""`python -m bot` as a separate process against the emulator, as an organiser runs it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN

ROOT = Path(__file__).resolve().parent.parent.parent


def bot_environment(api_url: str, **settings: str) -> dict[str, str]:
    """This environment, the checkout importable, the bot pointed at the emulator's seeded
    group and channel; `settings` (DATABASE_PATH=..., say) added or overriding. The key file
    goes beside the database's folder (never into the home's ~/.config)."""
    if "DATABASE_PATH" in settings and "KEY_FILE" not in settings:
        folder = Path(settings["DATABASE_PATH"]).resolve().parent
        settings["KEY_FILE"] = str(folder.with_name(folder.name + "-keys") / "bot.key")
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": SANDBOX_TOKEN,
        "TELEGRAM_API_URL": api_url,
        "MODERATOR_CHAT_ID": str(MODERATOR_GROUP_ID),
        "CHANNEL_ID": str(CHANNEL_ID),
        **settings,
    }


async def start_bot_process(
    command: str, env: dict[str, str], cwd: Path, quiet: bool = False
) -> asyncio.subprocess.Process:
    """`python -m bot <command>`; its output piped to the test, or dropped when `quiet`."""
    output = asyncio.subprocess.DEVNULL if quiet else asyncio.subprocess.PIPE
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", command, cwd=cwd, env=env, stdout=output, stderr=output
    )
