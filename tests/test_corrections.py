"""Analyst corrections (issue 18): applied on every run, cached or not; stale and malformed rows named."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import sahel
from sahel import paths
from sahel.check import check_corpus
from sahel.cli import main
from sahel.corrections import FILE, CorrectionsError, apply_corrections, read_corrections
from sahel.pipeline import write_corpus

FIXTURE = Path(__file__).parent / "fixtures" / "corrections.csv"
HEADER = "doc_id,start,end,action,field,value,reason,author,date\n"
D0, D1 = "000_59af83d45f761803", "001_9bbc052057da1eea"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for p in paths.SEEDS_DIR.iterdir():
        if p.suffix in (".txt", ".csv"):
            shutil.copy(p, folder / p.name)
    return folder


def parse(folder: Path, out: Path, **kw) -> sahel.Corpus:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = write_corpus(folder, out, jobs=1, progress=False, **kw)
    corpus = sahel.load(out)
    corpus.problems, corpus.parse_stats = [str(w.message) for w in caught], summary.stats
    return corpus


def test_a_correction_changes_a_total_and_holds_after_a_second_parse(corpus: Path, tmp_path: Path) -> None:
    assert sahel.load().total("killed", party="FRA").best == 41  # the committed data, uncorrected
    shutil.copy(FIXTURE, corpus / FILE)
    for run in ("first", "second"):
        out = parse(corpus, tmp_path / run)
        assert out.total("killed", party="FRA").best == 43, run
        figs = out.figures.set_index("figure_id")
        assert figs.loc[f"{D1}:2194", "value"] == 43 and bool(figs.loc[f"{D1}:2194", "corrected"])
        assert figs.loc[f"{D0}:1018", "party_rule"] == "correction"
        assert f"{D0}:671" not in figs.index  # dropped: not a figure, and its number says so
        numbers = out.numbers.set_index(["doc_id", "start"])
        assert numbers.loc[(D0, 671), "status"] == "dropped" and pd.isna(numbers.loc[(D0, 671), "figure_id"])
        assert int(figs["corrected"].sum()) == 2 and not figs["corrected"].isna().any()
        applied = out.corrections.set_index("line")
        assert applied["status"].tolist() == ["applied"] * 3 and applied.loc[2, "author"] == "A. Analyst"
        assert figs.loc[f"{D1}:2194", "correction"] == applied.loc[2, "correction_id"]
        assert applied.loc[4, "reason"].startswith("=not a formula")  # read back as written ...
        assert out.documents.set_index("doc_id").loc[D0, "n_figures"] == len(figs.loc[figs["doc_id"] == D0])
        assert not out.problems
    assert out.parse_stats.cached == 3  # the second run: every article from the cache, still corrected
    assert "'=not a formula" in (tmp_path / "second" / "corrections.csv").read_text(encoding="utf-8")  # ... neutral
    assert (tmp_path / "first" / "figures.csv").read_bytes() == (tmp_path / "second" / "figures.csv").read_bytes()


def test_corrections_option_and_the_cli(corpus: Path, tmp_path: Path) -> None:
    assert main(["parse", str(corpus), "--out", str(tmp_path / "out"), "--corrections", str(FIXTURE),
                 "-j", "1", "--no-progress"]) == 0
    assert sahel.load(tmp_path / "out").total("killed", party="FRA").best == 43
    assert sahel.parse_corpus(corpus, jobs=1, corrections=FIXTURE).total("killed", party="FRA").best == 43


def test_a_stale_correction_is_named_and_not_applied(corpus: Path, tmp_path: Path, capsys) -> None:
    shutil.copy(FIXTURE, corpus / FILE)
    text = (corpus / f"{D1}.txt").read_text(encoding="utf-8")
    (corpus / f"{D1}.txt").write_text("UPDATED: " + text, encoding="utf-8")  # the text changed: spans moved
    with open(corpus / FILE, "a", encoding="utf-8") as fh:
        fh.write("999_gone,1,3,drop,,,not a figure,A. Analyst,\n")
    out = parse(corpus, tmp_path / "out")
    assert out.total("killed", party="FRA").best == 41  # the change to 43 was not applied
    status = out.corrections.set_index("line")["status"]
    assert status.to_dict() == {2: "stale", 3: "applied", 4: "applied", 5: "stale"}
    stale = [p for p in out.problems if "stale" in p]
    assert len(stale) == 2 and f"{FILE}:2: stale correction set of {D1}:2194" in stale[0]
    assert "999_gone" in stale[1] and "not in the corpus" in stale[1]
    assert not out.figures.set_index("figure_id")["corrected"].get(f"{D1}:2194", False)
    problems = check_corpus(corpus)
    named = problems[problems["file"] == FILE]
    assert len(named) == 2 and set(named["severity"]) == {"error"}
    assert named["problem"].str.startswith("line 2: stale").any()
    assert main(["check", str(corpus)]) == 1
    assert "stale correction" in capsys.readouterr().out


@pytest.mark.parametrize(("line", "problem"), [
    (f"{D1},2194,2196,change,value,43,r,a,", "action 'change'"),
    (f"{D1},2194,2196,set,party,FRANCE,r,a,", "unknown party"),
    (f"{D1},2194,2196,set,value,many,r,a,", "not a number"),
    (f"{D1},2194,2196,set,value,43,r,,", "author is empty"),
    (f"{D1},2196,2194,drop,,,r,a,", "is not a span"),
    (f"{D1},2194,2196,set,date_start,2019-13-01,r,a,", "date_start"),
    (f"{D1},2194,2196,add,,party=FRA,r,a,", "give value"),
    (f"{D1},2194,2196,set,noun,x,r,a,", "cannot be set"),
    (f"{D1},2194,2196,set,value,43,r,a", "8 fields"),
    (f"{D0},671,675,set,value,6,r,a,", "conflicts with line 3"),
])
def test_a_malformed_row_is_one_error_naming_file_and_line(corpus: Path, tmp_path: Path, line: str,
                                                           problem: str) -> None:
    path = corpus / FILE
    path.write_text(FIXTURE.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(CorrectionsError) as err:
        read_corrections(path)
    message = str(err.value)
    assert message.startswith(f"{path}:5: ") and problem in message and "\n" not in message


def test_a_malformed_file_stops_the_parse_before_anything_is_applied(corpus: Path, tmp_path: Path,
                                                                     capsys) -> None:
    out = tmp_path / "out"
    parse(corpus, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (corpus / FILE).write_text(FIXTURE.read_text(encoding="utf-8") + f"{D1},1,2,replace,,,r,a,\n", encoding="utf-8")
    assert main(["parse", str(corpus), "--out", str(out), "-j", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{FILE}:5: action 'replace'" in err[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written, nothing half-applied
    problems = check_corpus(corpus)
    assert problems.loc[problems["file"] == FILE, "problem"].str.startswith("line 5: action").any()


@pytest.mark.parametrize(("header", "problem"), [
    ("doc_id,start,end,action,field,value,reason\n", "missing 'author'"),
    (HEADER.replace("reason", "reasn"), "unknown 'reasn'"),
])
def test_a_bad_header_is_named(tmp_path: Path, header: str, problem: str) -> None:
    (tmp_path / FILE).write_text(header, encoding="utf-8")
    with pytest.raises(CorrectionsError, match=f":1: .*{problem}"):
        read_corrections(tmp_path / FILE)


def test_an_oversized_or_undecodable_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / FILE).write_bytes(HEADER.encode() + b"x" * 5_000_001)
    with pytest.raises(CorrectionsError, match="over 5,000,000 bytes"):
        read_corrections(tmp_path / FILE)
    (tmp_path / FILE).write_bytes(HEADER.encode() + b"\xff\xfe,1\n")
    with pytest.raises(CorrectionsError, match="cannot read the corrections .*utf-8. codec"):
        read_corrections(tmp_path / FILE)


def test_add_makes_a_figure_with_its_sentence(tmp_path: Path) -> None:
    text = (paths.SEEDS_DIR / f"{D1}.txt").read_text(encoding="utf-8")
    start = text.index("three-border")
    (tmp_path / FILE).write_text(
        HEADER + f"{D1},{start},{start + 5},add,,value=3;party=UNKNOWN;measure=other;noun=border;surface=three,"
        "test,A. Analyst,2026-12-07\n"
        f"{D1},{start + 6},{start + 12},add,,value=1;party=FRA;measure=killed;surface=nothing,test,A. Analyst,\n",
        encoding="utf-8")
    figures = sahel.load().figures
    out, applied = apply_corrections(figures, read_corrections(tmp_path / FILE), {D1: text})
    assert applied["status"].tolist() == ["applied", "stale"] and "now reads 'border'" in applied["problem"][1]
    new = out.set_index("figure_id").loc[f"{D1}:{start}"]
    assert new["value"] == 3 and new["surface"] == "three" and new["measure_rule"] == "correction"
    assert new["quote"] in " ".join(text.split()) and "three-border" in new["quote"] and bool(new["corrected"])
    assert len(out) == len(figures) + 1 and out["figure_id"].is_unique
    assert out["doc_id"].tolist() == sorted(out["doc_id"])


def test_a_correction_leaving_dates_reversed_is_refused(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text(HEADER + f"{D0},1722,1725,set,date_start,2020-01-01,r,a,\n", encoding="utf-8")
    with pytest.raises(CorrectionsError, match=f"{FILE}:2: .*date_start after date_end"):
        apply_corrections(sahel.load().figures, read_corrections(tmp_path / FILE), {D0: ""})


def test_report_numbers_follow_the_correction(corpus: Path) -> None:
    from sahel.report import costs, narrative, sources

    shutil.copy(FIXTURE, corpus / FILE)
    s = narrative.story(corpus=str(corpus))
    summary = costs.cost_summary(s)
    row = summary[(summary["party"] == "FRA") & (summary["measure"] == "killed")].iloc[0]
    assert row["best"] == 43
    assert ", corrected]" in row["citation"]  # the report marks the corrected number
    assert sources.corrections_story(s).startswith("Analysts corrected")
    assert set(sources.corrections(s)["status"]) >= {"applied"}
