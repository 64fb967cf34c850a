"""Import time: ``python -c "import sahel"`` vs ``python -c "import pandas"``.

Whole processes, alternated, median of several runs. When sahel is slower,
``python -X importtime`` names the modules it imports beyond pandas'.
"""
from __future__ import annotations

import re
import statistics
import subprocess
import time

from .common import PYTHON, ROOT, Result, Row

GOAL = 1.1
HEAVY = {"spacy", "thinc", "seaborn", "matplotlib", "papermill", "nbformat", "nbconvert", "nbclient",
         "scipy", "sklearn", "quantulum3", "jupyter_client", "IPython", "tqdm", "yaml", "charset_normalizer",
         "requests", "urllib3", "jinja2", "PIL"}


def _time(stmt: str) -> float:
    t = time.perf_counter()
    subprocess.run([PYTHON, "-c", stmt], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - t


def _modules(stmt: str) -> dict[str, int]:
    """Top-level package → cumulative import microseconds, from -X importtime."""
    err = subprocess.run([PYTHON, "-X", "importtime", "-c", stmt], cwd=ROOT, capture_output=True,
                         text=True, check=True).stderr
    out: dict[str, int] = {}
    for line in err.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            top = m.group(4).split(".")[0]
            out[top] = max(out.get(top, 0), int(m.group(2)))
    return out


def run(quick: bool = False) -> Result:
    n = 5 if quick else 15
    stmts = {"sahel": "import sahel", "pandas": "import pandas", "python": "pass"}
    for s in stmts.values():
        _time(s)  # warm the file cache and .pyc files
    times: dict[str, list[float]] = {k: [] for k in stmts}
    for _ in range(n):
        for k, s in stmts.items():
            times[k].append(_time(s))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["sahel"] / med["pandas"]
    extra = {k: v for k, v in _modules("import sahel").items() if k not in _modules("import pandas")}
    heavy = sorted((k for k in extra if k in HEAVY), key=lambda k: -extra[k])
    top = sorted(extra.items(), key=lambda kv: -kv[1])[:6]
    note = ("heavy imports: " + ", ".join(heavy)) if heavy else "no heavy module imported"
    res = Result(details={"median_s": med, "runs": n, "extra_modules_us": dict(top), "heavy": heavy})
    res.rows += [
        Row("import", "`import sahel` / `import pandas` (whole process)", ratio, goal=f"≤ {GOAL:g}×",
            met=ratio <= GOAL, note=f"{med['sahel'] * 1e3:.0f} ms vs {med['pandas'] * 1e3:.0f} ms; {note}"),
    ]
    return res
