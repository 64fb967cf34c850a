"""A re-run whose articles did not change takes the corpus-wide tables the last run wrote (sahel/cache.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from sahel import reconcile
from sahel.cache import ArticleCache, derived_path

from test_cache import add_article, make_corpus
from test_record import ALL, _run


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus", 5)


@pytest.fixture
def derives(monkeypatch) -> list[int]:
    """Counts the runs that derive the corpus-wide tables."""
    calls: list[int] = []
    real = reconcile.iter_derived

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reconcile, "iter_derived", counted)
    return calls


def _kept(store: Path, folder: Path) -> Path:
    cache = ArticleCache.open(store)
    assert cache is not None
    return derived_path(cache, folder)


def test_an_unchanged_corpus_takes_the_tables_of_the_last_run(corpus, tmp_path, derives):
    first = _run(corpus, tmp_path / "a", tmp_path / "cache")
    assert derives == [1]
    second = _run(corpus, tmp_path / "b", tmp_path / "cache")
    assert derives == [1]  # not derived again
    assert second == first == _run(corpus, tmp_path / "c", False)
    assert all(len(first[name].splitlines()) > 1 for name in ("facts", "events", "timeline"))


def test_a_changed_corpus_derives_again_and_keeps_only_the_newest(corpus, tmp_path, derives):
    store = tmp_path / "cache"
    _run(corpus, tmp_path / "a", store)
    add_article(corpus, "t999", "Five French soldiers were wounded near Gao on Monday, the army said.")
    got = _run(corpus, tmp_path / "b", store)
    assert derives == [1, 1]
    assert got == _run(corpus, tmp_path / "c", False)
    assert b"t999" in got["facts"]
    assert len([p for p in _kept(store, corpus).iterdir()]) == 1  # the earlier run's tables are gone
    (corpus / "t999.txt").unlink()  # back to the first corpus: derived again (only the newest are kept)
    _run(corpus, tmp_path / "d", store)
    assert derives == [1, 1, 1, 1]


@pytest.mark.parametrize("damage", ["missing", "header", "foreign"])
def test_damaged_kept_tables_are_derived_again(corpus, tmp_path, derives, damage):
    store = tmp_path / "cache"
    want = _run(corpus, tmp_path / "a", store)
    (kept,) = list(_kept(store, corpus).iterdir())
    if damage == "missing":
        (kept / "timeline.csv").unlink()
    elif damage == "header":
        text = (kept / "events.csv").read_text(encoding="utf-8")
        (kept / "events.csv").write_text("x," + text, encoding="utf-8")
    else:
        (kept / "facts.csv").write_bytes(b"\x00\x01 not a table")
    assert _run(corpus, tmp_path / "b", store) == want
    assert derives == [1, 1]
    assert _run(corpus, tmp_path / "c", store) == want  # the damaged copy was replaced
    assert derives == [1, 1]


def test_a_table_edited_in_place_is_not_taken(corpus, tmp_path, derives):
    """The kept tables may be the output files themselves (hard links): one changed since is not taken."""
    store = tmp_path / "cache"
    want = _run(corpus, tmp_path / "a", store)
    facts = tmp_path / "a" / "facts.csv"
    with open(facts, "r+b") as fh:  # the same size, the same file: one byte changed
        fh.seek(len(want["facts"]) - 2)
        fh.write(b"#")
    assert _run(corpus, tmp_path / "b", store) == want
    assert derives == [1, 1]


def test_a_failing_run_after_the_copy_changes_nothing(corpus, tmp_path, monkeypatch, derives):
    store, out = tmp_path / "cache", tmp_path / "out"
    want = _run(corpus, out, store)
    (corpus / "t000.txt").unlink()
    _run(corpus, tmp_path / "other", store)  # the kept tables are now those without t000
    (tmp_path / "corpus" / "t000.txt").write_text("Two Malian soldiers were killed in Menaka on Friday.",
                                                  encoding="utf-8")
    _run(corpus, tmp_path / "other", store)
    kept = set(_kept(store, corpus).iterdir())

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("sahel.tables._commit", fail)
    with pytest.raises(OSError, match="disk full"):
        _run(corpus, out, store)  # copies the kept tables, then fails to commit
    assert derives == [1, 1, 1]
    assert {name: (out / f"{name}.csv").read_bytes() for name in ALL} == want
    assert set(_kept(store, corpus).iterdir()) == kept
