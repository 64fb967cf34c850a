"""Blocks of figures taken from a memo of an earlier derive give the tables a fresh derive gives."""
from __future__ import annotations

import pickle

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


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("at", [0.25, 0.5, 0.75])
def test_an_entry_with_a_changed_byte_is_not_used(prepared, at, compress, clusterings):
    """Checksums, not only zlib, tell a damaged entry: entries put later (a re-run's) are not compressed."""
    want = reconcile.derive_prepared(prepared)
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(prepared, memo)
    for key in list(memo.blocks):
        memo.put(key, *memo._read(key, trace=True), compress=compress)
    damaged = {}
    for key, data in memo.blocks.items():
        n = int.from_bytes(data[:8], "little")
        k = 17 + int(n * at)  # a byte of the facts
        damaged[key] = data[:k] + bytes([data[k] ^ 0x55]) + data[k + 1:]
    memo.blocks = damaged
    clusterings.clear()
    _same(reconcile.derive_prepared(prepared, memo), want)
    assert len(clusterings) == len(damaged)  # every block clustered again


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


@pytest.fixture
def event_rows(monkeypatch) -> list[int]:
    """One entry per event row made (not taken from the memo)."""
    made: list[int] = []
    real = reconcile._event_row

    def counting(g, *args):
        made.append(len(g))
        return real(g, *args)

    monkeypatch.setattr(reconcile, "_event_row", counting)
    return made


def test_the_rows_of_events_of_unchanged_facts_come_from_the_memo(prepared, event_rows, tmp_path):
    path = tmp_path / "memo.pkl"
    reconcile.derive_prepared(prepared[:-1], load_memo(path))
    event_rows.clear()
    got = reconcile.derive_prepared(prepared, load_memo(path))  # one article more, the memo from its files
    assert 0 < len(event_rows) < len(got["events"]) / 10
    _same(got, reconcile.derive_prepared(prepared))


def test_the_rows_of_events_of_another_run_are_not_taken(prepared, event_rows):
    memo = reconcile.BlockMemo()
    reconcile.derive_prepared(prepared, memo)
    memo.events_token = b"another run"
    event_rows.clear()
    got = reconcile.derive_prepared(prepared, memo)
    assert len(event_rows) == len(got["events"])
    event_rows.clear()
    reconcile.derive_prepared(prepared, memo)  # this run's rows are kept for the next
    assert event_rows == []


def test_a_damaged_file_of_event_rows_is_ignored(prepared, tmp_path):
    path = tmp_path / "memo.pkl"
    reconcile.derive_prepared(prepared, load_memo(path))
    assert load_memo(path).known_events()
    events = tmp_path / "memo.pkl.events"
    token, rows = pickle.loads(events.read_bytes())
    events.write_bytes(pickle.dumps((token, [(key, row[:-1] if row else row) for key, row in rows])))
    assert load_memo(path).known_events() is None
    events.write_bytes(b"\x80\x05garbage")
    assert load_memo(path).known_events() is None


def test_an_event_whose_facts_are_linked_otherwise_is_made_again(prepared):
    facts = reconcile._facts([reconcile._Article(p) for p in prepared])[0]
    for f in facts:
        f.kept = True  # as if all came from the memo
    made: dict = {}
    before = reconcile._events(facts, None, made)
    by_event: dict = {}
    for f in facts:
        if f.event_id is not None and f.part_of is None:
            by_event.setdefault(f.event_id, []).append(f)
    a, b = next(g for g in by_event.values() if len(g) >= 2)[:2]
    a.part_of = b.fact_id  # a now a part of b: no longer counted in its event
    got = reconcile._events(facts, made, {})
    want = reconcile._events(facts)
    assert got.columns == want.columns != before.columns  # the link changed the event's row


def test_events_kept_from_the_last_run_are_the_events_a_fresh_grouping_makes(prepared):
    import random

    facts = reconcile._facts([reconcile._Article(p) for p in prepared])[0]
    for f in facts:
        f.kept = True  # as if all came from the memo
    reconcile._events(facts)
    by_event: dict = {}
    for f in facts:
        if f.event_id is not None:
            by_event.setdefault(f.event_id, []).append(f)
    events = list(by_event.values())
    rng = random.Random(3)
    for _ in range(10):
        a, b, c = (rng.choice(g) for g in rng.sample(events, 3))
        saved = a.part_of, c.part_of
        a.part_of = c.part_of = b.fact_id  # three events made one through b
        made: dict = {}
        reconcile._events(facts, None, made)
        rest = [f for f in facts if f is not b]  # b gone: the event splits
        assert reconcile._events(rest, made, {}).columns == reconcile._events(rest).columns
        a.part_of, c.part_of = saved
        made = {}
        reconcile._events(facts, None, made)
        saved = a.part_of
        a.part_of = c.fact_id  # a now a part of c: their events are one
        assert reconcile._events(facts, made, {}).columns == reconcile._events(facts).columns
        a.part_of = saved


def test_articles_grouped_ahead_give_the_tables_of_a_fresh_derive(prepared):
    want = reconcile.derive_prepared(prepared)
    ahead = reconcile.Grouped()
    ahead.add(prepared[:120])  # the first articles, grouped while the others were parsed
    _same(dict(reconcile.iter_derived(prepared, ahead=ahead)), want)
    other = reconcile.Grouped()
    other.add(prepared[5:50])  # not the first articles: grouped again
    _same(dict(reconcile.iter_derived(prepared, ahead=other)), want)
