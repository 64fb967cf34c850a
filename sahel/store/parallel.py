"""An ordered parallel map (:func:`imap`): in this process, on a process pool, or on a Dask cluster.

Work goes out in chunks, a bounded number in flight; workers end with their parent, even after
``kill -9``. What stays out: what the function does and what is cached (:mod:`sahel.pipeline`).
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
CHUNK = 8
"""Items per task sent to a worker."""


@dataclass(slots=True)
class Done(Generic[R]):
    """An item whose result is already known."""

    value: R


def default_jobs() -> int:
    """Cores this process may use."""
    affinity = getattr(os, "sched_getaffinity", None)  # Linux only
    return max(1, len(affinity(0)) if affinity else os.cpu_count() or 1)


def run_chunk(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """``[fn(x) for x in items]``: one task."""
    return [fn(x) for x in items]


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # the parent is gone (killed): stop at once


def init_worker(parent: int) -> None:
    """In a worker process: leave Ctrl-C to the parent and end when the parent ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


@contextmanager
def _submitter(jobs: int, scheduler: str | None) -> Iterator[tuple[Callable[..., Any], int]]:
    """A ``submit(fn, *args) -> future`` and how many tasks to keep in flight."""
    from concurrent.futures import Future, ProcessPoolExecutor

    if scheduler:
        try:
            from dask.distributed import Client
        except ImportError:
            raise ValueError("a scheduler needs Dask: pip install 'sahel[dask]'") from None

        with Client(scheduler, set_as_default=False) as client:
            yield (lambda fn, *args: client.submit(fn, *args, pure=False)), 2 * max(1, sum(client.nthreads().values()))
    elif jobs == 1:
        def here(fn: Callable[..., Any], *args: Any) -> Future:
            fut: Future = Future()
            fut.set_result(fn(*args))
            return fut

        yield here, 1
    else:
        import multiprocessing

        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
        pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=init_worker, initargs=(os.getpid(),))
        try:
            yield pool.submit, 2 * jobs
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def imap(fn: Callable[[T], R], items: Iterable[T | Done[R]], *, jobs: int | None = None,
         scheduler: str | None = None, chunk: int = CHUNK) -> Iterator[R]:
    """``fn`` of each item, in order; a :class:`Done` item gives its value.

    ``jobs``: worker processes (None or 0: all cores; 1: in this process).
    ``scheduler``: the address of a running ``dask.distributed`` scheduler
    (``tcp://host:port``) to send the tasks to (``fn`` must be importable on
    its workers). An exception of ``fn`` stops the workers and is raised here.
    """
    if jobs is not None and jobs < 0:
        raise ValueError(f"jobs must be positive or 0 for all cores, not {jobs}")
    njobs = jobs or default_jobs()
    size = 1 if njobs == 1 and not scheduler else chunk
    with _submitter(njobs, scheduler) as (submit, window):
        queue: deque[Any] = deque()  # in order: a list (a chunk not sent yet), a future (of a chunk), or Done
        sent = 0

        def send(batch: list[T]) -> Any:
            nonlocal sent
            sent += 1
            return submit(run_chunk, fn, batch)

        def head() -> Iterator[R]:
            nonlocal sent
            first = queue.popleft()
            if isinstance(first, Done):
                yield first.value
                return
            results = (send(first) if isinstance(first, list) else first).result()
            sent -= 1
            yield from results

        for item in items:
            if isinstance(queue[-1] if queue else None, list) and (isinstance(item, Done) or len(queue[-1]) >= size):
                queue[-1] = send(queue[-1])  # a chunk is full, or a done item comes after it
            if isinstance(item, Done):
                queue.append(item)
            elif queue and isinstance(queue[-1], list):
                queue[-1].append(item)
            else:
                queue.append([item])
            del item
            while queue and (sent >= window or len(queue) > 4 * window * chunk or isinstance(queue[0], Done)
                             or not isinstance(queue[0], list) and queue[0].done()):
                yield from head()
        while queue:
            yield from head()
