"""Report time: ``sahel report`` vs the kernel floor.

The floor: as many minimal notebooks as ``notebooks/`` holds, each only
importing pandas and seaborn, executed by papermill one after another in one
process. ``sahel report`` runs all notebooks (in parallel by default; also
``--jobs 1`` when it has that option). Best of the runs, taken in turn.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .common import PYTHON, ROOT, Result, Row, sahel_cmd

GOAL_PARALLEL, GOAL_SERIAL = 1.0, 1.5

_FLOOR = """
import sys, papermill as pm
for path in sys.argv[1:]:
    pm.execute_notebook(path, path.replace('.ipynb', '.out.ipynb'), kernel_name='python3',
                        progress_bar=False, log_output=False)
"""


def _minimal_notebooks(folder: Path, n: int) -> list[Path]:
    import nbformat

    paths = []
    for i in range(n):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("import pandas as pd"),
                    nbformat.v4.new_code_cell("import seaborn as sns")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        path = folder / f"minimal_{i}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t


def run(quick: bool = False) -> Result:
    probe = subprocess.run(sahel_cmd("report", "--help"), cwd=ROOT, capture_output=True, text=True)
    if probe.returncode != 0:
        return Result(skipped="`sahel report` does not exist yet (another engineer builds it); not measured")
    has_jobs = "--jobs" in probe.stdout
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not notebooks:
        return Result(skipped="no notebooks in notebooks/; not measured")
    tmp = Path(tempfile.mkdtemp(prefix="sahel-bench-report-"))
    try:
        env = {"SAHEL_REPORTS": str(tmp / "reports")}
        if not (ROOT / "data" / "documents.csv").exists():
            subprocess.run(sahel_cmd("parse", str(ROOT / "seeds"), "--out", str(tmp / "data")),
                           check=True, capture_output=True)
            env["SAHEL_DATA"] = str(tmp / "data")
        floor_nbs = _minimal_notebooks(tmp, len(notebooks))
        runs = {"floor": [PYTHON, "-c", _FLOOR, *map(str, floor_nbs)], "parallel": sahel_cmd("report")}
        if has_jobs:
            runs["serial"] = sahel_cmd("report", "--jobs", "1")
        times: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(1 if quick else 2):
            for name, cmd in runs.items():
                times[name].append(_timed(cmd, env))
        best = {k: min(v) for k, v in times.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = len(notebooks)
    res = Result(details={"notebooks": n, "seconds": times, "best_s": best})
    note = f"{n} notebooks: {best['parallel']:.1f} s vs floor {best['floor']:.1f} s"
    res.rows.append(Row("report", "`sahel report` / papermill floor (parallel)", best["parallel"] / best["floor"],
                        goal=f"≤ {GOAL_PARALLEL:g}×", met=best["parallel"] / best["floor"] <= GOAL_PARALLEL, note=note))
    if "serial" in best:
        r = best["serial"] / best["floor"]
        res.rows.append(Row("report", "`sahel report --jobs 1` / papermill floor", r, goal=f"≤ {GOAL_SERIAL:g}×",
                            met=r <= GOAL_SERIAL, note=f"{best['serial']:.1f} s"))
    else:
        res.rows.append(Row("report", "`sahel report` serial / papermill floor", None, goal=f"≤ {GOAL_SERIAL:g}×",
                            note="`sahel report` has no --jobs option: serial run not measured"))
    return res
