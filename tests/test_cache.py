"""The per-article cache of ``sahel parse`` (sahel/store/cache.py): behaviour, not timing."""
from __future__ import annotations

import shutil
import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sahel.store.cache as cache_mod
from sahel import paths
from sahel.pipeline import parse_corpus
from sahel.store.cache import FILE, Cache, article_key, default_root

SEEDS = sorted(paths.SEEDS_DIR.glob("*.txt"))


def make_corpus(folder: Path, n: int) -> Path:
    """``n`` articles made of the seeds, each with its own doc id and date."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["doc_id,published,outlet"]
    for i in range(n):
        doc_id = f"t{i:03d}"
        text = SEEDS[i % len(SEEDS)].read_text(encoding="utf-8")
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        rows.append(f"{doc_id},2020-0{1 + i % 9}-1{i % 10},AFP")
    (folder / "catalog.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def add_article(folder: Path, doc_id: str, text: str) -> None:
    (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    with open(folder / "catalog.csv", "a", encoding="utf-8") as fh:
        fh.write(f"{doc_id},2021-03-04,AFP\n")


def parse(folder: Path, store: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_corpus(folder, jobs=1, cache=store, progress=False, **kw)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path / "corpus", 4)


def test_second_run_is_served_from_the_cache(corpus: Path, tmp_path: Path) -> None:
    first = parse(corpus, tmp_path / "cache")
    assert (first.parse_stats.parsed, first.parse_stats.cached) == (4, 0)
    second = parse(corpus, tmp_path / "cache")
    assert (second.parse_stats.parsed, second.parse_stats.cached) == (0, 4)
    pd.testing.assert_frame_equal(first.figures, second.figures)
    pd.testing.assert_frame_equal(first.documents, second.documents)


def test_cached_tables_equal_an_uncached_parse(corpus: Path, tmp_path: Path) -> None:
    parse(corpus, tmp_path / "cache")
    cached = parse(corpus, tmp_path / "cache")
    fresh = parse(corpus, False)
    assert fresh.parse_stats.cached == 0
    pd.testing.assert_frame_equal(cached.figures, fresh.figures)
    assert len(fresh.figures) > 0


def test_adding_one_article_parses_only_that_one(corpus: Path, tmp_path: Path) -> None:
    parse(corpus, tmp_path / "cache")
    add_article(corpus, "t999", "Five French soldiers were wounded near Gao on Monday, the army said.")
    again = parse(corpus, tmp_path / "cache")
    assert (again.parse_stats.parsed, again.parse_stats.cached) == (1, 4)
    assert "t999" in set(again.documents["doc_id"])
    assert "t999" in set(again.figures["doc_id"])


def test_only_parse_article_runs_for_misses(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    import sahel.pipeline

    parse(corpus, tmp_path / "cache")
    calls: list[str] = []
    real = sahel.pipeline.parse_article
    monkeypatch.setattr(sahel.pipeline, "parse_article", lambda a: calls.append(a.doc_id) or real(a))
    add_article(corpus, "t998", "Two soldiers were killed.")
    parse(corpus, tmp_path / "cache")
    assert calls == ["t998"]


def test_changed_text_or_date_is_parsed_again(corpus: Path, tmp_path: Path) -> None:
    parse(corpus, tmp_path / "cache")
    path = corpus / "t001.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nTen more soldiers were killed.\n", encoding="utf-8")
    assert parse(corpus, tmp_path / "cache").parse_stats.parsed == 1
    catalog = corpus / "catalog.csv"
    catalog.write_text(catalog.read_text().replace("t002,", "t002,2011-01-01,X\nignored,"), encoding="utf-8")
    assert parse(corpus, tmp_path / "cache").parse_stats.parsed == 1


def test_new_extractor_version_invalidates(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    parse(corpus, tmp_path / "cache")
    monkeypatch.setattr(cache_mod, "code_hash", lambda: "another-extractor")
    again = parse(corpus, tmp_path / "cache")
    assert (again.parse_stats.parsed, again.parse_stats.cached) == (4, 0)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [FILE]


def test_extractor_version_follows_extraction_sources(tmp_path: Path, monkeypatch) -> None:
    pkg = tmp_path / "sahel"
    shutil.copytree(paths.PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "PACKAGE_DIR", pkg)
    version = cache_mod.code_hash.__wrapped__
    before = version()
    (pkg / "cli.py").write_text((pkg / "cli.py").read_text() + "\n# not extraction\n")
    assert version() == before
    extract = pkg / "extract" / "parties.py"
    extract.write_text(extract.read_text() + "\n# a new rule\n")
    assert version() != before
    resource = next(p for p in (pkg / "resources").rglob("*") if p.is_file())
    changed = version()
    resource.write_bytes(resource.read_bytes() + b"\n")
    assert version() != changed


def test_no_cache_writes_nothing(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SAHEL_CACHE", str(tmp_path / "env-cache"))
    parse(corpus, False)
    assert not (tmp_path / "env-cache").exists()


def test_sahel_cache_environment(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SAHEL_CACHE", str(tmp_path / "env-cache"))
    assert default_root() == tmp_path / "env-cache"
    parse(corpus, True)
    assert (tmp_path / "env-cache" / FILE).is_file()
    for off in ("off", "0", "none"):
        monkeypatch.setenv("SAHEL_CACHE", off)
        assert default_root() is None
        assert Cache.open(True, {"figures": 1}) is None


@pytest.mark.parametrize("planted", [
    "not json", '{"figures": [], "numbers": []}', '{"figures": [[1, 2]], "numbers": [], "mentions": []}',
    '{"figures": ["a,line without its end"], "numbers": [], "mentions": []}',
    "\\x80\\x04\\x95cos\\nsystem\\n", "[]", "null",
])
def test_corrupt_or_planted_entries_are_parsed_again(corpus: Path, tmp_path: Path, planted: str) -> None:
    first = parse(corpus, tmp_path / "cache")
    with sqlite3.connect(tmp_path / "cache" / FILE) as db:
        db.execute("UPDATE articles SET rows = ?", (planted,))
    db.close()
    again = parse(corpus, tmp_path / "cache")
    assert again.parse_stats.parsed == 4
    pd.testing.assert_frame_equal(first.figures, again.figures)
    assert parse(corpus, tmp_path / "cache").parse_stats.cached == 4  # replaced by good entries


def test_a_damaged_cache_file_is_replaced(corpus: Path, tmp_path: Path) -> None:
    first = parse(corpus, tmp_path / "cache")
    (tmp_path / "cache" / FILE).write_bytes(b"garbage, not SQLite" * 100)
    again = parse(corpus, tmp_path / "cache")
    assert again.parse_stats.parsed == 4
    pd.testing.assert_frame_equal(first.figures, again.figures)
    assert parse(corpus, tmp_path / "cache").parse_stats.cached == 4


def test_key_covers_text_and_metadata() -> None:
    base = article_key("text", "a", "2020-01-01", "AFP")
    assert base == article_key("text", "a", "2020-01-01", "AFP")
    assert len({base, article_key("text!", "a", "2020-01-01", "AFP"), article_key("text", "b", "2020-01-01", "AFP"),
                article_key("text", "a", None, "AFP"), article_key("text", "a", "2020-01-01", None)}) == 5


def test_cli_parse_options(corpus: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    from sahel.cli import main

    monkeypatch.setenv("SAHEL_CACHE", str(tmp_path / "cli-cache"))
    out = tmp_path / "out"
    assert main(["parse", str(corpus), "--out", str(out), "--jobs", "1", "--no-progress"]) == 0
    assert "(4 parsed, 0 from cache)" in capsys.readouterr().out
    assert main(["parse", str(corpus), "--out", str(out), "-j", "1"]) == 0
    assert "(0 parsed, 4 from cache)" in capsys.readouterr().out
    assert main(["parse", str(corpus), "--out", str(out), "--no-cache", "-j", "1"]) == 0
    assert "(4 parsed, 0 from cache)" in capsys.readouterr().out
    assert (out / "figures.csv").exists()
    assert main(["parse", str(corpus), "--out", str(out), "--jobs", "-2"]) == 2


def test_a_cache_that_cannot_be_written_only_costs_a_parse(corpus: Path, tmp_path: Path, monkeypatch) -> None:
    first = parse(corpus, False)
    real = Cache.put

    def full(self, key, rows):  # the disk fills up after the first article
        if self.db is not None:
            self.db.execute("PRAGMA query_only = ON")
        return real(self, key, rows)

    monkeypatch.setattr(Cache, "put", full)
    with pytest.warns(RuntimeWarning, match="cannot store parsed articles"):
        again = parse_corpus(corpus, jobs=1, cache=tmp_path / "cache", progress=False)
    pd.testing.assert_frame_equal(first.figures, again.figures)
