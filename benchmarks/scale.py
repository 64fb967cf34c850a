"""Corpus scale: ``sahel parse`` on generated corpora of 1,000 and 10,000 articles.

The whole command is timed, end to end: reading, the cache, the worker pool,
the corpus-wide tables (facts, events, timeline, places, actors) and the
atomic writing of every table. For each size, in fresh processes
(``benchmarks._measure``): a cold run on all cores with an empty cache (the
full parse), the same on one core without cache (the speed-up), warm
re-runs (nothing changed), and re-runs after adding one article (the
incremental run), each of these short runs :data:`REPEAT` times (the median
is reported: single runs of a few seconds vary by a third on this machine).
Between two incremental runs the article is removed and the corpus parsed
again, so that every incremental run starts from the caches of the corpus
without it. Peak memory is the largest process of the tree (``RUSAGE_CHILDREN``
maxrss) and the sampled sum over the tree. The machine's own two-process
speed-up on pure-Python work is measured alongside: on shared virtual cores
it is often well below 2. The 1,000-article tables are kept in
``benchmarks/corpora/out-n1000`` for the ``load`` benchmark.
"""
from __future__ import annotations

import re
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import generate
from .common import CORPORA_DIR, Result, Row, run_process, sahel_cmd

GOAL_INCREMENTAL, GOAL_MEMORY = 15.0, 1.5
GOAL_COLD = 0.9 * 176.5
"""Cold parse of 10,000 articles: at least 90 % of the throughput before issue 16 (176.5 art/s)."""
REPEAT = 5


def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def machine_speedup(jobs: int, n: int = 6_000_000, repeat: int = 3) -> float:
    """Speed-up of ``jobs`` processes over one on pure-Python work (the ceiling)."""
    ratios = []
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_spin, [10] * jobs))
        for _ in range(repeat):
            t = time.perf_counter()
            for _ in range(jobs):
                _spin(n)
            serial = time.perf_counter() - t
            t = time.perf_counter()
            list(pool.map(_spin, [n] * jobs))
            ratios.append(serial / (time.perf_counter() - t))
    return statistics.median(ratios)


def _parse(corpus: Path, out: Path, cache: Path | None, jobs: int) -> dict:
    """``sahel parse CORPUS --out OUT`` in a fresh process: wall time, peak memory, counts."""
    cmd = sahel_cmd("parse", str(corpus), "--out", str(out), "--jobs", str(jobs), "--no-progress")
    info = run_process(cmd + ([] if cache else ["--no-cache"]), env={"SAHEL_CACHE": str(cache or "off")})
    m = re.search(r"\((\d+) parsed, (\d+) from cache\)", info["stdout"])
    info["parsed"], info["cached"] = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    info.pop("stderr", None)
    return info


def _median_run(runs: list[dict]) -> dict:
    """The run of median wall time."""
    return sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]


def _spread(runs: list[dict]) -> str:
    walls = sorted(r["wall"] for r in runs)
    return f"{len(walls)} runs, {walls[0]:.2f}–{walls[-1]:.2f} s"


def run(quick: bool = False, sizes: list[int] | None = None) -> Result:
    from sahel.store.parallel import default_jobs

    sizes = sizes or ([200, 1000] if quick else [1000, 10000])
    jobs = default_jobs()
    res = Result(details={"jobs": jobs, "sizes": {}})
    tmp = Path(tempfile.mkdtemp(prefix="sahel-bench-scale-"))
    mem: dict[int, float] = {}
    try:
        for n in sizes:
            corpus = generate.corpus(n)
            cache, out = tmp / f"cache-{n}", tmp / f"out-{n}"
            d: dict = {}
            d["serial"] = _parse(corpus, tmp / f"out-serial-{n}", None, 1)
            d["full"] = _parse(corpus, out, cache, jobs)
            d["warm_runs"] = [_parse(corpus, out, cache, jobs) for _ in range(REPEAT)]
            d["incremental_runs"] = []
            for k in range(REPEAT):
                added = generate.write_article(corpus, n + k)  # a new article each time (not one cached)
                try:
                    d["incremental_runs"].append(_parse(corpus, out, cache, jobs))
                finally:
                    generate.remove_article(corpus, added)
                _parse(corpus, out, cache, jobs)  # back to the caches of the corpus without it
            for k in ("warm", "incremental"):
                d[k] = _median_run(d[f"{k}_runs"])
            if n == 1000:  # for the load benchmark
                keep = CORPORA_DIR / "out-n1000"
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(tmp / f"out-serial-{n}", keep)
            d["machine_speedup"] = machine_speedup(jobs) if jobs > 1 else 1.0
            res.details["sizes"][n] = d
            full, serial, incr, warm = (d[k]["wall"] for k in ("full", "serial", "incremental", "warm"))
            mem[n] = d["full"]["maxrss_mb"]
            speedup = serial / full
            res.rows += [
                Row("scale", f"{n:,} articles: articles/s, all {jobs} cores, cold", n / full, "art/s",
                    goal=f"≥ {GOAL_COLD:.0f} art/s" if n >= 10000 else "", met=n / full >= GOAL_COLD if n >= 10000 else None,
                    note=f"full parse {full:.1f} s; 1 core {serial:.1f} s ({n / serial:.0f} art/s)"),
                Row("scale", f"{n:,} articles: speed-up, {jobs} cores vs 1", speedup,
                    note=f"machine's own {jobs}-process speed-up on pure Python: {d['machine_speedup']:.2f}×"),
                Row("scale", f"{n:,} articles: re-run after adding 1 article / full parse",
                    100 * incr / full, "%", goal=f"≤ {GOAL_INCREMENTAL:g} %", met=100 * incr / full <= GOAL_INCREMENTAL,
                    note=f"median {incr:.2f} s ({_spread(d['incremental_runs'])}); "
                         f"{d['incremental']['parsed']} parsed, {d['incremental']['cached']} cached"),
                Row("scale", f"{n:,} articles: re-run, nothing changed / full parse", 100 * warm / full, "%",
                    note=f"median {warm:.2f} s ({_spread(d['warm_runs'])})"),
                Row("scale", f"{n:,} articles: peak memory of `sahel parse`", mem[n], "MB",
                    note=f"largest process; whole tree {d['full']['tree_peak_mb'] or 0:.0f} MB; "
                         f"1 core {d['serial']['maxrss_mb']:.0f} MB"),
            ]
        small, big = sizes[0], sizes[-1]
        r = mem[big] / mem[small]
        res.rows.append(Row("scale", f"peak memory {big:,} / {small:,} articles", r, goal=f"≤ {GOAL_MEMORY:g}×",
                            met=r <= GOAL_MEMORY))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res
