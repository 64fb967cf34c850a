"""When work can go to a forked child process: cheap (the child shares this process's memory) and safe."""
from __future__ import annotations

import os
import sys
import threading


def can_fork() -> bool:
    """Linux, two cores or more, and no other thread running (a fork copies only the calling thread)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return False
