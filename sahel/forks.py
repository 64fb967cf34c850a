"""Work done in a forked child process: cheap (the child shares this process's memory) and safe.

:class:`Forked` runs a function in a child and hands back its result; if forking is not possible
(:func:`can_fork`) or the child fails, the function runs in this process instead, so the result is
the same either way.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Linux, two cores or more, and no other thread running (a fork copies only the calling thread)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return False


class Forked(Generic[T]):
    """``fn()`` computed in a forked child while this process goes on; :meth:`result` waits for it.

    The child pickles the result into a pipe as it goes (the parent reads it in :meth:`result`) and
    leaves with ``os._exit``, touching nothing of the parent's. Without a child, or when it fails,
    :meth:`result` calls ``fn()`` here.
    """

    def __init__(self, fn: Callable[..., T], fed: bool = False) -> None:
        """``fed``: ``fn`` takes one argument, a function that returns (waiting for it) what this
        process hands over later with :meth:`send`."""
        self.fn = fn
        self.pid = self.fd = self.feed = self.box = -1
        self.status = 1
        self.fed, self.sent = fed, None
        if not can_fork():
            return
        try:
            box = _unnamed_file() if fed else -1  # what is sent goes there: send() does not wait for the child
        except OSError:  # no temporary file: no child (fn runs here)
            return
        read_end, write_end = os.pipe()
        feed_read, feed_write = os.pipe() if fed else (-1, -1)
        pid = os.fork()
        if pid == 0:  # the child
            status = 1
            try:
                os.close(read_end)
                if fed:
                    os.close(feed_write)
                    got = lambda: _received(feed_read, box)  # noqa: E731
                with os.fdopen(write_end, "wb") as fh:
                    pickle.dump(fn(got) if fed else fn(), fh, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        if fed:
            os.close(feed_read)
        self.pid, self.fd, self.feed, self.box = pid, read_end, feed_write, box

    def send(self, value: object) -> None:
        """Hand ``value`` to ``fn`` (of a ``fed`` child; kept here too, should the child fail)."""
        self.sent = value
        if self.feed >= 0:
            fd, self.feed = self.feed, -1
            try:
                with os.fdopen(os.dup(self.box), "wb") as fh:  # (a file: no wait for the child to read)
                    pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.write(fd, b"1")  # all there
            except OSError:  # the child is gone (or no room to write): result() computes it here
                pass
            finally:
                os.close(fd)

    def _here(self) -> T:
        return self.fn(lambda: self.sent) if self.fed else self.fn()

    def result(self) -> T:
        """The child's result, or ``fn()`` computed here if there is no child or it failed (once)."""
        if self.pid < 0:
            try:
                return self._here()
            finally:
                self.sent = None
        sent, ok = None, False
        if self.feed >= 0:  # nothing sent: the child's wait ends
            os.close(self.feed)
            self.feed = -1
        try:
            with os.fdopen(self.fd, "rb") as fh:
                self.fd = -1
                try:
                    sent, ok = pickle.load(fh), True
                except Exception:  # the child failed half-way
                    pass
        finally:
            self.close()
        try:
            return sent if ok and self.status == 0 else self._here()
        finally:
            self.sent = None  # what was handed over is not needed any more

    def close(self, kill: bool = False) -> None:
        """Stop waiting: close the pipe (a child still writing to it fails and exits), or ``kill`` the
        child, and reap it."""
        for name in ("fd", "feed", "box"):
            if getattr(self, name) >= 0:
                os.close(getattr(self, name))
                setattr(self, name, -1)
        if self.pid >= 0:
            if kill:
                with suppress(OSError):
                    os.kill(self.pid, signal.SIGKILL)
            _, self.status = os.waitpid(self.pid, 0)
            self.pid = -2  # reaped


def _unnamed_file() -> int:
    """A descriptor of a new file with no name (deleted when closed by every process holding it)."""
    fd, path = tempfile.mkstemp(prefix=".sahel-fed-")
    os.unlink(path)
    return fd


def _received(feed: int, box: int) -> object:
    """In a fed child: wait for the parent's word on ``feed``, then read what it wrote in ``box``
    (:class:`EOFError` if it sent nothing: the child fails, and the parent does the work)."""
    with os.fdopen(feed, "rb") as fh:
        if fh.read(1) != b"1":
            raise EOFError("nothing was sent")
    os.lseek(box, 0, os.SEEK_SET)
    with os.fdopen(box, "rb") as fh:
        return pickle.load(fh)
