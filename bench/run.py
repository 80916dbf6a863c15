"""Load benchmark: the emulator and the bot as separate processes, simulated supporters.

    python bench/run.py [--supporters 2000] [--share 0.3] [--rate 300] [--concurrency 100]
                        [--signatures 100000] [--only flows,echo,ceiling,large]
                        [--no-pin] [--profile FOLDER]

Each supporter starts the bot, reads the letter, signs through the whole flow, and a share of
them send a message; a moderator then approves everything. Two runs of full flows:

- sustained: supporters arrive at a steady pace that offers `--rate` updates a second;
- saturation: `--concurrency` supporters at a time, each step sent as soon as the last was
  answered, which finds the most the bot carries.

Recorded for every update: the time from the emulator handing it to the bot to the bot's first
answer in that chat, and for every step the time the person waits (sending to the reply
arriving), as p50/p95/p99. Also updates per second, the CPU time of the bot, the emulator and
this load generator, the bot's peak memory and the database size. The bot runs on one core, the
emulator and this generator on the other (`--no-pin`: anywhere). The same run measures the
floor (a minimal python-telegram-bot echo bot against the same emulator with the same
concurrency, as the framework comes and tuned like our bot) and the emulator's own ceiling.
With `--signatures` approved signatures in the database: start-up time, `/stats` and `/export`
(time and peak memory), also at a tenth of that size to show the export's memory stays flat.
`--profile` samples the bot and the emulator with py-spy (`pip install -e '.[bench]'`) during
full flows. Writes bench/results.json and a table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.buttons import MessageChoice, MessageStep, SignChoice, SigningStep  # noqa: E402
from bot.sandbox.driver import Driver  # noqa: E402
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN  # noqa: E402
from bot.storage.database import open_database  # noqa: E402

MINA = 30_001
LANGUAGES = ["en", "fa-IR", "de", "ar", "tr", "fr", "es", "sv", "ru", "ckb"]
WAIT = 120.0  # seconds a step may take before the run counts as failed
TICK = os.sysconf("SC_CLK_TCK")
PHASES = ("flows", "echo", "ceiling", "large")
PINNING = "--no-pin" not in sys.argv


# ------------------------------------------------------------------ processes


async def start_emulator() -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.sandbox.serve", cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    url = (await process.stdout.readline()).decode().strip()
    return process, url


async def start_process(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def pin(pid: int, cpus: set[int]) -> None:
    """Keep a process on some CPUs (no-op when the machine has fewer)."""
    usable = cpus & os.sched_getaffinity(0)
    if usable and PINNING:
        os.sched_setaffinity(pid, usable)


def place(bot: int, emulator: int) -> None:
    """The bot gets a core of its own; the emulator and this load generator, standing in for
    Telegram and its users, share the other."""
    pin(bot, {0})
    pin(emulator, {1})
    pin(os.getpid(), {1})


async def start_bot(url: str, database: Path) -> asyncio.subprocess.Process:
    return await start_process(
        ["bench/serve_bot.py"],
        {
            "BOT_TOKEN": SANDBOX_TOKEN,
            "TELEGRAM_API_URL": url,
            "MODERATOR_CHAT_ID": str(MODERATOR_GROUP_ID),
            "CHANNEL_ID": str(CHANNEL_ID),
            "DATABASE_PATH": str(database),
            "LOG_LEVEL": "WARNING",
            "MESSAGE_DAILY_LIMIT": "100",
        },
    )


async def stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
        await process.wait()


def memory_mb(pid: int, field: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class CpuMeter:
    """CPU seconds spent by each process between start() and read()."""

    def __init__(self, **pids: int) -> None:
        self.pids = {"generator": os.getpid(), **pids}
        self._start: dict[str, float] = {}

    def start(self) -> None:
        self._start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def read(self) -> dict[str, float]:
        return {
            name: round(cpu_seconds(pid) - self._start[name], 1) for name, pid in self.pids.items()
        }


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.machine()


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


async def latencies(driver: Driver) -> list[float]:
    found: list[float] = await driver._request("GET", "/driver/latencies")
    return found


async def wait_for_polling(driver: Driver, timeout: float = 60) -> None:
    async def polling() -> bool:
        return bool(await driver.calls("getUpdates"))

    await driver.wait_for(polling, timeout=timeout, what="the bot to poll")


# ------------------------------------------------------------------ full flows


def journey_updates(share: float) -> float:
    return 5 + 5 * share


class Journey:
    """A supporter's steps, each sent once the last was answered; times each step as the
    person sees it (from sending to the bot's reply arriving)."""

    def __init__(self, driver: Driver, waits: list[float]) -> None:
        self.driver = driver
        self.waits = waits

    async def _timed(self, step: Awaitable[object]) -> None:
        started = time.monotonic()
        await step
        self.waits.append(time.monotonic() - started)

    async def send(self, user: int, text: str, replies: int) -> None:
        await self._timed(self.driver.send_and_wait(user, text, replies, WAIT))

    async def press(self, user: int, data: str, replies: int) -> None:
        await self._timed(self.driver.press_and_wait(user, data, replies, WAIT))

    async def run(self, user: int, sends_message: bool) -> int:
        """The whole flow; returns the updates sent."""
        await self.send(user, "/start", 2)
        await self.send(user, "/sign", 1)
        for choice in (SignChoice.ANONYMOUS, SignChoice.SKIP, SignChoice.CONFIRM):
            await self.press(user, SigningStep(choice).pack(), 1)
        if not sends_message:
            return 5
        await self.send(user, "/message", 2)
        await self.send(user, "Solidarity from the benchmark", 1)
        await self.press(user, MessageStep(MessageChoice.ANONYMOUS).pack(), 1)
        await self.press(user, MessageStep(MessageChoice.SKIP).pack(), 2)
        await self.press(user, MessageStep(MessageChoice.SEND).pack(), 1)
        return 10


async def add_supporters(driver: Driver, prefix: str, count: int) -> list[int]:
    return [
        (await driver.add_user(f"{prefix}{n}", LANGUAGES[n % len(LANGUAGES)]))["id"]
        for n in range(count)
    ]


async def measured(
    driver: Driver, meter: CpuMeter, load: Callable[[list[float]], Awaitable[int]]
) -> dict[str, Any]:
    """Run a load; return its updates, rate, latency percentiles and CPU time.

    Two latencies: the bot's (the emulator handing an update over to the bot's first answer
    in that chat), and the person's (sending a step to the reply arriving, which adds the
    wait for the bot's next getUpdates and the emulator's own work)."""
    before = len(await latencies(driver))
    waits: list[float] = []
    meter.start()
    started = time.monotonic()
    updates = await load(waits)
    elapsed = time.monotonic() - started
    cpu = meter.read()
    person = {f"person_{key}": value for key, value in percentiles(waits).items()}
    return {
        "updates": updates,
        "seconds": round(elapsed, 1),
        "updates_per_second": round(updates / elapsed, 1),
        **percentiles((await latencies(driver))[before:]),
        **person,
        "cpu_seconds": cpu,
    }


async def sustained(
    driver: Driver, meter: CpuMeter, users: list[int], share: float, rate: float
) -> dict[str, Any]:
    """Supporters arrive at a steady pace that offers `rate` updates a second."""
    gap = journey_updates(share) / rate
    messaging = int(len(users) * share)

    async def load(waits: list[float]) -> int:
        async def arrive(index: int, user: int) -> int:
            await asyncio.sleep(index * gap)
            return await Journey(driver, waits).run(user, index < messaging)

        return sum(await asyncio.gather(*(arrive(i, u) for i, u in enumerate(users))))

    result = await measured(driver, meter, load)
    return {"offered_updates_per_second": rate, **result}


async def saturation(
    driver: Driver, meter: CpuMeter, users: list[int], share: float, concurrency: int
) -> dict[str, Any]:
    """`concurrency` supporters at a time, each step sent as soon as the last is answered."""
    gate = asyncio.Semaphore(concurrency)
    messaging = int(len(users) * share)

    async def load(waits: list[float]) -> int:
        async def one(index: int, user: int) -> int:
            async with gate:
                return await Journey(driver, waits).run(user, index < messaging)

        return sum(await asyncio.gather(*(one(i, u) for i, u in enumerate(users))))

    return {"concurrency": concurrency, **await measured(driver, meter, load)}


async def approve_everything(driver: Driver, expected_signatures: int) -> float:
    """Press Approve all on every digest and Approve on every card; return the seconds."""
    started = time.monotonic()
    pressed: set[int] = set()
    approved = 0
    deadline = started + 900
    while approved < expected_signatures and time.monotonic() < deadline:
        for message in await driver.bot_messages(MODERATOR_GROUP_ID):
            buttons = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            labels = {b["text"]: b["callback_data"] for row in buttons for b in row}
            if message["message_id"] in pressed or not labels:
                continue
            for label in ("Approve all", "Approve"):
                if label in labels:
                    query = await driver.press(
                        MINA,
                        MODERATOR_GROUP_ID,
                        data=labels[label],
                        message_id=message["message_id"],
                    )
                    await driver.wait_answered(query, timeout=WAIT)
                    pressed.add(message["message_id"])
                    text = message.get("text") or message.get("caption") or ""
                    if label == "Approve all":
                        approved += text.count("#S")
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def profile(pid: int, output: Path) -> asyncio.subprocess.Process:
    """py-spy sampling the bot, written as collapsed stacks (flame graph input)."""
    beside = Path(sys.executable).with_name("py-spy")
    spy = str(beside) if beside.exists() else "py-spy"
    return await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
        "--output", str(output), "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


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
    profilers = (
        [
            await profile(bot.pid, profile_to / "bot.txt"),
            await profile(emulator.pid, profile_to / "emulator.txt"),
        ]
        if profile_to
        else []
    )
    try:
        async with Driver(url) as driver:
            await wait_for_polling(driver)
            meter = CpuMeter(bot=bot.pid, emulator=emulator.pid)
            steady = await sustained(
                driver, meter, await add_supporters(driver, "S", supporters), share, rate
            )
            saturated = await saturation(
                driver, meter, await add_supporters(driver, "T", supporters), share, concurrency
            )
            approval = await approve_everything(driver, 2 * supporters)
        return {
            "supporters_per_run": supporters,
            "share_sending_a_message": share,
            "sustained": steady,
            "saturation": saturated,
            "approval_seconds": round(approval, 1),
            "bot_peak_memory_mb": memory_mb(bot.pid),
            "database_mb": round(database.stat().st_size / 2**20, 2),
        }
    finally:
        for profiler in profilers:
            profiler.send_signal(2)
            await profiler.wait()
        await stop(bot, emulator)


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

            async def load(waits: list[float]) -> int:
                async def chat(user: int) -> None:
                    journey = Journey(driver, waits)
                    for number in range(per_user):
                        await journey.send(user, f"echo {number}", 1)

                await asyncio.gather(*(chat(u) for u in users))
                return per_user * len(users)

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
    """Approved signatures written straight into a database the bot's migrations made."""
    connection = await open_database(database)
    chooser = random.Random(9)
    countries = ["DE", "FR", "SE", "IR", "IQ", "TR", "ES", "RU", None]
    listings = ["name", "initial", "anonymous"]
    first_day = dt.date(2026, 9, 1)
    rows = []
    for n in range(signatures):
        listing = listings[n % 3]
        day = (first_day + dt.timedelta(days=chooser.randrange(90))).isoformat()
        rows.append(
            (
                f"{chooser.getrandbits(128):032x}",
                listing,
                None if listing == "anonymous" else f"Supporter Number {n}",
                countries[n % len(countries)],
                LANGUAGES[n % len(LANGUAGES)].split("-")[0],
                day,
                day,
                day,
            )
        )
    await connection.execute("BEGIN")
    await connection.executemany(
        "INSERT INTO signatures (person_key, listing, name, country, language, status, "
        "submitted_on, decided_on, published_on) VALUES (?, ?, ?, ?, ?, 'approved', ?, ?, ?)",
        rows,
    )
    await connection.execute("COMMIT")
    await connection.close()


async def moderator_command(
    driver: Driver, command: str, replies: int
) -> tuple[float, list[dict[str, Any]]]:
    started = time.monotonic()
    found = await driver.send_and_wait(MINA, command, replies, WAIT, chat_id=MODERATOR_GROUP_ID)
    return round(time.monotonic() - started, 2), found


async def exported_rows(driver: Driver, url: str, reply: dict[str, Any]) -> int:
    """Lines in the CSV the bot sent, less the header."""
    assert driver._session is not None
    file_id = reply["document"]["file_id"]
    async with driver._session.get(f"{url}/driver/files/{file_id}") as response:
        return (await response.read()).decode("utf-8").count("\n") - 1


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
            rows = await exported_rows(driver, url, document)
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


# ------------------------------------------------------------------ the report


def table(results: dict[str, Any]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []

    def run(name: str, found: dict[str, Any]) -> None:
        cpu = " / ".join(f"{k} {v}" for k, v in found["cpu_seconds"].items())
        rows.extend(
            [
                (f"{name}: updates/s", found["updates_per_second"]),
                (
                    f"{name}: bot p50 / p95 / p99 ms",
                    f"{found['p50_ms']} / {found['p95_ms']} / {found['p99_ms']}",
                ),
                (
                    f"{name}: person p50 / p95 / p99 ms",
                    f"{found['person_p50_ms']} / {found['person_p95_ms']} / "
                    f"{found['person_p99_ms']}",
                ),
                (f"{name}: CPU seconds", cpu),
            ]
        )

    if "full_flows" in results:
        flows = results["full_flows"]
        rows.append(
            ("sustained: offered updates/s", flows["sustained"]["offered_updates_per_second"])
        )
        run("sustained", flows["sustained"])
        run("saturation", flows["saturation"])
        rows += [
            ("bot peak memory (MB)", flows["bot_peak_memory_mb"]),
            ("database (MB)", flows["database_mb"]),
            ("approving everything (s)", flows["approval_seconds"]),
        ]
    for name in ("echo_floor", "echo_floor_tuned"):
        if name in results:
            run(name.replace("_", " "), results[name])
        if f"ratio_to_{name}" in results:
            rows.append((f"saturation / {name.replace('_', ' ')}", results[f"ratio_to_{name}"]))
    if "emulator_ceiling" in results:
        ceiling = results["emulator_ceiling"]["updates_per_second"]
        rows.append(("emulator ceiling: updates/s", ceiling))
    for large in results.get("large", []):
        for key, value in large.items():
            if key != "signatures":
                rows.append((f"{large['signatures']:,} signatures: {key}", value))
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--supporters", type=int, default=2000, help="supporters in each run")
    parser.add_argument("--share", type=float, default=0.3, help="share who send a message")
    parser.add_argument("--rate", type=float, default=300, help="offered updates a second")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--signatures", type=int, default=100_000)
    parser.add_argument("--only", default=",".join(PHASES), help="phases to run")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--no-pin", action="store_true", help="let every process run on any core")
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample the bot and the emulator with py-spy during full flows into this folder",
    )
    arguments = parser.parse_args()
    phases = set(arguments.only.split(","))
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": cpu_model(),
        },
    }
    with tempfile.TemporaryDirectory() as name:
        workdir = Path(name)
        if "flows" in phases:
            results["full_flows"] = await full_flows(
                arguments.supporters,
                arguments.share,
                arguments.rate,
                arguments.concurrency,
                workdir,
                arguments.profile,
            )
        if "echo" in phases:
            messages = max(5000, arguments.supporters)
            results["echo_floor"] = await echo_floor(messages, arguments.concurrency, False)
            results["echo_floor_tuned"] = await echo_floor(messages, arguments.concurrency, True)
        if "flows" in phases and "echo" in phases:
            ours = results["full_flows"]["saturation"]["updates_per_second"]
            for name in ("echo_floor", "echo_floor_tuned"):
                results[f"ratio_to_{name}"] = round(ours / results[name]["updates_per_second"], 2)
        if "ceiling" in phases:
            results["emulator_ceiling"] = await emulator_ceiling(5000)
        if "large" in phases:
            results["large"] = [
                await large_campaign(size, workdir)
                for size in (arguments.signatures // 10, arguments.signatures)
            ]
    arguments.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    rows = table(results)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
