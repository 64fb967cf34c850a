"""The parallel, streamed parse of ``parse_corpus`` (sahel/parallel.py)."""
from __future__ import annotations

import re
import warnings
import weakref
from pathlib import Path

import pandas as pd
import pytest

import sahel
from sahel import paths
from sahel.cache import encode, merge
from sahel.corpus import Article, iter_articles, parse_article, parse_corpus
from sahel.parallel import CHUNK, parse_articles

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


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("parallel") / "corpus", 2 * CHUNK + 3)


def test_two_jobs_give_the_same_tables_as_one(corpus: Path) -> None:
    one = quiet_parse(corpus, jobs=1, cache=False)
    two = quiet_parse(corpus, jobs=2, cache=False)
    assert two.parse_stats.jobs == 2 and one.parse_stats.jobs == 1
    assert two.parse_stats.parsed == len(two.documents) == 2 * CHUNK + 3
    pd.testing.assert_frame_equal(one.documents, two.documents)
    pd.testing.assert_frame_equal(one.figures, two.figures)
    assert list(two.documents["doc_id"]) == sorted(two.documents["doc_id"])


def test_workers_fill_the_cache(corpus: Path, tmp_path: Path) -> None:
    first = quiet_parse(corpus, jobs=2, cache=tmp_path / "cache")
    second = quiet_parse(corpus, jobs=2, cache=tmp_path / "cache")
    assert (second.parse_stats.parsed, second.parse_stats.cached) == (0, first.parse_stats.parsed)
    pd.testing.assert_frame_equal(first.figures, second.figures)


def test_merge_equals_concatenating_frames() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arts = list(iter_articles(paths.SEEDS_DIR))
    frames = [parse_article(a)["figures"] for a in arts]
    merged = merge([encode({"figures": f}) for f in frames], "figures")
    pd.testing.assert_frame_equal(merged, pd.concat(frames, ignore_index=True))
    empty = frames[0].iloc[:0]
    assert merge([encode({"figures": empty})], "figures").dtypes.equals(empty.dtypes)
    assert merge([{}], "figures") is None


def test_texts_are_streamed_not_held(tmp_path: Path, monkeypatch) -> None:
    """At most a couple of articles are alive at once on one job."""
    import sahel.corpus

    alive = {"now": 0, "max": 0}

    def articles():
        for i in range(30):
            art = Article(f"s{i:02d}", tmp_path / f"s{i:02d}.txt", "Three soldiers were killed. " * 50, f"{i:064d}")
            alive["now"] += 1
            alive["max"] = max(alive["max"], alive["now"])
            weakref.finalize(art, lambda: alive.__setitem__("now", alive["now"] - 1))
            yield art

    monkeypatch.setattr(sahel.corpus, "parse_article", lambda a: {"figures": pd.DataFrame({"n": [len(a.text)]})})
    run = parse_articles(articles(), jobs=1, cache=False, progress=False)
    assert len(run.payloads) == 30 and run.counts("figures") == [1] * 30
    assert alive["max"] <= 2


def test_errors_name_the_article(corpus: Path, monkeypatch) -> None:
    import sahel.corpus

    def boom(article):
        raise RuntimeError("extractor failed")

    real = sahel.corpus.parse_article
    monkeypatch.setattr(sahel.corpus, "parse_article",
                        lambda a: boom(a) if a.doc_id == "t000" else real(a))
    with warnings.catch_warnings(record=True) as caught:  # the corpus repeats texts: duplicate warnings too
        warnings.simplefilter("always")
        corpus_ = sahel.parse_corpus(corpus, jobs=1, cache=False, progress=False)
    assert any(issubclass(w.category, sahel.CorpusWarning)
               and re.search(r"t000\.txt: extractor failed \(RuntimeError", str(w.message)) for w in caught)
    assert "t000" not in set(corpus_.figures["doc_id"]) and len(corpus_.figures)


def test_negative_jobs_rejected(corpus: Path) -> None:
    with pytest.raises(ValueError):
        quiet_parse(corpus, jobs=-1, cache=False)


def test_in_flight_texts_are_bounded_with_workers(tmp_path: Path, monkeypatch) -> None:
    """With worker processes, only a few chunks of texts are in flight at once."""
    import sahel.corpus

    alive = {"now": 0, "max": 0}

    def articles():
        for i in range(12 * CHUNK):
            art = Article(f"w{i:03d}", tmp_path / f"w{i:03d}.txt", "Three soldiers were killed. " * 50, f"{i:064d}")
            alive["now"] += 1
            alive["max"] = max(alive["max"], alive["now"])
            weakref.finalize(art, lambda: alive.__setitem__("now", alive["now"] - 1))
            yield art

    monkeypatch.setattr(sahel.corpus, "parse_article", lambda a: {"figures": pd.DataFrame({"n": [len(a.text)]})})
    run = parse_articles(articles(), jobs=2, cache=False, progress=False)
    assert run.stats.jobs == 2 and run.counts("figures") == [1] * (12 * CHUNK)
    assert alive["max"] <= (2 * 2 + 1) * CHUNK


def test_rows_written_one_article_at_a_time_equal_the_whole_table() -> None:
    from sahel.schema import ARTICLE_TABLES
    from sahel.tables import csv_header, csv_rows, to_csv_text

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = [parse_article(a) for a in iter_articles(paths.SEEDS_DIR)]
    for name, schema in ARTICLE_TABLES.items():
        whole = pd.concat([f[name] for f in frames], ignore_index=True)
        pieces = csv_header(schema) + "".join(csv_rows(f[name], schema) for f in frames)
        assert pieces == to_csv_text(whole, schema), name
        assert pieces.count("\n") > len(frames)


def test_payloads_come_in_order_and_cached_ones_do_not_pile_up(tmp_path: Path, monkeypatch) -> None:
    """One slow miss first, then many cached articles: the generator yields in input
    order, and holds back at most ``BUFFER`` finished payloads while it waits (it
    reads the articles ahead to find the misses, not their payloads); the miss
    goes to one early worker, and the texts of cached articles are dropped."""
    import sahel.corpus
    from sahel.cache import ArticleCache
    from sahel.parallel import BUFFER, ParseStats, iter_payloads

    def articles(n: int, read: list[Article]):
        for i in range(n):
            art = Article(f"a{i:03d}", tmp_path / f"a{i:03d}.txt", f"Text {i}: {i} soldiers were killed.",
                          f"{i:064d}")
            read.append(art)
            yield art

    monkeypatch.setattr(sahel.corpus, "parse_article",
                        lambda a: {"rows": pd.DataFrame({"doc": [a.doc_id]})})
    n = 3 * BUFFER
    list(iter_payloads(articles(n, []), jobs=2, cache=tmp_path / "cache", progress=False))  # fill the cache
    read: list[Article] = []
    gets: list[str] = []
    real_get = ArticleCache.get
    monkeypatch.setattr(ArticleCache, "get", lambda self, key: gets.append(key) or real_get(self, key))
    first = Article("a-new", tmp_path / "new.txt", "A new article.", "f" * 64)
    seen_at_first_yield = []

    def with_new_first():
        yield first
        yield from articles(n, read)

    out = []
    stats = ParseStats()
    for payload in iter_payloads(with_new_first(), jobs=2, cache=tmp_path / "cache", progress=False,
                                 stats=stats):
        if not out:
            seen_at_first_yield.append(len(gets))
            assert all(a.text is None for a in read)
        out.append(payload["rows"]["columns"]["doc"][0])
    assert out == ["a-new"] + [f"a{i:03d}" for i in range(n)]
    assert seen_at_first_yield[0] <= BUFFER + 2
    assert (stats.parsed, stats.cached, stats.jobs) == (1, n, 1)


def _child_processes() -> list[int]:
    """Pids of this process's live children (Linux /proc; empty elsewhere)."""
    import os

    kids = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            kids.append(int(entry.parent.name))
    return kids


def test_failure_mid_stream_stops_the_workers_and_writes_nothing(corpus: Path, tmp_path: Path,
                                                                   monkeypatch) -> None:
    import multiprocessing

    from sahel import tables
    from sahel.corpus import write_corpus

    out = tmp_path / "out"
    out.mkdir()
    (out / "figures.csv").write_text("previous\n", encoding="utf-8")
    real, calls = tables.TableWriter.append, []

    def failing(self, name, schema, rows=""):
        calls.append(name)
        if len(calls) == 3 * 5:  # a few articles in
            raise KeyboardInterrupt
        return real(self, name, schema, rows)

    monkeypatch.setattr(tables.TableWriter, "append", failing)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KeyboardInterrupt):
            write_corpus(corpus, out, jobs=2, cache=False, progress=False)
    assert multiprocessing.active_children() == [] and not _child_processes()
    assert [p.name for p in out.iterdir()] == ["figures.csv"]
    assert (out / "figures.csv").read_text(encoding="utf-8") == "previous\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]


def test_failure_while_cached_articles_stream_stops_the_early_worker(corpus: Path, tmp_path: Path,
                                                                     monkeypatch) -> None:
    import multiprocessing
    import shutil

    from sahel import parallel, tables
    from sahel.corpus import write_corpus

    folder = Path(shutil.copytree(corpus, tmp_path / "corpus"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_corpus(folder, tmp_path / "first", jobs=2, cache=tmp_path / "cache", progress=False)
    (folder / "t999.txt").write_text("Two soldiers were killed in Gao on Monday.", encoding="utf-8")
    out = tmp_path / "out"
    real, calls = tables.TableWriter.append, []

    def failing(self, name, schema, rows=""):
        calls.append(name)
        if len(calls) == 3 * 5:  # a few cached articles in, the new one still with the worker
            raise KeyboardInterrupt
        return real(self, name, schema, rows)

    monkeypatch.setattr(tables.TableWriter, "append", failing)
    pools, real_pool = [], parallel.ProcessPoolExecutor
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", lambda n, **kw: pools.append(n) or real_pool(n, **kw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KeyboardInterrupt):
            write_corpus(folder, out, jobs=2, cache=tmp_path / "cache", progress=False)
    assert pools == [1]  # the one miss went to a single early worker
    assert multiprocessing.active_children() == [] and not _child_processes()
    assert not out.exists() or not list(out.iterdir())
