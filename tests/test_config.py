"""Settings: what is required, what is malformed, and the token never shown."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import (
    SETTINGS_HELP,
    SettingsError,
    environment,
    load_settings,
    read_dotenv,
)
from bot.i18n import LANGUAGES
from bot.log import RedactSecrets

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAHvalid-looking_token_0123456789abcdef"
GOOD = {"BOT_TOKEN": TOKEN, "MODERATOR_CHAT_ID": "-1001234567890", "CHANNEL_ID": "@campaign"}


def run_bot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in GOOD and k != "TELEGRAM_API_URL"}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_with_nothing_set_names_the_three_required_settings(tmp_path: Path) -> None:
    result = run_bot(["run"], {}, tmp_path)
    assert result.returncode == 2
    token, group, channel = result.stderr.strip().splitlines()
    assert token.startswith("error: BOT_TOKEN is not set") and "@BotFather" in token
    assert group.startswith("error: MODERATOR_CHAT_ID is not set") and "/chatid" in group
    assert channel.startswith("error: CHANNEL_ID is not set") and "/chatid" in channel


def test_a_malformed_token_is_named_but_never_shown(tmp_path: Path) -> None:
    secret = "12345:not-a-real-token"
    result = run_bot(["run"], {**GOOD, "BOT_TOKEN": secret}, tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN is malformed" in result.stderr
    assert secret not in result.stderr + result.stdout


def test_help_documents_every_command_and_setting(tmp_path: Path) -> None:
    result = run_bot(["--help"], {}, tmp_path)
    assert result.returncode == 0
    for name, _, _ in SETTINGS_HELP:
        assert name in result.stdout
    assert "run" in result.stdout and "sandbox" in result.stdout


def test_help_lists_each_command_once_in_aligned_columns(tmp_path: Path) -> None:
    lines = run_bot(["--help"], {}, tmp_path).stdout.splitlines()
    commands = lines[lines.index("commands:") + 1 :]
    commands = commands[: commands.index("")]
    heading = "settings (environment variables, or KEY=VALUE lines in ./.env):"
    settings = lines[lines.index(heading) + 1 :]
    for block in (commands, settings):
        rows = [line for line in block if not line.startswith("   ")]
        starts = {len(line) - len(line[2:].split(maxsplit=1)[1]) for line in rows}
        wrapped = {len(line) - len(line.lstrip()) for line in block if line.startswith("   ")}
        assert len(starts) == 1, block  # every description starts in one column
        assert wrapped <= starts, block  # and a wrapped one continues under it
        assert max(len(line) for line in block) <= 80
    names = [line.split()[0] for line in commands if not line.startswith("   ")]
    assert names == ["run", "sandbox", "check", "backup", "stats", "link", "health", "(none)"]
    assert sum(line.lstrip().startswith("sandbox ") for line in lines) == 1  # listed once


@pytest.mark.parametrize(
    ("change", "variable", "problem"),
    [
        ({"MODERATOR_CHAT_ID": ""}, "MODERATOR_CHAT_ID", "is not set"),
        ({"MODERATOR_CHAT_ID": "moderators"}, "MODERATOR_CHAT_ID", "is malformed"),
        ({"MODERATOR_CHAT_ID": "@moderators"}, "MODERATOR_CHAT_ID", "is malformed"),
        ({"CHANNEL_ID": ""}, "CHANNEL_ID", "is not set"),
        ({"CHANNEL_ID": "my channel"}, "CHANNEL_ID", "is malformed"),
        ({"TELEGRAM_API_URL": "ftp://example"}, "TELEGRAM_API_URL", "is malformed"),
        ({"DEFAULT_LANGUAGE": "xx"}, "DEFAULT_LANGUAGE", "is not a language"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL", "is not a logging level"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY", "is too short"),
        ({"SIGNATURE_GOAL": "0"}, "SIGNATURE_GOAL", "is malformed"),
        ({"SIGNATURE_GOAL": "5k"}, "SIGNATURE_GOAL", "is malformed"),
        ({"SIGNATURE_GOAL": "-5"}, "SIGNATURE_GOAL", "is malformed"),
        ({"SIGNATURE_GOAL": "٥٠٠٠"}, "SIGNATURE_GOAL", "is malformed"),
    ],
)
def test_each_bad_setting_is_named(change: dict[str, str], variable: str, problem: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**GOOD, **change}, LANGUAGES)
    message = str(raised.value)
    assert message.startswith(f"{variable} {problem}")
    assert "\n" not in message and TOKEN not in message


def test_every_bad_setting_is_reported_at_once_a_line_each(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "MODERATORS": "admin",
        "SIGNATURE_DIGEST_INTERVAL": "1h",
        "SIGNATURE_GOAL": "five thousand",
    }
    result = run_bot(["run"], bad, tmp_path)
    assert result.returncode == 2
    assert [line.split(" is ")[0] for line in result.stderr.splitlines()] == [
        "error: MODERATORS",
        "error: SIGNATURE_DIGEST_INTERVAL",
        "error: SIGNATURE_GOAL",
    ]
    checked = run_bot(["check"], bad, tmp_path)
    assert (checked.returncode, checked.stderr) == (2, result.stderr)


def test_all_problems_are_named_once_each() -> None:
    everything_wrong = {
        "MODERATOR_CHAT_ID": "moderators",
        "TELEGRAM_API_URL": "ftp://example",
        "DEFAULT_LANGUAGE": "xx",
        "CHANNEL_LANGUAGE": "xx",
        "MODERATOR_LANGUAGE": "xx",
        "LOG_LEVEL": "LOUD",
        "SECRET_KEY": "short",
        "MODERATORS": "everyone",
        "SIGNATURE_DIGEST_INTERVAL": "1h",
        "OPS_CHAT_ID": "ops",
        "WEBHOOK_URL": "bot.example.org",
        "WEBHOOK_SECRET": "short",
        "WEBHOOK_PORT": "0",
        "MESSAGE_PENDING_LIMIT": "0",
        "MESSAGE_DAILY_LIMIT": "many",
        "SIGNATURE_GOAL": "all of them",
    }
    with pytest.raises(SettingsError) as raised:
        load_settings({"CHANNEL_ID": "my channel", **everything_wrong}, LANGUAGES)
    named = [problem.split(" ")[0] for problem in raised.value.problems]
    assert named == ["BOT_TOKEN", "MODERATOR_CHAT_ID", "CHANNEL_ID", *list(everything_wrong)[1:]]


def test_webhook_settings_missing_are_reported_with_the_others() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**GOOD, "MODERATORS": "admin"}, LANGUAGES, webhook=True)
    assert [p.split(" ")[0] for p in raised.value.problems] == [
        "MODERATORS",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
    ]


README_REFERENCE = re.compile(r"README(?:\.md)?,\s*(?:'([^']+)'|(\S+))")


def test_every_readme_reference_in_the_code_names_a_heading_that_exists() -> None:
    headings, in_code = set(), False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        in_code ^= line.startswith("```")
        if line.startswith("#") and not in_code:
            headings.add(line.lstrip("#").strip())
    sources = [*sorted((ROOT / "bot").rglob("*.py")), *sorted((ROOT / "deploy").iterdir())]
    references = [
        (path.name, match)
        for path in sources
        for match in README_REFERENCE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert len(references) >= 3
    for name, match in references:
        quoted, bare = match.groups()
        assert quoted in headings, f"{name}: {match.group(0)!r} names no README heading"
        assert bare is None, f"{name}: {match.group(0)!r}: quote the heading"


def test_the_hint_for_a_missing_id_names_the_set_up_section() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**GOOD, "CHANNEL_ID": ""}, LANGUAGES)
    assert "README, 'Setting up a campaign on Telegram'" in str(raised.value)


def test_good_settings_and_defaults() -> None:
    settings = load_settings({**GOOD, "CHANNEL_ID": "-100987", "LOG_LEVEL": "debug"}, LANGUAGES)
    assert settings.moderator_chat_id == -1001234567890
    assert settings.channel_id == -100987
    assert settings.database_path == Path("data/bot.sqlite3")
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert (settings.default_language, settings.log_level) == ("en", "DEBUG")
    assert load_settings(GOOD, LANGUAGES).channel_id == "@campaign"
    assert load_settings(GOOD, LANGUAGES).signature_goal is None
    assert load_settings({**GOOD, "SIGNATURE_GOAL": " 5000 "}, LANGUAGES).signature_goal == 5000
    assert TOKEN not in repr(settings)


def test_dotenv_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# campaign settings\nexport BOT_TOKEN='from-file'\nLOG_LEVEL = WARNING\n\nJUNK\n",
        encoding="utf-8",
    )
    assert read_dotenv(dotenv) == {"BOT_TOKEN": "from-file", "LOG_LEVEL": "WARNING"}
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    merged = environment(dotenv)
    assert (merged["BOT_TOKEN"], merged["LOG_LEVEL"]) == ("from-file", "ERROR")


def test_the_token_is_scrubbed_from_log_lines() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", (f"https://x/bot{TOKEN}/getMe",), None
    )
    RedactSecrets([TOKEN]).filter(record)
    assert record.getMessage() == "POST https://x/bot[REDACTED]/getMe"
