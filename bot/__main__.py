"""Command line: `python -m bot [run|sandbox]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sqlite3
import sys
import textwrap
from pathlib import Path

from bot.config import (
    SETTINGS_HELP,
    Settings,
    SettingsError,
    check_key_file,
    database_passwords,
    default_key_file,
    environment,
    key_file_warning,
    load_settings,
    signature_goal,
)
from bot.domain.links import NAME_LENGTH
from bot.i18n import LANGUAGES, CatalogError
from bot.log import configure_logging
from bot.loop import run as run_loop

EXIT_SETTINGS = 2
# Everything the bot writes (the database, its journal, the key, backups, the heartbeat) is
# readable by its owner only, however it is started.
UMASK = 0o077


# (command, what it does) for `--help`, in this order; each subcommand's own help says the same.
COMMANDS = (
    ("run", "serve the bot by long polling (needs BOT_TOKEN, MODERATOR_CHAT_ID, CHANNEL_ID)"),
    ("sandbox", "a local Telegram emulator with the bot against it, no token needed"),
    ("check", "check the token, the moderator group and the channel, one line each"),
    ("backup", "a consistent copy of the live database: backup [--force] PATH"),
    ("stats", "the campaign's figures"),
    ("link", "make a named link and print its addresses: link NAME; alone: list the links"),
    ("health", "exit status 0 when the running bot wrote its heartbeat lately"),
    ("(none)", "run when BOT_TOKEN is configured, else sandbox"),
)
HELP_WIDTH = 80  # a terminal's usual width


def table(rows: list[tuple[str, str]]) -> str:
    """Two columns, the second aligned and wrapped under itself."""
    width = max(len(name) for name, _ in rows) + 2
    lines = []
    for name, text in rows:
        wrapped = textwrap.wrap(text, HELP_WIDTH - width - 2) or [""]
        lines.append(f"  {name:<{width}}{wrapped[0]}")
        lines.extend(" " * (width + 2) + more for more in wrapped[1:])
    return "\n".join(lines)


def _epilog() -> str:
    settings = [
        (name, f"{meaning} [{default or 'required for run'}]")
        for name, meaning, default in SETTINGS_HELP
    ]
    return (
        "commands:\n"
        + table(list(COMMANDS))
        + "\n\nsettings (environment variables, or KEY=VALUE lines in ./.env):\n"
        + table(settings)
    )


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    explain = dict(COMMANDS)
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        usage="%(prog)s [-h] [{run,sandbox,check,backup,stats,link,health}] [options]",
        description="A Telegram bot for solidarity campaigns: the open letter in many languages.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # The commands are listed once, in the epilog's table (argparse's own list would repeat
    # them in another order and another alignment).
    commands = parser.add_subparsers(dest="command", prog="python -m bot", help=argparse.SUPPRESS)
    run_command = commands.add_parser("run", description=explain["run"])
    run_command.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on a webhook (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN, "
        "WEBHOOK_PORT) instead of long polling",
    )
    commands.add_parser("check", description=explain["check"])
    backup = commands.add_parser("backup", description=explain["backup"])
    backup.add_argument("path", type=Path, help="where to write the copy (its folder must exist)")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    commands.add_parser("stats", description=explain["stats"])
    link = commands.add_parser("link", description=explain["link"])
    link.add_argument(
        "name",
        nargs="?",
        help=f"letters, digits and _, at most {NAME_LENGTH} (the link's counts go by it)",
    )
    link.add_argument(
        "--username",
        help="the bot's @username (else asked of Telegram with BOT_TOKEN)",
    )
    commands.add_parser("health", description=explain["health"])
    sandbox = commands.add_parser("sandbox", description=explain["sandbox"])
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
        settings = load_settings(env, LANGUAGES, webhook=webhook)
        check_key_file(settings)
    except SettingsError as error:
        report(error)
        return EXIT_SETTINGS
    configure_logging(settings.log_level, secrets_of(settings))
    warning = key_file_warning(settings)
    if warning:
        logging.getLogger("bot").warning("%s", warning)
    from telegram.error import InvalidToken

    from bot.app import build_application
    from bot.operations import refused_token
    from bot.runtime import serve
    from bot.storage.database import DatabaseUnavailable

    try:
        application = build_application(settings)
    except (CatalogError, DatabaseUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        return run_loop(serve(application, webhook))
    except InvalidToken:
        print(f"error: {refused_token(settings)}", file=sys.stderr)
        return 1
    except DatabaseUnavailable as error:  # the PostgreSQL server, unreachable at start
        print(f"error: {error}", file=sys.stderr)
        return 1


def report(error: SettingsError) -> None:
    """Every bad setting, one line each."""
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)


def secrets_of(settings: Settings) -> list[str]:
    """What must never be printed: the token (and its secret half), the keys."""
    token = settings.bot_token
    return [
        token,
        token.partition(":")[2],
        settings.secret_key or "",
        settings.webhook_secret or "",
        *database_passwords(settings.database_url),
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
        report(error)
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
        secret_key=env.get("SECRET_KEY", "").strip() or None,
        key_file=Path(key_file) if key_file else default_key_file(database, env),
    )


def backup_command(settings: Settings, target: Path, force: bool) -> int:
    """Copy the database to `target`: never over a file unless --force, never into a folder
    that does not exist, never over the database itself; then say what the copy lacks."""
    from bot.storage.maintenance import backup

    database = settings.database_path
    live = {Path(f"{database.resolve()}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}
    if target.resolve() in live:
        print(f"error: {target} is the live database: choose another PATH.", file=sys.stderr)
        return EXIT_SETTINGS
    folder = target.parent
    if not folder.is_dir():
        print(
            f"error: the folder {folder} does not exist: create it (mkdir -m 700 -p {folder}) "
            "or choose another PATH.",
            file=sys.stderr,
        )
        return EXIT_SETTINGS
    if target.exists() and not force:
        print(
            f"error: {target} exists: choose another PATH, or add --force to replace it.",
            file=sys.stderr,
        )
        return EXIT_SETTINGS
    pages = backup(database, target, replace=force)
    print(f"Backed up {database} to {target} ({pages} pages; mode 0600, its owner's only).")
    print(key_reminder(settings))
    return 0


def key_reminder(settings: Settings) -> str:
    """What the copy lacks: the key that recognises its people (stored apart, on purpose)."""
    lacks = "The copy does not hold the key: a bot restored from it recognises nobody without"
    if settings.secret_key:
        return f"{lacks} this SECRET_KEY. Keep SECRET_KEY too, stored apart from the copies."
    if settings.key_path.is_file():
        return (
            f"{lacks} the key file {settings.key_path}. Back it up too, stored apart from "
            "the copies."
        )
    return (
        f"{lacks} its key, and there is no key file at {settings.key_path}: back up the key "
        "the bot runs with (its KEY_FILE or SECRET_KEY), stored apart from the copies."
    )


def link_command(name: str | None, username: str | None) -> int:
    """Register a named link and print its addresses; with no name, list the links."""
    settings = database_only()
    if name is None:
        return list_links(settings)
    from bot.domain.links import valid_name

    if not valid_name(name):
        print(
            f"error: {name[:80]!r} is not a link name: use letters A-Z and a-z, digits and _, "
            f"at most {NAME_LENGTH} (Telegram's start parameter allows no other).",
            file=sys.stderr,
        )
        return EXIT_SETTINGS
    username = (username or "").strip().removeprefix("@") or None
    if username is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", username):
        print(f"error: --username {username[:40]!r} is not a Telegram username.", file=sys.stderr)
        return EXIT_SETTINGS
    if username is None:
        username = bot_username_or_report()
        if username is None:
            return 1
    return asyncio.run(register_link(settings, name, username))


def bot_username_or_report() -> str | None:
    """The bot's username from Telegram, with the token; None after one line on stderr."""
    env = environment()
    token = env.get("BOT_TOKEN", "").strip()
    if not token:
        print(
            "error: BOT_TOKEN is not set: the link needs the bot's username; set BOT_TOKEN, "
            "or give it with --username.",
            file=sys.stderr,
        )
        return None
    from bot.config import TELEGRAM_URL
    from bot.operations import bot_username

    api_url = (env.get("TELEGRAM_API_URL", "").strip() or TELEGRAM_URL).rstrip("/")
    settings = Settings(
        bot_token=token, moderator_chat_id=0, channel_id=0, telegram_api_url=api_url
    )
    configure_logging("WARNING", secrets_of(settings))
    username, problem = asyncio.run(bot_username(settings))
    if username is None:
        print(f"error: {problem}", file=sys.stderr)
    return username


async def register_link(settings: Settings, name: str, username: str) -> int:

    from bot.domain import days
    from bot.domain.links import start_parameter
    from bot.storage import database_for
    from bot.storage.links import LinkRepository

    database = database_for(settings.database_path, settings.database_url)
    await database.open()
    try:
        added = await LinkRepository(database).add(name, days.today())
    finally:
        await database.close()
    print(f"The link {name} is " + ("registered." if added else "registered already."))
    print(f"https://t.me/{username}?start={start_parameter(name)}")
    print("With the letter in a language:")
    for language in LANGUAGES:
        print(f"  {language:<4}https://t.me/{username}?start={start_parameter(name, language)}")
    return 0


def list_links(settings: Settings) -> int:
    from bot.storage.links import listed

    if not settings.database_path.is_file():
        print(f"error: DATABASE_PATH: no database at {settings.database_path}", file=sys.stderr)
        return EXIT_SETTINGS
    try:
        links = listed(settings.database_path)
    except sqlite3.OperationalError:  # a database of a version before links
        links = []
    if not links:
        print("No links yet: make one with `python -m bot link NAME`.")
        return 0
    print("Link, registered on: started, read on, signed (up to yesterday)")
    for name, created, figures in links:
        print(
            f"{name}, {created}: started {figures.started:,}, read {figures.read:,}, "
            f"signed {figures.signed:,}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    os.umask(UMASK)
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    if arguments.command == "run":
        return run(arguments.webhook)
    if arguments.command == "check":
        return check()
    if arguments.command in ("backup", "stats", "health"):
        from bot import operations
        from bot.storage.stats import figures

        settings = database_only()
        if arguments.command == "health":
            ok, line = operations.health(settings)
            print(line, file=sys.stdout if ok else sys.stderr)
            return 0 if ok else 1
        if not settings.database_path.is_file():
            print(
                f"error: DATABASE_PATH: no database at {settings.database_path}", file=sys.stderr
            )
            return EXIT_SETTINGS
        if arguments.command == "stats":
            problems: list[str] = []
            goal = signature_goal(environment(), problems)
            if problems:
                report(SettingsError(*problems))
                return EXIT_SETTINGS
            print("\n".join(figures(settings.database_path, goal)))
            return 0
        return backup_command(settings, arguments.path, arguments.force)
    if arguments.command == "link":
        return link_command(arguments.name, arguments.username)
    if arguments.command == "sandbox":
        return sandbox(arguments.port, arguments.database, arguments.topics)
    if environment().get("BOT_TOKEN"):
        return run()
    print("No BOT_TOKEN is configured: starting the local sandbox instead.", file=sys.stderr)
    return sandbox(8081, Path("data/sandbox.sqlite3"))


if __name__ == "__main__":
    sys.exit(main())
