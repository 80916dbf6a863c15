"""Load benchmark: the emulator and the bot as separate processes, simulated supporters.

    python bench/run.py [--supporters 2000] [--share 0.3] [--rate 300] [--concurrency 100]
                        [--signatures 100000] [--only flows,echo,ceiling,large]
                        [--no-pin] [--profile FOLDER] [--bot-from CHECKOUT]

Each supporter starts the bot, reads the letter, signs through the whole flow, and a share of
them send a message; a moderator then approves everything. Then the same supporters return,
known to the bot (no person key to derive): each reads the letter again, changes their
signature and sends a message. Two runs of full flows for new supporters and two for
returning ones:

- sustained: supporters arrive at a steady pace that offers `--rate` updates a second;
- saturation: `--concurrency` supporters at a time, each step sent as soon as the last was
  answered, which finds the most the bot carries.

For new supporters it also reports the person-key derivation's share of the bot's CPU: the
derivation's CPU time (measured here just before, at the production cost) times the
supporters, over the bot's CPU time in the run.

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
full flows, new and returning supporters into files of their own (bot-new.txt,
bot-returning.txt, and the emulator's). `--bot-from CHECKOUT` runs the bot of another
checkout (its bot/ and locales/, for example main before a change) against this harness and
emulator, for before/after figures.
Writes bench/results.json and a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.metrics import cpu_model  # noqa: E402
from bench.phases import echo_floor, emulator_ceiling, full_flows, large_campaign  # noqa: E402
from bench.processes import BOT_ROOT  # noqa: E402
from bench.report import table  # noqa: E402

PHASES = ("flows", "echo", "ceiling", "large")


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
    parser.add_argument(
        "--bot-from",
        type=Path,
        help="run the bot of this checkout (a folder holding bot/ and locales/)",
    )
    arguments = parser.parse_args()
    if arguments.bot_from is not None:
        os.environ[BOT_ROOT] = str(arguments.bot_from.resolve())
    phases = set(arguments.only.split(","))
    results: dict[str, Any] = {
        "bot_from": str(arguments.bot_from) if arguments.bot_from else None,
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
            flows = results["full_flows"]
            ours = flows["saturation"]["updates_per_second"]
            again = flows["returning"]["saturation"]["updates_per_second"]
            for name in ("echo_floor", "echo_floor_tuned"):
                floor = results[name]["updates_per_second"]
                results[f"ratio_to_{name}"] = round(ours / floor, 2)
                results[f"returning_ratio_to_{name}"] = round(again / floor, 2)
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
