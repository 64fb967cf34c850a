"""The review queue (issue 18): figures most likely wrong first, as a corrections file to fill in."""
from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pandas as pd

import sahel
from sahel.cli import main
from sahel.corrections import COLUMNS, OPTIONAL, read_corrections
from sahel.triage import MEASURE_RULES, PARTY_RULES, REVIEW, review

D0, D1 = "000_59af83d45f761803", "001_9bbc052057da1eea"


def test_the_queue_starts_with_the_correction_columns_and_the_worst_figures() -> None:
    queue = sahel.review(sahel.load())
    assert list(queue.columns[:9]) == [*COLUMNS, *OPTIONAL] and list(queue.columns) == list(REVIEW)
    assert queue["action"].isna().all() and queue["score"].is_monotonic_decreasing and (queue["score"] > 0).all()
    figures = sahel.load().figures.set_index("figure_id")
    top = figures.loc[queue["figure_id"].iloc[0]]
    assert top["party_rule"] in PARTY_RULES or top["measure_rule"] in MEASURE_RULES
    sure = figures[~figures["party_rule"].isin(PARTY_RULES) & ~figures["measure_rule"].isin(MEASURE_RULES)
                   & (figures["measure"] != "other")]
    assert len(sure) and not set(sure.index) & set(queue.loc[queue["score"] >= 2, "figure_id"])
    assert queue.set_index("figure_id").loc[f"{D0}:671", "quote"].startswith("Seeking to stamp out")
    assert len(sahel.review(sahel.load(), limit=3)) == 3


def test_disputed_facts_outliers_and_nearby_dates_raise_the_score() -> None:
    corpus = sahel.load()
    base = review(corpus).set_index("figure_id")["score"]
    facts, figures = corpus.facts.copy(), corpus.figures.copy()
    fact = facts["figure_ids"] == f"{D0}:979;{D1}:1718"  # 13 French soldiers, told twice
    assert fact.sum() == 1
    facts.loc[fact, "disputed"] = True
    figures.loc[figures["figure_id"] == f"{D1}:1718", "value"] = 130.0
    changed = dataclasses.replace(corpus, figures=figures, tables={**corpus.tables, "facts": facts})
    queue = review(changed).set_index("figure_id")
    assert "disputed" in queue.loc[f"{D0}:979", "why"] and "outlier" in queue.loc[f"{D1}:1718", "why"]
    assert "outlier" in queue.loc[f"{D0}:979", "why"]  # of two reports either may be the wrong one
    assert queue.loc[f"{D0}:979", "score"] > base.get(f"{D0}:979", 0) + 2 + 2  # disputed, outlier
    assert "near year" in queue.loc[f"{D0}:1722", "why"]  # "Since 2013, it has lost over 200 peacekeepers."


def test_corrected_figures_leave_the_queue() -> None:
    corpus = sahel.load()
    figures = corpus.figures.copy()
    figures.loc[figures["figure_id"] == f"{D0}:671", "corrected"] = True
    queue = review(dataclasses.replace(corpus, figures=figures))
    assert f"{D0}:671" not in set(queue["figure_id"]) and f"{D0}:671" in set(review(corpus)["figure_id"])


def test_sahel_review_writes_a_queue_that_filled_in_is_a_corrections_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "review.csv"
    assert main(["review", str(sahel.paths.data_dir()), "--limit", "4", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 4 and "sahel parse --corrections" in capsys.readouterr().err
    assert read_corrections(out).empty  # nothing filled in: nothing to apply
    rows[1].update(action="drop", reason="not a count of people", author="A. Analyst")
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    [correction] = read_corrections(out).itertuples()
    assert (correction.action, correction.figure_id, correction.line) == ("drop", rows[1]["figure_id"], 3)
    assert main(["review", str(sahel.paths.data_dir()), "--limit", "2"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("doc_id,start,end,action") and len(printed) == 3
    assert pd.read_csv(out)["score"].is_monotonic_decreasing
