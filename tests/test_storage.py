"""Storage: the connection's settings, migrations, and the people repository."""

from __future__ import annotations

import stat
from pathlib import Path

import aiosqlite
import pytest

from bot.domain.identity import PersonKeys, load_or_create_key
from bot.storage import Repositories, migrations
from bot.storage.database import MigrationError, open_database, schema_version
from bot.storage.persistence import SqlitePersistence
from tests.conftest import CHEAP_KEYS, DatabaseMaker


async def pragma(connection: aiosqlite.Connection, name: str) -> object:
    async with connection.execute(f"PRAGMA {name}") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return row[0]


async def test_open_sets_wal_foreign_keys_busy_timeout_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.sqlite3"
    connection = await open_database(path)
    try:
        assert path.is_file()
        assert await pragma(connection, "journal_mode") == "wal"
        assert await pragma(connection, "foreign_keys") == 1
        assert await pragma(connection, "busy_timeout") == 5000
        assert await schema_version(connection) == len(migrations.MIGRATIONS)
    finally:
        await connection.close()
    again = await open_database(path)
    async with again.execute("SELECT COUNT(*) FROM schema_version") as cursor:
        assert await cursor.fetchone() == (len(migrations.MIGRATIONS),)
    await again.close()


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    connection = await open_database(tmp_path / "bot.sqlite3")
    await connection.execute("INSERT INTO schema_version (version) VALUES (999)")
    await connection.close()
    with pytest.raises(MigrationError, match="newer than this code"):
        await open_database(tmp_path / "bot.sqlite3")


async def test_a_failing_migration_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = (*migrations.MIGRATIONS, ("CREATE TABLE half (id INTEGER)", "NOT SQL AT ALL"))
    monkeypatch.setattr("bot.storage.database.MIGRATIONS", broken)
    with pytest.raises(aiosqlite.OperationalError):
        await open_database(tmp_path / "bot.sqlite3")
    monkeypatch.undo()
    connection = await open_database(tmp_path / "bot.sqlite3")
    async with connection.execute("SELECT name FROM sqlite_master WHERE name = 'half'") as cursor:
        assert await cursor.fetchone() is None
    assert await schema_version(connection) == len(migrations.MIGRATIONS)
    await connection.close()


async def test_people_keep_their_language_choice(database: DatabaseMaker) -> None:
    db = database()
    await db.open()
    people = Repositories.on(db).people
    assert await people.language_of("k1") is None
    await people.choose_language("k1", "fa")
    await people.choose_language("k1", "de")
    assert await people.language_of("k1") == "de"
    await people.forget("k1")
    assert await people.language_of("k1") is None
    await db.close()


async def test_tidying_drops_undo_windows_and_prompts_that_ran_out_and_nothing_else(
    database: DatabaseMaker,
) -> None:
    db = database()
    await db.open()
    repos = Repositories.on(db)
    state = repos.state
    await state.set("undo:M1", '{"until": 100, "banned": false}')
    await state.set("undo:M2", '{"until": 9999999999, "banned": false}')
    await state.set("prompt:7", '{"until": 100}')
    await state.set("milestone", "100")
    await state.purge_expired(1000)
    assert await state.get("undo:M1") is None
    assert await state.get("prompt:7") is None
    assert await state.get("undo:M2") is not None
    assert await state.get("milestone") == "100"
    await db.close()


def test_the_key_file_is_private_and_stable(tmp_path: Path) -> None:
    key_file = tmp_path / "data" / "bot.key"
    first = load_or_create_key(None, key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_or_create_key(None, key_file) == first
    keys = PersonKeys(first, CHEAP_KEYS)
    assert keys.of(42) == PersonKeys(first, CHEAP_KEYS).of(42)
    assert keys.of(42) != PersonKeys(b"another key", CHEAP_KEYS).of(42)
    assert "987654321" not in keys.of(987654321) and len(keys.of(42)) == 43
    assert load_or_create_key("x" * 40, tmp_path / "unused.key") == b"x" * 40
    assert not (tmp_path / "unused.key").exists()


async def test_deferred_rows_are_written_together_and_forget_writes_them_first(
    database: DatabaseMaker,
) -> None:
    db = database()
    await db.open()
    repos = Repositories.on(db)
    try:
        assert repos.seen.claim(41, 1000) is True
        assert repos.seen.claim(41, 1000) is False  # the same update again
        repos.chat_log.record("key-a", 7, 1000, mine=False)
        repos.chat_log.record("key-a", 8, 1000, mine=True)
        assert await db.fetchall("SELECT * FROM chat_log") == []  # queued, not yet written
        await db.flush()
        assert await db.fetchall("SELECT update_id FROM seen_updates") == [(41,)]
        assert await repos.chat_log.recent("key-a", 1000) == [7, 8]
        # Privacy: a row still queued when the person asks to be forgotten must not survive.
        repos.chat_log.record("key-a", 9, 1000, mine=False)
        await repos.chat_log.forget("key-a")
        await db.flush()
        assert await db.fetchall("SELECT * FROM chat_log") == []
    finally:
        await db.close()
    # After a restart the newest ids are known again: a redelivered update is still refused.
    db = database()
    await db.open()
    repos = Repositories.on(db)
    try:
        await repos.seen.load()
        assert repos.seen.claim(41, 2000) is False
        assert repos.seen.claim(42, 2000) is True
    finally:
        await db.close()


async def test_interleaved_deferred_rows_all_reach_the_file_in_one_flush(
    database: DatabaseMaker,
) -> None:
    # Under load an update's id and its reply's message id alternate in the queue; a flush
    # writes each kind at once and loses none of either.
    db = database()
    await db.open()
    repos = Repositories.on(db)
    try:
        for update_id in range(100, 160):
            assert repos.seen.claim(update_id, 1000) is True
            repos.chat_log.record("key-a", update_id, 1000, mine=True)
        await db.flush()
        seen = await db.fetchall("SELECT update_id FROM seen_updates ORDER BY update_id")
        assert [row[0] for row in seen] == list(range(100, 160))
        assert await repos.chat_log.recent("key-a", 1000) == list(range(100, 160))
    finally:
        await db.close()


async def test_persistence_deletes_the_drafts_and_states_it_has_and_only_writes_those(
    database: DatabaseMaker,
) -> None:
    db = database()
    persistence = SqlitePersistence(db, max_age=3600)
    await persistence.get_user_data()
    await persistence.get_conversations("signing")
    await persistence.update_user_data(7, {"listing": "anonymous"})
    await persistence.update_conversation("signing", (7, 7), 1)
    await persistence.update_user_data(8, {})  # someone with no draft: nothing to delete
    await persistence.update_conversation("signing", (8, 8), None)
    assert await db.fetchall("SELECT user_id FROM conversation_drafts") == [(7,)]
    await db.close()
    # After a restart the rows are known again, and ending the conversation deletes them.
    db = database()
    persistence = SqlitePersistence(db, max_age=3600)
    assert await persistence.get_user_data() == {7: {"listing": "anonymous"}}
    assert await persistence.get_conversations("signing") == {(7, 7): 1}
    await persistence.update_user_data(7, {})
    await persistence.update_conversation("signing", (7, 7), None)
    try:
        assert await db.fetchall("SELECT * FROM conversation_drafts") == []
        assert await db.fetchall("SELECT * FROM conversation_states") == []
    finally:
        await db.close()
