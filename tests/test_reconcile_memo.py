"""Blocks of figures taken from a memo of an earlier derive give the tables a fresh derive gives."""
from __future__ import annotations

import pandas as pd
import pytest

from sahel import corpus as corpus_mod
from sahel import reconcile, replay
from sahel.cache import ArticleCache, load_memo, memo_path, save_memo

from test_reconcile_scale import _synthetic


@pytest.fixture(scope="module")
def prepared():
    documents, figures, ments = _synthetic(300, seed=5)
    return reconcile._prepare_all(documents, figures, ments)


def _same(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name])


@pytest.fixture
def clusterings(monkeypatch):
    """Counts the blocks clustered in full (the figures in them) and replayed (-1 each)."""
    seen: list[int] = []
    real, real_replay = reconcile._greedy, replay.replay

    def counting(figs):
        seen.append(len(figs))
        return real(figs)

    def replaying(*args, **kwargs):
        out = real_replay(*args, **kwargs)
        if out is not None:
            seen.append(-1)
        return out

    monkeypatch.setattr(reconcile, "_greedy", counting)
    monkeypatch.setattr(replay, "replay", replaying)
    return seen


def test_a_memo_of_the_same_corpus_clusters_nothing(prepared, clusterings, tmp_path):
    want = reconcile.derive_prepared(prepared)
    n_blocks = len(clusterings)
    memo = reconcile.BlockMemo()
    _same(reconcile.derive_prepared(prepared, memo), want)
    assert len(clusterings) == 2 * n_blocks and len(memo.blocks) == n_blocks
    save_memo(memo, tmp_path / "memo.pkl")
    again = load_memo(tmp_path / "memo.pkl")
    assert set(again.blocks) == set(memo.blocks)
    _same(reconcile.derive_prepared(prepared, again), want)
    assert len(clusterings) == 2 * n_blocks  # every block came from the memo


def test_an_added_or_removed_article_reclusters_only_its_blocks(prepared, clusterings):
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(prepared[:-1], memo)
    n_blocks = len(clusterings)
    clusterings.clear()
    got = reconcile.derive_prepared(prepared, memo)
    touched = {(f.party, f.measure, f.kind) for f in reconcile._figures([reconcile._Article(prepared[-1])])}
    assert 0 < len(clusterings) == len(touched) < n_blocks
    assert clusterings == [-1] * len(touched)  # replayed from their last clustering, not clustered again
    _same(got, reconcile.derive_prepared(prepared))
    shorter = prepared[:100] + prepared[101:]  # an article removed from the middle
    _same(reconcile.derive_prepared(shorter, memo), reconcile.derive_prepared(shorter))


def test_a_changed_article_is_not_taken_from_the_memo(prepared):
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(prepared, memo)
    p = prepared[7]
    values = type(p.values)(p.values.typecode, [v * 3 for v in p.values])
    changed = prepared[:7] + [p._replace(values=values)] + prepared[8:]
    _same(reconcile.derive_prepared(changed, memo), reconcile.derive_prepared(changed))


def test_damaged_memos_are_ignored(prepared, tmp_path):
    want = reconcile.derive_prepared(prepared)
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(prepared, memo)
    memo.blocks = {k: b"not a pickle" for k in memo.blocks}
    _same(reconcile.derive_prepared(prepared, memo), want)
    path = tmp_path / "memo.pkl"
    path.write_bytes(b"\x80\x05garbage")
    assert load_memo(path).blocks == {}
    assert load_memo(tmp_path / "missing.pkl").blocks == {}


def test_save_keeps_only_the_blocks_of_the_last_run(prepared, tmp_path):
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(prepared[:150], memo)
    first = set(memo.blocks)
    later = reconcile.BlockMemo(memo.blocks)
    reconcile.derive_prepared(prepared[150:], later)
    save_memo(later, tmp_path / "memo.pkl")
    kept = set(load_memo(tmp_path / "memo.pkl").blocks)
    assert kept and kept.isdisjoint(first)


def test_parse_keeps_a_memo_per_corpus_in_the_cache(tmp_path):
    from sahel import paths

    cache = tmp_path / "cache"
    out1, out2 = tmp_path / "one", tmp_path / "two"
    corpus_mod.write_corpus(paths.SEEDS_DIR, out1, jobs=1, cache=cache)
    path = memo_path(ArticleCache.open(cache), paths.SEEDS_DIR)
    assert path.is_file() and load_memo(path).blocks
    corpus_mod.write_corpus(paths.SEEDS_DIR, out2, jobs=1, cache=cache)
    for f in sorted(out1.glob("*.csv")):
        assert f.read_bytes() == (out2 / f.name).read_bytes(), f.name
    corpus_mod.write_corpus(paths.SEEDS_DIR, tmp_path / "three", jobs=1, cache=False)
    assert [p.name for p in cache.rglob("derive/*.pkl") if not p.name.endswith(".run.pkl")] == [path.name]


def test_a_loaded_memo_stores_itself_once_the_blocks_are_known(prepared, tmp_path):
    path = tmp_path / "derive" / "memo.pkl"
    memo = load_memo(path)
    want = reconcile.derive_prepared(prepared, memo)
    assert path.is_file() and memo.blocks == {}  # stored, then let go of
    stored = path.stat().st_mtime_ns
    again = load_memo(path)
    assert again.blocks
    _same(reconcile.derive_prepared(prepared, again), want)
    assert path.stat().st_mtime_ns == stored  # nothing changed: not written again
    n_full = len(load_memo(path).blocks)
    reconcile.derive_prepared(prepared[:20], load_memo(path))  # a smaller corpus: its blocks only
    assert 0 < len(load_memo(path).blocks) < n_full
