"""How long a moderator's press waits while a member who is not a moderator floods the group.

    .venv/bin/python bench/press_latency.py [commands]

Starts the emulator and the bot with Telegram's own group limit (20 messages a minute), puts a
message card in the moderator group, has a plain member send `commands` /stats (default 40),
then has an administrator press Approve on the card, and prints the seconds until the press is
answered (issue 16: "moderators' presses are answered within a second whatever else is
queued"). Not part of the benchmark run (bench/run.py); it takes up to two minutes on old code.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application
from bot.config import Settings
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN, seed
from bot.sandbox.server import EmulatorServer
from tests.conftest import CHEAP_KEYS
from tests.helpers.people import new_supporter
from tests.test_moderation import KIM, MINA, card_for, send_text_message


async def measure(commands: int) -> float:
    emulator = Emulator(SANDBOX_TOKEN)
    seed(emulator)
    server = EmulatorServer(emulator)
    url = await server.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            bot_token=SANDBOX_TOKEN,
            moderator_chat_id=MODERATOR_GROUP_ID,
            channel_id=CHANNEL_ID,
            database_path=Path(folder) / "bot.sqlite3",
            telegram_api_url=url,
            key_file=Path(folder) / "bot.key",
            key_cost=CHEAP_KEYS,
            card_interval=0.2,
        )
        application = build_application(settings)
        await start_application(application, poll_timeout=2)
        try:
            async with Driver(url) as driver:
                alice = await new_supporter(driver, "Alice", "en")
                await send_text_message(alice, "Solidarity")
                card = await card_for(driver, "#M1")
                for _ in range(commands):
                    await driver.send(KIM, "/stats", chat_id=MODERATOR_GROUP_ID)
                await asyncio.sleep(1)  # the commands are taken up
                start = time.monotonic()
                query = await driver.press(
                    MINA, MODERATOR_GROUP_ID, text="Approve", message_id=card["message_id"]
                )
                await driver.wait_answered(query, timeout=180)
                return time.monotonic() - start
        finally:
            await stop_application(application)
            await server.stop()


def main() -> int:
    commands = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    seconds = asyncio.run(measure(commands))
    print(f"{commands} /stats from a member, then a moderator's press: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
