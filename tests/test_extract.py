"""The extractor against the codebook: seeds, development set and unit cases."""
from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import sahel
from sahel.extract.dates import find_dates
from sahel.extract.numbers import parse_number
from sahel.score import read_gold, score

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def seeds() -> sahel.Corpus:
    return sahel.parse_corpus(ROOT / "seeds", jobs=1, cache=False)


def test_seeds_score_perfect(seeds: sahel.Corpus) -> None:
    result = score(read_gold(FIXTURES / "seeds-figures.csv"), seeds.figures)
    assert result.f1 == 1.0, result.report()
    assert result.qualifier_accuracy == 1.0, result.report()
    assert result.date_accuracy == 1.0, result.report()


def test_development_set_f1() -> None:
    with pytest.warns(sahel.CorpusWarning, match="dev_a05"):  # no publication date
        dev = sahel.parse_corpus(FIXTURES / "dev", jobs=1, cache=False)
    result = score(read_gold(FIXTURES / "dev-figures.csv"), dev.figures)
    assert result.f1 >= 0.9, result.report()
    assert result.qualifier_accuracy >= 0.9
    assert result.date_accuracy >= 0.9


@pytest.mark.parametrize("name", ["holdout", "holdout2", "holdout3"])
def test_held_out_sets_do_not_regress(name: str) -> None:
    """Once scored untouched (F1 0.839, 0.671, 0.797), now development sets: keep them >= 0.9."""
    folder = ROOT / "benchmarks" / name
    result = score(read_gold(folder / "gold.csv"), sahel.parse_corpus(folder, jobs=1, cache=False).figures)
    assert result.f1 >= 0.9, result.report()


def test_real_text_development_batch() -> None:
    """Real published text, batch1 (development material): first scored untouched at F1 0.608; keep it >= 0.9."""
    folder = FIXTURES / "real" / "batch1"
    result = score(read_gold(folder / "gold.csv"), sahel.parse_corpus(folder, jobs=1, cache=False).figures)
    assert result.f1 >= 0.9, result.report()
    assert result.date_accuracy >= 0.9, result.report()


def test_every_figure_has_its_source(seeds: sahel.Corpus) -> None:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt")}
    for row in seeds.figures.itertuples():
        text = texts[row.doc_id]
        assert text[row.start:row.end] == row.surface
        assert text[row.sentence_start:row.sentence_end] == row.quote
        assert row.surface in row.quote


@pytest.mark.parametrize("phrase, value", [
    ("4,500", 4500), ("4.2 million", 4_200_000), ("a dozen", 12), ("two dozen", 24),
    ("three", 3), ("twenty-five", 25), ("a million", 1_000_000), ("half a million", 500_000),
    ("two hundred", 200), ("1.2bn", 1.2e9), ("13,000", 13000),
])
def test_parse_number(phrase: str, value: float) -> None:
    assert parse_number(phrase) == value


@pytest.mark.parametrize("phrase", ["hundreds", "G5", "", "several", "2nd"])
def test_parse_number_rejects(phrase: str) -> None:
    assert parse_number(phrase) is None


PUB = date(2019, 11, 26)  # a Tuesday


@pytest.mark.parametrize("text, start, end", [
    ("on Monday", "2019-11-25", "2019-11-25"),
    ("on Tuesday", "2019-11-19", "2019-11-19"),  # strictly before publication
    ("last week", "2019-11-18", "2019-11-24"),
    ("in August", "2019-08-01", "2019-08-31"),
    ("in December", "2018-12-01", "2018-12-31"),  # the most recent December
    ("in 2019", "2019-01-01", "2019-12-31"),
    ("in late September", "2019-09-21", "2019-09-30"),
    ("in early February", "2019-02-01", "2019-02-10"),
    ("mid-October", "2019-10-11", "2019-10-20"),
    ("since 2013", "2013-01-01", "2019-11-26"),
    ("last month", "2019-10-01", "2019-10-31"),
    ("last year", "2018-01-01", "2018-12-31"),
    ("on 9 December 2018", "2018-12-09", "2018-12-09"),
    ("on October 30", "2019-10-30", "2019-10-30"),
])
def test_dates_resolve_by_codebook(text: str, start: str, end: str) -> None:
    (found,) = find_dates(f"It happened {text}.", PUB)
    assert (str(found.date_start), str(found.date_end)) == (start, end)


def test_dates_that_date_something_else_are_flagged() -> None:
    kinds = {d.text: d.ignore for d in find_dates(
        "Barkhane, which began in 2014, said on Tuesday that by mid-October it had 50 more.", PUB)}
    assert kinds == {"in 2014": "other-event", "on Tuesday": "speech", "by mid-October": "bound"}


def test_relative_dates_unresolved_without_publication() -> None:
    doc = sahel.parse_text("Mali lost 24 soldiers last week. In 2019, 30 soldiers died.")
    rows = doc.figures.set_index("value")
    assert pd.isna(rows.loc[24, "date_start"])
    assert rows.loc[30, "date_start"] == pd.Timestamp("2019-01-01")


def _one(text: str, **kw) -> pd.Series:
    figs = sahel.parse_text(text, published=kw.pop("published", "2020-03-02"), **kw).figures
    scored = figs[figs["measure"] != "other"]
    assert len(scored) == 1, figs[["surface", "party", "measure"]]
    return scored.iloc[0]


@pytest.mark.parametrize("text, value, high, qualifier", [
    ("Between 20 and 30 soldiers were killed.", 20, 30, "range"),
    ("Some 20 to 30 soldiers were killed.", 20, 30, "range"),
    ("Upwards of 1,000 troops were deployed.", 1000, None, "at_least"),
    ("No more than 150 soldiers will be sent.", 150, None, "at_most"),
    ("Up to 600 soldiers will be sent.", 600, None, "at_most"),
    ("Nearly 40 civilians were killed.", 40, None, "approx"),
    ("An estimated 2.1 million people have been displaced.", 2_100_000, None, "approx"),
    ("Some 50 soldiers or more were wounded.", 50, None, "at_least"),
    ("Close to 20 peacekeepers were injured.", 20, None, "approx"),
])
def test_values_and_qualifiers(text: str, value: float, high: float | None, qualifier: str) -> None:
    row = _one(text)
    assert row["value"] == value and row["qualifier"] == qualifier
    assert (pd.isna(row["value_high"]) if high is None else row["value_high"] == high)


@pytest.mark.parametrize("text, party, measure", [
    ("Jihadists killed 24 Malian soldiers in Boulikessi.", "MLI", "killed"),
    ("French soldiers killed 30 fighters near Gao.", "JIHADIST", "killed"),
    ("Chad, which keeps some 1,400 soldiers in MINUSMA, has lost more peacekeepers.", "TCD", "deployed"),
    ("Ten Chadian peacekeepers were killed in Aguelhok.", "TCD", "killed"),
    ("The UN has 13,000 peacekeepers in Mali.", "UN", "deployed"),
    ("Police arrested four suspected militants in Niamey.", "JIHADIST", "captured"),
    ("More than 4,000 deaths were reported across the region.", "UNKNOWN", "killed"),
    ("Over 300,000 people have fled their homes.", "CIVILIAN", "displaced"),
    ("Estonia pledged to send 50 soldiers.", "EST", "deployed"),
    ("Two French Mirage jets crashed during a training flight.", "FRA", "destroyed"),
])
def test_party_and_measure(text: str, party: str, measure: str) -> None:
    row = _one(text)
    assert (row["party"], row["measure"]) == (party, measure)


def test_elliptical_figures_inherit_party_and_noun() -> None:
    figs = sahel.parse_text(
        "Barkhane killed about 20 fighters in Gourma, while 10 more were killed in Liptako. "
        "The army lost 12 soldiers. Of these, five were killed by a mine.").figures
    rows = figs.set_index("value")
    assert rows.loc[10, ["party", "noun", "measure"]].tolist() == ["JIHADIST", "fighter", "killed"]
    assert rows.loc[5, "noun"] == "soldier" and rows.loc[5, "measure"] == "killed"


@pytest.mark.parametrize("text", [
    "The 24-year-old soldier was wounded in 2019.",
    "The G5 force was created in 2017 and fought COVID-19.",
    "They were held for 18 months under resolution 2100.",
    "The EU pledged 600 million euros to the force.",
    "The 2nd Foreign Parachute Regiment arrived on 30 October.",
    "Attacks rose by 30 percent; six in ten victims were children.",
])
def test_non_figures(text: str) -> None:
    figs = sahel.parse_text(text, published="2020-01-01").figures
    assert figs[figs["value"].notna() & (figs["measure"] != "other")].empty, figs


def test_numbers_table_says_why() -> None:
    doc = sahel.parse_text("In 2019, a 24-year-old and 13 soldiers died over two days.", published="2020-01-01")
    status = dict(zip(doc.numbers["surface"], doc.numbers["status"]))
    assert status == {"2019": "year", "24": "age", "13": "figure", "two": "duration"}


def test_cleanup_keeps_offsets_into_the_stored_text() -> None:
    text = ("Photo caption that is long enough to be repeated here\n"
            "Photo caption that is long enough to be repeated here AFP / X\n\n"
            "In the \u201cthree-border,quot; area \u2013 12 fighters were killed.")
    doc = sahel.parse_text(text)
    (row,) = doc.figures.itertuples()
    assert text[row.start:row.end] == "12" and row.party == "JIHADIST"


def test_published_accepts_date_string_or_none_and_rejects_garbage() -> None:
    assert sahel.parse_text("x", published=date(2020, 1, 1)).published == date(2020, 1, 1)
    assert sahel.parse_text("x", published="2020-01-01").published == date(2020, 1, 1)
    assert sahel.parse_text("x").published is None
    with pytest.raises(ValueError, match="published"):
        sahel.parse_text("x", published="last Tuesday")


def test_load_imports_no_nlp_library() -> None:
    code = ("import sys, sahel; sahel.load().figures; "
            "bad = [m for m in ('spacy', 'thinc', 'seaborn', 'papermill') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
