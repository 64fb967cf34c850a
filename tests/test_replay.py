"""Blocks replayed from their last clustering (sahel/replay.py) give the tables a fresh derive gives."""
from __future__ import annotations

import random

import pandas as pd
import pytest

from sahel import reconcile, replay

from test_reconcile_scale import _synthetic


@pytest.fixture(scope="module")
def pools():
    """Prepared articles: a base corpus with articles to add (ids d0000…d0399), and other versions of
    the same ids (edits)."""
    first = reconcile._prepare_all(*_synthetic(400, seed=11))
    second = reconcile._prepare_all(*_synthetic(400, seed=12))
    return first, second


@pytest.fixture
def replays(monkeypatch) -> list[bool]:
    """Whether each replay applied (True) or left the block to a full clustering (False)."""
    calls: list[bool] = []
    real = replay.replay

    def traced(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(replay, "replay", traced)
    return calls


def _same(got: dict, want: dict, where) -> None:
    assert list(got) == list(want)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], obj=f"{name} {where}")


@pytest.mark.parametrize("seed", range(6))
def test_random_changes_give_the_tables_of_a_fresh_derive(pools, replays, seed):
    first, second = pools
    rng = random.Random(seed)
    current = list(first[:250])
    spare = list(first[250:])
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(current, memo)
    for step in range(8):
        change = rng.choice(["add", "add", "remove", "edit", "several", "move"])
        if change in ("add", "several"):
            for _ in range(1 if change == "add" else 3):
                current.insert(rng.randrange(len(current) + 1), spare.pop(rng.randrange(len(spare))))
        if change in ("remove", "several"):
            current.pop(rng.randrange(len(current)))
        if change in ("edit", "several"):
            k = rng.randrange(len(current))
            other = {p.doc_id: p for p in second}[current[k].doc_id]
            current[k] = other
        if change == "move":  # the same articles in another order
            k = rng.randrange(len(current))
            current.insert(rng.randrange(len(current)), current.pop(k))
        got = reconcile.derive_prepared(current, memo)
        _same(got, reconcile.derive_prepared(current), (seed, step, change))
    assert sum(replays) >= 8, replays  # most touched blocks were replayed, not clustered in full


def test_a_replay_after_adding_one_article_keeps_every_other_cluster(pools):
    first, _ = pools
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(first[:300], memo)
    clusters = []
    real = replay.replay

    def kept(*args, **kwargs):
        out = real(*args, **kwargs)
        clusters.extend(old for _, old in out[0])
        return out

    replay.replay, saved = kept, replay.replay
    try:
        reconcile.derive_prepared(first[:301], memo)
    finally:
        replay.replay = saved
    assert clusters and sum(old < 0 for old in clusters) <= 2 * first[300].ints[2] < len(clusters) / 4


def test_a_damaged_last_clustering_is_clustered_in_full(pools):
    first, _ = pools
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(first[:200], memo)
    memo.blocks = {k: (v if k not in memo.names.values() else v[: len(v) // 2]) for k, v in memo.blocks.items()}
    _same(reconcile.derive_prepared(first[:201], memo), reconcile.derive_prepared(first[:201]), "damaged")


def test_the_clusters_a_figure_reaches_are_those_the_clustering_looks_up(pools):
    from array import array

    first, _ = pools
    by_block: dict = {}
    for f in reconcile._figures([reconcile._Article(p) for p in first[:200]]):
        by_block.setdefault((f.party, f.measure, f.kind), []).append(f)
    checked = wide = 0
    for (_, _, kind), figs in by_block.items():
        for f in figs[::7]:  # open-ended dates, widely spread values: filed as wide
            f.ds = f.de = None
        for f in figs[::11]:
            f.lo, f.hi = 1.0, 1e9
        block = reconcile._Block(kind)
        spans = array("i")
        for f in figs:
            spans.extend(replay.spans_of(block, f))
        walk = replay._Walk({}, figs.__getitem__, spans)
        for c, f in enumerate(figs[::2]):  # every other figure opens a cluster
            walk.open(2 * c, c)
            block.add(c, f)
        for j, f in enumerate(figs):
            assert walk.candidates(j) == block.candidates(f), (kind, j)
            checked += 1
        wide += sum(spans[k] == replay.NONE for k in range(0, len(spans), 2))
    assert checked > 500 and wide > 0
