"""An ordered parallel map: in this process, on a process pool, or on a Dask cluster.

:func:`imap` applies a function to a stream of items and yields the results
in input order; items already done (:class:`Done`, e.g. found in the cache)
pass through without being sent anywhere. Work goes out in chunks, with a
bounded number in flight, so memory does not grow with the input. Worker
processes end with their parent (a watchdog thread), even after ``kill -9``.
What stays out: what the function does and what is cached
(:mod:`sahel.pipeline`).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
CHUNK = 8
"""Items per task sent to a worker."""


class Done(Generic[R]):
    """An item whose result is already known."""

    __slots__ = ("value",)

    def __init__(self, value: R) -> None:
        self.value = value


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_chunk(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """``[fn(x) for x in items]``: one task."""
    return [fn(x) for x in items]


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # the parent is gone (killed): stop at once


def init_worker(parent: int) -> None:
    """In a worker process: leave Ctrl-C to the parent and end when the parent ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


class _Here:
    """Runs tasks in this process (``jobs=1``)."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        fut: Future = Future()
        fut.set_result(fn(*args))
        return fut


@contextmanager
def _submitter(jobs: int, scheduler: str | None) -> Iterator[tuple[Any, int]]:
    """Something with ``submit(fn, *args) -> future`` and the tasks to keep in flight."""
    if scheduler:
        from dask.distributed import Client  # the optional extra `sahel[dask]`

        with Client(scheduler, set_as_default=False) as client:
            workers = max(1, sum(client.nthreads().values()))
            yield _DaskSubmit(client), 2 * workers
    elif jobs == 1:
        yield _Here(), 1
    else:
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=init_worker, initargs=(os.getpid(),))
        try:
            yield pool, 2 * jobs
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class _DaskSubmit:
    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)


def imap(fn: Callable[[T], R], items: Iterable[T | Done[R]], *, jobs: int | None = None,
         scheduler: str | None = None, chunk: int = CHUNK) -> Iterator[R]:
    """``fn`` of each item, in order; a :class:`Done` item gives its value.

    ``jobs``: worker processes (None or 0: all cores; 1: in this process).
    ``scheduler``: the address of a running ``dask.distributed`` scheduler
    (``tcp://host:port``): the tasks go there instead (``fn`` must be
    importable on its workers). An exception of ``fn`` stops the workers and
    is raised here.
    """
    if jobs is not None and jobs < 0:
        raise ValueError(f"jobs must be positive or 0 for all cores, not {jobs}")
    njobs = jobs or default_jobs()
    with _submitter(njobs, scheduler) as (pool, window):
        queue: deque[Any] = deque()  # in order: a list (a chunk not sent yet), a future (of a chunk), or Done
        sent = 0

        def send(batch: list[T]) -> Any:
            nonlocal sent
            sent += 1
            return pool.submit(run_chunk, fn, batch)

        def head() -> Iterator[R]:
            nonlocal sent
            first = queue.popleft()
            if isinstance(first, Done):
                yield first.value
                return
            if isinstance(first, list):
                first = send(first)
            results = first.result()
            sent -= 1
            yield from results

        for item in items:
            if isinstance(item, Done):
                if queue and isinstance(queue[-1], list):
                    queue[-1] = send(queue[-1])
                queue.append(item)
            else:
                if not queue or not isinstance(queue[-1], list):
                    queue.append([])
                queue[-1].append(item)
                if len(queue[-1]) >= (1 if njobs == 1 and not scheduler else chunk):
                    queue[-1] = send(queue[-1])
            del item
            while queue and (sent >= window or len(queue) > 4 * window * chunk
                             or isinstance(queue[0], Done) or _ready(queue[0])):
                yield from head()
        while queue:
            yield from head()


def _ready(entry: Any) -> bool:
    """A sent chunk whose results are in."""
    return not isinstance(entry, (list, Done)) and entry.done()
