"""Rows of facts unchanged since the last run are copied from its facts table: the tables are a fresh
parse's, whatever changed in between."""
from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest

from benchmarks import generate
from sahel import tables
from sahel.corpus import CORPUS_WIDE, write_corpus
from sahel.forks import can_fork

ALL = ("documents", "figures", "numbers", "mentions", *CORPUS_WIDE)

pytestmark = pytest.mark.skipif(not can_fork(), reason="the spooled tables need fork")


def _run(folder: Path, out: Path, store: Path | bool) -> dict[str, bytes]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_corpus(folder, out, jobs=1, cache=store, progress=False)
    return {name: (out / f"{name}.csv").read_bytes() for name in ALL}


def _corpus(folder: Path, n: int) -> Path:
    """A generated corpus of ``n`` articles."""
    folder.mkdir()
    (folder / "catalog.csv").write_text("doc_id,published,outlet\n", encoding="utf-8")
    for i in range(n):
        generate.write_article(folder, i)
    return folder


@pytest.fixture
def copied(monkeypatch) -> list[int]:
    """The bytes of facts rows copied from the last run's table, per copy."""
    seen: list[int] = []
    real = tables.TableWriter.append_from

    def counting(self, name, schema, source, start, end):
        if name == "facts":
            seen.append(end - start)
        return real(self, name, schema, source, start, end)

    monkeypatch.setattr(tables.TableWriter, "append_from", counting)
    return seen


@pytest.mark.parametrize("seed", range(3))
def test_random_changes_give_the_tables_of_a_fresh_parse(tmp_path, copied, seed):
    rng = random.Random(seed)
    corpus = _corpus(tmp_path / "corpus", 60)
    store, out = tmp_path / "cache", tmp_path / "out"
    _run(corpus, out, store)
    added = 1000
    for step in range(6):
        docs = sorted(p.stem for p in corpus.glob("*.txt"))
        change = rng.choice(["add", "add", "remove", "edit", "several", "none"])
        if change in ("add", "several"):
            for _ in range(1 if change == "add" else 3):
                generate.write_article(corpus, added + rng.randrange(200))
                added += 1
        if change in ("remove", "several"):
            generate.remove_article(corpus, rng.choice(docs))
        if change in ("edit", "several"):
            doc = rng.choice(docs)
            if (corpus / f"{doc}.txt").exists():
                other = corpus / f"{rng.choice(docs)}.txt"
                text = other.read_text(encoding="utf-8") if other.exists() else "Two soldiers were killed."
                (corpus / f"{doc}.txt").write_text(text[: len(text) // 2], encoding="utf-8")
        got = _run(corpus, out, store)
        want = _run(corpus, tmp_path / f"fresh{step}", False)
        for name in ALL:
            assert got[name] == want[name], (seed, step, change, name)
    assert sum(copied) > 0  # rows were copied, not all formatted again


def test_a_hand_edited_facts_table_is_not_copied_from(tmp_path, copied):
    corpus = _corpus(tmp_path / "corpus", 30)
    store, out = tmp_path / "cache", tmp_path / "out"
    _run(corpus, out, store)
    facts = out / "facts.csv"
    facts.write_bytes(facts.read_bytes().replace(b",", b";", 40))  # same size, other bytes
    generate.write_article(corpus, 500)
    got = _run(corpus, out, store)
    assert copied == []
    assert got == _run(corpus, tmp_path / "fresh", False)


def test_the_index_of_fact_rows_pickles_as_a_few_strings_and_back():
    import pickle
    from array import array

    from sahel.record import FactIndex

    index = FactIndex(["f-a:1", "f-b:2", "f-a:1"], array("q", [0, 10, 25, 40]), [None, "f-a:1", None],
                      ["e-x", None, "e\x01y"], b"token")
    again = pickle.loads(pickle.dumps(index))
    assert (again.ids, list(again.starts), again.part_of, again.event_id, again.token) == (
        index.ids, list(index.starts), index.part_of, index.event_id, b"token")
    assert again.where() == {"f-a:1": -1, "f-b:2": 1}  # an id twice is never copied
    odd = FactIndex(["f\0x", "\x01"], array("q", [0, 1, 2]), [None, None], [None, None], b"t")
    assert pickle.loads(pickle.dumps(odd)).ids == ["f\0x", "\x01"]  # markers in values: kept as lists


def test_a_rerun_has_stored_its_replayed_blocks_when_it_returns(tmp_path, monkeypatch):
    from sahel import reconcile
    from sahel.cache import ArticleCache, load_memo, memo_path
    from sahel.record import RunRecord, record_path

    stored: list[bool] = []
    real = reconcile.BlockMemo.store

    def spying(self, background=False):
        stored.append(background and bool(self.pending))
        return real(self, background)

    monkeypatch.setattr(reconcile.BlockMemo, "store", spying)
    corpus = _corpus(tmp_path / "corpus", 30)
    store, out = tmp_path / "cache", tmp_path / "out"
    _run(corpus, out, store)
    generate.write_article(corpus, 500)
    _run(corpus, out, store)
    assert stored[-1]  # the replayed blocks were stored by a child
    cache = ArticleCache.open(store)
    memo = load_memo(memo_path(cache, corpus))
    assert memo.names and all(memo._read(key, trace=True) for key in memo.names.values())
    assert RunRecord.load(record_path(cache, corpus)).facts.token == memo.token
    generate.write_article(corpus, 501)
    assert _run(corpus, out, store) == _run(corpus, tmp_path / "fresh", False)
