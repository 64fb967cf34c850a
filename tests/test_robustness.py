"""Issue 6: broken and hostile corpora, atomic writes, deterministic output.

Fixtures: ``tests/fixtures/broken/`` (one broken file per rule of ``sahel
check``) and ``tests/fixtures/hostile/`` (markup and script in article text
next to real figures; reused by the report tests).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sahel.check import CHECK, check_corpus
from sahel.cli import main
from sahel.pipeline import write_corpus
from sahel.store import tables
from sahel.store.scan import (ERROR, MAX_BYTES, WARNING, Article, CorpusError, CorpusWarning, Problem,
                              decode_bytes, read_catalog_entries, scan)
from sahel.schema import DOCUMENTS, FIGURES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN = FIXTURES / "broken"
HOSTILE = FIXTURES / "hostile"
SEEDS = ROOT / "seeds"
TODAY = date(2024, 1, 1)
SMALL = 2048  # the --max-bytes the broken fixture is checked with: huge.txt is bigger

# (file, doc_id, severity, part of the message): every problem of tests/fixtures/broken
BROKEN_PROBLEMS = [
    ("catalog.csv", "future_date", WARNING, "published date 2099-01-01 of future_date is in the future"),
    ("catalog.csv", "bad_date", WARNING, "line 11: unparseable published date '26/11/2019'"),
    ("catalog.csv", "malformed_row", ERROR, "line 12: malformed catalog row (5 fields for 3 columns)"),
    ("catalog.csv", None, ERROR, "line 14: malformed catalog row (no doc_id)"),
    ("missing_file.txt", "missing_file", ERROR, "listed in catalog.csv (line 15) but the file does not exist"),
    ("binary.txt", "binary", ERROR, "binary file"),
    ("blank.txt", "blank", ERROR, "empty file (whitespace only); skipped"),
    ("cp1252_article.txt", "cp1252_article", WARNING, "not UTF-8 (invalid continuation byte at byte 40); "
     "encoding guessed as cp1252, decoded"),
    ("duplicate_b.txt", "duplicate_b", WARNING, "same text as duplicate_a.txt"),
    ("empty.txt", "empty", ERROR, "empty file; skipped"),
    ("huge.txt", "huge", ERROR, "too large (2,960 bytes, limit 2,048); skipped"),
    ("malformed_row.txt", "malformed_row", WARNING, "its row in catalog.csv is malformed"),
    ("no_catalog_row.txt", "no_catalog_row", WARNING, "no row in catalog.csv"),
    ("utf16_article.txt", "utf16_article", WARNING, "not UTF-8: utf_16 (byte-order mark), decoded"),
]
READABLE = ["bad_date", "cp1252_article", "duplicate_a", "duplicate_b", "future_date", "malformed_row",
            "no_catalog_row", "ok_article", "utf16_article"]  # + huge.txt under the default limit


def has_extractor() -> bool:
    try:
        import sahel.extract  # noqa: F401
    except ImportError:
        return False
    return True


needs_extractor = pytest.mark.skipif(not has_extractor(), reason="sahel.extract not there yet")


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``sahel ARGV`` in a subprocess: (exit code, stdout, stderr)."""
    env = {**os.environ, "SAHEL_CACHE": "off", "PYTHONWARNINGS": "always"}
    proc = subprocess.run([sys.executable, "-m", "sahel.cli", *argv], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- sahel check -----------------------------------------------------------------------------

def test_check_broken_fixture_reports_every_problem_once() -> None:
    df = check_corpus(BROKEN, max_bytes=SMALL, today=TODAY)
    assert list(df.columns) == list(CHECK)
    assert all(str(df[c].dtype) == "string" for c in CHECK)
    assert len(df) == len(BROKEN_PROBLEMS), df.to_string()
    for file, doc_id, severity, text in BROKEN_PROBLEMS:
        hit = df[(df["file"] == file) & (df["severity"] == severity) & df["problem"].str.contains(text, regex=False)]
        assert len(hit) == 1, f"{file}: {severity}: {text!r} not reported once in\n{df.to_string()}"
        assert (hit["doc_id"].isna().all() if doc_id is None else (hit["doc_id"] == doc_id).all())
    assert not df["problem"].str.contains("\n").any()


def test_check_default_limit_reads_huge_and_seeds_are_clean() -> None:
    df = check_corpus(BROKEN, today=TODAY)
    assert "huge.txt" not in set(df["file"])
    assert check_corpus(SEEDS).empty
    assert check_corpus(HOSTILE).empty


def test_check_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BROKEN), "--max-bytes", str(SMALL)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(BROKEN_PROBLEMS) + 1
    assert out[-1].endswith("7 error(s), 7 warning(s) in 11 file(s)")
    for line in out[:-1]:  # one line each: path: severity: problem
        path, severity, _ = line.split(": ", 2)
        assert path.startswith(str(BROKEN)) and severity in (ERROR, WARNING)
    assert main(["check", str(SEEDS)]) == 0
    assert "no problems found" in capsys.readouterr().out
    assert main(["check", str(HOSTILE), "--strict"]) == 0


def test_check_strict_fails_on_warnings_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("12 soldiers were killed.\n", encoding="utf-8")  # no catalog: warning
    assert main(["check", str(tmp_path)]) == 0
    assert main(["check", str(tmp_path), "--strict"]) == 1
    assert "no catalog.csv" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["check", "no/such/folder"], ["parse", "no/such/folder", "--out", "x"]])
def test_missing_corpus_folder_is_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no/such/folder: corpus folder not found" in err


def test_bad_max_bytes_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", str(SEEDS), "--max-bytes", "lots"])
    assert exc.value.code == 2
    assert "--max-bytes: not a whole number of bytes: 'lots'" in capsys.readouterr().err


# --- decoding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("data, text, severity, message", [
    ("Troops killed 20 fighters near Ménaka.".encode("utf-8"), "Troops killed 20 fighters near Ménaka.",
     None, None),
    (b"\xef\xbb\xbfTroops.", "Troops.", None, None),  # UTF-8 byte-order mark dropped
    ("Troops killed 20 fighters near Ménaka.".encode("latin-1"), "Troops killed 20 fighters near Ménaka.",
     WARNING, "encoding guessed as cp1252, decoded"),
    ("L’armée a tué 20 combattants – « neutralisés ».".encode("cp1252"),
     "L’armée a tué 20 combattants – « neutralisés ».", WARNING, "guessed as cp1252"),
    ("Французские войска убили 20 боевиков около Гао в понедельник, сообщила армия. ".encode("cp1251") * 3,
     "Французские войска убили 20 боевиков около Гао в понедельник, сообщила армия. " * 3,
     WARNING, "guessed as cp1251"),
    ("Troops killed 20 fighters.".encode("utf-16"), "Troops killed 20 fighters.", WARNING, "utf_16"),
    ("Troops killed 20 fighters near Ménaka.".encode("utf-8") + b"\xff" + " Gao.".encode(),
     "Troops killed 20 fighters near Ménaka.\ufffd Gao.", WARNING,
     "UTF-8 with 1 invalid byte(s) (first at byte 39); decoded with replacement characters"),
    (b"", None, ERROR, "empty file; skipped"),
    (b" \n\t\r\n", None, ERROR, "empty file (whitespace only); skipped"),
    (b"GIF89a\x00\x01\x02", None, ERROR, "binary file"),
    (b"\x1b\x02\x03\x04\x05\x06\x07\x08abc", None, ERROR, "binary file"),
    (bytes(0x80 + i % 100 for i in range(300)), None, ERROR, "no encoding could be guessed; skipped"),
])
def test_decode_bytes(data: bytes, text: str | None, severity: str | None, message: str | None) -> None:
    d = decode_bytes(data)
    assert d.text == text
    assert d.severity == severity
    assert (d.problem is None) if message is None else (message in d.problem)


def test_decode_guesses_cp1252() -> None:
    decoded = decode_bytes("Le général a été blessé.".encode("cp1252"))
    assert decoded.text == "Le général a été blessé." and "guessed as cp1252" in decoded.problem


# --- catalog -----------------------------------------------------------------------------------

def catalog(tmp_path: Path, text: str | bytes, **files: str) -> Path:
    data = text.encode("utf-8") if isinstance(text, str) else text
    (tmp_path / "catalog.csv").write_bytes(data)
    for stem, body in files.items():
        (tmp_path / f"{stem}.txt").write_text(body, encoding="utf-8")
    return tmp_path


def problems_of(folder: Path) -> list[tuple[str, str]]:
    df = check_corpus(folder, today=TODAY)
    return list(zip(df["file"], df["problem"]))


def test_catalog_tolerates_bom_case_spaces_and_iso_datetimes(tmp_path: Path) -> None:
    folder = catalog(tmp_path, "\ufeff Doc_ID ,Published,Outlet\n a , 2020-02-08T10:30:00Z ,AFP\n\nb,2020-01-01\n",
                     a="10 soldiers were killed.", b="3 soldiers were wounded.")
    assert problems_of(folder) == []
    entries = read_catalog_entries(folder)[0]
    assert {k: (e.published, e.outlet) for k, e in entries.items()} == {"a": (date(2020, 2, 8), "AFP"),
                                                                        "b": (date(2020, 1, 1), None)}


@pytest.mark.parametrize("text, expected", [
    ("published,outlet\n2020-01-01,AFP\n", "catalog has no `doc_id` column"),
    ("doc_id,published\na,2020-01-01\na,2020-02-02\n", "line 3: second catalog row for a ignored (first at line 2)"),
    ("doc_id,published\na,\"2020-01-01\nb,2020-01-02\n", "malformed CSV"),
    ("doc_id,published\na,2020-02-30\n", "unparseable published date '2020-02-30' for a"),
    ("doc_id,published\na,2999-01-01\n", "published date 2999-01-01 of a is out of range (1700-2200)"),
    ("doc_id,published\na,0001-01-01\n", "out of range"),
    ("doc_id,published\na,\n", "no publication date in catalog.csv"),
    ("doc_id,published\na,2020-01-01\nb,2020-01-01\n", "listed in catalog.csv (line 3) but the file does not exist"),
    (b"doc_id,published,outlet\na,2020-01-01,Le Monde \xe9dition\n", "catalog not UTF-8"),
])
def test_catalog_problems(tmp_path: Path, text: str | bytes, expected: str) -> None:
    folder = catalog(tmp_path, text, a="10 soldiers were killed.")
    found = problems_of(folder)
    assert any(expected in p for _, p in found), found


def test_future_date_uses_today(tmp_path: Path) -> None:
    folder = catalog(tmp_path, "doc_id,published\na,2024-01-02\n", a="10 soldiers were killed.")
    assert problems_of(folder) == [("catalog.csv", "line 2: published date 2024-01-02 of a is in the future; "
                                    "relative dates will be resolved against it")]
    assert check_corpus(folder, today=date(2024, 1, 2)).empty


def test_directory_named_like_an_article_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "odd.txt").mkdir()
    (tmp_path / "catalog.csv").write_text("doc_id,published\nodd,2020-01-01\nok,2020-01-01\n")
    (tmp_path / "ok.txt").write_text("10 soldiers were killed.", encoding="utf-8")
    df = check_corpus(tmp_path)
    assert ("odd.txt", ERROR) in set(zip(df["file"], df["severity"]))
    assert [a.doc_id for a in articles(tmp_path)[0]] == ["ok"]


# --- scan: what `sahel parse` reads -------------------------------------------------------------

def articles(folder: Path, max_bytes: int = MAX_BYTES) -> tuple[list[Article], list[str]]:
    items = list(scan(folder, max_bytes=max_bytes))
    return [a for a in items if isinstance(a, Article)], [str(p) for p in items if isinstance(p, Problem)]


def test_scan_applies_the_check_rules() -> None:
    arts, problems = articles(BROKEN, SMALL)
    assert [a.doc_id for a in arts] == READABLE
    for text in problems:  # one line naming the file
        assert "\n" not in text and text.startswith(str(BROKEN) + os.sep)
    by_id = {a.doc_id: a for a in arts}
    assert "Ménaka" in by_id["cp1252_article"].text and "army’s" in by_id["cp1252_article"].text
    assert by_id["utf16_article"].text.startswith("Niger said 7 soldiers")
    assert by_id["ok_article"].published == date(2020, 2, 8) and by_id["ok_article"].outlet == "AFP"
    assert by_id["bad_date"].published is None and by_id["future_date"].published == date(2099, 1, 1)
    assert "huge" in [a.doc_id for a in articles(BROKEN)[0]]


@needs_extractor
def test_parse_warns_every_check_problem(tmp_path: Path) -> None:
    expected = articles(BROKEN, SMALL)[1]
    with pytest.warns(CorpusWarning) as record:
        done = write_corpus(BROKEN, tmp_path / "out", jobs=1, cache=False, max_bytes=SMALL)
    assert done.problems == expected
    assert [str(w.message) for w in record if issubclass(w.category, CorpusWarning)] == expected


@needs_extractor
def test_parse_of_a_folder_without_articles(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "empty.txt").write_bytes(b"")
    with pytest.warns(CorpusWarning, match="no readable .txt article in the folder"):
        with pytest.raises(CorpusError, match="no article could be read"):
            write_corpus(tmp_path / "c", tmp_path / "out", jobs=1, cache=False)
    with pytest.raises(CorpusError, match="corpus folder not found"):
        list(scan(tmp_path / "nope"))


def to_csv_text(df: pd.DataFrame, schema: dict) -> str:
    return tables.csv_header(schema) + tables.csv_rows(df, schema)


# --- atomic writes ----------------------------------------------------------------------------

def old_tables() -> dict:
    docs = pd.DataFrame({"doc_id": ["old"], "n_chars": [1]})
    figs = pd.DataFrame({"doc_id": ["old"], "value": [1.0], "quote": ["old quote"]})
    return {"documents": (docs, DOCUMENTS), "figures": (figs, FIGURES)}


def new_tables() -> dict:
    docs = pd.DataFrame({"doc_id": ["new", "newer"], "n_chars": [2, 3]})
    figs = pd.DataFrame({"doc_id": ["new"], "value": [2.5], "quote": ["new, \"quoted\"\nquote"]})
    return {"documents": (docs, DOCUMENTS), "figures": (figs, FIGURES)}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    tables.write_tables(old_tables(), out)
    (out / "README.md").write_text("kept\n")
    return out


def leftovers(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.parent.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("exc", [KeyboardInterrupt, MemoryError, ValueError])
def test_interrupted_write_keeps_previous_tables(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                  exc: type[BaseException]) -> None:
    before = snapshot(data_dir)
    real, calls = tables.row_cells, []

    def flaky(df: pd.DataFrame, schema: dict) -> list:
        calls.append(1)
        if len(calls) == 2:  # the first table is already written to the temporary folder
            raise exc("interrupted")
        return real(df, schema)

    monkeypatch.setattr(tables, "row_cells", flaky)
    with pytest.raises(exc):
        tables.write_tables(new_tables(), data_dir)
    assert snapshot(data_dir) == before
    assert leftovers(data_dir) == []


def test_failure_while_moving_into_place_rolls_back(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(data_dir)
    real, calls = os.replace, []

    def flaky(src, dst) -> None:
        calls.append(dst)
        if len(calls) == 2:  # documents.csv is already replaced, figures.csv is not
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(tables.os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        tables.write_tables(new_tables(), data_dir)
    assert snapshot(data_dir) == before
    assert leftovers(data_dir) == []


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C raises KeyboardInterrupt, as in a terminal (a process started in the background by a
    shell without job control inherits SIGINT ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_while_moving_into_place_is_held_until_done(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                          ctrl_c_raises: None) -> None:
    real = os.replace

    def replace_then_ctrl_c(src, dst) -> None:
        real(src, dst)
        os.kill(os.getpid(), signal.SIGINT)  # delivered only once every table is in place

    monkeypatch.setattr(tables.os, "replace", replace_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        tables.write_tables(new_tables(), data_dir)
    monkeypatch.undo()
    assert (data_dir / "documents.csv").read_text() == to_csv_text(*new_tables()["documents"])
    assert (data_dir / "figures.csv").read_text() == to_csv_text(*new_tables()["figures"])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert leftovers(data_dir) == []


def test_killed_process_keeps_previous_tables(data_dir: Path, tmp_path: Path) -> None:
    """SIGKILL in the middle of writing (no cleanup at all): data/ is untouched."""
    before = snapshot(data_dir)
    marker = tmp_path / "writing"
    script = textwrap.dedent(f"""
        import time, pandas as pd
        from pathlib import Path
        from sahel.store import tables
        from sahel.schema import DOCUMENTS, FIGURES
        real = tables.row_cells
        def slow(df, schema):
            if "figure_id" in schema:
                Path({str(marker)!r}).touch()
                time.sleep(60)
            return real(df, schema)
        tables.row_cells = slow
        docs = pd.DataFrame({{"doc_id": ["new"]}})
        tables.write_tables({{"documents": (docs, DOCUMENTS), "figures": (docs, FIGURES)}}, Path({str(data_dir)!r}))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "writer did not start"
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    assert snapshot(data_dir) == before
    for left in data_dir.parent.glob(f".{data_dir.name}-*"):  # the temp folder of a killed run
        assert not (left / "documents.csv").samefile(data_dir / "documents.csv")


def test_csv_text_is_stable() -> None:
    df = pd.DataFrame({"doc_id": ["b", "a"], "value": [4500.0, 0.1 + 0.2], "value_high": [None, 1e20],
                       "date_start": pd.to_datetime(["2020-01-02", None]), "quote": ["x,\"y\"\nz", ""]})
    text = to_csv_text(df, FIGURES)
    assert text == to_csv_text(df.copy(), FIGURES)
    rows = text.split("\n")
    assert rows[1].startswith(",b,") and rows[-1] == ""  # row order kept, one trailing newline
    assert ",b,4500,," in text and "0.30000000000000004,1e+20" in text and ",2020-01-02," in text
    assert "\r" not in text


# --- sahel parse on broken and hostile corpora -----------------------------------------------

@needs_extractor
def test_parse_broken_corpus_skips_bad_files_and_warns(tmp_path: Path) -> None:
    out = tmp_path / "data"
    rc, stdout, stderr = run_cli("parse", str(BROKEN), "--out", str(out), "--max-bytes", str(SMALL))
    assert rc == 0, stderr
    assert "Traceback" not in stderr
    docs = pd.read_csv(out / "documents.csv", dtype=str)
    assert list(docs["doc_id"]) == READABLE
    warned = [line for line in stderr.splitlines() if line.startswith("warning: ")]
    expected = [f"warning: {p}" for p in scan(BROKEN, max_bytes=SMALL) if isinstance(p, Problem)]
    assert [w for w in warned if w in expected] == expected
    figs = pd.read_csv(out / "figures.csv", dtype=str)
    assert {"ok_article", "cp1252_article", "utf16_article"} <= set(figs["doc_id"])


@needs_extractor
def test_parse_strict_refuses_and_writes_nothing(data_dir: Path) -> None:
    before = snapshot(data_dir)
    rc, _, stderr = run_cli("parse", str(BROKEN), "--out", str(data_dir), "--strict")
    assert rc == 1
    assert "nothing was written" in stderr and "Traceback" not in stderr
    assert snapshot(data_dir) == before
    rc, _, stderr = run_cli("parse", str(HOSTILE), "--out", str(data_dir), "--strict")
    assert rc == 0, stderr


def test_parse_fails_when_nothing_can_be_parsed(tmp_path: Path, data_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("empty.txt", "binary.txt", "blank.txt"):
        shutil.copy(BROKEN / name, corpus / name)
    before = snapshot(data_dir)
    rc, _, stderr = run_cli("parse", str(corpus), "--out", str(data_dir))
    assert rc == 2
    assert "Traceback" not in stderr
    assert f"sahel parse: error: {corpus}: no article could be read" in stderr
    assert snapshot(data_dir) == before


@needs_extractor
def test_parse_interrupted_keeps_previous_data(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SAHEL_CACHE", "off")
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # main() replaces it
    before = snapshot(data_dir)
    real, calls = tables.TableSet.write, []

    def ctrl_c(self, name: str, lines: str) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, name, lines)

    monkeypatch.setattr(tables.TableSet, "write", ctrl_c)
    assert main(["parse", str(SEEDS), "--out", str(data_dir)]) == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err
    assert snapshot(data_dir) == before


@needs_extractor
def test_extractor_crash_skips_the_article_with_one_line(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import sahel.extract

    monkeypatch.setenv("SAHEL_CACHE", "off")
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # main() replaces it
    real = sahel.extract.parse_text

    def crash_on_001(text: str, *, doc_id: str = "doc", published=None):
        if doc_id.startswith("001"):
            raise ValueError("boom\nsecond line")
        return real(text, doc_id=doc_id, published=published)

    monkeypatch.setattr(sahel.extract, "parse_text", crash_on_001)
    assert main(["parse", str(SEEDS), "--out", str(data_dir)]) == 0
    [line] = [x for x in capsys.readouterr().err.splitlines() if "extractor failed" in x]
    assert "001_9bbc052057da1eea.txt: extractor failed (ValueError: boom second line); skipped" in line
    figures = (data_dir / "figures.csv").read_text(encoding="utf-8")
    assert "000_59af83d45f761803" in figures and "001_9bbc052057da1eea:" not in figures


@needs_extractor
def test_hostile_text_reaches_the_figures_verbatim(tmp_path: Path) -> None:
    import sahel

    corpus = sahel.parse_corpus(HOSTILE)
    figs = corpus.figures
    assert set(corpus.documents["doc_id"]) == {"h01_html", "h02_markdown", "h03_unicode"}
    quotes = " ".join(figs["quote"].dropna())
    for needle in ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "[the army](javascript:alert(6))",
                   "`backticks`", "$x = 42$"):
        assert needle in quotes, f"{needle!r} not in any quote: the hostile fixture no longer reaches reports"
    texts = {p.stem: p.read_bytes().decode("utf-8") for p in HOSTILE.glob("*.txt")}  # keeps \r\n
    for row in figs.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.surface
    assert ((figs["doc_id"] == "h01_html") & (figs["value"] == 12) & (figs["measure"] == "killed")).any()


@needs_extractor
def test_parse_text_with_a_far_future_publication_date() -> None:
    """Dates beyond datetime64[ns] (year 2262) become NaT instead of overflowing."""
    import sahel

    doc = sahel.parse_text("600 troops were deployed last week.", published="2999-01-01")
    assert len(doc.figures) == 1 and doc.figures["date_start"].isna().all()


def test_parse_survives_a_far_future_catalog_date(tmp_path: Path) -> None:
    folder = catalog(tmp_path, "doc_id,published\na,2999-01-01\n", a="600 troops were deployed last week.")
    [art], [problem] = articles(folder)
    assert art.published is None and "out of range" in problem


# --- determinism ----------------------------------------------------------------------------

@needs_extractor
def test_parsing_twice_gives_byte_identical_tables(tmp_path: Path) -> None:
    """Two processes (other hash seeds), then a cold and a warm cache: the same bytes."""
    outs = []
    for i, (seed, cache) in enumerate([("1", "off"), ("2", str(tmp_path / "cache")),
                                       ("3", str(tmp_path / "cache"))]):
        out = tmp_path / f"data{i}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SAHEL_CACHE": cache}
        proc = subprocess.run([sys.executable, "-m", "sahel.cli", "parse", str(SEEDS), "--out", str(out)],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outs.append(snapshot(out))
    assert outs[0].keys() >= {"documents.csv", "figures.csv"}
    assert outs[0] == outs[1] == outs[2]
