"""The chart of signatures per day that /stats sends, as a PNG."""

from __future__ import annotations

import io


def signatures_per_day(days: list[tuple[str, int]], title: str) -> bytes:
    import matplotlib  # loaded on the first /stats only: it costs memory and start-up time

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 3.5), dpi=100)
    axes.bar(
        [day for day, _ in days] or ["-"], [count for _, count in days] or [0], color="#b3261e"
    )
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
