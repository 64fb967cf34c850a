"""The scan manifest (sahel/check.py ``ScanManifest``): re-runs do not read unchanged files."""
from __future__ import annotations

import os
import shutil
import time
import warnings
from pathlib import Path

import pytest

import sahel.cache as cache_mod
from sahel import check, paths
from sahel.check import RawArticle, ScanManifest, scan
from sahel.corpus import Article, CorpusError, write_corpus

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = 2048  # as in test_robustness: huge.txt is too large


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the broken fixture: every rule of ``sahel check``, duplicates included."""
    return Path(shutil.copytree(FIXTURES / "broken", tmp_path / "broken"))


@pytest.fixture
def trusting(monkeypatch) -> None:
    """Trust files written just now (the racy rule would have tests wait 2 s)."""
    monkeypatch.setattr(check, "_RACY_NS", 0)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Names of the article files read from now on."""
    names: list[str] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        if self.suffix == ".txt":
            names.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return names


def run_scan(folder: Path, root: Path | None) -> list[str]:
    """What a scan yields, as comparable lines (articles without their text)."""
    manifest = ScanManifest.open(root, folder) if root is not None else None
    out = []
    for item in scan(folder, max_bytes=SMALL, today=check.date(2024, 1, 1), manifest=manifest):
        if isinstance(item, RawArticle):
            out.append(repr((item.doc_id, item.path, item.sha256, item.published, item.outlet,
                             item.digest, item.n_chars)))
        else:
            out.append(repr(item))
    return out


def test_unchanged_files_are_not_read_and_problems_stay(broken: Path, tmp_path: Path, trusting,
                                                        reads: list[str]) -> None:
    plain = run_scan(broken, None)
    first = run_scan(broken, tmp_path / "cache")
    assert first == plain and len(reads) == 2 * 12  # every file but huge.txt, twice
    del reads[:]
    again = run_scan(broken, tmp_path / "cache")
    assert reads == [] and again == plain
    assert any("same text as duplicate_a.txt" in line for line in again)
    assert any("binary file" in line for line in again) and any("encoding guessed" in line for line in again)


def test_changed_files_are_read_again(broken: Path, tmp_path: Path, trusting, reads: list[str]) -> None:
    run_scan(broken, tmp_path / "cache")
    path = broken / "ok_article.txt"
    st = path.stat()
    text = path.read_bytes()
    time.sleep(0.05)  # a later ctime tick than the copy's
    path.write_bytes(text.replace(b"a", b"o", 1))  # same size; mtime put back below
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    (broken / "duplicate_b.txt").unlink()
    del reads[:]
    again = run_scan(broken, tmp_path / "cache")
    assert reads == ["ok_article.txt"]  # caught by its ctime
    assert again == run_scan(broken, None)
    assert not any("same text as duplicate_a.txt" in line for line in again)
    assert any("duplicate_b" in line and "does not exist" in line for line in again)


def test_files_changed_just_before_a_scan_are_not_trusted(broken: Path, tmp_path: Path,
                                                          reads: list[str]) -> None:
    old = 1_500_000_000 * 10**9
    for path in broken.iterdir():
        os.utime(path, ns=(old, old))
    run_scan(broken, tmp_path / "cache")  # every ctime is recent: nothing recorded
    del reads[:]
    run_scan(broken, tmp_path / "cache")
    assert len(reads) == 12


def test_corrupt_manifest_is_ignored(broken: Path, tmp_path: Path, trusting, reads: list[str]) -> None:
    run_scan(broken, tmp_path / "cache")
    manifest = ScanManifest.open(tmp_path / "cache", broken)
    assert manifest.path.is_file() and manifest.old
    manifest.path.write_bytes(b"not a pickle")
    del reads[:]
    assert run_scan(broken, tmp_path / "cache") == run_scan(broken, None)
    assert len(reads) == 2 * 12
    assert ScanManifest.open(tmp_path / "cache", broken).old  # written again


def test_new_rules_invalidate_the_manifest(broken: Path, tmp_path: Path, trusting, reads: list[str],
                                           monkeypatch) -> None:
    run_scan(broken, tmp_path / "cache")
    monkeypatch.setattr(check, "_manifest_version", lambda: "other rules")
    del reads[:]
    run_scan(broken, tmp_path / "cache")
    assert len(reads) == 12


def test_no_manifest_without_cache(broken: Path, tmp_path: Path, trusting, monkeypatch) -> None:
    from sahel.corpus import iter_articles

    monkeypatch.setenv("SAHEL_CACHE", str(tmp_path / "env-cache"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        list(iter_articles(broken, cache=False))
        assert not (tmp_path / "env-cache").exists()
        monkeypatch.setenv("SAHEL_CACHE", "off")
        list(iter_articles(broken, cache=True))
        assert not (tmp_path / "env-cache").exists()
        monkeypatch.setenv("SAHEL_CACHE", str(tmp_path / "env-cache"))
        list(iter_articles(broken, cache=True))
    assert list((tmp_path / "env-cache" / "scan").glob("*.pkl"))


def test_prune_keeps_the_manifests(broken: Path, tmp_path: Path, trusting, monkeypatch) -> None:
    run_scan(broken, tmp_path / "cache")
    (tmp_path / "cache" / "old-extractor").mkdir()
    assert cache_mod.prune(tmp_path / "cache") == [tmp_path / "cache" / "old-extractor"]
    assert ScanManifest.open(tmp_path / "cache", broken).old


def test_lazy_text_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Three soldiers were killed.", encoding="utf-8")
    full = Article("a", path, "Three soldiers were killed.", "x")
    lazy = Article("a", path, None, "x", digest=full.digest, n_chars=full.n_chars)
    assert lazy.load_text() == full.text and lazy.text == full.text
    path.write_text("Four soldiers were killed.", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"a\.txt: changed"):
        Article("a", path, None, "x", digest=full.digest).load_text()
    path.unlink()
    with pytest.raises(CorpusError, match=r"a\.txt: unreadable"):
        Article("a", path, None, "x", digest=full.digest).load_text()


def test_parse_output_is_identical_with_the_manifest(tmp_path: Path, trusting, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(paths.SEEDS_DIR, corpus)
    shutil.copy(FIXTURES / "broken" / "cp1252_article.txt", corpus)  # decoded with a guessed encoding
    shutil.copy(corpus / sorted(p.name for p in corpus.glob("*.txt"))[0], corpus / "zz_duplicate.txt")

    def tables(out: Path, cache) -> dict[str, bytes]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            summary = write_corpus(corpus, out, jobs=1, cache=cache, progress=False)
        assert sorted(str(w.message) for w in caught) == sorted(summary.problems)
        return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}, summary

    fresh, plain = tables(tmp_path / "fresh", False)
    cold, _ = tables(tmp_path / "cold", tmp_path / "cache")
    real = Path.read_bytes
    read: list[str] = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    warm, summary = tables(tmp_path / "warm", tmp_path / "cache")
    assert not [name for name in read if name.endswith(".txt")]  # no article read, none parsed
    assert summary.stats.parsed == 0 and summary.problems == plain.problems
    assert fresh == cold == warm and len(fresh) >= 4
    for entry in (tmp_path / "cache" / cache_mod.EXTRACTOR_VERSION).rglob("*.pkl"):
        entry.unlink()  # cache gone, manifest kept: texts are read when parsed
    read.clear()
    again, summary = tables(tmp_path / "again", tmp_path / "cache")
    assert again == fresh and summary.stats.parsed == summary.documents
    assert sum(name.endswith(".txt") for name in read) == summary.documents
