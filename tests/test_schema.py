"""The one schema source: dtype dicts, docs/tables.md, codes and the pandera validation."""
from __future__ import annotations

import csv
import importlib
import subprocess
import sys

import pandas as pd
import pytest

import sahel
from sahel import paths, schema

V2 = ("fact_id, kind, party, measure, noun, low, best, high, qualifier, date_start, date_end, date_precision, "
      "date_basis, n_sources, n_figures, doc_ids, figure_ids, disputed, values, part_of, event_id, place_id, "
      "place, quote").split(", ")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    corpus = sahel.load()
    return {name: corpus.table(name) for name in corpus.names}


def test_dtype_dicts_come_from_the_tables():
    for name, table in schema.TABLES.items():
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in table.dtypes.items())
    assert schema.FIGURES == schema.TABLES["figures"].dtypes and schema.FIGURES["value"] == "Float64"
    assert list(schema.FACTS) == V2
    assert schema.DERIVED["facts"] is schema.FACTS
    assert set(schema.GOLD) <= set(schema.FIGURES)


def test_tables_doc_is_current():
    assert (paths.ROOT / "docs" / "tables.md").read_text(encoding="utf-8") == schema.tables_markdown() + "\n", \
        "docs/tables.md is stale: run `python -m sahel.schema`"


def test_every_party_code_has_a_name_and_kind():
    parties = schema.reference("parties").set_index("code")
    assert parties.index.is_unique
    assert parties.loc["CIV", "name"] == "Côte d'Ivoire" and parties.loc["CIV", "kind"] == "state"
    assert parties.loc["CIVILIAN", "kind"] == "civilian" and parties.loc["JIHADIST", "kind"] == "armed group"
    assert set(parties["kind"]) <= set(schema.CODES["party_kind"])
    used = set()
    with open(paths.RESOURCES_DIR / "actors.csv", encoding="utf-8") as f:  # the gazetteer: actors and places
        used |= {r["party"] for r in csv.DictReader(f)}
    with open(paths.RESOURCES_DIR / "places.csv", encoding="utf-8") as f:
        used |= {code for r in csv.DictReader(f) for code in r["country"].split("|") if code}
    for module in ("sahel.extract.lexicon", "sahel.lexicon"):  # every code the extractor can give
        try:
            lexicon = importlib.import_module(module)
        except ImportError:
            continue
        used |= set(lexicon.STATES.values()) | set(lexicon.FORCES.values())
        break
    else:
        pytest.fail("no lexicon module found")
    missing = used - set(parties.index)
    assert not missing, f"party codes without a row in parties.csv: {sorted(missing)}"
    assert schema.party_name("TGO") == "Togo" and schema.party_name("XYZ") == "XYZ"


def test_unknown_codes_are_rejected_with_a_suggestion():
    with pytest.raises(ValueError, match=r"unknown party 'France': did you mean 'FRA'\?.*Valid: FRA, MLI"):
        schema.check_code("party", "France")
    with pytest.raises(ValueError, match="did you mean 'killed'"):
        schema.check_code("measure", "kiled")
    assert schema.check_code("party", "CIV") == "CIV"


def test_committed_tables_validate(tables):
    if "strength" in set(tables["facts"]["kind"].dropna()):  # data/facts.csv still v1 on this branch:
        tables = {n: df for n, df in tables.items() if n != "facts"}  # validated once v2 lands
    for name, df in tables.items():
        schema.validate(name, df, tables)


def test_validate_reports_every_problem(tables):
    facts = schema.frame([
        {"fact_id": "f-1", "kind": "strength", "party": "CIVILLIAN", "measure": "killed", "qualifier": "exact",
         "date_start": "2020-02-01", "date_end": "2020-01-01", "figure_ids": "nope:1",
         "doc_ids": tables["figures"].loc[0, "doc_id"]},
        {"fact_id": "f-1", "kind": "incident", "party": "FRA", "measure": "killed", "qualifier": "exact",
         "figure_ids": f"{tables['figures'].loc[0, 'figure_id']};{tables['figures'].loc[1, 'figure_id']}"},
    ], schema.FACTS)
    with pytest.raises(ValueError) as err:
        schema.validate("facts", facts, tables)
    problems = str(err.value).splitlines()
    assert problems[1:] == [
        "key (fact_id) unique failed (row 0)",
        "key (fact_id) unique failed (row 1)",
        "date_start <= date_end failed (row 0)",
        "kind: one of the fact_kind codes failed for 'strength' (row 0)",
        "party: one of the party codes failed for 'CIVILLIAN' (row 0)",
        "party: refers to parties.code failed for 'CIVILLIAN' (row 0)",
        "figure_ids: refers to figures.figure_id failed for 'nope:1' (row 0)",  # row 1's two ids resolve
    ], problems
    assert problems[0] == "table facts: 7 problems"
    good = facts.iloc[[1]].reset_index(drop=True)
    assert schema.validate("facts", good, tables) is not None


def test_validate_checks_dtypes_and_columns():
    figures = schema.frame([{"figure_id": "a:1", "doc_id": "a"}], schema.FIGURES)
    with pytest.raises(ValueError, match="value"):
        schema.validate("figures", figures.astype({"value": "string"}))
    with pytest.raises(ValueError, match="column_in_schema failed for 'extra'"):
        schema.validate("figures", figures.assign(extra=1))


def test_describe_is_the_data_dictionary():
    d = sahel.describe()
    assert {"table", "column", "dtype", "key", "description", "codes", "references"} == set(d.columns)
    assert set(d["table"]) == {t.name for t in schema.TABLES.values() if t.written}
    facts = sahel.describe("facts")
    assert list(facts["column"]) == V2 and facts["description"].str.len().min() > 3
    assert facts.set_index("column").loc["fact_id", "key"]
    with pytest.raises(ValueError, match="unknown table 'fact'"):
        sahel.describe("fact")


def test_import_sahel_stays_light():
    code = ("import sys, sahel; print(sorted(m for m in ('pandera', 'frictionless', 'openpyxl', 'spacy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
