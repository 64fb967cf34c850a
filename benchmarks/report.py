"""Report time at size: all reports on a generated corpus vs on the seeds.

Goal (issue 17): ``sahel report -p corpus DIR`` on 1,000 generated articles
takes at most 2x the time of the seeds' reports (the committed data). Quick
mode uses 200 articles. Each run includes the parse of the corpus inside the
notebooks' kernels (with the per-article cache warm after the first run);
the best of the runs is kept.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from . import generate
from .common import ROOT, Result, Row, sahel_cmd

GOAL = 2.0


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t


def run(quick: bool = False) -> Result:
    n = 200 if quick else 1000
    corpus = generate.corpus(n)
    tmp = Path(tempfile.mkdtemp(prefix="sahel-bench-report-"))
    try:
        env = {"SAHEL_CACHE": str(tmp / "cache"), "PYTHONPATH": str(ROOT)}
        runs = {"seeds": sahel_cmd("report", "--out", str(tmp / "seeds")),
                "large": sahel_cmd("report", "-p", "corpus", str(corpus), "--out", str(tmp / "large"))}
        times: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(1 if quick else 2):
            for name, cmd in runs.items():
                times[name].append(_timed(cmd, env))
        best = {k: min(v) for k, v in times.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = best["large"] / best["seeds"]
    res = Result(details={"articles": n, "seconds": times, "best_s": best})
    res.rows.append(Row("report", f"all reports, {n:,} generated articles / seeds", ratio, goal=f"≤ {GOAL:g}×",
                        met=ratio <= GOAL, note=f"{best['large']:.1f} s vs {best['seeds']:.1f} s"))
    return res
