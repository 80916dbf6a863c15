"""What an examiner holding the files, or the output, finds: person keys that are costly to
reverse, a key kept apart, files only their owner reads, no token; and privacy rights that a
ban does not take away."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import logging
import os
import socket
import stat
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.app import build_application
from bot.config import Settings, SettingsError, check_key_file, key_file_warning, load_settings
from bot.context import BotApplication
from bot.domain.identity import (
    PRODUCTION_COST,
    Identities,
    KeyCost,
    PersonKeys,
    is_legacy,
    legacy_key,
    load_or_create_key,
)
from bot.domain.signatures import Listing, SignatureDraft
from bot.i18n import LANGUAGES
from bot.log import configure_logging
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from bot.sandbox.server import EmulatorServer
from bot.storage import Repositories
from bot.storage.database import Database
from tests.conftest import CHEAP_KEYS, TOKEN, BotStarter
from tests.helpers.database import rows
from tests.helpers.people import buttons, new_supporter
from tests.helpers.processes import bot_environment, start_bot_process

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"s" * 32
REQUIRED = {
    "BOT_TOKEN": TOKEN,
    "MODERATOR_CHAT_ID": str(MODERATOR_GROUP_ID),
    "CHANNEL_ID": str(CHANNEL_ID),
}


# ------------------------------------------------------------ person keys


def test_a_person_key_is_scrypt_of_the_id_under_the_secret() -> None:
    keys = PersonKeys(SECRET, CHEAP_KEYS)
    expected = hashlib.scrypt(b"123456789", salt=SECRET, n=16, r=1, p=1, dklen=32)
    assert keys.of(123456789) == base64.urlsafe_b64encode(expected).decode().rstrip("=")
    assert len(keys.of(123456789)) == 43 and not is_legacy(keys.of(123456789))
    assert keys.of(123456789) != PersonKeys(b"t" * 32, CHEAP_KEYS).of(123456789)
    assert is_legacy(legacy_key(SECRET, 123456789))


def test_the_bot_derives_keys_at_the_production_cost(tmp_path: Path) -> None:
    settings = load_settings(
        {**REQUIRED, "DATABASE_PATH": str(tmp_path / "bot.sqlite3"), "HOME": str(tmp_path)},
        LANGUAGES,
    )
    assert settings.key_cost == PRODUCTION_COST == KeyCost(n=2**14, r=8, p=1)
    assert build_application(settings).bot_data.keys.cost == PRODUCTION_COST
    # At least 8 MiB per id: scrypt refuses to run these parameters in less memory.
    with pytest.raises(ValueError):
        hashlib.scrypt(b"1", salt=SECRET, n=2**14, r=8, p=1, maxmem=8 * 2**20, dklen=32)


class CountingKeys(PersonKeys):
    def __init__(self, capacity: int = 100) -> None:
        super().__init__(SECRET, CHEAP_KEYS, capacity)
        self.derived: list[tuple[int, int]] = []  # (id, thread)
        self.legacy_asked = 0

    def derive(self, telegram_id: int) -> str:
        self.derived.append((telegram_id, threading.get_ident()))
        return super().derive(telegram_id)

    def legacy(self, telegram_id: int) -> str:
        self.legacy_asked += 1
        return super().legacy(telegram_id)


class FakeKeyStore:
    def __init__(self, legacy: set[str]) -> None:
        self.legacy_keys = legacy
        self.moved: list[tuple[str, str]] = []

    async def any_legacy(self) -> bool:
        return bool(self.legacy_keys)

    async def rekey(self, old: str, new: str) -> bool:
        if old not in self.legacy_keys:
            return False
        self.legacy_keys.discard(old)
        self.moved.append((old, new))
        return True


async def test_keys_are_derived_off_the_loop_once_and_kept_in_bounded_memory() -> None:
    keys = CountingKeys(capacity=2)
    identities = Identities(keys, FakeKeyStore(set()))
    await identities.load()
    first = await identities.key_of(1)
    assert await identities.key_of(1) == first
    assert [telegram_id for telegram_id, _ in keys.derived] == [1]
    assert keys.derived[0][1] != threading.get_ident()
    await identities.key_of(2)
    await identities.key_of(3)  # the least recently used (1) leaves the memory
    assert keys.cached(1) is None and keys.cached(3) is not None
    # A new database never computes an old key.
    assert keys.legacy_asked == 0


async def test_old_keys_are_moved_once_and_bans_follow_them() -> None:
    keys = CountingKeys()
    old = legacy_key(SECRET, 7)
    store = FakeKeyStore({old})
    moved: list[tuple[str, str]] = []
    identities = Identities(keys, store, lambda before, after: moved.append((before, after)))
    await identities.load()
    new = await identities.key_of(7)
    await identities.key_of(7)
    assert store.moved == moved == [(old, new)]
    assert keys.legacy_asked == 1


async def test_a_person_stored_under_an_old_key_is_rekeyed_at_their_next_contact(
    settings: Settings, start_bot: BotStarter, driver: Driver
) -> None:
    secret = load_or_create_key(None, settings.key_path)
    alice = await new_supporter(driver, "Alice", "en")
    troll = await new_supporter(driver, "Troll", "en")
    away = 555_000_111  # someone who does not come back
    database = Database(settings.database_path)
    await database.open()
    repos = Repositories.on(database)
    for person in (alice.id, troll.id, away):
        key = legacy_key(secret, person)
        await repos.signatures.add(
            key, SignatureDraft(Listing.NAME, f"Person {person}", "DE"), "en", dt.date.today()
        )
        await repos.people.choose_language(key, "en")
    await repos.contacts.keep(legacy_key(secret, alice.id), alice.id)
    await repos.bans.ban(legacy_key(secret, troll.id), int(time.time()))
    await database.close()

    application = await start_bot()
    [data] = await alice.say("/mydata")
    assert f"• Signature: “Person {alice.id}, Germany”" in data["text"]
    assert "• Language: English" in data["text"]
    new = application.bot_data.keys.of(alice.id)
    for table in ("signatures", "people", "contacts", "chat_log"):
        assert rows(
            settings,
            f"SELECT DISTINCT person_key FROM {table} WHERE person_key IN "
            f"('{new}', '{legacy_key(secret, alice.id)}')",
        ) == [(new,)], table
    # The banned person stays banned under their new key: /sign gets no answer.
    before = await troll.last_message_id()
    await troll.send("/sign")
    await troll.say("/letter")
    assert all("listed" not in m["text"] for m in await driver.bot_messages(troll.id, before))
    assert rows(settings, "SELECT person_key FROM banned") == [
        (application.bot_data.keys.of(troll.id),)
    ]
    # Who does not come back keeps the old key; nobody else is touched.
    assert rows(settings, "SELECT COUNT(*) FROM signatures WHERE length(person_key) = 64") == [
        (1,)
    ]


# ------------------------------------------------------------ where the key is


def test_by_default_the_key_is_not_in_the_databases_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**REQUIRED, "DATABASE_PATH": str(data / "bot.sqlite3"), "HOME": str(tmp_path / "h")}
    settings = load_settings(env, LANGUAGES)
    assert settings.key_path == tmp_path / "h" / ".config" / "solidarity-bot" / "bot.key"
    assert key_file_warning(settings) is None
    xdg = load_settings({**env, "XDG_CONFIG_HOME": str(tmp_path / "x")}, LANGUAGES)
    assert xdg.key_path == tmp_path / "x" / "solidarity-bot" / "bot.key"
    systemd = load_settings({**env, "CREDENTIALS_DIRECTORY": "/run/credentials/b"}, LANGUAGES)
    assert systemd.key_path == Path("/run/credentials/b/secret_key")
    chosen = load_settings({**env, "KEY_FILE": str(tmp_path / "k")}, LANGUAGES)
    assert chosen.key_path == tmp_path / "k"
    # A key file of an earlier version, beside the database, is still used, and warned about.
    data.mkdir()
    key = load_or_create_key(None, data / "bot.key")
    beside = load_settings(env, LANGUAGES)
    assert beside.key_path == data / "bot.key"
    warning = key_file_warning(beside)
    assert warning is not None and "in the database's folder" in warning
    assert key.hex() not in warning
    assert key_file_warning(replace(beside, secret_key="x" * 32)) is None


def test_an_upgrade_moves_the_old_key_rather_than_making_a_new_one(tmp_path: Path) -> None:
    env = {**REQUIRED, "DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    moved = load_settings({**env, "KEY_FILE": str(tmp_path / "apart" / "bot.key")}, LANGUAGES)
    check_key_file(moved)  # a first start: the key is made there
    load_or_create_key(None, tmp_path / "bot.key")  # an earlier version's key, beside
    with pytest.raises(SettingsError, match=r"move it there \(mv .*bot.key .*apart/bot.key\)"):
        check_key_file(moved)
    (tmp_path / "apart").mkdir()
    (tmp_path / "bot.key").rename(tmp_path / "apart" / "bot.key")
    check_key_file(moved)  # moved as told: the bot starts


def test_compose_keeps_the_key_on_its_own_volume() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    bot = compose["services"]["bot"]
    key_file = Path(bot["environment"]["KEY_FILE"])
    database = Path(bot["environment"]["DATABASE_PATH"])
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in bot["volumes"]}
    assert mounts[str(database.parent)] != mounts[str(key_file.parent)]
    assert not key_file.is_relative_to(database.parent)


async def test_check_warns_of_a_key_beside_the_database(
    server: EmulatorServer, tmp_path: Path
) -> None:
    key = load_or_create_key(None, tmp_path / "bot.key")
    env = bot_environment(server.url, DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    del env["KEY_FILE"]
    process = await start_bot_process("check", env, tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    output = (stdout + stderr).decode()
    [note] = [line for line in output.splitlines() if "database's folder" in line]
    assert note.startswith("note   The key file")
    assert key.hex() not in output


# ------------------------------------------------------------ files are private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_everything_the_bot_writes_is_private(
    server: EmulatorServer, driver: Driver, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    env = {
        **bot_environment(server.url, DATABASE_PATH=str(data / "bot.sqlite3")),
        "HOME": str(tmp_path / "home"),
    }
    del env["KEY_FILE"]  # the default place
    old = os.umask(0o022)  # what a shell usually has
    try:
        process = await start_bot_process("run", env, tmp_path)
    finally:
        os.umask(old)
    try:
        alice = await new_supporter(driver, "Alice", "en")
        await driver.wait_for(lambda: driver.calls("getUpdates"), timeout=30, what="polling")
        await alice.say("/start", replies=2)
        written = [
            data / "bot.sqlite3",
            data / "bot.sqlite3-wal",
            data / "bot.sqlite3-shm",
            tmp_path / "home" / ".config" / "solidarity-bot" / "bot.key",
        ]

        async def all_written() -> bool:
            return all(path.exists() for path in written)

        await driver.wait_for(all_written, what="the files")
        assert {str(path): _mode(path) for path in written} == {
            str(path): 0o600 for path in written
        }
        assert _mode(written[-1].parent) == 0o700
        assert not [path for path in data.iterdir() if path.suffix == ".key"]
        copy = tmp_path / "copies" / "copy.sqlite3"
        copy.parent.mkdir(mode=0o700)  # backup makes no folder (the organiser names it)
        backup = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "backup", str(copy)),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
        )
        assert await backup.wait() == 0
        assert _mode(copy) == 0o600
    finally:
        process.terminate()
        await asyncio.wait_for(process.communicate(), timeout=30)


# ------------------------------------------------------------ the token


REFUSED_TOKEN = "987654321:AAFakeTokenThatTheEmulatorRefuses_0123"


@pytest.mark.parametrize("command", ["run", "check"])
async def test_a_refused_token_is_never_printed(
    server: EmulatorServer, tmp_path: Path, command: str
) -> None:
    env = bot_environment(
        server.url,
        BOT_TOKEN=REFUSED_TOKEN,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        LOG_LEVEL="DEBUG",
    )
    process = await start_bot_process(command, env, tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    output = (stdout + stderr).decode()
    assert process.returncode == 1, output
    assert "BOT_TOKEN was refused by Telegram" in output
    assert REFUSED_TOKEN.split(":")[1] not in output
    assert "Traceback" not in output


def test_tracebacks_are_scrubbed_in_logs_and_uncaught(
    capsys: pytest.CaptureFixture[str],
) -> None:
    saved = (logging.getLogger().handlers[:], sys.excepthook, threading.excepthook)
    try:
        configure_logging("INFO", [REFUSED_TOKEN, REFUSED_TOKEN.split(":")[1]])
        try:
            raise RuntimeError(f"url='http://x/bot{REFUSED_TOKEN}/getMe'")
        except RuntimeError as error:
            logging.getLogger("test").exception("failed")
            sys.excepthook(type(error), error, error.__traceback__)
        thread = threading.Thread(target=lambda: (_ for _ in ()).throw(ValueError(REFUSED_TOKEN)))
        thread.start()
        thread.join()
    finally:
        logging.getLogger().handlers[:], sys.excepthook, threading.excepthook = saved
    err = capsys.readouterr().err
    assert err.count("[REDACTED]") >= 3
    assert REFUSED_TOKEN.split(":")[1] not in err


# ------------------------------------------------------------ the webhook


async def test_a_malformed_webhook_request_gets_400_and_one_line(
    settings: Settings, driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    secret = "a-secret-token-of-enough-length"
    hooked = replace(
        settings,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_port=port,
        webhook_secret=secret,
    )
    application = build_application(hooked)
    await start_application(application, webhook=True)
    marker = "Name-Of-A-Supporter"
    bodies = [
        f'{{"update_id": 5, "message": "{marker}"',  # not JSON
        f'["{marker}"]',
        f'{{"text": "{marker}"}}',
        f'{{"update_id": "{marker}"}}',
        f'{{"update_id": 6, "message": {{"text": "{marker}"}}}}',
    ]
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    try:
        async with aiohttp.ClientSession() as session:
            for body in bodies:
                caplog.clear()
                with caplog.at_level(logging.DEBUG):
                    async with session.post(
                        hooked.webhook_url, data=body, headers=headers
                    ) as response:
                        assert response.status == 400, body
                lines = [r for r in caplog.records if r.levelno >= logging.INFO]
                assert len(lines) == 1, [r.getMessage() for r in lines]
                assert lines[0].getMessage().startswith("Webhook request refused")
                assert marker not in caplog.text
        alice = await new_supporter(driver, "Alice", "en")
        greeting, *_ = await alice.say("/start", replies=2)  # the webhook still works
        assert greeting["text"].startswith("Welcome.")
    finally:
        await stop_application(application)


# ------------------------------------------------------------ a ban


async def test_privacy_rights_survive_a_ban(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    troll = await new_supporter(driver, "Troll", "en")
    data = bot.bot_data
    key = data.keys.of(troll.id)
    await data.services.signing.submit(
        key, troll.id, SignatureDraft(Listing.ANONYMOUS, None, None), "en"
    )
    await data.repos.bans.ban(key, int(time.time()))
    data.services.moderation.banned.add(key)

    [listed] = await troll.say("/mydata")
    assert "• Signature: “A supporter”" in listed["text"]
    assert "• That the moderators no longer accept your signatures and messages" in listed["text"]

    [asked] = await troll.say("/withdraw")
    assert buttons(asked) == ["Withdraw my signature", "Keep it"]
    [kept] = await troll.press_and_wait("Keep it")
    assert kept["text"] == "Your signature stays."
    await troll.say("/withdraw")
    [withdrawn] = await troll.press_and_wait("Withdraw my signature")
    assert withdrawn["text"].startswith("Your signature has been withdrawn.")

    await troll.say("/clear")
    [nothing] = await troll.press_and_wait("Keep it")
    assert nothing["text"] == "Nothing was deleted."
    await troll.say("/clear")
    [cleared] = await troll.press_and_wait("Delete the conversation")
    assert cleared["text"].startswith("The conversation has been deleted.")

    await troll.say("/forget")
    [nothing] = await troll.press_and_wait("Keep it")
    assert nothing["text"] == "Nothing was deleted."
    [asked] = await troll.say("/forget")
    assert buttons(asked) == ["Delete everything", "Keep it"]
    [gone] = await troll.press_and_wait("Delete everything")
    assert gone["text"] == "Everything the bot stored about you has been deleted."

    # The ban itself survives /forget: /sign is still not answered.
    assert rows(settings, "SELECT person_key FROM banned") == [(key,)]
    before = await troll.last_message_id()
    await troll.send("/sign")
    await troll.say("/letter")
    assert all("listed" not in m["text"] for m in await driver.bot_messages(troll.id, before))
