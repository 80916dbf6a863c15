"""Command line: `python -m bot [run|sandbox]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import SETTINGS_HELP, SettingsError, environment, load_settings
from bot.i18n import LANGUAGES, CatalogError
from bot.log import configure_logging

EXIT_SETTINGS = 2


def _settings_epilog() -> str:
    rows = [
        f"  {name:<18} {meaning} [{default or 'required for run'}]"
        for name, meaning, default in SETTINGS_HELP
    ]
    return (
        "commands:\n"
        "  run        serve the bot by long polling (needs BOT_TOKEN, MODERATOR_CHAT_ID, "
        "CHANNEL_ID)\n"
        "  sandbox    a local Telegram emulator with the bot against it, no token needed\n"
        "  (none)     run when BOT_TOKEN is configured, else sandbox\n\n"
        "settings (environment variables, or KEY=VALUE lines in ./.env):\n" + "\n".join(rows)
    )


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A Telegram bot for solidarity campaigns: the open letter in many languages.",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="{run,sandbox}")
    commands.add_parser("run", help="serve the bot by long polling")
    sandbox = commands.add_parser("sandbox", help="run the bot against a local Telegram emulator")
    sandbox.add_argument("--port", type=int, default=8081, help="emulator port (default 8081)")
    sandbox.add_argument(
        "--database",
        type=Path,
        default=Path("data/sandbox.sqlite3"),
        help="SQLite file for the sandbox (default data/sandbox.sqlite3)",
    )
    return parser.parse_args(argv)


def run() -> int:
    env = environment()
    try:
        settings = load_settings(env, LANGUAGES)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETTINGS
    configure_logging(settings.log_level, [settings.bot_token])
    from bot.app import build_application

    try:
        application = build_application(settings)
    except CatalogError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    application.run_polling(
        allowed_updates=[
            "message",
            "edited_message",
            "callback_query",
            "channel_post",
            "my_chat_member",
        ]
    )
    return 0


def sandbox(port: int, database: Path) -> int:
    env = environment()
    configure_logging(env.get("LOG_LEVEL", "INFO").upper(), [])
    from bot.sandbox.run import run_sandbox

    default_language = env.get("DEFAULT_LANGUAGE", "en")
    if default_language not in LANGUAGES:
        default_language = "en"
    asyncio.run(run_sandbox(port, database, default_language))
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    if arguments.command == "run":
        return run()
    if arguments.command == "sandbox":
        return sandbox(arguments.port, arguments.database)
    if environment().get("BOT_TOKEN"):
        return run()
    print("No BOT_TOKEN is configured: starting the local sandbox instead.", file=sys.stderr)
    return sandbox(8081, Path("data/sandbox.sqlite3"))


if __name__ == "__main__":
    sys.exit(main())
