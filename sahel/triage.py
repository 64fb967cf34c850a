"""The review queue: the figures most likely wrong first, ready to correct (``sahel review``,
``sahel.review(corpus)``; the module is not named ``review`` so that the package's function is not
shadowed by it).

:func:`review` scores every uncorrected figure of a corpus by what tends to go wrong
(:data:`WEIGHTS`; the score is the sum of the reasons that apply, listed in ``why``):

- ``party:<rule>`` / ``measure:<rule>``: the party or measure came from the context or a
  default (:data:`PARTY_RULES`, :data:`MEASURE_RULES`), not from the counted phrase itself;
- ``measure:other``: not one of the six scored measures (often not a figure at all);
- ``disputed``: the figure's fact is disputed (its sources give different values);
- ``outlier``: its value is far from its fact's other reports (``log2`` of the ratio to their
  median, at most 3);
- ``near <status>``: a year, date, age or duration within 20 characters (a number misread);
- ``vague``: no value ("several").

The table starts with the correction columns (:data:`sahel.corrections.COLUMNS` and ``date``;
``action``, ``field``, ``value``, ``reason``, ``author`` left to fill in), then the score and
what the figure is now (``now_…``) with its sentence. Filled in, the file is a corrections file:
``sahel parse --corrections review.csv`` (rows left without an ``action`` are skipped). What stays
out: applying corrections (:mod:`sahel.corrections`), parsing (:mod:`sahel.pipeline`).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

from .corpus import Corpus, load
from .schema import FIGURES, SEP, frame
from .store.tables import write_tables

PARTY_RULES = {"default": 3.0, "noun_default": 2.0, "attacker_default": 2.0, "mixed_sides": 2.0,
               "context_recent": 2.0, "context_dominant": 2.0, "context_group": 2.0, "civilian_context": 1.5,
               "located_near": 1.5, "place_country": 1.5, "sentence_actor": 1.0, "located_in": 1.0,
               "located_at": 1.0, "antecedent": 1.0, "gapping": 1.0}
"""Party rules that read the party off the context or a default, with their weight."""
MEASURE_RULES = {"default": 3.0, "force_default": 2.0, "noun_other": 1.0, "antecedent": 1.0, "among_the": 1.0}
"""Measure rules that read the measure off the context or a default, with their weight."""
WEIGHTS = {"measure:other": 2.0, "disputed": 2.0, "near": 1.5, "vague": 0.5}
"""Weights of the other reasons (``outlier`` weighs its ``log2`` distance, at most 3)."""
NEAR = ("year", "date", "age", "duration")
"""Number statuses that make a figure next to them suspect."""
NOW = ("value", "value_high", "qualifier", "party", "measure", "date_start", "date_end")
REVIEW = {"doc_id": "string", "start": "Int64", "end": "Int64", "action": "string", "field": "string",
          "value": "string", "reason": "string", "author": "string", "date": "string", "score": "Float64",
          "why": "string", "figure_id": "string", "surface": "string",
          **{f"now_{c}": FIGURES[c] for c in NOW}, "party_rule": "string", "measure_rule": "string",
          "quote": "string"}
"""Columns of :func:`review`: the correction columns to fill in, then the figure as it is now."""


def _near(figures: pd.DataFrame, numbers: pd.DataFrame | None, gap: int = 20) -> dict[str, str]:
    """The figures with a year, date, age or duration within ``gap`` characters: id -> that status."""
    if numbers is None or not len(numbers):
        return {}
    others = numbers[numbers["status"].isin(NEAR)]
    out: dict[str, str] = {}
    by_doc = {d: list(zip(g["start"], g["end"], g["status"])) for d, g in others.groupby("doc_id")}
    for fid, doc, s, e in zip(figures["figure_id"], figures["doc_id"], figures["start"], figures["end"]):
        for s2, e2, status in by_doc.get(doc, ()):
            if s2 - gap <= e and s <= e2 + gap:
                out[fid] = status
                break
    return out


def _facts(facts: pd.DataFrame | None, figures: pd.DataFrame) -> tuple[set[str], dict[str, float]]:
    """The figures in a disputed fact, and each figure's outlier weight within its fact."""
    if facts is None or not len(facts):
        return set(), {}
    values = dict(zip(figures["figure_id"], figures["value"]))
    disputed, outlier = set(), {}
    for ids, dispute in zip(facts["figure_ids"].fillna(""), facts["disputed"].fillna(False)):
        members = [i for i in ids.split(SEP) if i in values]
        if dispute:
            disputed.update(members)
        for i in members:
            rest = [values[j] for j in members if j != i and pd.notna(values[j]) and values[j] > 0]
            if rest and pd.notna(values[i]) and values[i] > 0:
                far = abs(math.log2(float(values[i]) / float(pd.Series(rest).median())))
                if far >= 0.5:
                    outlier[i] = min(3.0, far)
    return disputed, outlier


def review(corpus: Corpus, limit: int | None = None) -> pd.DataFrame:
    """The uncorrected figures of ``corpus`` with a score above 0, most likely wrong first (see the module)."""
    figs = corpus.figures[~corpus.figures["corrected"].fillna(False)] if "corrected" in corpus.figures else \
        corpus.figures
    near = _near(figs, corpus.tables.get("numbers"))
    disputed, outlier = _facts(corpus.tables.get("facts"), figs)
    rows = []
    for r in figs.itertuples(index=False):
        why = {f"party:{r.party_rule}": PARTY_RULES.get(r.party_rule, 0.0),
               f"measure:{r.measure_rule}": MEASURE_RULES.get(r.measure_rule, 0.0),
               "measure:other": WEIGHTS["measure:other"] * (r.measure == "other"),
               "disputed": WEIGHTS["disputed"] * (r.figure_id in disputed),
               "outlier": outlier.get(r.figure_id, 0.0),
               f"near {near.get(r.figure_id)}": WEIGHTS["near"] * (r.figure_id in near),
               "vague": WEIGHTS["vague"] * (r.qualifier == "vague")}
        why = {k: v for k, v in why.items() if v}
        if not why:
            continue
        rows.append({"doc_id": r.doc_id, "start": r.start, "end": r.end, "score": round(sum(why.values()), 2),
                     "why": "; ".join(why), "figure_id": r.figure_id, "surface": r.surface,
                     **{f"now_{c}": getattr(r, c) for c in NOW}, "party_rule": r.party_rule,
                     "measure_rule": r.measure_rule, "quote": r.quote})
    out = frame(rows, REVIEW)
    out = out.sort_values(["score", "doc_id", "start"], ascending=[False, True, True], kind="stable",
                          ignore_index=True)
    return out if limit is None else out.head(limit)


def corpus_of(folder: str | Path) -> Corpus:
    """The corpus of a folder of parsed tables (``figures.csv``), else of a corpus folder (parsed, cached)."""
    folder = Path(folder)
    if (folder / "figures.csv").is_file():
        return load(folder)
    from .pipeline import parse_corpus

    return parse_corpus(folder)


def run(folder: str | Path, limit: int = 50, out: str | Path | None = None) -> int:
    """``sahel review``: the queue as CSV to ``out`` (written atomically) or standard output."""
    if limit < 1:
        raise ValueError(f"--limit must be at least 1, not {limit}")
    queue = review(corpus_of(folder), limit=limit)
    if out is None:
        from .store.scan import shown
        from .store.tables import csv_header, csv_rows

        text = [c for c, t in REVIEW.items() if t == "string"]  # article text: escaped on a terminal
        queue[text] = queue[text].apply(lambda s: s.map(lambda v: shown(v, 10**6), na_action="ignore"))
        sys.stdout.write(csv_header(REVIEW) + csv_rows(queue, REVIEW))
        return 0
    path = Path(out)
    if path.is_dir():
        raise ValueError(f"{path}: a folder; give a file name for --out")
    write_tables({path.stem: (queue, REVIEW)}, path.parent)
    if path.suffix != ".csv":
        (path.parent / f"{path.stem}.csv").replace(path)
    print(f"{len(queue)} figures to review -> {path} (fill in action, field, value, reason, author; "
          f"then `sahel parse --corrections {path}`)", file=sys.stderr)
    return 0

