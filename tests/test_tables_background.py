"""Tables written in a forked child are the files written in this process, all or nothing."""
from __future__ import annotations

import os

import pandas as pd
import pytest

from sahel import tables
from sahel.forks import can_fork
from sahel.schema import FACTS, conform

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs Linux, two cores and fork")


@pytest.fixture
def facts() -> pd.DataFrame:
    rows = [{"fact_id": f"f-d{i}:1", "party": "FRA", "measure": "killed", "kind": "incident", "low": float(i),
             "best": i + 0.5, "high": None, "date_start": pd.Timestamp("2019-11-25") + pd.Timedelta(days=i),
             "disputed": i % 2 == 0, "quote": f'He said "{i}, killed",\nthen left.'} for i in range(5000)]
    return conform(pd.DataFrame(rows), FACTS)


def _write(out, df, background: bool) -> bytes:
    with tables.TableWriter(out) as writer:
        writer.write("facts", df, FACTS, background=background)
        writer.write("other", df.head(3), FACTS)
    return (out / "facts.csv").read_bytes()


def test_background_gives_the_same_file(facts, tmp_path, monkeypatch):
    forks = []
    real = os.fork
    monkeypatch.setattr(tables.os, "fork", lambda: forks.append(1) or real())
    assert _write(tmp_path / "a", facts, True) == _write(tmp_path / "b", facts, False)
    assert forks == [1]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["facts.csv", "other.csv"]


def test_a_failing_child_leaves_the_table_to_the_parent(facts, tmp_path, monkeypatch):
    parent, real = os.getpid(), tables.csv_rows

    def fails_in_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("child failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(tables, "csv_rows", fails_in_child)
    got = _write(tmp_path / "a", facts, True)
    monkeypatch.setattr(tables, "csv_rows", real)
    assert got == _write(tmp_path / "b", facts, False)


def test_an_error_after_a_background_write_changes_nothing(facts, tmp_path, monkeypatch):
    pids = []
    real = os.fork

    def fork():
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(tables.os, "fork", fork)
    out = tmp_path / "out"
    _write(out, facts.head(10), False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError, match="stop"):
        with tables.TableWriter(out) as writer:
            writer.write("facts", facts, FACTS, background=True)
            raise RuntimeError("stop")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]  # temporary folder gone
    assert len(pids) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)  # the child was stopped and reaped
