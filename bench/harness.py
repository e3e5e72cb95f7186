"""A small benchmark harness: time callables, print a table, write JSON.

Speed and memory targets are checked here, never by timed tests.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Measurement:
    """One benchmark's timings (milliseconds) and peak traced memory (KiB)."""

    name: str
    runs: int
    median_ms: float
    p95_ms: float
    max_ms: float
    peak_kib: float
    target_ms: float | None
    passed: bool | None


def measure(
    name: str, function: Callable[[], object], *, runs: int = 20, target_ms: float | None = None
) -> Measurement:
    """Run ``function`` ``runs`` times after one warm-up and return its timings."""
    function()
    timings: list[float] = []
    tracemalloc.start()
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Measurement(
        name=name,
        runs=runs,
        median_ms=round(statistics.median(timings), 3),
        p95_ms=round(p95, 3),
        max_ms=round(timings[-1], 3),
        peak_kib=round(peak / 1024, 1),
        target_ms=target_ms,
        passed=None if target_ms is None else p95 <= target_ms,
    )


def report(suite: str, measurements: list[Measurement]) -> Path:
    """Print a table of ``measurements`` and write them to bench/results/<suite>.json."""
    header = f"{'benchmark':<44} {'runs':>5} {'median ms':>10} {'p95 ms':>9} {'peak KiB':>9} target"
    print(header)
    print("-" * len(header))
    for item in measurements:
        verdict = "" if item.target_ms is None else ("ok" if item.passed else "MISSED")
        target = "" if item.target_ms is None else f"<= {item.target_ms:g} ms {verdict}"
        print(
            f"{item.name:<44} {item.runs:>5} {item.median_ms:>10.2f} {item.p95_ms:>9.2f}"
            f" {item.peak_kib:>9.1f} {target}"
        )
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{suite}.json"
    payload = {
        "suite": suite,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "measurements": [asdict(item) for item in measurements],
    }
    path.write_text(json.dumps(payload, indent=2))
    print(f"\nwritten: {path}")
    return path
