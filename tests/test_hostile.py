"""Hostile and unlucky input in the store stage (issue 20): nothing lost, nothing hung, nothing executed."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sahel
from sahel import paths
from sahel.check import check_corpus
from sahel.cli import main
from sahel.pipeline import write_corpus
from sahel.schema import DOCUMENTS, FIGURES
from sahel.store import scan as scan_mod
from sahel.store import tables
from sahel.store.scan import CorpusWarning

KILLED = "Five French soldiers were killed near Gao on Monday, the army said."


def corpus(folder: Path, catalog: str | bytes | None = None, **articles: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, text in articles.items():
        (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    if catalog is not None:
        data = catalog.encode("utf-8") if isinstance(catalog, str) else catalog
        (folder / "catalog.csv").write_bytes(data)
    return folder


def quiet_write(folder: Path, out: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return write_corpus(folder, out, jobs=1, cache=False, progress=False, **kw)


def test_item1_no_stale_table_survives(tmp_path: Path) -> None:
    out = tmp_path / "o"
    quiet_write(paths.SEEDS_DIR, out)
    assert "000_" in (out / "events.csv").read_text(encoding="utf-8")
    undated = corpus(tmp_path / "undated", a="The weather in Bamako was mild.")
    quiet_write(undated, out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*(f"{n}.csv" for n in ("documents", "figures", "numbers", "mentions", "facts", "events",
                                                   "timeline", "places", "actors", "parties", "measures", "corrections")),
                            "datapackage.json"])
    for name in names:
        assert "000_59af83d45f761803" not in (out / name).read_text(encoding="utf-8"), name
    assert len((out / "events.csv").read_text(encoding="utf-8").splitlines()) == 1  # the header only


def test_item3_a_file_name_not_utf8_is_skipped_with_a_warning(tmp_path: Path, capsys) -> None:
    folder = corpus(tmp_path / "c", "doc_id,published\nok,2020-01-01\n", ok=KILLED)
    bad = os.path.join(os.fsencode(folder), b"caf\xe9\n.txt")
    with open(bad, "wb") as fh:
        fh.write(KILLED.encode())
    done = quiet_write(folder, tmp_path / "out")
    assert done.documents == 1 and done.figures >= 1
    [problem] = [p for p in done.problems if "not valid UTF-8" in p]
    assert "\n" not in problem and "\\udce9" in problem and "\\n" in problem  # escaped, one line
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "file name is not valid UTF-8" in out and all("caf" not in line or "\\n" in line for line in out.splitlines())


@pytest.mark.parametrize("bad_row", ['"a stray,quote,AFP', "x," + "y" * 200_000 + ",AFP"])
def test_item4_one_malformed_catalog_row_keeps_the_later_rows(tmp_path: Path, bad_row: str) -> None:
    folder = corpus(tmp_path / "c", f"doc_id,published,outlet\n{bad_row}\nlater,2020-03-04,AFP\n", later=KILLED)
    problems = check_corpus(folder)
    assert problems["problem"].str.contains("line 2: malformed").any()
    done = quiet_write(folder, tmp_path / "out")
    docs = sahel.load(tmp_path / "out").documents
    assert done.documents == 1 and docs["published"].iloc[0] == pd.Timestamp("2020-03-04")


def test_item5_formula_cells_are_neutralized_and_restored(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c", "doc_id,published,outlet\n=2+5,2020-01-01,=cmd|' /C calc'!A0\n",
                    **{"=2+5": "- 3 soldiers were killed. " + KILLED})
    quiet_write(folder, tmp_path / "out")
    for path in (tmp_path / "out").glob("*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for cell in line.split(","):
                assert not cell.lstrip('"')[:1] in ("=", "+", "@"), (path.name, cell)
    loaded = sahel.load(tmp_path / "out")
    assert loaded.documents["doc_id"].tolist() == ["=2+5"]
    assert loaded.documents["outlet"].tolist() == ["=cmd|' /C calc'!A0"]
    assert set(loaded.figures["doc_id"]) == {"=2+5"}
    df = pd.DataFrame({"doc_id": ["=1", "'=2", "''-3", "plain", "'quoted'", None]})
    tables.write_tables({"figures": (df, FIGURES)}, tmp_path / "rt")
    back = tables.read_table(tmp_path / "rt" / "figures.csv", FIGURES)["doc_id"]
    assert back.tolist()[:5] == df["doc_id"].tolist()[:5] and back.isna().iloc[5]


def test_rows_are_written_as_their_frame_is(tmp_path: Path) -> None:
    """parse_article turns row dicts into CSV lines without a frame: the cells must be those of the frame."""
    from datetime import date

    from sahel.schema import frame
    texts = ["", "plain", "=1+2", "+x", "-", "@sum", "\tt", "\rr", "'=q", "''+1", 'q"uote', "a,b", "l\nm", " =x"]
    floats = [None, 0.0, -3.0, 2.5, 1e15, 1e16, 999999999999999.0, -1e20, 1 / 3, float("inf"), float("nan")]
    days = [None, date(2020, 1, 2), date(1066, 1, 1), date(1677, 12, 31), date(1678, 1, 1), date(2261, 12, 31),
            date(2262, 1, 1)]
    rows = [{"figure_id": t, "doc_id": texts[-1 - i], "value": floats[i % len(floats)], "date_start": days[i % 7],
             "date_end": days[-1 - i % 7], "start": i - 5, "paragraph": None if i % 3 else i, "corrected": i % 2 == 0}
            for i, t in enumerate(texts)]
    assert "".join(tables.csv_lines(rows, FIGURES)) == tables.csv_rows(frame(rows, FIGURES), FIGURES)


def test_item6_symlinks_leaving_the_corpus_are_skipped_and_refused_with_strict(tmp_path: Path, capsys) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The secret: 99 soldiers were killed in Paris.", encoding="utf-8")
    folder = corpus(tmp_path / "c", "doc_id,published\nok,2020-01-01\ns,2020-01-01\ninside,2020-01-01\n", ok=KILLED)
    (folder / "s.txt").symlink_to(secret)
    (folder / "inside.txt").symlink_to(folder / "ok.txt")
    with pytest.warns(CorpusWarning, match="s.txt: symbolic link leaving the corpus folder"):
        done = write_corpus(folder, tmp_path / "out", jobs=1, cache=False, progress=False)
    assert done.documents == 2
    assert "99" not in (tmp_path / "out" / "figures.csv").read_text(encoding="utf-8")
    assert main(["parse", str(folder), "--out", str(tmp_path / "strict"), "--strict", "--no-cache"]) == 1
    assert "symbolic link" in capsys.readouterr().err and not (tmp_path / "strict").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_item9_a_fifo_catalog_does_not_hang(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c", ok=KILLED)
    os.mkfifo(folder / "catalog.csv")
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT), "SAHEL_CACHE": "off"}
    for argv in (["check", str(folder)], ["parse", str(folder), "--out", str(tmp_path / "out"), "-j", "1"]):
        proc = subprocess.run([sys.executable, "-m", "sahel.cli", *argv], capture_output=True, text=True,
                              env=env, timeout=120)
        assert "catalog is not a regular file" in proc.stdout + proc.stderr
    assert (tmp_path / "out" / "figures.csv").exists()


def test_item9_catalog_size_limit(tmp_path: Path, monkeypatch) -> None:
    folder = corpus(tmp_path / "c", "doc_id,published\nok,2020-01-01\n" + "x,2020-01-01\n" * 100, ok=KILLED)
    monkeypatch.setattr(scan_mod, "MAX_CATALOG_BYTES", 200)
    problems = check_corpus(folder)
    assert problems["problem"].str.contains(r"catalog too large \(1,\d\d\d bytes, limit 200\)").any()


def test_item11_old_temporary_folders_are_removed_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    left = tmp_path / f".out{tables.TMP_TAG}killed"
    left.mkdir()
    (left / "figures.csv").write_text("half\n")
    quiet_write(paths.SEEDS_DIR, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_item12_two_runs_into_one_folder_do_not_interleave(tmp_path: Path) -> None:
    out = tmp_path / "out"
    docs = pd.DataFrame({"doc_id": ["second"]})
    finished: list[float] = []

    def second() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables.write_tables({"documents": (docs, DOCUMENTS)}, out)
        finished.append(time.monotonic())

    with tables.TableSet(out, {"documents": DOCUMENTS}) as first:
        first.frame("documents", pd.DataFrame({"doc_id": ["first"]}))
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(1.0)
        assert not finished  # waiting for the lock
        released = time.monotonic()
    thread.join(30)
    assert finished and finished[0] >= released
    assert "second" in (out / "documents.csv").read_text()


def test_item6_a_loop_of_symlinks_is_one_line_not_a_crash(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c", ok=KILLED)
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    df = check_corpus(folder)
    assert set(df.loc[df["severity"] == "error", "file"]) == {"a.txt", "b.txt"}
    assert quiet_write(folder, tmp_path / "out").documents == 1


def test_item2_an_article_over_a_million_characters_is_parsed(tmp_path: Path, capsys) -> None:
    text = "The weather was mild in Bamako. " * 33_000 + "\n\n" + KILLED + "\n"
    assert len(text) > 1_000_000
    folder = corpus(tmp_path / "c", "doc_id,published\nbig,2020-01-01\n", big=text)
    assert main(["parse", str(folder), "--out", str(tmp_path / "out"), "--strict", "--no-cache", "-j", "1"]) == 0
    assert "extractor failed" not in capsys.readouterr().err
    figures = sahel.load(tmp_path / "out").figures
    [start] = figures["start"].tolist()
    assert text[start:start + 4] == "Five" and start > 1_000_000


def test_strict_parse_fails_when_an_article_fails_to_parse(tmp_path: Path, monkeypatch, capsys) -> None:
    import sahel.extract

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(sahel.extract, "parse_text", broken)
    folder = corpus(tmp_path / "c", "doc_id,published\nok,2020-01-01\n", ok=KILLED)
    assert main(["parse", str(folder), "--out", str(tmp_path / "out"), "--strict", "--no-cache", "-j", "1"]) == 1
    assert "ok.txt: extractor failed (ValueError: boom)" in capsys.readouterr().err


def test_item7_lone_cr_line_endings_give_paragraphs() -> None:
    from sahel.extract import parse_text

    text = "Mali: the toll\r\rIn Gao. " + KILLED + "\r\rIn Menaka. Three Malian soldiers died on Tuesday."
    figs = parse_text(text, doc_id="cr", published="2020-01-08").figures
    assert figs["paragraph"].tolist() == [2, 3]
    assert [text[s:e] for s, e in zip(figs["start"], figs["end"])] == ["Five", "Three"]
    assert all(text[s:e] == q for s, e, q in zip(figs["sentence_start"], figs["sentence_end"], figs["quote"]))


@pytest.mark.parametrize("mark", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202a", "\u202b", "\u202c",
                                  "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_item7_invisible_characters_inside_a_word_keep_the_figure(mark: str) -> None:
    from sahel.extract import parse_text

    for text in (f"Fi{mark}ve French sol{mark}diers were killed near Gao on Monday.",
                 f"Among the dead: 1{mark}2 French soldiers were kil{mark}led near Gao on Monday."):
        [fig] = parse_text(text, doc_id="z", published="2020-01-08").figures.itertuples()
        assert fig.measure == "killed" and text[fig.start:fig.end].replace(mark, "") in ("Five", "12")
        assert text[fig.sentence_start:fig.sentence_end] == fig.quote == text.rstrip()


def test_a_lone_surrogate_is_not_a_crash() -> None:
    from sahel.extract import parse_text

    text = "Five French soldiers were killed near Gao on Monday. \udce9 Then 3 soldiers were killed."
    figs = parse_text(text, doc_id="s", published="2020-01-08").figures
    assert figs["value"].tolist() == [5, 3] and text[figs["start"].iloc[1]] == "3"


# --- "Tracebacks and unclear messages" ------------------------------------------------------------------

def cli(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT), "SAHEL_CACHE": "off"}
    return subprocess.run([sys.executable, "-m", "sahel.cli", *argv], capture_output=True, text=True, env=env,
                          timeout=300, cwd=cwd)


UNLUCKY = Path(__file__).parent / "fixtures" / "hostile" / "unlucky"


def test_unlucky_files_are_read_with_one_warning_each(tmp_path: Path) -> None:
    problems = check_corpus(UNLUCKY)
    assert problems[["file", "severity"]].values.tolist() == [
        ["catalog.csv", "warning"], ["nul_byte.txt", "warning"], ["utf16_no_bom.txt", "warning"]]
    proc = cli("parse", str(UNLUCKY), "--out", str(tmp_path / "out"), "-j", "1")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "nul_byte.txt: 1 NUL byte(s) (first at byte 42) read as spaces" in proc.stderr
    assert "utf16_no_bom.txt: not UTF-8: utf_16_le without byte-order mark, decoded" in proc.stderr
    loaded = sahel.load(tmp_path / "out")
    assert loaded.documents["published"].notna().all()  # the latin-1 catalog was read
    assert "Le Républicain" in loaded.documents["outlet"].tolist()
    figs = loaded.figures
    assert figs[["doc_id", "value", "measure", "paragraph"]].values.tolist() == [
        ["UPPER", 9, "killed", 1], ["invisible", 12, "wounded", 1], ["invisible", 7, "killed", 2],
        ["lone_cr", 5, "killed", 2], ["lone_cr", 3, "killed", 3], ["nul_byte", 4, "wounded", 1],
        ["utf16_no_bom", 6, "killed", 1]]
    for row in figs.itertuples():
        path = next(UNLUCKY.glob(f"{row.doc_id}.*"))
        text = path.read_bytes().decode("utf_16_le" if "utf16" in row.doc_id else "utf-8").replace("\x00", " ")
        assert text[row.start:row.end] == row.surface and text[row.sentence_start:row.sentence_end] == row.quote


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16-le", "utf-16"])
def test_a_latin1_or_utf16_catalog_is_decoded(tmp_path: Path, encoding: str) -> None:
    catalog = "doc_id,published,outlet\nok,2020-01-01,Le Républicain du Mali\n".encode(encoding)
    folder = corpus(tmp_path / "c", catalog, ok=KILLED)
    problems = check_corpus(folder)
    assert problems["severity"].tolist() == ["warning"] and problems["problem"].str.contains("catalog").all()
    quiet_write(folder, tmp_path / "out")
    docs = sahel.load(tmp_path / "out").documents
    assert docs["outlet"].tolist() == ["Le Républicain du Mali"] and str(docs["published"][0].date()) == "2020-01-01"


def test_a_colon_in_a_doc_id_is_refused(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c", "doc_id,published\nok,2020-01-01\n", ok=KILLED, **{"a:13": KILLED + " 3 more."})
    problems = check_corpus(folder)
    assert problems.loc[problems["file"] == "a:13.txt", "problem"].str.contains("has a ':'").all()
    done = quiet_write(folder, tmp_path / "out")
    assert done.documents == 1 and set(sahel.load(tmp_path / "out").figures["figure_id"]) == {"ok:0"}


def test_a_newline_in_a_file_name_cannot_fake_a_warning_line(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c", "doc_id,published\nok,2020-01-01\n", ok=KILLED)
    (folder / "x\nwarning\rfake\x1b[2J.txt").write_text("", encoding="utf-8")
    for argv in (["check", str(folder)], ["parse", str(folder), "--out", str(tmp_path / "out"), "-j", "1"]):
        proc = cli(*argv)
        text = proc.stdout + proc.stderr
        assert "x\\nwarning\\rfake\\x1b[2J.txt" in text and "\x1b" not in text and "\r" not in text
        assert all("x\\nwarning" in line for line in text.splitlines() if "fake" in line)


def test_total_with_a_date_that_is_not_a_date_is_a_clear_error() -> None:
    corpus_ = sahel.load()
    with pytest.raises(ValueError, match="start and end must be dates .* not 'yesterday'"):
        corpus_.total("killed", start="yesterday")


def test_out_a_file_and_disk_full_name_the_path(tmp_path: Path, monkeypatch, capsys) -> None:
    folder = corpus(tmp_path / "c", "doc_id,published\nok,2020-01-01\n", ok=KILLED)
    (tmp_path / "afile").write_text("x")
    proc = cli("parse", str(folder), "--out", str(tmp_path / "afile"), "-j", "1")
    assert proc.returncode == 2 and "afile: not a folder" in proc.stderr and "Errno" not in proc.stderr

    def full(self, name, lines):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables.TableSet, "write", full)
    out = tmp_path / "out"
    assert main(["parse", str(folder), "--out", str(out), "-j", "1", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert f"No space left on device while writing the tables of {out}; nothing in it changed" in err
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


def test_score_names_a_missing_gold_file_and_refuses_impossible_values(tmp_path: Path, capsys) -> None:
    assert main(["score", str(tmp_path / "missing.csv"), "--corpus", str(paths.SEEDS_DIR)]) == 2
    assert f"{tmp_path / 'missing.csv'}: gold file not found" in capsys.readouterr().err
    gold = pd.read_csv(Path(__file__).parent / "fixtures" / "seeds-figures.csv", dtype=str)
    for value in ("1e400", "-3"):
        gold.loc[2, "value"] = value
        gold.to_csv(tmp_path / "gold.csv", index=False)
        assert main(["score", str(tmp_path / "gold.csv"), "--corpus", str(paths.SEEDS_DIR)]) == 2
        err = capsys.readouterr().err
        assert f"gold.csv: line 4: value {float(value)} is not a finite number >= 0" in err, err


def test_item8_figures_per_article_are_limited_with_a_warning(tmp_path: Path, monkeypatch) -> None:
    from sahel import pipeline

    monkeypatch.setattr(pipeline, "MAX_FIGURES", 2)
    folder = corpus(tmp_path / "c", "doc_id,published\nlog,2020-01-08\n",
                    log="Casualty log\n\n3 soldiers killed in Gao.\n4 soldiers killed in Kidal.\n"
                        "5 soldiers killed in Mopti.\n")
    with pytest.warns(CorpusWarning, match=r"log.txt: 3 figures; only the first 2 kept"):
        done = write_corpus(folder, tmp_path / "out", jobs=1, cache=False, progress=False)
    assert sahel.load(tmp_path / "out").figures["value"].tolist() == [3, 4] and done.figures == 2


def test_random_binary_data_with_few_nul_bytes_is_still_binary() -> None:
    data = bytes((i * 7919 + 13) * 104729 % 251 + 3 for i in range(20_000)) + b"\x00" * 50
    assert scan_mod.decode_bytes(data).problem.startswith("binary file")
    assert scan_mod.decode_bytes(b"Four soldiers\x00 were killed.").text == "Four soldiers  were killed."
