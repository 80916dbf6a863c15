"""The event loop: uvloop where it is installed (Linux and macOS), asyncio's own elsewhere.

uvloop runs the same asyncio code with its I/O and scheduling in C; in the benchmark it cut the
CPU time of every update (see README, 'Benchmarks').
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # Windows, or installed without it: asyncio's loop is fine
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, on uvloop when it is there."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
