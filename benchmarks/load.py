"""Load time: ``sahel.load()`` vs ``pandas.read_csv`` of the same CSV files.

Uses the committed ``data/`` when it holds tables, else the seeds parsed into
a temporary folder; also a 1,000-article corpus's tables when the scale
benchmark has left them in ``benchmarks/corpora/``.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from .common import CORPORA_DIR, ROOT, Result, Row, interleaved, sahel_cmd

GOAL = 1.5


def _files_read(load, folder: Path) -> list[Path]:
    """The CSV files ``load(folder)`` reads (recorded by wrapping pandas.read_csv)."""
    seen: list[Path] = []
    real = pd.read_csv

    def spy(path, *a, **k):
        seen.append(Path(path))
        return real(path, *a, **k)

    pd.read_csv = spy
    try:
        load(folder)
    finally:
        pd.read_csv = real
    return seen


def _measure(load, folder: Path, repeat: int) -> tuple[float, dict]:
    files = _files_read(load, folder)
    med = interleaved({"sahel": lambda: load(folder),
                       "pandas": lambda: [pd.read_csv(f) for f in files]}, repeat)
    return med["sahel"] / med["pandas"], {"files": [f.name for f in files], "median_s": med}


def run(quick: bool = False) -> Result:
    import sahel

    load = getattr(sahel, "load", None)
    if load is None:
        from sahel.corpus import load
    res = Result()
    data = ROOT / "data"
    tmp = None
    if not (data / "documents.csv").exists():
        tmp = Path(tempfile.mkdtemp(prefix="sahel-bench-data-"))
        subprocess.run(sahel_cmd("parse", str(ROOT / "seeds"), "--out", str(tmp), "--no-cache"),
                       check=True, capture_output=True)
        data = tmp
    try:
        ratio, info = _measure(load, data, 15 if quick else 51)
        res.details["data"] = info
        res.rows.append(Row("load", f"`sahel.load()` / `pd.read_csv`, {'data/' if tmp is None else 'seeds'}"
                            f" ({len(info['files'])} files)", ratio, goal=f"< {GOAL:g}×", met=ratio < GOAL,
                            note=f"{info['median_s']['sahel'] * 1e3:.1f} ms vs {info['median_s']['pandas'] * 1e3:.1f} ms"))
        big = CORPORA_DIR / "out-n1000"
        if (big / "documents.csv").exists():
            ratio, info = _measure(load, big, 5 if quick else 11)
            res.details["n1000"] = info
            res.rows.append(Row("load", "`sahel.load()` / `pd.read_csv`, 1,000-article tables", ratio,
                                goal=f"< {GOAL:g}×", met=ratio < GOAL,
                                note=f"{info['median_s']['sahel'] * 1e3:.0f} ms vs {info['median_s']['pandas'] * 1e3:.0f} ms"))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return res
