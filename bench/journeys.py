"""Simulated supporters (new ones, and returning ones the bot knows), the two full-flow runs
(sustained, saturation), and approving."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.metrics import CpuMeter, latencies, percentiles, updates_so_far
from bot.buttons import ChangeSignature, MessageChoice, MessageStep, SignChoice, SigningStep
from bot.sandbox.driver import Driver
from bot.sandbox.run import MODERATOR_GROUP_ID

MINA = 30_001
LANGUAGES = ["en", "fa-IR", "de", "ar", "tr", "fr", "es", "sv", "ru", "ckb"]
WAIT = 120.0  # seconds a step may take before the run counts as failed


RETURNING_UPDATES = 11  # updates of a returning supporter's journey (Journey.again)


def journey_updates(share: float) -> float:
    """Updates of a new supporter's journey, on average: five, and five more with a message."""
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
        """Press, and wait for `replies` answers: new messages, or the pressed one changed in
        place (the emulator counts both, so one journey fits a bot of either kind)."""
        await self._timed(self.driver.press_and_wait(user, data, replies, WAIT))

    async def run(self, user: int, sends_message: bool) -> None:
        """A new supporter's whole flow: five updates, ten with a message."""
        await self.send(user, "/start", 2)
        await self.send(user, "/sign", 1)
        await self._sign(user)
        if sends_message:
            await self._message(user)

    async def again(self, user: int) -> None:
        """A returning supporter (known to the bot): reads the letter again, changes their
        signature and sends a message; eleven updates."""
        await self.send(user, "/letter", 1)
        await self.send(user, "/sign", 1)  # their signature, with Change and Withdraw
        await self.press(user, ChangeSignature().pack(), 1)
        await self._sign(user)
        await self._message(user)

    async def _sign(self, user: int) -> None:
        for choice in (SignChoice.ANONYMOUS, SignChoice.SKIP, SignChoice.CONFIRM):
            await self.press(user, SigningStep(choice).pack(), 1)

    async def _message(self, user: int) -> None:
        await self.send(user, "/message", 2)
        await self.send(user, "Solidarity from the benchmark", 1)
        await self.press(user, MessageStep(MessageChoice.ANONYMOUS).pack(), 1)
        await self.press(user, MessageStep(MessageChoice.SKIP).pack(), 2)
        await self.press(user, MessageStep(MessageChoice.SEND).pack(), 1)


Walk = Callable[[Journey, int, bool], Awaitable[None]]


async def new_supporter(journey: Journey, user: int, sends_message: bool) -> None:
    await journey.run(user, sends_message)


async def returning_supporter(journey: Journey, user: int, sends_message: bool) -> None:
    await journey.again(user)  # every one of them sends a message


async def add_supporters(driver: Driver, prefix: str, count: int) -> list[int]:
    return [
        (await driver.add_user(f"{prefix}{n}", LANGUAGES[n % len(LANGUAGES)]))["id"]
        for n in range(count)
    ]


async def measured(
    driver: Driver, meter: CpuMeter, load: Callable[[list[float]], Awaitable[None]]
) -> dict[str, Any]:
    """Run a load; return its updates (as the emulator counted them), rate, latency
    percentiles and CPU time.

    Two latencies: the bot's (the emulator handing an update over to the bot's first answer
    in that chat), and the person's (sending a step to the reply arriving, which adds the
    wait for the bot's next getUpdates and the emulator's own work)."""
    before = len(await latencies(driver))
    updates_before = await updates_so_far(driver)
    waits: list[float] = []
    meter.start()
    started = time.monotonic()
    await load(waits)
    elapsed = time.monotonic() - started
    cpu = meter.read()
    updates = await updates_so_far(driver) - updates_before
    person = {f"person_{key}": value for key, value in percentiles(waits).items()}
    return {
        "updates": updates,
        "seconds": round(elapsed, 1),
        "updates_per_second": round(updates / elapsed, 1),
        **percentiles((await latencies(driver))[before:]),
        **person,
        "cpu_seconds": cpu,
        "bot_cpu_ms_per_update": round(1000 * cpu.get("bot", 0.0) / max(1, updates), 2),
    }


async def sustained(
    driver: Driver,
    meter: CpuMeter,
    users: list[int],
    share: float,
    rate: float,
    walk: Walk = new_supporter,
) -> dict[str, Any]:
    """Supporters arrive at a steady pace that offers `rate` updates a second."""
    per_journey = journey_updates(share) if walk is new_supporter else RETURNING_UPDATES
    gap = per_journey / rate
    messaging = int(len(users) * share)

    async def load(waits: list[float]) -> None:
        async def arrive(index: int, user: int) -> None:
            await asyncio.sleep(index * gap)
            await walk(Journey(driver, waits), user, index < messaging)

        await asyncio.gather(*(arrive(i, u) for i, u in enumerate(users)))

    result = await measured(driver, meter, load)
    return {"offered_updates_per_second": rate, **result}


async def saturation(
    driver: Driver,
    meter: CpuMeter,
    users: list[int],
    share: float,
    concurrency: int,
    walk: Walk = new_supporter,
) -> dict[str, Any]:
    """`concurrency` supporters at a time, each step sent as soon as the last is answered."""
    gate = asyncio.Semaphore(concurrency)
    messaging = int(len(users) * share)

    async def load(waits: list[float]) -> None:
        async def one(index: int, user: int) -> None:
            async with gate:
                await walk(Journey(driver, waits), user, index < messaging)

        await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))

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
