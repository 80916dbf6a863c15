"""The benchmark harness still runs end to end (tiny numbers; no timings are asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_its_phases_and_reports(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    arguments = ["--supporters", "12", "--rate", "40", "--concurrency", "4"]
    arguments += ["--signatures", "2000", "--only", "flows,large", "--output", str(output)]
    subprocess.run(
        [sys.executable, "bench/run.py", *arguments],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=240,
    )
    results = json.loads(output.read_text(encoding="utf-8"))
    flows = results["full_flows"]
    # 12 supporters in each run, 30% of them (3) also sending a message: 12 * 5 + 3 * 5
    # updates, as the emulator counted them; every signature and message was stored and then
    # approved. Returning, each of the 24 changes their signature (back to pending) and sends
    # a message: 11 updates each, none of them refused by the flood gate.
    assert flows["sustained"]["updates"] == flows["saturation"]["updates"] == 75
    returning = flows["returning"]
    assert returning["sustained"]["updates"] == returning["saturation"]["updates"] == 12 * 11
    assert flows["stored"] == {
        "signatures": {"pending": 24},
        "messages": {"approved": 6, "pending": 24},
    }
    assert flows["saturation"]["bot_cpu_ms_per_update"] > 0
    assert set(flows["sustained"]["cpu_seconds"]) == {"generator", "bot", "emulator"}
    assert flows["sustained"]["p99_ms"] > 0 and flows["sustained"]["person_p99_ms"] > 0
    assert flows["bot_peak_memory_mb"] > 0
    small, large = results["large"]
    assert (small["signatures"], large["signatures"]) == (200, 2000)
    assert small["exported_rows"] == 200 and large["exported_rows"] == 2000
