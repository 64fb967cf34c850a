"""What an analyst meets first: load(), the Corpus's repr, dir, help, code checks and exports."""
from __future__ import annotations

import pandas as pd
import pytest

import sahel
from sahel import schema


@pytest.fixture(scope="module")
def corpus() -> sahel.Corpus:
    return sahel.load()


def test_repr_lists_tables_and_sizes(corpus):
    text = repr(corpus)
    for name in ("documents", "figures", "facts", "events", "parties", "measures"):
        assert f"  {name} " in text
    assert f"{len(corpus.figures):>7,} rows x {corpus.figures.shape[1]} columns" in text


def test_dir_lists_the_tables(corpus):
    names = dir(corpus)
    for name in ("documents", "figures", "facts", "events", "timeline", "places", "actors", "mentions", "numbers",
                 "parties", "measures", "total", "to_excel"):
        assert name in names
    with pytest.raises(AttributeError, match="not a table of this corpus .*facts"):
        corpus.fact  # noqa: B018


def test_load_has_a_real_docstring():
    doc = sahel.load.__doc__
    assert ">>> corpus = sahel.load()" in doc and "sahel parse" in doc and len(doc.splitlines()) > 6


def test_total_rejects_unknown_codes(corpus):
    with pytest.raises(ValueError, match="unknown measure 'kiled': did you mean 'killed'"):
        corpus.total("kiled")
    with pytest.raises(ValueError, match="unknown party 'France': did you mean 'FRA'.*Valid: .*CIV"):
        corpus.total("killed", party="France")
    assert corpus.total("killed", party="FRA").best == 41


def test_dtypes_follow_the_schema_and_counts_are_integers(corpus):
    for name in corpus.names:
        table = corpus.table(name)
        assert {c: str(t) for c, t in table.dtypes.items()} == schema.TABLES[name].dtypes, name
        for column in table.columns:
            if column.startswith("n_"):
                assert str(table[column].dtype) == "Int64", (name, column)


def test_code_tables_are_loaded(corpus):
    parties = corpus.parties.set_index("code")
    assert parties.loc["CIV", "name"] == "Côte d'Ivoire"
    assert set(corpus.figures["party"].dropna()) <= set(parties.index)
    assert set(corpus.figures["measure"].dropna()) <= set(corpus.measures["code"])


def test_load_takes_a_users_folder(corpus, tmp_path):
    corpus.figures.head(2).to_csv(tmp_path / "figures.csv", index=False)
    corpus.documents.to_csv(tmp_path / "documents.csv", index=False, date_format="%Y-%m-%d")
    mine = sahel.load(tmp_path)
    assert len(mine.figures) == 2 and mine.names == ["documents", "figures", "parties", "measures"]
    with pytest.raises(FileNotFoundError, match="documents.csv"):
        sahel.load(tmp_path / "nothing")


def test_to_parquet_round_trips(corpus, tmp_path):
    pytest.importorskip("pyarrow")
    written = corpus.to_parquet(tmp_path / "pq")
    assert {p.stem for p in written} == set(corpus.names)
    back = pd.read_parquet(tmp_path / "pq" / "facts.parquet")
    pd.testing.assert_frame_equal(back, corpus.facts, check_dtype=False)
    assert str(back["n_sources"].dtype) == "Int64"


def test_to_excel_has_a_sheet_per_table_and_the_dictionary(corpus, tmp_path):
    pytest.importorskip("openpyxl")
    path = corpus.to_excel(tmp_path / "sahel.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == [*corpus.names, "dictionary"]
    assert len(sheets["figures"]) == len(corpus.figures)
    assert len(sheets["dictionary"]) == len(sahel.describe())


def test_evidence_lists_a_facts_figures_with_their_sources(corpus):
    fact = corpus.facts[corpus.facts["n_sources"] > 1].iloc[0]
    evidence = corpus.evidence(fact["fact_id"])
    assert list(evidence["figure_id"]) == fact["figure_ids"].split(";")
    assert set(evidence["doc_id"]) == set(fact["doc_ids"].split(";")) and "published" in evidence
    event = corpus.events.iloc[0]
    assert list(corpus.evidence(event["event_id"])["figure_id"]) == event["figure_ids"].split(";")
    with pytest.raises(ValueError, match="neither a fact_id nor an event_id"):
        corpus.evidence("f-nothing")


def test_excel_keeps_hostile_text_as_text(corpus, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    hostile = corpus.figures.copy()
    hostile.loc[0, "quote"] = '=HYPERLINK("http://example.invalid","click")\x07 and a bell'
    mine = sahel.Corpus(corpus.documents, hostile, tables={})
    book = openpyxl.load_workbook(mine.to_excel(tmp_path / "hostile.xlsx"))
    column = [c.value for c in book["figures"][1]].index("quote") + 1
    cell = book["figures"].cell(row=2, column=column)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://example.invalid","click") and a bell'


def test_corpus_copies_and_pickles(corpus):
    import copy
    import pickle

    again = pickle.loads(pickle.dumps(corpus))
    assert again.names == corpus.names and len(copy.deepcopy(corpus).figures) == len(corpus.figures)
