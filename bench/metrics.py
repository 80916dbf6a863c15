"""What the benchmark reads off the processes (/proc) and the emulator: CPU, memory, latency."""

from __future__ import annotations

import contextlib
import os
import platform
from pathlib import Path

from bot.sandbox.driver import Driver

TICK = os.sysconf("SC_CLK_TCK")


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
    """The bot's latency of every update so far, as the probe beside the emulator saw it."""
    found: list[float] = await driver.request("GET", "/bench/latencies")
    return found


async def updates_so_far(driver: Driver) -> int:
    """How many updates people have caused (sends and presses), counted by the emulator."""
    return int((await driver.state())["updates_created"])


async def wait_for_polling(driver: Driver, timeout: float = 60) -> None:
    async def polling() -> bool:
        return bool(await driver.calls("getUpdates"))

    await driver.wait_for(polling, timeout=timeout, what="the bot to poll")
