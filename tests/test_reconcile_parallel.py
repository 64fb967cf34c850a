"""Clustering in two processes gives what one process gives, and survives a failing child."""
from __future__ import annotations

import os
import signal
import threading

import pandas as pd
import pytest

from sahel import reconcile
from sahel import forks as forks_mod
from sahel import tables as tables_mod
from sahel.schema import DERIVED
from sahel.forks import can_fork

from test_reconcile_scale import _synthetic

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs Linux, two cores and fork")


@pytest.fixture(scope="module")
def tables():
    return _synthetic(400, seed=11)


@pytest.fixture(scope="module")
def serial(tables):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reconcile, "PARALLEL_FIGURES", 10**9)
        return reconcile.derive(*tables)


def _same(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name])


def test_two_processes_give_the_serial_tables(tables, serial, monkeypatch):
    forks = []
    real_fork = forks_mod.os.fork

    def fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(reconcile, "PARALLEL_FIGURES", 0)
    monkeypatch.setattr(forks_mod.os, "fork", fork)
    _same(reconcile.derive(*tables), serial)
    assert forks == [1, 1]  # the blocks, and the places and actors tables
    assert len(serial["facts"]) > 300


def test_a_failing_child_leaves_the_work_to_the_parent(tables, serial, monkeypatch):
    def broken(*args, **kwargs):  # only the child pickles its results
        raise RuntimeError("child failed")

    monkeypatch.setattr(reconcile, "PARALLEL_FIGURES", 0)
    monkeypatch.setattr(reconcile.pickle, "dump", broken)
    _same(reconcile.derive(*tables), serial)


def test_no_fork_while_another_thread_runs(monkeypatch):
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not can_fork()
    finally:
        stop.set()
        t.join()
    assert can_fork()


def test_garbage_collection_is_restored(tables):
    import gc

    assert gc.isenabled()
    reconcile.derive(*tables)
    assert gc.isenabled()
    gc.disable()
    try:
        reconcile.derive(*tables)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_forked_gives_the_function_result_with_or_without_a_child(monkeypatch):
    assert forks_mod.Forked(lambda: {"a": [1, 2]}).result() == {"a": [1, 2]}
    calls = []

    def counted():
        calls.append(1)
        return 7

    monkeypatch.setattr(forks_mod, "can_fork", lambda: False)
    assert forks_mod.Forked(counted).result() == 7 and calls == [1]  # no child: here


def test_forked_stopped_early_leaves_no_child():
    job = forks_mod.Forked(lambda: list(range(10**6)))  # larger than a pipe holds
    pid = job.pid
    job.close()
    with pytest.raises(ChildProcessError):
        forks_mod.os.waitpid(pid, forks_mod.os.WNOHANG)


def test_a_fed_child_gets_what_is_sent_later(monkeypatch):
    big = list(range(10**5))  # more than a pipe holds at once
    job = forks_mod.Forked(lambda received: sum(received()) + 1, fed=True)
    assert job.pid > 0
    job.send(big)
    assert job.result() == sum(big) + 1
    nothing = forks_mod.Forked(lambda received: received(), fed=True)
    assert nothing.result() is None  # never sent: the child's wait ends, and the parent computes it
    monkeypatch.setattr(forks_mod, "can_fork", lambda: False)
    here = forks_mod.Forked(lambda received: received() * 2, fed=True)
    here.send(21)
    assert here.result() == 42  # no child: here, with what was sent


@pytest.mark.skipif(not can_fork(), reason="needs Linux, two cores, fork")
def test_send_does_not_wait_for_a_busy_child():
    big = list(range(10**6))  # megabytes: more than a pipe holds
    gate_read, gate_write = os.pipe()

    def busy(received):  # reads what was sent only once the parent is past send()
        os.read(gate_read, 1)
        return len(received())

    job = forks_mod.Forked(busy, fed=True)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("send() waited for the child to read"))
    try:
        signal.alarm(20)
        try:
            job.send(big)
        finally:
            signal.alarm(0)
        os.write(gate_write, b"x")
        assert job.result() == len(big) and job.status == 0  # the child's result, not one made here
    finally:
        job.close(kill=True)
        os.close(gate_read), os.close(gate_write)


def test_a_fed_child_without_a_temporary_file_runs_here(monkeypatch):
    def no_room():
        raise OSError("no space left on device")

    monkeypatch.setattr(forks_mod, "_unnamed_file", no_room)
    job = forks_mod.Forked(lambda received: received() + 1, fed=True)
    assert job.pid < 0  # no child
    job.send(41)
    assert job.result() == 42


def test_tables_spooled_by_a_child_are_the_tables_made_here(tables, serial, tmp_path):
    prepared = reconcile._prepare_all(*tables)
    got = dict(reconcile.iter_derived(prepared, spool=tmp_path))
    assert list(got) == list(serial)
    for name in ("timeline", "places", "actors"):
        assert got[name] == tmp_path / f"{name}.rows"
        assert got[name].read_text(encoding="utf-8") == tables_mod.csv_rows(serial[name], DERIVED[name]), name
