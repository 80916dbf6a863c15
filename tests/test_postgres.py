"""The storage on both engines (SQLite and PostgreSQL), the dialect, and DATABASE_URL."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.domain.decisions import Decision, ItemKind, Moderator, Verdict, Why
from bot.domain.effects import Method, Post
from bot.domain.links import LinkFigures, Step
from bot.domain.messages import Kind, MessageDraft, RejectionReason
from bot.domain.signatures import LetterShown, Listing, SignatureDraft, Status
from bot.i18n import LANGUAGES
from bot.sandbox.server import EmulatorServer
from bot.storage import Repositories, migrations
from bot.storage.database import MigrationError
from bot.storage.dialect import NotPortable, postgres_statement
from tests.conftest import DatabaseMaker, PostgresServer
from tests.helpers.postgres import free_port
from tests.helpers.processes import bot_environment, start_bot_process

TODAY = dt.date(2026, 5, 1)
BIG = 2**53 + 7  # Telegram ids exceed 32 bits; some exceed what a double holds exactly
REQUIRED = {
    "BOT_TOKEN": "123456789:AAHvalid-looking_token_0123456789abcdef",
    "MODERATOR_CHAT_ID": "-1001",
    "CHANNEL_ID": "-1002",
}


async def test_statements_count_the_rows_they_change(database: DatabaseMaker) -> None:
    db = database()
    await db.open()
    people = [(f"k{i}", "en", 0, 0) for i in range(3)]
    inserted = await db.executemany(
        "INSERT INTO people (person_key, language, created_at, updated_at) VALUES (?, ?, ?, ?)",
        people,
    )
    assert inserted == 3
    assert await db.execute("UPDATE people SET language = ? WHERE language = ?", ("de", "en")) == 3
    assert await db.execute("DELETE FROM people WHERE person_key = ?", ("nobody",)) == 0
    # A `?` inside a quoted string is text, not a parameter.
    row = await db.fetchone(
        "SELECT ?, '?', person_key FROM people WHERE person_key = ?", ("five", "k1")
    )
    assert tuple(row) == ("five", "?", "k1")
    assert await db.fetchall("SELECT person_key FROM people ORDER BY person_key") == [
        ("k0",),
        ("k1",),
        ("k2",),
    ]


async def test_a_transaction_rolled_back_leaves_nothing_and_a_nested_one_joins_it(
    database: DatabaseMaker,
) -> None:
    db = database()
    await db.open()
    insert = "INSERT INTO campaign_state (key, value) VALUES (?, ?)"
    with pytest.raises(ZeroDivisionError):
        async with db.transaction():
            await db.execute(insert, ("outer", "1"))
            async with db.transaction():  # joins the outer one
                await db.execute(insert, ("inner", "1"))
            1 / 0  # noqa: B018
    assert await db.fetchall("SELECT key FROM campaign_state") == []
    async with db.transaction():
        await db.execute(insert, ("outer", "2"))
        async with db.transaction():
            await db.execute(insert, ("inner", "2"))
    assert await db.fetchall("SELECT key, value FROM campaign_state ORDER BY key") == [
        ("inner", "2"),
        ("outer", "2"),
    ]


async def test_a_statement_outside_waits_for_the_open_transaction(database: DatabaseMaker) -> None:
    db = database()
    await db.open()
    inside = asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await db.execute("INSERT INTO campaign_state (key, value) VALUES ('a', '1')")
            inside.set()
            await asyncio.sleep(0.2)
            await db.execute("UPDATE campaign_state SET value = '2' WHERE key = 'a'")

    task = asyncio.create_task(writer())
    await inside.wait()
    # Not the half-written row: the statement runs once the transaction has committed.
    assert await db.fetchall("SELECT value FROM campaign_state") == [("2",)]
    await task


async def test_ids_beyond_32_bits_survive(database: DatabaseMaker) -> None:
    db = database()
    await db.open()
    repos = Repositories.on(db)
    await repos.contacts.keep("k", BIG)
    assert await repos.contacts.telegram_id("k") == BIG
    repos.chat_log.record("k", BIG, 1000, mine=True)
    assert repos.seen.claim(BIG, 1000)
    await db.flush()
    assert await repos.chat_log.recent("k", 1000) == [BIG]
    await repos.conversations.write({("signing", (BIG, BIG)): 3}, {BIG: {"listing": "name"}})
    assert await repos.conversations.states("signing") == {(BIG, BIG): 3}
    assert await repos.conversations.drafts() == {BIG: {"listing": "name"}}
    # A moment with its fraction (the outbox's not_before) keeps it.
    item = await repos.outbox.add(
        "-1001", Post(Method.MESSAGE, text="x"), not_before=1_780_000_000.25
    )
    assert await repos.outbox.next_due() == 1_780_000_000.25
    assert item >= 1


async def test_migrations_are_idempotent_at_reopen_and_a_newer_database_is_refused(
    database: DatabaseMaker,
) -> None:
    db = database()
    await db.open()
    await db.close()
    db = database()
    await db.open()
    versions = await db.fetchall("SELECT version FROM schema_version ORDER BY version")
    assert [row[0] for row in versions] == list(range(1, len(migrations.MIGRATIONS) + 1))
    await db.execute("INSERT INTO schema_version (version) VALUES (999)")
    await db.close()
    with pytest.raises(MigrationError, match="newer than this code"):
        await database().open()


async def test_a_failing_migration_leaves_nothing_behind_on_postgresql(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncpg

    from bot.storage.postgres import PostgresDatabase

    url = await postgres_server.new_database(migrated=False)
    broken = (*migrations.MIGRATIONS, ("CREATE TABLE half (id INTEGER)", "NOT SQL AT ALL"))
    monkeypatch.setattr("bot.storage.postgres.MIGRATIONS", broken)
    with pytest.raises(asyncpg.PostgresSyntaxError):
        await PostgresDatabase(url).open()
    monkeypatch.undo()
    db = PostgresDatabase(url)
    await db.open()
    try:
        assert await db.fetchone("SELECT to_regclass('half')") == (None,)
        row = await db.fetchone("SELECT MAX(version) FROM schema_version")
        assert row == (len(migrations.MIGRATIONS),)
    finally:
        await db.close()


async def test_every_repository_works_on_both_engines(database: DatabaseMaker) -> None:
    db = database()
    await db.open()
    repos = Repositories.on(db)
    letter = LetterShown("en", "v1")
    # Signatures and their digests.
    first = await repos.signatures.add(
        "ka", SignatureDraft(Listing.NAME, "Ana", "SE"), "en", TODAY, letter
    )
    await repos.signatures.add("kb", SignatureDraft(Listing.ANONYMOUS, None, None), "fa", TODAY)
    assert await repos.signatures.count(Status.PENDING) == 2
    [(digest, shown)] = await repos.digests.card_pending(10, 1000)
    assert [s.id for s in shown] == [first.id, first.id + 1]
    assert await repos.digests.pending() == [digest]
    assert await repos.signatures.decide(first.id, Status.APPROVED, TODAY) == ("ka", "en")
    assert await repos.signatures.decide(first.id, Status.REJECTED, TODAY) is None  # decided
    assert not await repos.signatures.published(first.id)
    assert [s.id for s in await repos.digests.unpublished(10)] == [first.id]
    await repos.digests.mark_published([first.id], TODAY)
    assert await repos.signatures.published(first.id)
    # The letter's versions: a signature under an older one is outdated (IS DISTINCT FROM).
    await repos.letters.record("en", "v1", "<p>one</p>", TODAY)
    assert await repos.letters.outdated() == []
    await repos.letters.record("en", "v2", "<p>two</p>", TODAY)
    assert await repos.letters.ever_amended()
    assert await repos.letters.outdated() == ["ka"]
    amended = await repos.letters.amended_for("ka")
    assert amended is not None and amended.old_text == "<p>one</p>"
    await repos.signatures.told_of("ka", "v2")
    assert await repos.letters.outdated() == []
    # Messages, a moderator's question, closed by the decision (a trigger on both engines).
    message = await repos.messages.add(
        "kb", MessageDraft(Kind.TEXT, "hello", None, Listing.NAME, "Bo", None), "fa", TODAY
    )
    box = await repos.outbox.add("7", Post(Method.MESSAGE, text="a question"), person_key="kb")
    question = await repos.questions.add("kb", message.id, 99, box)
    assert await repos.questions.get(question) is not None
    assert await repos.messages.decide(message.id, Status.APPROVED, TODAY) == ("kb", "fa")
    assert await repos.questions.get(question) is None
    # The outbox: due with and without chats held, delivered with its chat scrubbed.
    other = await repos.outbox.add(
        "-1001", Post(Method.MESSAGE, text="a card", shows=(("S", first.id),))
    )
    assert [i.id for i in await repos.outbox.due(2000)] == [box, other]
    assert [i.id for i in await repos.outbox.due(2000, held={"7"})] == [other]
    await repos.outbox.delivered(box, 555, scrub=True)
    await repos.outbox.delivered(other, 556, scrub=False)
    assert await repos.outbox.backlog() == 0
    assert await repos.shown.on_card("-1001", 556) == [("S", first.id)]
    # The audit log, bans, links and the figures.
    moderator = Moderator(1, "Mo")
    await repos.audit.record(
        Verdict(
            ItemKind.MESSAGE,
            message.id,
            Decision.REJECTED,
            Why(RejectionReason.OTHER, "spam"),
            moderator,
            10**9,
        )
    )
    entry = await repos.audit.last(ItemKind.MESSAGE, message.id)
    assert entry is not None and entry.decision is Decision.REJECTED
    await repos.audit.scrub(ItemKind.MESSAGE, message.id)
    assert await repos.bans.ban("kc", 1000) is True
    assert await repos.bans.ban("kc", 1000) is False  # already banned
    assert await repos.bans.keys() == {"kc"}
    assert await repos.links.add("spring", TODAY) is True
    assert await repos.links.add("spring", TODAY) is False
    await repos.links.add_counts([("spring", TODAY, Step.STARTED, 2)])
    await repos.links.add_counts(
        [("spring", TODAY, Step.STARTED, 1), ("spring", TODAY, Step.SIGNED, 1)]
    )
    [figures] = await repos.links.per_link(before=TODAY + dt.timedelta(days=1))
    assert (figures.name, figures.started, figures.signed) == ("spring", 3, 1)
    assert await repos.links.per_link(before=TODAY) == [LinkFigures("spring", None, 0, 0, 0)]
    totals = await repos.stats.totals()
    assert totals["signatures"] == [("approved", 1), ("pending", 1)]
    assert totals["countries"] == [("-", 1), ("SE", 1)] or totals["countries"] == [
        ("SE", 1),
        ("-", 1),
    ]


async def test_a_legacy_key_moves_and_wins_over_a_clashing_row(database: DatabaseMaker) -> None:
    db = database()
    await db.open()
    repos = Repositories.on(db)
    old, new = "o" * 64, "n" * 43
    await repos.people.choose_language(old, "fa")
    await repos.people.choose_language(new, "de")  # the same person, already under the new key
    await repos.signatures.add(old, SignatureDraft(Listing.NAME, "Ana", None), "fa", TODAY)
    assert "people" in await repos.person_keys.tables()
    assert await repos.person_keys.any_legacy()
    assert await repos.person_keys.rekey(old, new)
    assert await repos.people.language_of(new) == "fa"
    assert (await repos.signatures.of_person(new)) is not None
    assert not await repos.person_keys.any_legacy()


async def test_an_erasure_on_postgresql_is_vacuumed_soon(postgres_url: str) -> None:
    from bot.storage.postgres import PostgresDatabase

    db = PostgresDatabase(postgres_url)
    await db.open()
    try:
        repos = Repositories.on(db)
        await repos.contacts.keep("k", 42)
        await repos.contacts.erase("k")
        for _ in range(50):
            row = await db.fetchone(
                "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'contacts'"
            )
            if row[0] is not None:
                break
            await asyncio.sleep(0.1)
        assert row[0] is not None
    finally:
        await db.close()


def test_postgresql_is_refused_a_statement_it_would_misread() -> None:
    with pytest.raises(NotPortable):
        postgres_statement("UPDATE OR REPLACE people SET person_key = ? WHERE person_key = ?")
    with pytest.raises(NotPortable):
        postgres_statement("PRAGMA wal_checkpoint(TRUNCATE)")


async def test_insert_or_ignore_becomes_on_conflict_on_postgresql(postgres_url: str) -> None:
    from bot.storage.postgres import PostgresDatabase

    db = PostgresDatabase(postgres_url)
    await db.open()
    try:
        insert = "INSERT OR IGNORE INTO banned (person_key, banned_at) VALUES (?, ?)"
        assert await db.execute(insert, ("k", 1)) == 1
        assert await db.execute(insert, ("k", 2)) == 0
        assert await db.fetchall("SELECT banned_at FROM banned") == [(1,)]
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("url", "wrong"),
    [
        ("mysql://bot:s3cret-pw@db:3306/bot", "it starts with mysql:, not postgresql://"),
        ("postgresql://bot:s3cret-pw@db:5432/", "it names no database"),
        ("postgresql://bot:s3cret-pw@db:54x2/bot", "its port is not a number"),
        ("postgresql://bot:s3cret-pw@db:70000/bot", "its port is not a number"),
        ("postgresql://bot:s3cret-pw@:5432/bot", "it names no host"),
    ],
)
def test_a_malformed_database_url_is_one_line_without_the_password(url: str, wrong: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({**REQUIRED, "DATABASE_URL": url}, LANGUAGES)
    [line] = raised.value.problems
    assert line.startswith(f"DATABASE_URL is malformed: {wrong}")
    assert "postgresql://user:password@host:5432/name" in line and "s3cret" not in line


def test_a_database_url_selects_postgresql_and_its_password_stays_out_of_the_repr() -> None:
    url = "postgresql://bot:s3cret-pw@db.internal:5432/campaign"
    settings = load_settings({**REQUIRED, "DATABASE_URL": url}, LANGUAGES)
    assert settings.database_url == url
    assert "s3cret" not in repr(settings)
    assert "postgresql://bot:***@db.internal:5432/campaign" in repr(settings)
    assert load_settings(REQUIRED, LANGUAGES).database_url is None  # SQLite stays the default


async def test_an_unreachable_server_is_one_line_with_its_address_and_no_password() -> None:
    pytest.importorskip("asyncpg")
    from bot.storage.postgres import DatabaseUnreachable, PostgresDatabase

    port = free_port()
    db = PostgresDatabase(f"postgresql://bot:s3cret-pw@127.0.0.1:{port}/campaign")
    with pytest.raises(DatabaseUnreachable) as raised:
        await db.open()
    message = str(raised.value)
    assert "\n" not in message and "s3cret" not in message
    assert f"127.0.0.1:{port}" in message and "ConnectionRefusedError" in message
    assert not db.is_open


async def test_run_against_an_unreachable_server_prints_one_line(
    tmp_path: Path, server: EmulatorServer
) -> None:
    pytest.importorskip("asyncpg")
    url = f"postgresql://bot:s3cret-pw@127.0.0.1:{free_port()}/campaign"
    env = bot_environment(
        server.url,
        DATABASE_PATH=str(tmp_path / "data" / "bot.sqlite3"),
        DATABASE_URL=url,
        HOME=str(tmp_path),
    )
    process = await start_bot_process("run", env, tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    output = stderr.decode()
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: DATABASE_URL: "), output
    assert "Traceback" not in output and "s3cret" not in output + stdout.decode()
