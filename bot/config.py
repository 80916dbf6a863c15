"""Settings, read once from the environment and from a `.env` file in the working directory."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from bot.domain.identity import PRODUCTION_COST, KeyCost

TELEGRAM_URL = "https://api.telegram.org"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,64}")
_CHANNEL_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")
# Where hints send the organiser: README headings, quoted as they are written (a test checks
# that every README reference in the code names a heading that exists).
README_SETUP = "README, 'Setting up a campaign on Telegram'"
README_PRIVACY = "README, 'Privacy: what is stored'"

# (variable, meaning, default) for `--help` and README; None means required for `run`.
SETTINGS_HELP: tuple[tuple[str, str, str | None], ...] = (
    ("BOT_TOKEN", "the token from @BotFather", None),
    ("MODERATOR_CHAT_ID", "id of the private moderator group", None),
    ("CHANNEL_ID", "id or @username of the broadcast channel", None),
    ("DATABASE_PATH", "the SQLite file", "data/bot.sqlite3"),
    ("DATABASE_URL", "postgresql://user:password@host:5432/name: PostgreSQL instead", "(none)"),
    ("TELEGRAM_API_URL", "Bot API base URL (self-hosted server or the emulator)", TELEGRAM_URL),
    ("DEFAULT_LANGUAGE", "language when nothing better is known", "en"),
    ("CHANNEL_LANGUAGE", "language of what is published in the channel", "en"),
    ("LOG_LEVEL", "logging level", "INFO"),
    ("OPS_CHAT_ID", "a chat the error handler reports failures to (optional)", "(none)"),
    ("WEBHOOK_URL", "public https address Telegram calls in --webhook mode", "(none)"),
    ("WEBHOOK_LISTEN", "address the webhook server listens on", "127.0.0.1"),
    ("WEBHOOK_PORT", "port the webhook server listens on", "8443"),
    ("WEBHOOK_SECRET", "secret token every webhook request must carry (16+ characters)", "(none)"),
    ("MODERATOR_LANGUAGE", "language of the moderator group", "en"),
    ("MODERATORS", "admins: the group's administrators decide; members: any member", "admins"),
    ("SIGNATURE_DIGEST_INTERVAL", "seconds between channel digests of signatures; 0: off", "3600"),
    ("MESSAGE_PENDING_LIMIT", "messages a person may have waiting for review at once", "3"),
    ("MESSAGE_DAILY_LIMIT", "messages a person may send in 24 hours", "10"),
    ("SIGNATURE_GOAL", "signatures the campaign aims for, shown as progress", "(none)"),
    ("SECRET_KEY", "key for hashing Telegram ids; else the key file (KEY_FILE)", "(file)"),
    (
        "KEY_FILE",
        "the key file, created on first start; keep it off the database's volume",
        "~/.config/solidarity-bot/<database name>.key",
    ),
)


class SettingsError(Exception):
    """Settings are missing or malformed: one line for the organiser per problem."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    bot_token: str
    moderator_chat_id: int
    channel_id: int | str
    database_path: Path = Path("data/bot.sqlite3")
    # postgresql://...: the database is on that server (asyncpg), not in the SQLite file.
    database_url: str | None = None
    telegram_api_url: str = TELEGRAM_URL
    default_language: str = "en"
    channel_language: str = "en"
    log_level: str = "INFO"
    secret_key: str | None = None
    message_pending_limit: int = 3
    message_daily_limit: int = 10
    moderator_language: str = "en"
    moderators: str = "admins"  # or "members": any member of the moderator group decides
    signature_digest_interval: float = 3600.0  # seconds; 0 turns the channel digest off
    signature_goal: int | None = None  # the counter, thank-you and milestones show progress
    # Not environment settings: how often pending signatures are carded, and the counter
    # edited; the group limit the outbox keeps to (sends per window, seconds).
    card_interval: float = 30.0
    counter_interval: float = 60.0
    group_rate: tuple[int, float] = (20, 60.0)
    ops_chat_id: int | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    # A 409 Conflict this soon after start means another instance was already running.
    conflict_window: float = 30.0
    # Seconds a decision can be undone from its card; its author is told once they have
    # passed (not an environment setting; tests shorten it).
    undo_window: float = 10 * 60
    # Seconds before an abandoned conversation ends quietly (not an environment setting).
    conversation_timeout: float = 30 * 60
    # The key file; None: beside the database (the sandbox's, and tests'). load_settings
    # always gives one apart from the database (see default_key_file).
    key_file: Path | None = None
    # What deriving a person key costs (not an environment setting; tests make it cheap).
    key_cost: KeyCost = PRODUCTION_COST
    # Where the letter files are (<dir>/<language>/letter.html); None: beside the catalogs, in
    # locales/ (not an environment setting; tests amend a copy between two runs).
    letters_dir: Path | None = None

    def __repr__(self) -> str:
        # The token and the secret key must never reach a log or a traceback.
        shown = ("moderator_chat_id", "channel_id", "database_path", "telegram_api_url")
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        if self.database_url:
            fields += f", database_url={redacted(self.database_url)!r}"
        return f"Settings({fields})"

    @property
    def api_address(self) -> str:
        """scheme://host:port of the Bot API, for log lines (a Bot API URL holds the token)."""
        return address_of(self.telegram_api_url)

    @property
    def key_path(self) -> Path:
        return self.key_file or self.database_path.with_suffix(".key")


def address_of(url: str) -> str:
    """scheme://host:port of a URL, nothing of its path, query or credentials."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = None
    host = parts.hostname or "?"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


POSTGRES_SCHEMES = ("postgresql", "postgres")
_DATABASE_URL_SHAPE = "postgresql://user:password@host:5432/name"


def database_passwords(url: str | None) -> list[str]:
    """The password in DATABASE_URL, as written and decoded (both are kept out of logs)."""
    password = urlsplit(url or "").password
    return [password, unquote(password)] if password else []


def redacted(url: str) -> str:
    """The URL with its password replaced by ***, for a log line or a repr."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def database_url(env: Mapping[str, str], problems: list[str]) -> str | None:
    """DATABASE_URL: none when unset (SQLite at DATABASE_PATH), else a postgresql:// URL with
    a host and a database name. A problem's line never shows the URL (it holds a password)."""
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    wrong = None
    if parts.scheme not in POSTGRES_SCHEMES:
        wrong = f"it starts with {parts.scheme or '(nothing)'}:, not postgresql://"
    elif not parts.hostname and "host" not in parse_qs(parts.query):
        wrong = "it names no host"
    elif not parts.path.strip("/"):
        wrong = "it names no database (the part after the last /)"
    elif "/" in parts.path.strip("/"):
        wrong = "its database name holds a /"
    else:
        try:
            parts.port  # noqa: B018 (urlsplit checks the port when it is read)
        except ValueError:
            wrong = "its port is not a number from 1 to 65535"
        else:
            if parts.port == 0:
                wrong = "its port is not a number from 1 to 65535"
    if wrong is not None:
        problems.append(
            f"DATABASE_URL is malformed: {wrong}; give {_DATABASE_URL_SHAPE}, or leave it "
            "unset for the SQLite file at DATABASE_PATH."
        )
        return None
    return url


def default_key_file(database: Path, env: Mapping[str, str]) -> Path:
    """Where the key file is when KEY_FILE is not set: never in the database's folder.

    systemd's credentials directory when the unit passes one (LoadCredential=secret_key:...);
    else a key file of an earlier version beside the database, so existing campaigns keep
    their key (warned about at start); else $XDG_CONFIG_HOME/solidarity-bot/<name>.key.
    """
    credentials = env.get("CREDENTIALS_DIRECTORY", "").strip()
    if credentials:
        return Path(credentials) / "secret_key"
    beside = database.with_suffix(".key")
    if beside.is_file():
        return beside
    config = env.get("XDG_CONFIG_HOME", "").strip() or str(Path(env.get("HOME", "~")) / ".config")
    return Path(config).expanduser() / "solidarity-bot" / f"{database.stem}.key"


def check_key_file(settings: Settings) -> None:
    """Refuse to make a new key while the campaign's old one lies beside the database.

    After an upgrade that sets KEY_FILE (compose, the systemd unit), a new key would leave
    every stored person unrecognised: the old one must be moved, not replaced.
    """
    beside = settings.database_path.with_suffix(".key")
    key = settings.key_path
    if settings.secret_key or key.exists() or not beside.is_file() or key == beside:
        return
    raise SettingsError(
        f"KEY_FILE is {key}, which does not exist, but the campaign's key is beside the "
        f"database ({beside}): move it there (mv {beside} {key}), or set KEY_FILE to it."
    )


def key_file_warning(settings: Settings) -> str | None:
    """One line when the key file lies inside the database's folder (one copy holds both)."""
    if settings.secret_key:
        return None
    folder = settings.database_path.resolve().parent
    key = settings.key_path.resolve()
    if not key.is_relative_to(folder):
        return None
    return (
        f"The key file {settings.key_path} is in the database's folder ({folder}): whoever "
        "copies that folder can test every Telegram id against the database. Move it "
        f"elsewhere and set KEY_FILE to it (see {README_PRIVACY})."
    )


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; blank lines, comments and `export ` prefixes are allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def environment(dotenv: Path = Path(".env")) -> dict[str, str]:
    """The environment over the .env file: a variable that is set wins."""
    return {**read_dotenv(dotenv), **os.environ}


def load_settings(
    env: Mapping[str, str], languages: tuple[str, ...], webhook: bool = False
) -> Settings:
    """Validate every setting; raise SettingsError naming every bad one, a line each.

    `webhook`: `run --webhook`, which needs WEBHOOK_URL and WEBHOOK_SECRET too.
    """
    problems: list[str] = []
    token = env.get("BOT_TOKEN", "").strip()
    if not token:
        problems.append(
            "BOT_TOKEN is not set: talk to @BotFather in Telegram, send /newbot, and put the "
            "token it gives you in BOT_TOKEN (in the environment or in .env)."
        )
    elif not _TOKEN.fullmatch(token):
        problems.append(
            "BOT_TOKEN is malformed: a token looks like digits, a colon and about 35 letters; "
            "copy it again from @BotFather (/mybots, API Token)."
        )
    moderator_chat = _chat_id(env, "MODERATOR_CHAT_ID", False, problems)
    channel = _chat_id(env, "CHANNEL_ID", True, problems)
    api_url = env.get("TELEGRAM_API_URL", "").strip() or TELEGRAM_URL
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", api_url):
        problems.append(
            "TELEGRAM_API_URL is malformed: give a base URL such as https://api.telegram.org "
            "or http://127.0.0.1:8081."
        )
    default_language = _language(env, "DEFAULT_LANGUAGE", languages, problems)
    channel_language = _language(env, "CHANNEL_LANGUAGE", languages, problems)
    moderator_language = _language(env, "MODERATOR_LANGUAGE", languages, problems)
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL is not a logging level: use one of {', '.join(LOG_LEVELS)}.")
    secret = env.get("SECRET_KEY", "").strip() or None
    if secret is not None and len(secret) < 32:
        problems.append(
            "SECRET_KEY is too short: use at least 32 random characters, for example from "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    moderators = env.get("MODERATORS", "").strip().lower() or "admins"
    if moderators not in ("admins", "members"):
        problems.append(
            "MODERATORS is malformed: use admins (the group's administrators decide) or "
            "members (any member of the moderator group decides)."
        )
    interval = env.get("SIGNATURE_DIGEST_INTERVAL", "").strip() or "3600"
    if not interval.isdigit():
        problems.append(
            "SIGNATURE_DIGEST_INTERVAL is malformed: give whole seconds (3600 is one hour; 0 "
            "turns the channel digest off)."
        )
    ops = env.get("OPS_CHAT_ID", "").strip()
    if ops and not re.fullmatch(r"-?\d{1,20}", ops):
        problems.append("OPS_CHAT_ID is malformed: it must be a number such as -1001234567890.")
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    if webhook_url and not re.fullmatch(r"https?://\S+", webhook_url):
        problems.append(
            "WEBHOOK_URL is malformed: give the public https:// address Telegram should call."
        )
    webhook_secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret):
        problems.append(
            "WEBHOOK_SECRET is malformed: use 16 to 256 letters, digits, _ or -, for example "
            "from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
        )
    for name, given in (("WEBHOOK_URL", webhook_url), ("WEBHOOK_SECRET", webhook_secret)):
        if webhook and not given:
            problems.append(
                f"{name} is not set: --webhook needs WEBHOOK_URL (the public https address) "
                "and WEBHOOK_SECRET (16 or more random characters)."
            )
    webhook_port = env.get("WEBHOOK_PORT", "").strip() or "8443"
    if not webhook_port.isdigit() or not 1 <= int(webhook_port) <= 65535:
        problems.append("WEBHOOK_PORT is malformed: give a port number such as 8443.")
    pending_limit = _positive(env, "MESSAGE_PENDING_LIMIT", 3, problems)
    daily_limit = _positive(env, "MESSAGE_DAILY_LIMIT", 10, problems)
    goal = signature_goal(env, problems)
    url = database_url(env, problems)
    if problems:
        raise SettingsError(*problems)
    database = env.get("DATABASE_PATH", "").strip() or "data/bot.sqlite3"
    key_file = env.get("KEY_FILE", "").strip()
    return Settings(
        bot_token=token,
        moderator_chat_id=int(moderator_chat),
        channel_id=channel,
        database_path=Path(database),
        database_url=url,
        telegram_api_url=api_url.rstrip("/"),
        default_language=default_language,
        channel_language=channel_language,
        log_level=log_level,
        secret_key=secret,
        message_pending_limit=pending_limit,
        message_daily_limit=daily_limit,
        moderator_language=moderator_language,
        moderators=moderators,
        signature_digest_interval=float(interval),
        signature_goal=goal,
        ops_chat_id=int(ops) if ops else None,
        webhook_url=webhook_url,
        webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=int(webhook_port),
        webhook_secret=webhook_secret,
        key_file=Path(key_file) if key_file else default_key_file(Path(database), env),
    )


def _language(
    env: Mapping[str, str], name: str, languages: tuple[str, ...], problems: list[str]
) -> str:
    language = env.get(name, "").strip() or "en"
    if language not in languages:
        problems.append(
            f"{name} is not a language the bot speaks: use one of {', '.join(languages)}."
        )
    return language


def _positive(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        problems.append(f"{name} is malformed: it must be a whole number of at least 1.")
        return default
    return int(value)


def signature_goal(env: Mapping[str, str], problems: list[str]) -> int | None:
    """SIGNATURE_GOAL: none when unset, else a whole number of at least 1."""
    value = env.get("SIGNATURE_GOAL", "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        problems.append(
            "SIGNATURE_GOAL is malformed: give the number of signatures the campaign aims "
            "for, a whole number such as 5000 (or leave it unset for no goal)."
        )
        return None
    return int(value)


def _chat_id(
    env: Mapping[str, str], name: str, allow_username: bool, problems: list[str]
) -> int | str:
    value = env.get(name, "").strip()
    hint = f"send /chatid in that chat; see {README_SETUP}"
    if not value:
        problems.append(f"{name} is not set: put the chat's id in {name} ({hint}).")
        return 0
    if allow_username and _CHANNEL_USERNAME.fullmatch(value):
        return value
    if re.fullmatch(r"-?\d{1,20}", value):
        return int(value)
    shape = "a number such as -1001234567890" + (" or @channelname" if allow_username else "")
    problems.append(f"{name} is malformed: it must be {shape} ({hint}).")
    return 0
