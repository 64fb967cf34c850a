"""Run a command; print one JSON line: wall time, exit code, peak memory.

``python -m benchmarks._measure -- cmd …`` (a fresh process, so that
``RUSAGE_CHILDREN`` covers that command's tree only).
"""
from __future__ import annotations

import json
import os
import resource
import signal
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
    """``[--timeout S] -- cmd …``; on timeout the command's process group is killed (rc -9)."""
    timeout = float(argv[argv.index("--timeout") + 1]) if "--timeout" in argv else None
    cmd = argv[argv.index("--") + 1:] if "--" in argv else argv
    t = time.perf_counter()
    child = subprocess.Popen(cmd, start_new_session=True)
    peak = 0
    try:
        import psutil

        ps = psutil.Process(child.pid)
    except ImportError:
        ps = None
    while child.poll() is None:
        if ps is not None:
            peak = max(peak, _tree_rss(ps))
        if timeout is not None and time.perf_counter() - t > timeout:
            os.killpg(child.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    rc = child.wait()
    wall = time.perf_counter() - t
    maxrss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"rc": rc, "wall": wall, "maxrss_mb": maxrss_kb / 1024,
                      "tree_peak_mb": peak / 2**20 if peak else None}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
