"""Parsing on many processes or a Dask cluster gives the tables of one process, in order, streamed."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sahel
import sahel.pipeline
from sahel import paths
from sahel.pipeline import parse_corpus, write_corpus
from sahel.store import tables
from sahel.store.parallel import CHUNK, Done, imap

SEEDS = sorted(paths.SEEDS_DIR.glob("*.txt"))


def make_corpus(folder: Path, n: int) -> Path:
    """``n`` articles made of the seeds, each with its own doc id and date."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["doc_id,published,outlet"]
    for i in range(n):
        (folder / f"t{i:03d}.txt").write_text(SEEDS[i % len(SEEDS)].read_text(encoding="utf-8"), encoding="utf-8")
        rows.append(f"t{i:03d},2020-0{1 + i % 9}-1{i % 10},AFP")
    (folder / "catalog.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def quiet_parse(folder: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_corpus(folder, progress=False, **kw)


def quiet_write(folder: Path, out: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return write_corpus(folder, out, progress=False, **kw)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("parallel") / "corpus", 2 * CHUNK + 3)


def test_two_jobs_give_the_same_tables_as_one(corpus: Path, tmp_path: Path) -> None:
    quiet_write(corpus, tmp_path / "one", jobs=1, cache=False)
    two = quiet_write(corpus, tmp_path / "two", jobs=2, cache=False)
    assert two.stats.jobs == 2 and two.stats.parsed == two.documents == 2 * CHUNK + 3
    assert files(tmp_path / "one") == files(tmp_path / "two")
    docs = pd.read_csv(tmp_path / "two" / "documents.csv")
    assert list(docs["doc_id"]) == sorted(docs["doc_id"])


def test_workers_fill_the_cache_and_cached_equals_uncached(corpus: Path, tmp_path: Path) -> None:
    first = quiet_write(corpus, tmp_path / "a", jobs=2, cache=tmp_path / "cache")
    second = quiet_write(corpus, tmp_path / "b", jobs=2, cache=tmp_path / "cache")
    assert (second.stats.parsed, second.stats.cached) == (0, first.stats.parsed)
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_imap_keeps_order_passes_done_items_and_bounds_what_is_in_flight() -> None:
    items = [Done(i) if i % 3 == 0 else -i for i in range(50)]
    assert list(imap(abs, items, jobs=1)) == list(range(50))
    seen: list[int] = []

    def source():
        for i in range(200):
            seen.append(i)
            yield i

    stream = imap(abs, source(), jobs=2, chunk=4)
    assert next(stream) == 0
    assert len(seen) <= 4 * 2 * 2 * 4 + 4 + 1  # read ahead: a bounded window, not the whole input
    assert list(stream) == list(range(1, 200))


def test_errors_name_the_article(corpus: Path, monkeypatch) -> None:
    def boom(article):
        raise RuntimeError("extractor failed")

    import sahel.extract

    real = sahel.extract.parse_text
    monkeypatch.setattr(sahel.extract, "parse_text",
                        lambda text, doc_id, published: boom(0) if doc_id == "t000" else real(
                            text, doc_id=doc_id, published=published))
    with warnings.catch_warnings(record=True) as caught:  # the corpus repeats texts: duplicate warnings too
        warnings.simplefilter("always")
        corpus_ = sahel.parse_corpus(corpus, jobs=1, cache=False, progress=False)
    assert any(issubclass(w.category, sahel.CorpusWarning)
               and re.search(r"t000\.txt: extractor failed \(RuntimeError", str(w.message)) for w in caught)
    assert "t000" not in set(corpus_.figures["doc_id"]) and len(corpus_.figures)


def test_negative_jobs_rejected(corpus: Path) -> None:
    with pytest.raises(ValueError):
        quiet_parse(corpus, jobs=-1, cache=False)


def _child_processes(pid: int | None = None) -> list[int]:
    """The live (not zombie) child processes of ``pid`` (default: this one)."""
    kids = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == (pid or os.getpid()) and fields[0] != "Z":
            kids.append(int(entry.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_failure_mid_stream_stops_the_workers_and_writes_nothing(corpus: Path, tmp_path: Path,
                                                                   monkeypatch) -> None:
    import multiprocessing

    out = tmp_path / "out"
    out.mkdir()
    (out / "figures.csv").write_text("previous\n", encoding="utf-8")
    real, calls = tables.TableSet.write, []

    def failing(self, name, lines):
        calls.append(name)
        if len(calls) == 3 * 5:  # a few articles in
            raise KeyboardInterrupt
        return real(self, name, lines)

    monkeypatch.setattr(tables.TableSet, "write", failing)
    with pytest.raises(KeyboardInterrupt):
        quiet_write(corpus, out, jobs=2, cache=False)
    assert multiprocessing.active_children() == [] and not _child_processes()
    assert [p.name for p in out.iterdir()] == ["figures.csv"]
    assert (out / "figures.csv").read_text(encoding="utf-8") == "previous\n"
    assert not [p for p in tmp_path.iterdir() if tables.TMP_TAG in p.name]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_their_parent(tmp_path: Path, sig: int) -> None:
    """Issue 20 item 11: after kill -9 or SIGTERM of `sahel parse`, no worker stays alive."""
    corpus = make_corpus(tmp_path / "big", 60)
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "sahel.cli", "parse", str(corpus), "--out", str(tmp_path / "out"),
                             "--no-cache", "-j", "2", "--no-progress"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    deadline = time.monotonic() + 60
    while len(_child_processes(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    workers = _child_processes(proc.pid)
    assert workers, "no worker started"
    proc.send_signal(sig)
    proc.wait(30)
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers))
    if sig == signal.SIGTERM:
        assert not [p for p in tmp_path.iterdir() if tables.TMP_TAG in p.name]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_scheduler_gives_byte_identical_tables(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command is not installed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT)}
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0", "--no-show"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "1",
                                       "--no-dashboard"], env=env, cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from dask.distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        quiet_write(paths.SEEDS_DIR, tmp_path / "plain", jobs=1, cache=False)
        done = quiet_write(paths.SEEDS_DIR, tmp_path / "dask", cache=False, scheduler=address)
        assert done.stats.parsed == 3
        assert files(tmp_path / "plain") == files(tmp_path / "dask")
        from sahel.cli import main

        assert main(["parse", str(paths.SEEDS_DIR), "--out", str(tmp_path / "cli"), "--no-cache",
                     "--scheduler", address]) == 0
        assert files(tmp_path / "plain") == files(tmp_path / "cli")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
