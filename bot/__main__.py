"""Command line: `python -m bot [run|sandbox]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.config import (
    SETTINGS_HELP,
    Settings,
    SettingsError,
    check_key_file,
    default_key_file,
    environment,
    key_file_warning,
    load_settings,
)
from bot.i18n import LANGUAGES, CatalogError
from bot.log import configure_logging
from bot.loop import run as run_loop

EXIT_SETTINGS = 2
# Everything the bot writes (the database, its journal, the key, backups, the heartbeat) is
# readable by its owner only, however it is started.
UMASK = 0o077


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
        "  check      check the token, the moderator group and the channel, one line each\n"
        "  backup     a consistent copy of the live database: backup PATH\n"
        "  stats      the campaign's figures\n"
        "  health     exit status 0 when the running bot wrote its heartbeat lately\n"
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
    commands = parser.add_subparsers(
        dest="command", metavar="{run,sandbox,check,backup,stats,health}"
    )
    run_command = commands.add_parser("run", help="serve the bot by long polling")
    run_command.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on a webhook (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN, "
        "WEBHOOK_PORT) instead of long polling",
    )
    commands.add_parser("check", help="check the token, the moderator group and the channel")
    backup = commands.add_parser("backup", help="copy the live database consistently to PATH")
    backup.add_argument("path", type=Path, help="where to write the copy")
    commands.add_parser("stats", help="print the campaign's figures")
    commands.add_parser("health", help="exit 0 when the running bot wrote its heartbeat lately")
    sandbox = commands.add_parser("sandbox", help="run the bot against a local Telegram emulator")
    sandbox.add_argument("--port", type=int, default=8081, help="emulator port (default 8081)")
    sandbox.add_argument(
        "--database",
        type=Path,
        default=Path("data/sandbox.sqlite3"),
        help="SQLite file for the sandbox (default data/sandbox.sqlite3)",
    )
    sandbox.add_argument(
        "--topics",
        action="store_true",
        help="make the moderator group a forum where the bot may manage topics",
    )
    return parser.parse_args(argv)


def run(webhook: bool = False) -> int:
    env = environment()
    try:
        settings = load_settings(env, LANGUAGES)
        if webhook and not (settings.webhook_url and settings.webhook_secret):
            missing = "WEBHOOK_URL" if not settings.webhook_url else "WEBHOOK_SECRET"
            raise SettingsError(
                f"{missing} is not set: --webhook needs WEBHOOK_URL (the public https address) "
                "and WEBHOOK_SECRET (16 or more random characters)."
            )
        check_key_file(settings)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETTINGS
    configure_logging(settings.log_level, secrets_of(settings))
    warning = key_file_warning(settings)
    if warning:
        logging.getLogger("bot").warning("%s", warning)
    from telegram.error import InvalidToken

    from bot.app import build_application
    from bot.runtime import serve

    try:
        application = build_application(settings)
    except CatalogError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        return run_loop(serve(application, webhook))
    except InvalidToken:
        print(
            "error: BOT_TOKEN was refused by Telegram: copy the token again from @BotFather "
            "(/mybots, API Token), or /revoke it and use the new one.",
            file=sys.stderr,
        )
        return 1


def secrets_of(settings: Settings) -> list[str]:
    """What must never be printed: the token (and its secret half), the keys."""
    token = settings.bot_token
    return [
        token,
        token.partition(":")[2],
        settings.secret_key or "",
        settings.webhook_secret or "",
    ]


def sandbox(port: int, database: Path, topics: bool = False) -> int:
    env = environment()
    configure_logging(env.get("LOG_LEVEL", "INFO").upper(), [])
    from bot.sandbox.run import read_languages, run_sandbox

    try:
        languages = read_languages(env, LANGUAGES)
    except SettingsError as error:
        print("\n".join(f"error: {line}" for line in str(error).splitlines()), file=sys.stderr)
        return EXIT_SETTINGS
    run_loop(run_sandbox(port, database, languages, topics))
    return 0


def check() -> int:
    try:
        settings = load_settings(environment(), LANGUAGES)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETTINGS
    configure_logging(settings.log_level, secrets_of(settings))
    from bot.operations import check_setup

    results = asyncio.run(check_setup(settings))
    for result in results:
        print(("ok     " if result.ok else "FAILED ") + result.line)
    warning = key_file_warning(settings)
    if warning:
        print("note   " + warning)
    return 0 if all(result.ok for result in results) else 1


def database_only() -> Settings:
    """Settings for commands that need only the database (backup, stats, health)."""
    env = environment()
    database = Path(env.get("DATABASE_PATH", "").strip() or "data/bot.sqlite3")
    key_file = env.get("KEY_FILE", "").strip()
    return Settings(
        bot_token="",
        moderator_chat_id=0,
        channel_id=0,
        database_path=database,
        key_file=Path(key_file) if key_file else default_key_file(database, env),
    )


def main(argv: list[str] | None = None) -> int:
    os.umask(UMASK)
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    if arguments.command == "run":
        return run(arguments.webhook)
    if arguments.command == "check":
        return check()
    if arguments.command in ("backup", "stats", "health"):
        from bot import operations
        from bot.storage.maintenance import backup
        from bot.storage.stats import figures

        settings = database_only()
        if arguments.command == "health":
            return 0 if operations.healthy(settings) else 1
        if not settings.database_path.is_file():
            print(
                f"error: DATABASE_PATH: no database at {settings.database_path}", file=sys.stderr
            )
            return EXIT_SETTINGS
        if arguments.command == "stats":
            print("\n".join(figures(settings.database_path)))
            return 0
        pages = backup(settings.database_path, arguments.path)
        print(
            f"Backed up {settings.database_path} to {arguments.path} ({pages} pages). The "
            f"key is not in the copy: keep the key file ({settings.key_path}) or SECRET_KEY "
            "safe, stored apart from it."
        )
        return 0
    if arguments.command == "sandbox":
        return sandbox(arguments.port, arguments.database, arguments.topics)
    if environment().get("BOT_TOKEN"):
        return run()
    print("No BOT_TOKEN is configured: starting the local sandbox instead.", file=sys.stderr)
    return sandbox(8081, Path("data/sandbox.sqlite3"))


if __name__ == "__main__":
    sys.exit(main())
