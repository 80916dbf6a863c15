"""The emulator as `python -m bot.sandbox.serve` serves it, with the latency probe watching.

The probe's figures are at GET /bench/latencies.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.probe import LatencyProbe
from bot.loop import run
from bot.sandbox.run import SANDBOX_TOKEN
from bot.sandbox.serve import serve
from bot.sandbox.server import EmulatorServer


def with_probe(server: EmulatorServer) -> None:
    probe = LatencyProbe()
    server.emulator.observers.append(probe)

    async def latencies(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": probe.latencies})

    server.app.router.add_get("/bench/latencies", latencies)


if __name__ == "__main__":
    run(serve(0, SANDBOX_TOKEN, with_probe))
