"""What a person key costs to derive, and so what trying every Telegram id would cost.

    .venv/bin/python bench/key_cost.py [ids]

Derives `ids` keys (default 50) at the production cost, one after another, and prints the CPU
time and memory per id and the CPU-years for 10^10 ids (README, Privacy). Not part of the
benchmark run (bench/run.py); it needs one core for about ten seconds.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.identity import PRODUCTION_COST, derive, legacy_key

YEAR = 365 * 24 * 3600
IDS = 10**10


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    secret = os.urandom(32)
    cost = PRODUCTION_COST
    try:  # the memory it needs: scrypt refuses to run in less
        hashlib.scrypt(b"1", salt=secret, n=cost.n, r=cost.r, p=cost.p, maxmem=cost.memory)
        refused = False
    except ValueError:
        refused = True
    cpu, wall = time.process_time(), time.perf_counter()
    for telegram_id in range(1_000_000_000, 1_000_000_000 + count):
        derive(secret, telegram_id, cost)
    cpu, wall = (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count
    start = time.process_time()
    for telegram_id in range(100_000):
        legacy_key(secret, telegram_id)
    hmac_cpu = (time.process_time() - start) / 100_000
    print(f"scrypt n={cost.n} r={cost.r} p={cost.p}: {cost.memory / 2**20:.0f} MiB per id")
    print(f"  refuses to run in {cost.memory} bytes: {refused}")
    print(f"  {cpu * 1000:.1f} ms CPU per id ({wall * 1000:.1f} ms wall), {count} ids")
    years = IDS * cpu / YEAR
    print(f"  10^10 ids: {years:.1f} CPU-years, {years / 2:.1f} years on 2 cores")
    print(f"HMAC-SHA256 (earlier versions): {hmac_cpu * 1e6:.2f} µs CPU per id")
    print(f"  10^10 ids: {IDS * hmac_cpu / 3600:.1f} CPU-hours")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
