"""Run a command; print one JSON line: wall time, exit code, peak memory.

``python -m benchmarks._measure -- cmd …`` (a fresh process, so that
``RUSAGE_CHILDREN`` covers that command's tree only).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def _tree_rss(proc) -> int:
    total = 0
    try:
        for p in [proc, *proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:
                pass
    except Exception:
        pass
    return total


def main(argv: list[str]) -> int:
    cmd = argv[argv.index("--") + 1:] if "--" in argv else argv
    t = time.perf_counter()
    child = subprocess.Popen(cmd)
    peak = 0
    try:
        import psutil

        ps = psutil.Process(child.pid)
        while child.poll() is None:
            peak = max(peak, _tree_rss(ps))
            time.sleep(0.05)
    except ImportError:
        pass
    rc = child.wait()
    wall = time.perf_counter() - t
    maxrss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"rc": rc, "wall": wall, "maxrss_mb": maxrss_kb / 1024,
                      "tree_peak_mb": peak / 2**20 if peak else None}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
