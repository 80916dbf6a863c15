"""`python -m bot.sandbox.serve`: the emulator alone, seeded, in its own process.

It prints its address on the first line of standard output, then serves until SIGINT or
SIGTERM. `serve(..., prepare)` lets a caller (the benchmark) add to the server first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable

from bot.loop import run
from bot.sandbox.emulator import Emulator
from bot.sandbox.run import SANDBOX_TOKEN, seed
from bot.sandbox.server import EmulatorServer


async def serve(
    port: int, token: str, prepare: Callable[[EmulatorServer], None] | None = None
) -> None:
    emulator = Emulator(token, call_log_size=1000)
    seed(emulator)
    server = EmulatorServer(emulator, "127.0.0.1", port)
    if prepare is not None:
        prepare(server)
    print(await server.start(), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.serve")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=SANDBOX_TOKEN)
    arguments = parser.parse_args()
    run(serve(arguments.port, arguments.token))


if __name__ == "__main__":
    main()
