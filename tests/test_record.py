"""A re-run into the same output folder copies the rows of unchanged articles from it (sahel/record.py)."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from sahel import cache as cache_mod
from sahel.cache import ArticleCache
from sahel.corpus import CORPUS_WIDE, write_corpus
from sahel.record import RunRecord, record_path

from test_cache import add_article, make_corpus

ALL = ("documents", "figures", "numbers", "mentions", *CORPUS_WIDE)


PARSED: list[int] = []


def _run(folder: Path, out: Path, store: Path | bool, **kw) -> dict[str, bytes]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = write_corpus(folder, out, jobs=1, cache=store, progress=False, **kw)
    PARSED.append(summary.stats.parsed)
    return {name: (out / f"{name}.csv").read_bytes() for name in ALL}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus", 6)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The cache entries read."""
    got: list[str] = []
    real = cache_mod.ArticleCache.get

    def get(self, key):
        got.append(key)
        return real(self, key)

    monkeypatch.setattr(cache_mod.ArticleCache, "get", get)
    return got


def _fresh(corpus: Path, tmp_path: Path) -> dict[str, bytes]:
    return _run(corpus, tmp_path / "fresh", False)


def _record(store: Path, corpus: Path) -> RunRecord:
    cache = ArticleCache.open(store)
    assert cache is not None
    record = RunRecord.load(record_path(cache, corpus))
    assert record is not None
    return record


@pytest.mark.parametrize("change", ["add", "remove", "edit", "none"])
def test_unchanged_articles_are_copied_and_the_tables_are_those_of_a_fresh_parse(corpus, tmp_path, reads, change):
    store, out = tmp_path / "cache", tmp_path / "out"
    _run(corpus, out, store)
    if change == "add":
        add_article(corpus, "t003b", "Five French soldiers were wounded near Gao on Monday, the army said.")
    elif change == "remove":
        (corpus / "t002.txt").unlink()
    elif change == "edit":
        (corpus / "t004.txt").write_text("Twelve Nigerien soldiers were killed near Tillaberi on Sunday.",
                                         encoding="utf-8")
    reads.clear()
    got = _run(corpus, out, store)
    assert reads == []  # no cache entry read: unchanged articles are copied, the new one is parsed
    assert PARSED[-1] == (1 if change in ("add", "edit") else 0)
    assert got == _fresh(corpus, tmp_path)
    record = _record(store, corpus)
    assert record.doc_ids == sorted(p.stem for p in corpus.glob("*.txt"))
    for name in record.tables:  # the record points at each article's rows
        data = (out / f"{name}.csv").read_bytes()
        starts = record.starts[name]
        assert starts[-1] == len(data)
        for j, doc in enumerate(record.doc_ids):
            rows = data[starts[j]:starts[j + 1]].decode()
            assert all(line.startswith(f'{doc}') or line.startswith(f'"{doc}') for line in rows.splitlines()
                       if line and line[0] != " ") or not rows
    # a record written by a run that copied is as good: change every other article (so that every
    # recorded offset bounds a copy), parse again
    for k in (0, 2, 4):
        (corpus / f"t00{k}.txt").write_text(f"{k + 3} Burkinabe soldiers were wounded near Djibo on Tuesday.",
                                            encoding="utf-8")
    again = _run(corpus, out, store)
    assert PARSED[-1] == 3
    assert again == _fresh(corpus, tmp_path)


def test_a_changed_output_file_is_not_copied_from(corpus, tmp_path, reads):
    store, out = tmp_path / "cache", tmp_path / "out"
    want = _run(corpus, out, store)
    text = (out / "figures.csv").read_text(encoding="utf-8")
    (out / "figures.csv").write_text(text.replace(",", ";", 3), encoding="utf-8")  # edited by hand
    reads.clear()
    assert _run(corpus, out, store) == want
    assert len(reads) == 6  # every article from the cache


def test_another_output_folder_is_written_from_the_cache(corpus, tmp_path, reads):
    store = tmp_path / "cache"
    want = _run(corpus, tmp_path / "a", store)
    reads.clear()
    assert _run(corpus, tmp_path / "b", store) == want
    assert len(reads) == 6
    reads.clear()
    assert _run(corpus, tmp_path / "b", store) == want  # the record now names b
    assert reads == []


def test_a_damaged_record_is_ignored(corpus, tmp_path, reads):
    store, out = tmp_path / "cache", tmp_path / "out"
    want = _run(corpus, out, store)
    cache = ArticleCache.open(store)
    assert cache is not None
    record_path(cache, corpus).write_bytes(b"\x80\x05 not a record")
    reads.clear()
    assert _run(corpus, out, store) == want
    assert len(reads) == 6


def test_an_article_that_failed_is_reported_again(corpus, tmp_path, monkeypatch):
    from sahel import corpus as corpus_mod

    real = corpus_mod.parse_article

    def fragile(article):
        if article.doc_id == "t001":
            raise RuntimeError("extractor bug")
        return real(article)

    monkeypatch.setattr(corpus_mod, "parse_article", fragile)
    store, out = tmp_path / "cache", tmp_path / "out"
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            summary = write_corpus(corpus, out, jobs=1, cache=store, progress=False)
        assert any("t001" in p and "extractor bug" in p for p in summary.problems), summary.problems
        assert any("t001" in str(w.message) for w in caught)
    assert _record(store, corpus).keys[1] is None


def test_an_error_while_copying_leaves_the_old_tables(corpus, tmp_path, monkeypatch):
    store, out = tmp_path / "cache", tmp_path / "out"
    want = _run(corpus, out, store)
    add_article(corpus, "t009", "Two Malian soldiers were killed in Menaka on Friday.")

    def broken(source, out_fd, offset, count):
        raise OSError("read error")

    monkeypatch.setattr("sahel.tables._copy", broken)
    with pytest.raises(OSError, match="read error"):
        _run(corpus, out, store)
    assert {name: (out / f"{name}.csv").read_bytes() for name in ALL} == want
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]  # no temporary folder left


def test_copy_falls_back_to_reading_and_writing(tmp_path, monkeypatch):
    from sahel import tables

    src = tmp_path / "src"
    src.write_bytes(b"x" * 100 + b"abcdef" + b"y" * 10)
    monkeypatch.delattr(os, "copy_file_range", raising=False)
    with open(src, "rb") as a, open(tmp_path / "dst", "wb") as b:
        assert tables._copy(a.fileno(), b.fileno(), 100, 6) == 6
        monkeypatch.delattr(os, "pread", raising=False)  # as on Windows
        assert tables._copy(a.fileno(), b.fileno(), 0, 3) == 3
    assert (tmp_path / "dst").read_bytes() == b"abcdefxxx"


needs_fork = pytest.mark.skipif(not __import__("sahel.forks").forks.can_fork(), reason="needs Linux, two cores, fork")


def _no_children() -> bool:
    """No child process left (running or unreaped)."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@needs_fork
@pytest.mark.parametrize("child", ["works", "fails"])
def test_a_new_article_is_parsed_by_a_parser_started_before_the_scan(corpus, tmp_path, monkeypatch, child):
    from sahel import parallel

    store, out = tmp_path / "cache", tmp_path / "out"
    _run(corpus, out, store)
    pids = tmp_path / "pids"
    real = parallel._parse_one

    def traced(article, key, st):
        with open(pids, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(article, key, st)

    monkeypatch.setattr(parallel, "_parse_one", traced)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", None)  # no worker pool: the early parser or here
    if child == "fails":
        monkeypatch.setattr(parallel, "_warm_parse", lambda *a: os._exit(3))
    add_article(corpus, "t003b", "Five French soldiers were wounded near Gao on Monday, the army said.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = write_corpus(corpus, out, jobs=2, cache=store, progress=False)
    assert summary.stats.parsed == 1
    (pid,) = [int(x) for x in pids.read_text().split()]
    assert (pid != os.getpid()) == (child == "works")  # parsed in the child, or here if it failed
    assert _no_children()
    assert {name: (out / f"{name}.csv").read_bytes() for name in ALL} == _fresh(corpus, tmp_path)


@needs_fork
def test_an_unused_parser_is_stopped(corpus, tmp_path):
    store, out = tmp_path / "cache", tmp_path / "out"
    _run(corpus, out, store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = write_corpus(corpus, out, jobs=2, cache=store, progress=False)
    assert (summary.stats.parsed, summary.stats.cached) == (0, 6)
    assert _no_children()
