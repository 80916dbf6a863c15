"""Load benchmark: the emulator and the bot as separate processes, simulated supporters.

    python bench/run.py [--supporters 2000] [--share 0.3] [--concurrency 100]

Each supporter starts the bot, reads the letter, signs through the whole flow, and a share of
them send a message; a moderator then approves everything. Recorded: the time from the
emulator handing each update to the bot to the bot's first answer (p50/p95/p99), updates per
second, the bot's peak memory, the database size. The same run measures the floor (a minimal
python-telegram-bot echo bot against the same emulator) and the emulator's own ceiling.
Writes bench/results.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox.driver import Driver  # noqa: E402
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID, SANDBOX_TOKEN  # noqa: E402

MINA = 30_001
LANGUAGES = ["en", "fa-IR", "de", "ar", "tr", "fr", "es", "sv", "ru", "ckb"]


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


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


async def wait_for_polling(driver: Driver) -> None:
    async def polling() -> bool:
        return bool(await driver.calls("getUpdates"))

    await driver.wait_for(polling, timeout=60, what="the bot to poll")


async def press_and_wait(driver: Driver, user: int, data: str, replies: int = 1) -> None:
    before = max((m["message_id"] for m in await driver.messages(user)), default=0)
    await driver.press(user, user, data=data)
    await driver.wait_bot_messages(user, before, replies, timeout=120)


async def supporter_journey(driver: Driver, user: int, sends_message: bool) -> int:
    """The whole flow; returns how many updates the person sent."""
    sent = await driver.send(user, "/start")
    await driver.wait_bot_messages(user, sent["message_id"], 2, timeout=120)
    sent = await driver.send(user, "/sign")
    await driver.wait_bot_messages(user, sent["message_id"], 1, timeout=120)
    for data in ("v1:sg:anonymous", "v1:sg:skip", "v1:sg:confirm"):
        await press_and_wait(driver, user, data)
    updates = 5
    if sends_message:
        sent = await driver.send(user, "/message")
        await driver.wait_bot_messages(user, sent["message_id"], 2, timeout=120)
        sent = await driver.send(user, "Solidarity from the benchmark")
        await driver.wait_bot_messages(user, sent["message_id"], 1, timeout=120)
        await press_and_wait(driver, user, "v1:ms:anonymous")
        await press_and_wait(driver, user, "v1:ms:skip", replies=2)
        await press_and_wait(driver, user, "v1:ms:send")
        updates += 5
    return updates


async def approve_everything(driver: Driver, expected_signatures: int) -> float:
    """Press Approve all on every digest and Approve on every card; return the seconds."""
    started = time.monotonic()
    pressed: set[int] = set()
    approved = 0
    deadline = started + 600
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
                    await driver.wait_answered(query, timeout=60)
                    pressed.add(message["message_id"])
                    text = message.get("text") or message.get("caption") or ""
                    if label == "Approve all":
                        approved += text.count("#S")
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def full_flows(
    supporters: int, share: float, concurrency: int, workdir: Path
) -> dict[str, Any]:
    emulator, url = await start_emulator()
    database = workdir / "bench.sqlite3"
    bot = await start_process(
        ["-m", "bot", "run"],
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
    try:
        async with Driver(url) as driver:
            await wait_for_polling(driver)
            users = [
                (await driver.add_user(f"S{n}", LANGUAGES[n % len(LANGUAGES)]))["id"]
                for n in range(supporters)
            ]
            gate = asyncio.Semaphore(concurrency)

            async def one(index: int, user: int) -> int:
                async with gate:
                    return await supporter_journey(driver, user, index < supporters * share)

            started = time.monotonic()
            counts = await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
            elapsed = time.monotonic() - started
            approval = await approve_everything(driver, supporters)
            latencies = await driver._request("GET", "/driver/latencies")
        return {
            "supporters": supporters,
            "updates": sum(counts),
            "seconds": round(elapsed, 1),
            "updates_per_second": round(sum(counts) / elapsed, 1),
            **percentiles(latencies),
            "approval_seconds": round(approval, 1),
            "bot_peak_memory_mb": round(peak_memory_mb(bot.pid), 1),
            "database_mb": round(database.stat().st_size / 2**20, 2),
        }
    finally:
        for process in (bot, emulator):
            process.terminate()
            await process.wait()


async def echo_floor(messages: int, concurrency: int) -> dict[str, Any]:
    emulator, url = await start_emulator()
    echo = await start_process(
        ["bench/echo_bot.py"], {"BOT_TOKEN": SANDBOX_TOKEN, "TELEGRAM_API_URL": url}
    )
    try:
        async with Driver(url) as driver:
            await wait_for_polling(driver)
            users = [(await driver.add_user(f"E{n}"))["id"] for n in range(concurrency)]
            per_user = max(1, messages // concurrency)

            async def chat(user: int) -> None:
                for number in range(per_user):
                    sent = await driver.send(user, f"echo {number}")
                    await driver.wait_bot_messages(user, sent["message_id"], 1, timeout=120)

            started = time.monotonic()
            await asyncio.gather(*(chat(u) for u in users))
            elapsed = time.monotonic() - started
            latencies = await driver._request("GET", "/driver/latencies")
        total = per_user * len(users)
        return {
            "updates": total,
            "updates_per_second": round(total / elapsed, 1),
            **percentiles(latencies),
        }
    finally:
        for process in (echo, emulator):
            process.terminate()
            await process.wait()


async def emulator_ceiling(updates: int) -> dict[str, Any]:
    """The emulator alone: updates queued, fetched and answered as fast as a client can."""
    emulator, url = await start_emulator()
    try:
        async with Driver(url) as driver, aiohttp.ClientSession() as session:
            users = [(await driver.add_user(f"C{n}"))["id"] for n in range(50)]
            api = f"{url}/bot{SANDBOX_TOKEN}"
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
        return {"updates": updates, "updates_per_second": round(updates / elapsed, 1)}
    finally:
        emulator.terminate()
        await emulator.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--supporters", type=int, default=2000)
    parser.add_argument("--share", type=float, default=0.3, help="share who send a message")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        flows = await full_flows(
            arguments.supporters, arguments.share, arguments.concurrency, Path(workdir)
        )
    floor = await echo_floor(max(1000, arguments.supporters), arguments.concurrency)
    ceiling = await emulator_ceiling(5000)
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "full_flows": flows,
        "echo_floor": floor,
        "emulator_ceiling": ceiling,
        "ratio_to_echo": round(flows["updates_per_second"] / floor["updates_per_second"], 2),
    }
    arguments.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    rows = [
        ("full flows: updates/s", flows["updates_per_second"]),
        (
            "full flows: p50 / p95 / p99 ms",
            f"{flows['p50_ms']} / {flows['p95_ms']} / {flows['p99_ms']}",
        ),
        ("bot peak memory (MB)", flows["bot_peak_memory_mb"]),
        ("database (MB)", flows["database_mb"]),
        ("approving everything (s)", flows["approval_seconds"]),
        ("echo floor: updates/s", floor["updates_per_second"]),
        ("echo floor: p50 / p99 ms", f"{floor['p50_ms']} / {floor['p99_ms']}"),
        ("ratio to the floor", results["ratio_to_echo"]),
        ("emulator ceiling: updates/s", ceiling["updates_per_second"]),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
