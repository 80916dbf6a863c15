"""The benchmark's report: a table of the figures, one row a line."""

from __future__ import annotations

from typing import Any


def table(results: dict[str, Any]) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []

    def run(name: str, found: dict[str, Any]) -> None:
        cpu = " / ".join(f"{k} {v}" for k, v in found["cpu_seconds"].items())
        rows.extend(
            [
                (f"{name}: updates/s", found["updates_per_second"]),
                (
                    f"{name}: bot p50 / p95 / p99 ms",
                    f"{found['p50_ms']} / {found['p95_ms']} / {found['p99_ms']}",
                ),
                (
                    f"{name}: person p50 / p95 / p99 ms",
                    f"{found['person_p50_ms']} / {found['person_p95_ms']} / "
                    f"{found['person_p99_ms']}",
                ),
                (f"{name}: CPU seconds", cpu),
                (f"{name}: bot CPU ms per update", found["bot_cpu_ms_per_update"]),
            ]
        )

    if results.get("bot_from"):
        rows.append(("bot from", results["bot_from"]))
    if "full_flows" in results:
        flows = results["full_flows"]
        rows.append(
            ("sustained: offered updates/s", flows["sustained"]["offered_updates_per_second"])
        )
        run("sustained", flows["sustained"])
        run("saturation", flows["saturation"])
        rows += [
            ("key derivation: CPU ms per new supporter", flows["key_derivation_cpu_ms"]),
            (
                "key derivation: share of bot CPU, sustained / saturation",
                f"{flows['sustained']['key_derivation_share']} / "
                f"{flows['saturation']['key_derivation_share']}",
            ),
        ]
        run("returning sustained", flows["returning"]["sustained"])
        run("returning saturation", flows["returning"]["saturation"])
        rows += [
            ("bot peak memory (MB)", flows["bot_peak_memory_mb"]),
            ("database (MB)", flows["database_mb"]),
            ("approving everything (s)", flows["approval_seconds"]),
        ]
    for name in ("echo_floor", "echo_floor_tuned"):
        if name in results:
            run(name.replace("_", " "), results[name])
        label = name.replace("_", " ")
        if f"ratio_to_{name}" in results:
            rows.append((f"saturation / {label}", results[f"ratio_to_{name}"]))
        if f"returning_ratio_to_{name}" in results:
            rows.append((f"returning saturation / {label}", results[f"returning_ratio_to_{name}"]))
    if "emulator_ceiling" in results:
        ceiling = results["emulator_ceiling"]["updates_per_second"]
        rows.append(("emulator ceiling: updates/s", ceiling))
    for large in results.get("large", []):
        for key, value in large.items():
            if key != "signatures":
                rows.append((f"{large['signatures']:,} signatures: {key}", value))
    return rows
