"""Shared helpers: result rows, timing, subprocess measurement, source texts."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
CORPORA_DIR = BENCH_DIR / "corpora"
SEEDS_DIR = ROOT / "seeds"
DEV_DIR = ROOT / "tests" / "fixtures" / "dev"
PYTHON = sys.executable


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    measure: str
    value: float | None
    unit: str = "×"
    goal: str = ""
    met: bool | None = None
    note: str = ""

    def cells(self) -> list[str]:
        if self.value is None:
            value = "—"
        elif self.unit == "×":
            value = f"{self.value:.2f}×"
        elif self.unit == "%":
            value = f"{self.value:.1f} %"
        else:
            value = f"{self.value:,.1f} {self.unit}".rstrip()
        met = {True: "yes", False: "**no**", None: ""}[self.met]
        return [self.benchmark, self.measure, value, self.goal, met, self.note]


@dataclass
class Result:
    """What one benchmark module returns."""

    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rows": [asdict(r) for r in self.rows], "details": self.details, "skipped": self.skipped}


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median time of each function, calling them in turn so drift hits all alike."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def run_process(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None,
                timeout: float | None = None, check: bool = True) -> dict[str, Any]:
    """Run ``cmd`` in a fresh wrapper process; wall time, peak memory and output.

    ``maxrss_mb`` is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the wrapper:
    the largest single process of the command's tree. ``tree_peak_mb`` is the
    peak of the summed RSS of the whole tree, sampled every 50 ms (psutil).
    """
    full_env = {**os.environ, **(env or {})}
    limit = ["--timeout", str(timeout)] if timeout else []
    proc = subprocess.run([PYTHON, "-m", "benchmarks._measure", *limit, "--", *cmd], env=full_env, cwd=cwd or ROOT,
                          capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    try:
        info = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise RuntimeError(f"measurement failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}") from None
    info["stdout"] = "\n".join(lines[:-1])
    info["stderr"] = proc.stderr
    info["timed_out"] = info["rc"] == -9 and bool(timeout)
    if check and info["rc"] != 0:
        raise RuntimeError(f"command failed ({info['rc']}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return info


def source_paths() -> list[Path]:
    """The real articles benchmarks are built from: seeds and the development set."""
    return sorted(SEEDS_DIR.glob("*.txt")) + sorted(DEV_DIR.glob("*.txt"))


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sahel_cmd(*args: str) -> list[str]:
    """``sahel …`` run with this interpreter (the venv's console script may be stale)."""
    return [PYTHON, "-m", "sahel.cli", *args]
