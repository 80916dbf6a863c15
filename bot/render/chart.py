"""The chart of signatures per day that /stats sends, as a PNG."""

from __future__ import annotations

import io
from typing import Any


def figure_of(days: list[tuple[str, int]], title: str) -> Any:
    """The chart as a Matplotlib figure: a bar a day, counted in whole signatures."""
    import matplotlib  # loaded on the first /stats only: it costs memory and start-up time

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    figure, axes = pyplot.subplots(figsize=(8, 3.5), dpi=100)
    counts = [count for _, count in days] or [0]
    axes.bar([day for day, _ in days] or ["-"], counts, color="#b3261e")
    # Signatures come whole: ticks at integers only (never 0.5), from 0 to at least 1.
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(1, *counts) * 1.05)
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    figure.tight_layout()
    return figure


def signatures_per_day(days: list[tuple[str, int]], title: str) -> bytes:
    from matplotlib import pyplot

    figure = figure_of(days, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
