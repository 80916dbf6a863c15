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


LINK_COLOURS = ("#9e9e9e", "#1e6bb8", "#b3261e")  # started, read on, signed
LINKS_SHOWN = 6  # links charted at most (the most started); /stats lists them all


def links_figure(
    days: list[tuple[str, str, tuple[int, int, int]]],
    labels: tuple[str, str, str] | None,
    title: str,
) -> Any:
    """One panel per link: for each day, three bars (started, read on, signed).

    `days`: (link, day, counts) rows, oldest first; `labels`: the legend's words (None: no
    legend, where Matplotlib cannot write the language)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    totals: dict[str, int] = {}
    for link, _, counts in days:
        totals[link] = totals.get(link, 0) + counts[0]
    links = sorted(totals, key=lambda link: (-totals[link], link))[:LINKS_SHOWN] or ["-"]
    figure, panels = pyplot.subplots(
        len(links), 1, figsize=(8, 1.2 + 2.2 * len(links)), dpi=100, squeeze=False
    )
    for link, (axes,) in zip(links, panels, strict=True):
        rows = [(day, counts) for name, day, counts in days if name == link]
        positions = range(len(rows))
        for step, colour in enumerate(LINK_COLOURS):
            axes.bar(
                [x + (step - 1) * 0.27 for x in positions],
                [counts[step] for _, counts in rows],
                width=0.27,
                color=colour,
                label=labels[step] if labels else None,
            )
        axes.set_xticks(list(positions), [day for day, _ in rows])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        most = max((max(counts) for _, counts in rows), default=0)
        axes.set_ylim(0, max(1, most) * 1.1)
        axes.set_title(link, fontsize=9, loc="left")
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    if labels:
        panels[0][0].legend(fontsize=8, loc="upper right")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def links_per_day(
    days: list[tuple[str, str, tuple[int, int, int]]],
    labels: tuple[str, str, str] | None,
    title: str,
) -> bytes:
    from matplotlib import pyplot

    figure = links_figure(days, labels, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
