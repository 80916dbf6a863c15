"""The bot as `python -m bot run` serves it, with Telegram's group limit shortened.

Approving thousands of items is bounded by Telegram's 20 messages a minute in a group, not by
the bot: 2,000 signatures and 600 messages would take about half an hour to card. The
benchmark allows 20 a second in the group and cards pending signatures every second; nothing
else differs from `python -m bot run`.

With BENCH_BOT_ROOT set (bench/run.py --bot-from), the bot is that checkout's: its bot/ and
locales/ come first on the path.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_BOT_ROOT") or str(Path(__file__).resolve().parent.parent))

from bot.app import build_application
from bot.config import environment, load_settings
from bot.i18n import LANGUAGES
from bot.log import configure_logging
from bot.loop import run
from bot.runtime import serve


def main() -> int:
    settings = load_settings(environment(), LANGUAGES)
    settings = dataclasses.replace(settings, card_interval=1.0, group_rate=(20, 1.0))
    configure_logging(settings.log_level, [settings.bot_token])
    return run(serve(build_application(settings), False))


if __name__ == "__main__":
    sys.exit(main())
