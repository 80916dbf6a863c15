"""The benchmark's phases: full flows (new supporters, then the same ones returning), the echo
floor, the emulator's ceiling, a large campaign."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.journeys import (
    LANGUAGES,
    MINA,
    WAIT,
    Journey,
    add_supporters,
    approve_everything,
    measured,
    returning_supporter,
    saturation,
    sustained,
)
from bench.metrics import CpuMeter, memory_mb, wait_for_polling
from bench.processes import place, profile, start_bot, start_emulator, start_process, stop
from bot.domain.flood import FLOOD_WINDOW
from bot.domain.identity import PRODUCTION_COST, derive
from bot.domain.signatures import Listing, SignatureDraft, Status
from bot.sandbox.driver import Driver
from bot.sandbox.run import MODERATOR_GROUP_ID, SANDBOX_TOKEN
from bot.storage import Repositories
from bot.storage.database import Database
from bot.storage.stats import status_counts

FILL_BATCH = 500  # signatures marked published in one statement


async def full_flows(
    supporters: int,
    share: float,
    rate: float,
    concurrency: int,
    workdir: Path,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    emulator, url = await start_emulator()
    database = workdir / "bench.sqlite3"
    bot = await start_bot(url, database)
    place(bot.pid, emulator.pid)
    profilers: list[asyncio.subprocess.Process] = []

    async def sample(phase: str) -> None:
        """Profile the bot and the emulator into files of this phase (`new`, `returning`)."""
        for profiler in profilers:
            profiler.send_signal(2)
            await profiler.wait()
        profilers.clear()
        if profile_to is not None:
            profilers.append(await profile(bot.pid, profile_to / f"bot-{phase}.txt"))
            profilers.append(await profile(emulator.pid, profile_to / f"emulator-{phase}.txt"))

    await sample("new")
    try:
        async with Driver(url) as driver:
            await wait_for_polling(driver)
            meter = CpuMeter(bot=bot.pid, emulator=emulator.pid)
            derivation = derivation_cpu()
            steady_users = await add_supporters(driver, "S", supporters)
            steady = await sustained(driver, meter, steady_users, share, rate)
            saturated_users = await add_supporters(driver, "T", supporters)
            saturated = await saturation(driver, meter, saturated_users, share, concurrency)
            for run in (steady, saturated):
                run["key_derivation_share"] = derivation_share(derivation, supporters, run)
            approval = await approve_everything(driver, 2 * supporters)
            # The same people again, known to the bot: no key to derive. They come back once
            # the flood window of their first visit has passed, as people do (a small run
            # would otherwise trip the flood gate, which is not what is measured here).
            await asyncio.sleep(FLOOD_WINDOW)
            await sample("returning")
            again = returning_supporter
            returning = {
                "sustained": await sustained(driver, meter, steady_users, share, rate, again),
                "saturation": await saturation(
                    driver, meter, saturated_users, share, concurrency, again
                ),
            }
        return {
            "supporters_per_run": supporters,
            "share_sending_a_message": share,
            "key_derivation_cpu_ms": round(derivation * 1000, 1),
            "sustained": steady,
            "saturation": saturated,
            "approval_seconds": round(approval, 1),
            "returning": returning,
            "bot_peak_memory_mb": memory_mb(bot.pid),
            "database_mb": round(database.stat().st_size / 2**20, 2),
            "stored": status_counts(database),
        }
    finally:
        for profiler in profilers:
            profiler.send_signal(2)
            await profiler.wait()
        await stop(bot, emulator)


def derivation_cpu(samples: int = 20) -> float:
    """CPU seconds of one person key's derivation at the production cost, as the bot pays it
    for every new supporter (measured here, in this thread, just before the run)."""
    secret = os.urandom(32)
    started = time.thread_time()
    for telegram_id in range(1_000_000_000, 1_000_000_000 + samples):
        derive(secret, telegram_id, PRODUCTION_COST)
    return (time.thread_time() - started) / samples


def derivation_share(derivation: float, supporters: int, run: dict[str, Any]) -> float:
    """The derivation's share of the bot's CPU in a run of new supporters: one key each."""
    bot_cpu = run["cpu_seconds"]["bot"]
    return round(min(1.0, derivation * supporters / bot_cpu), 2) if bot_cpu else 0.0


# ------------------------------------------------------------------ the floor and the ceiling


async def echo_floor(messages: int, concurrency: int, tuned: bool) -> dict[str, Any]:
    emulator, url = await start_emulator()
    echo = await start_process(
        ["bench/echo_bot.py", *(["--tuned"] if tuned else [])],
        {"BOT_TOKEN": SANDBOX_TOKEN, "TELEGRAM_API_URL": url},
    )
    place(echo.pid, emulator.pid)
    try:
        async with Driver(url) as driver:
            await wait_for_polling(driver)
            users = [(await driver.add_user(f"E{n}"))["id"] for n in range(concurrency)]
            per_user = max(1, messages // concurrency)

            async def load(waits: list[float]) -> None:
                async def chat(user: int) -> None:
                    journey = Journey(driver, waits)
                    for number in range(per_user):
                        await journey.send(user, f"echo {number}", 1)

                await asyncio.gather(*(chat(u) for u in users))

            meter = CpuMeter(bot=echo.pid, emulator=emulator.pid)
            return {"concurrency": concurrency, **await measured(driver, meter, load)}
    finally:
        await stop(echo, emulator)


async def emulator_ceiling(updates: int) -> dict[str, Any]:
    """The emulator alone: updates queued, fetched and answered as fast as a client can."""
    emulator, url = await start_emulator()
    try:
        async with Driver(url) as driver, aiohttp.ClientSession() as session:
            users = [(await driver.add_user(f"C{n}"))["id"] for n in range(50)]
            api = f"{url}/bot{SANDBOX_TOKEN}"
            meter = CpuMeter(emulator=emulator.pid)
            meter.start()
            started = time.monotonic()
            await asyncio.gather(
                *(driver.send(users[n % 50], f"load {n}") for n in range(updates))
            )
            handled, offset = 0, 0
            while handled < updates:
                async with session.post(
                    f"{api}/getUpdates", json={"offset": offset, "limit": 100}
                ) as r:
                    batch = (await r.json())["result"]
                for update in batch:
                    chat = update["message"]["chat"]["id"]
                    async with session.post(
                        f"{api}/sendMessage", json={"chat_id": chat, "text": "ok"}
                    ) as r:
                        await r.read()
                    offset = update["update_id"] + 1
                handled += len(batch)
            elapsed = time.monotonic() - started
        return {
            "updates": updates,
            "updates_per_second": round(updates / elapsed, 1),
            "cpu_seconds": meter.read(),
        }
    finally:
        await stop(emulator)


# ------------------------------------------------------------------ a large campaign


async def fill(database: Path, signatures: int) -> None:
    """Approved, already published signatures, written through the bot's own repositories."""
    db = Database(database)
    await db.open()
    repos = Repositories.on(db)
    chooser = random.Random(9)
    countries = ["DE", "FR", "SE", "IR", "IQ", "TR", "ES", "RU", None]
    listings = list(Listing)
    first_day = dt.date(2026, 9, 1)
    published: list[int] = []
    async with db.transaction():
        for n in range(signatures):
            listing = listings[n % 3]
            day = first_day + dt.timedelta(days=chooser.randrange(90))
            name = None if listing is Listing.ANONYMOUS else f"Supporter Number {n}"
            draft = SignatureDraft(listing, name, countries[n % len(countries)])
            language = LANGUAGES[n % len(LANGUAGES)].split("-")[0]
            key = f"{chooser.getrandbits(128):032x}"
            signature = await repos.signatures.add(key, draft, language, day)
            await repos.signatures.decide(signature.id, Status.APPROVED, day)
            published.append(signature.id)
            if len(published) == FILL_BATCH or n == signatures - 1:
                await repos.digests.mark_published(published, first_day)
                published = []
    await db.close()


async def moderator_command(
    driver: Driver, command: str, replies: int
) -> tuple[float, list[dict[str, Any]]]:
    started = time.monotonic()
    found = await driver.send_and_wait(MINA, command, replies, WAIT, chat_id=MODERATOR_GROUP_ID)
    return round(time.monotonic() - started, 2), found


async def exported_rows(driver: Driver, reply: dict[str, Any]) -> int:
    """Lines in the CSV the bot sent, less the header."""
    content = await driver.download(reply["document"]["file_id"])
    return content.decode("utf-8").count("\n") - 1


async def large_campaign(signatures: int, workdir: Path) -> dict[str, Any]:
    database = workdir / f"large-{signatures}.sqlite3"
    await fill(database, signatures)
    emulator, url = await start_emulator()
    started = time.monotonic()
    bot = await start_bot(url, database)
    try:
        async with Driver(url) as driver:
            await wait_for_polling(driver, timeout=120)
            start_up = time.monotonic() - started
            await asyncio.sleep(2)  # let the start-up jobs settle before measuring memory
            resting = memory_mb(bot.pid, "VmRSS")
            export_seconds, [document] = await moderator_command(driver, "/export", 1)
            export_peak = memory_mb(bot.pid)
            rows = await exported_rows(driver, document)
            stats_seconds, _ = await moderator_command(driver, "/stats", 2)
            stats_again, _ = await moderator_command(driver, "/stats", 2)
            return {
                "signatures": signatures,
                "database_mb": round(database.stat().st_size / 2**20, 1),
                "start_up_seconds": round(start_up, 2),
                "resting_memory_mb": resting,
                "export_seconds": export_seconds,
                "exported_rows": rows,
                "peak_memory_through_export_mb": export_peak,
                "stats_seconds_first": stats_seconds,
                "stats_seconds_again": stats_again,
                "peak_memory_mb": memory_mb(bot.pid),
            }
    finally:
        await stop(bot, emulator)
