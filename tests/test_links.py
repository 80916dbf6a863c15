"""Named links: `python -m bot link`, counts by link and day at /start, on reading and signing,
and what the database holds (counts, never who)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.context import BotApplication
from bot.domain import days
from bot.domain.links import LinkArrivals, LinkFigures, LinkStart, Step, parse_start
from bot.i18n import LANGUAGES
from bot.sandbox.driver import Driver
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import MODERATOR_GROUP_ID
from bot.sandbox.server import EmulatorServer
from tests.conftest import BotStarter
from tests.helpers.database import rows
from tests.helpers.people import JSON, Supporter, buttons, new_supporter
from tests.helpers.processes import bot_environment
from tests.test_flow import PERSIAN_LETTER
from tests.test_moderation import MINA, _after
from tests.test_operations import bot_command
from tests.test_sign import sign

TODAY = days.today()

# ------------------------------------------------------------------- the domain, on fakes


class FakeLinkStore:
    def __init__(self, *names: str) -> None:
        self.names = set(names)
        self.counts: dict[tuple[str, dt.date, Step], int] = {}

    async def exists(self, name: str) -> bool:
        return name in self.names

    async def add_counts(self, counts: list[tuple[str, dt.date, Step, int]]) -> None:
        for name, day, step, n in counts:
            self.counts[(name, day, step)] = self.counts.get((name, day, step), 0) + n

    async def per_link(self, before: dt.date) -> list[LinkFigures]:
        return []

    async def per_day(self, before: dt.date) -> list[LinkFigures]:
        return []


def test_a_start_parameter_names_a_link_and_maybe_a_letter() -> None:
    assert parse_start("s-spring", LANGUAGES) == LinkStart("spring", None)
    assert parse_start("s-spring_2026-fa", LANGUAGES) == LinkStart("spring_2026", "fa")
    assert parse_start("s-" + "x" * 40 + "-ckb", LANGUAGES) == LinkStart("x" * 40, "ckb")
    for malformed in ("s-", "s-" + "x" * 41, "s-spring-xx", "s-spring-fa-de", "s-a.b", "spring"):
        assert parse_start(malformed, LANGUAGES) is None, malformed


async def test_each_step_counts_once_per_person_link_and_day() -> None:
    days = [TODAY]
    store = FakeLinkStore("spring", "radio")
    arrivals = LinkArrivals(store, today=lambda: days[-1])
    assert not await arrivals.started("k1", LinkStart("nowhere", None))
    assert len(arrivals) == 0  # an unknown link is not even remembered
    await arrivals.went_on("k1")  # came by no link: nothing
    assert await arrivals.started("k1", LinkStart("spring", None))
    assert await arrivals.started("k1", LinkStart("spring", "fa"))  # the same link again
    for _ in range(3):
        await arrivals.went_on("k1")
    await arrivals.signed("k1")
    await arrivals.signed("k1")  # changed the signature: still one
    assert await arrivals.started("k2", LinkStart("radio", None))
    assert store.counts == {}  # the day is still counting: in memory only
    await arrivals.write_past_days()
    assert store.counts == {}
    days.append(TODAY + dt.timedelta(days=1))  # the day is over: written
    await arrivals.write_past_days()
    assert store.counts == {
        ("spring", TODAY, Step.STARTED): 1,
        ("spring", TODAY, Step.READ): 1,
        ("spring", TODAY, Step.SIGNED): 1,
        ("radio", TODAY, Step.STARTED): 1,
    }
    # The next day, going on counts again, on that day (written when the bot stops); a
    # restart (a new service) forgets who came by which link.
    await arrivals.went_on("k1")
    await arrivals.went_on("k1")
    await arrivals.write_all()
    assert store.counts[("spring", days[-1], Step.READ)] == 1
    await arrivals.write_all()  # nothing twice
    assert store.counts[("spring", days[-1], Step.READ)] == 1
    fresh = LinkArrivals(store, today=lambda: days[-1])
    await fresh.signed("k2")
    await fresh.write_all()
    assert ("radio", days[-1], Step.SIGNED) not in store.counts


async def test_the_people_remembered_are_bounded_and_forgotten_on_request() -> None:
    store = FakeLinkStore("spring")
    arrivals = LinkArrivals(store, today=lambda: TODAY, remembered=2)
    for key in ("k1", "k2", "k3"):
        await arrivals.started(key, LinkStart("spring", None))
    assert len(arrivals) == 2
    await arrivals.went_on("k1")  # the longest unseen, forgotten
    arrivals.forget("k3")
    await arrivals.signed("k3")
    await arrivals.write_all()
    assert ("spring", TODAY, Step.READ) not in store.counts
    assert ("spring", TODAY, Step.SIGNED) not in store.counts


class SlowLinkStore(FakeLinkStore):
    """A store whose writes take a while, and fail while `failing` is set."""

    def __init__(self, *names: str) -> None:
        super().__init__(*names)
        self.failing = False

    async def add_counts(self, counts: list[tuple[str, dt.date, Step, int]]) -> None:
        await asyncio.sleep(0.01)
        if self.failing:
            raise sqlite3.OperationalError("database is locked")
        await super().add_counts(counts)


async def test_two_writes_at_once_store_each_count_once_and_a_failed_one_keeps_them() -> None:
    days = [TODAY]
    store = SlowLinkStore("spring")
    arrivals = LinkArrivals(store, today=lambda: days[-1])
    for key in ("k1", "k2", "k3"):
        await arrivals.started(key, LinkStart("spring", None))
    days.append(TODAY + dt.timedelta(days=1))  # after midnight: the tidy-up and a /stats
    await asyncio.gather(arrivals.write_past_days(), arrivals.per_link())
    assert store.counts == {("spring", TODAY, Step.STARTED): 3}
    await arrivals.started("k4", LinkStart("spring", None))
    store.failing = True
    with pytest.raises(sqlite3.OperationalError):
        await arrivals.write_all()
    store.failing = False
    await arrivals.write_all()  # the next write takes what the failed one could not
    assert store.counts[("spring", days[-1], Step.STARTED)] == 1


# ------------------------------------------------------------------------- the command


def test_link_prints_the_addresses_and_registers_the_name(tmp_path: Path) -> None:
    made = bot_command(["link", "spring_flyer", "--username", "@CampaignBot"], tmp_path)
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert lines[:3] == [
        "The link spring_flyer is registered.",
        "https://t.me/CampaignBot?start=s-spring_flyer",
        "With the letter in a language:",
    ]
    variants = [line.split()[-1] for line in lines[3:]]
    assert variants == [
        f"https://t.me/CampaignBot?start=s-spring_flyer-{language}" for language in LANGUAGES
    ]
    for variant in variants:  # Telegram's start parameter: 64 of A-Za-z0-9_- at most
        parameter = variant.partition("?start=")[2]
        assert len(parameter) <= 64 and parameter.replace("-", "").replace("_", "").isalnum()
    again = bot_command(["link", "spring_flyer", "--username", "CampaignBot"], tmp_path)
    assert again.stdout.splitlines()[0] == "The link spring_flyer is registered already."
    database = tmp_path / "bot.sqlite3"
    assert rows(database, "SELECT name, created FROM links") == [
        ("spring_flyer", TODAY.isoformat())
    ]
    listed = bot_command(["link"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "Link, registered on: started, read on, signed (up to yesterday)",
        f"spring_flyer, {TODAY.isoformat()}: started 0, read 0, signed 0",
    ]
    earlier = (TODAY - dt.timedelta(days=2)).isoformat()
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO link_counts VALUES ('spring_flyer', ?, 1200, 800, 300)", (earlier,)
        )
        # Today's counts, still counting, are not shown until tomorrow.
        connection.execute(
            "INSERT INTO link_counts VALUES ('spring_flyer', ?, 7, 5, 1)", (TODAY.isoformat(),)
        )
    figures = bot_command(["stats"], tmp_path)
    assert figures.stdout.splitlines()[-3:] == [
        "Links (started, read on, signed; up to yesterday):",
        "  spring_flyer: 1,200, 800, 300",
        f"    {earlier}: 1,200, 800, 300",
    ]
    assert bot_command(["link"], tmp_path).stdout.splitlines()[1] == (
        f"spring_flyer, {TODAY.isoformat()}: started 1,200, read 800, signed 300"
    )


@pytest.mark.parametrize(
    "name", ["spring-flyer", "x" * 41, "s p", "flyer.1", "نامه", "ünï", "a;DROP TABLE links"]
)
def test_link_refuses_a_name_the_start_parameter_cannot_carry(tmp_path: Path, name: str) -> None:
    refused = bot_command(["link", name, "--username", "CampaignBot"], tmp_path)
    assert refused.returncode == 2
    assert "is not a link name: use letters A-Z and a-z, digits and _, at most 40" in (
        refused.stderr
    )
    assert refused.stderr.count("\n") == 1 and refused.stdout == ""
    assert not (tmp_path / "bot.sqlite3").exists()


async def test_link_asks_telegram_for_the_username_or_says_in_one_line_why_not(
    tmp_path: Path, server: EmulatorServer
) -> None:
    # The emulator answers on this loop: the command runs beside it, not blocking it.
    env = bot_environment(server.url, DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "link", "radio", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().splitlines()[1] == "https://t.me/SolidarityTestBot?start=s-radio"
    unreachable = bot_command(["link", "tv"], tmp_path)  # the environment's 127.0.0.1:9
    assert unreachable.returncode == 1 and unreachable.stdout == ""
    [line] = unreachable.stderr.splitlines()
    assert line.startswith("error: Telegram could not be reached at http://127.0.0.1:9 (")
    assert line.endswith("or give the bot's username with --username.")
    assert rows(tmp_path / "bot.sqlite3", "SELECT name FROM links") == [("radio",)]
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = bot_command(["link"], empty)
    assert nothing.returncode == 2 and nothing.stderr.startswith("error: DATABASE_PATH")


# ------------------------------------------------------------------- through the emulator


async def opened(person: Supporter, text: str) -> list[JSON]:
    """Send `text` and wait for the whole answer: up to the menu under the letter."""
    sent = await person.send(text)

    async def menu() -> list[JSON] | None:
        found = await person.driver.bot_messages(person.id, sent["message_id"])
        return found if found and "Sign the letter" in buttons(found[-1]) else None

    answer: list[JSON] = await person.driver.wait_for(menu, what="the letter and its menu")
    return answer


def counts(settings: Settings) -> list[tuple[object, ...]]:
    return rows(settings, "SELECT name, day, started, read, signed FROM link_counts")


async def counted(application: BotApplication, settings: Settings) -> list[tuple[object, ...]]:
    """The counts as the file holds them once today's are written (at a stop, or tomorrow)."""
    await application.bot_data.services.links.write_all()
    return counts(settings)


async def register(application: BotApplication, *names: str) -> None:
    for name in names:
        assert await application.bot_data.repos.links.add(name, TODAY)


async def test_a_start_by_a_link_then_reading_on_and_signing_are_counted(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    await register(bot, "flyer", "radio")
    alice = await new_supporter(driver, "Alice", "en")
    greeting, *_ = await opened(alice, "/start s-flyer")
    assert greeting["text"].startswith("Welcome.")  # then as /start
    assert await counted(bot, settings) == [("flyer", TODAY.isoformat(), 1, 0, 0)]
    await opened(alice, "/start s-flyer")  # the same person, the same link, the same day
    await alice.press_and_wait("Read the letter")
    await opened(alice, "/letter")
    assert await counted(bot, settings) == [("flyer", TODAY.isoformat(), 1, 1, 0)]
    await sign(alice, "With my name", "Alice Walker", "Sweden")
    assert await counted(bot, settings) == [("flyer", TODAY.isoformat(), 1, 1, 1)]

    bob = await new_supporter(driver, "Bob", "en")
    letter = await opened(bob, "/start s-radio-fa")  # the Persian letter, as letter-fa
    assert letter[0]["text"].startswith(PERSIAN_LETTER)
    await sign(bob, "Anonymously", None, None)  # signing is going on too
    assert await counted(bot, settings) == [
        ("flyer", TODAY.isoformat(), 1, 1, 1),
        ("radio", TODAY.isoformat(), 1, 1, 1),
    ]
    carol = await new_supporter(driver, "Carol", "en")  # came by no link
    await opened(carol, "/start")
    await sign(carol, "Anonymously", None, "Iran")
    assert [row[2:] for row in await counted(bot, settings)] == [(1, 1, 1), (1, 1, 1)]


@pytest.mark.parametrize(
    "parameter",
    ["s-unknown", "s-unknown-fa", "s-flyer-xx", "s-fl%yer", "s-" + "f" * 41, "s-flyer-fa-fa"],
)
async def test_an_unknown_or_malformed_link_is_a_plain_start_and_counts_nothing(
    bot: BotApplication, driver: Driver, settings: Settings, parameter: str
) -> None:
    await register(bot, "flyer")
    alice = await new_supporter(driver, "Alice", "en")
    greeting, *_ = await opened(alice, f"/start {parameter}")
    assert greeting["text"].startswith("Welcome.")
    await alice.press_and_wait("Read the letter")
    await sign(alice, "Anonymously", None, None)
    assert await counted(bot, settings) == []
    assert rows(settings, "SELECT name FROM links") == [("flyer",)]  # nothing new


async def test_the_database_holds_counts_and_never_who_came_by_which_link(
    start_bot: BotStarter, driver: Driver, settings: Settings, emulator: Emulator
) -> None:
    application = await start_bot()
    await register(application, "flyer")
    alice = await new_supporter(driver, "Alice", "en")
    await opened(alice, "/start s-flyer")
    await sign(alice, "With my name", "Alice Walker", "Sweden")
    # The day still counting is in memory only: a copy of the file taken now (a backup, a
    # seizure) cannot be set against the signatures that came so far today.
    assert counts(settings) == []
    application = await start_bot()  # a stop writes today's counts so far
    assert counts(settings) == [("flyer", TODAY.isoformat(), 1, 1, 1)]
    with sqlite3.connect(settings.database_path) as connection:
        columns = {
            table: [c[1] for c in connection.execute(f"PRAGMA table_info({table})")]
            for table in ("links", "link_counts")
        }
        [(key,)] = connection.execute("SELECT person_key FROM signatures").fetchall()
    assert columns == {
        "links": ["name", "created"],
        "link_counts": ["name", "day", "started", "read", "signed"],
    }
    with sqlite3.connect(settings.database_path) as connection:
        dumped = list(connection.iterdump())
    named = [line for line in dumped if "flyer" in line]
    # The link's name is in its two tables only (no draft, state or outbox row carries it),
    # and neither holds the person's key or Telegram id.
    assert [line.split('"')[1] for line in named] == ["link_counts", "links"]
    assert all(str(key) not in line and str(alice.id) not in line for line in named)
    # The restart forgot which link Alice came by: her change of signature counts nothing.
    await alice.say("/sign")
    await alice.press_and_wait("Change")
    await alice.press_and_wait("Anonymously")
    await alice.press_and_wait("Skip")
    await alice.press_and_wait("Confirm")
    assert await counted(application, settings) == [("flyer", TODAY.isoformat(), 1, 1, 1)]


async def test_stats_shows_each_link_up_to_yesterday_and_a_chart_of_its_days(
    bot: BotApplication, driver: Driver, emulator: Emulator
) -> None:
    await register(bot, "flyer", "radio")
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    await bot.bot_data.database.execute(
        "INSERT INTO link_counts VALUES ('flyer', ?, 40, 25, 12)", (yesterday,)
    )
    alice = await new_supporter(driver, "Alice", "en")
    await opened(alice, "/start s-flyer")
    await sign(alice, "Anonymously", None, None)
    bob = await new_supporter(driver, "Bob", "en")
    await opened(bob, "/start s-flyer")
    sent = await driver.send(MINA, "/stats", chat_id=MODERATOR_GROUP_ID)
    totals, chart, links_chart = await driver.wait_for(
        lambda: _after(driver, sent["message_id"], 3), what="the stats and both charts"
    )
    # Today's counts (Alice's signature among them) are not shown: read before and after her
    # signature card, they would say which link she came by. Tomorrow they are.
    assert (
        "Named links, up to yesterday: started · read on · signed\n"
        "flyer: 40 · 25 · 12\nradio: 0 · 0 · 0\n"
    ) in totals["text"]
    tomorrow = TODAY + dt.timedelta(days=1)
    await bot.bot_data.services.links.write_all()
    [flyer, _radio] = await bot.bot_data.repos.links.per_link(tomorrow)
    assert (flyer.started, flyer.read, flyer.signed) == (42, 26, 13)
    for photo in (chart, links_chart):
        image = emulator.files.get(photo["photo"][-1]["file_id"])
        assert image is not None and image.data.startswith(b"\x89PNG")
    assert chart["photo"][-1]["file_id"] != links_chart["photo"][-1]["file_id"]


@pytest.mark.parametrize("labels", [("started", "read on", "signed"), None])
def test_the_links_chart_has_a_panel_per_link_the_most_started_first(
    labels: tuple[str, str, str] | None,
) -> None:
    from matplotlib import pyplot

    from bot.render.chart import LINKS_SHOWN, links_figure

    days = [
        (f"link{n}", f"Dec {day}", (n + day, n, day % 2))
        for n in range(LINKS_SHOWN + 2)
        for day in (1, 2, 3)
    ]
    figure = links_figure(days, labels, "" if labels is None else "Named links per day")
    try:
        panels = figure.get_axes()
        assert [axes.get_title(loc="left") for axes in panels] == [
            f"link{n}" for n in reversed(range(2, LINKS_SHOWN + 2))
        ]
        assert (panels[0].get_legend() is None) is (labels is None)
        ticks = [tick.get_text() for tick in panels[0].get_xticklabels()]
        assert ticks == ["Dec 1", "Dec 2", "Dec 3"]
    finally:
        pyplot.close(figure)


async def test_forget_forgets_the_link_a_person_came_by(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    await register(bot, "flyer")
    alice = await new_supporter(driver, "Alice", "en")
    await opened(alice, "/start s-flyer")
    await alice.say("/forget")
    await alice.press_and_wait("Delete everything")
    await opened(alice, "/letter")
    await sign(alice, "Anonymously", None, None)
    assert await counted(bot, settings) == [("flyer", TODAY.isoformat(), 1, 0, 0)]


async def test_today_is_in_neither_the_file_nor_its_journal_until_the_day_is_over(
    bot: BotApplication, driver: Driver, settings: Settings
) -> None:
    # Written as they came, the counts would sit in the journal right after each person's
    # rows (their chat's message ids, their signature), in the order they were written.
    await register(bot, "flyerjournal")
    await bot.bot_data.database.checkpoint()  # the registration leaves the journal
    journal = Path(f"{settings.database_path}-wal")

    def holds_the_link() -> bool:
        return journal.exists() and b"flyerjournal" in journal.read_bytes()

    alice = await new_supporter(driver, "Alice", "en")
    await opened(alice, "/start s-flyerjournal")
    await alice.press_and_wait("Read the letter")
    await sign(alice, "With my name", "Alice Walker", "Sweden")
    await bot.bot_data.database.flush()
    assert not holds_the_link() and counts(settings) == []
    # The day is over: the tidy-up writes its counts, all links' together.
    links = bot.bot_data.services.links
    links.today = lambda: TODAY + dt.timedelta(days=1)
    await links.write_past_days()
    assert counts(settings) == [("flyerjournal", TODAY.isoformat(), 1, 1, 1)]
