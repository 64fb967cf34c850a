"""The review queue, figures most likely wrong first (``sahel.review(corpus)``, ``sahel review``).

A figure's score sums the weights of the reasons in its ``why``, as README's "Correcting figures"
words them (:data:`PARTY_RULES`, :data:`MEASURE_RULES`, :data:`WEIGHTS`; ``outlier``: ``log2`` of its
ratio to its fact's median, at most 3). Corrected figures are left out; filled in, the queue is a
corrections file. What stays out: applying corrections (:mod:`sahel.corrections`), writing it (:mod:`sahel.cli`).
"""
from __future__ import annotations

import math

import pandas as pd

from .corpus import Corpus
from .corrections import COLUMNS, FIELDS, OPTIONAL
from .schema import FIGURES, SEP, frame

PARTY_RULES = {"default": 3.0, "noun_default": 2.0, "attacker_default": 2.0, "mixed_sides": 2.0,
               "context_recent": 2.0, "context_dominant": 2.0, "context_group": 2.0, "civilian_context": 1.5,
               "located_near": 1.5, "place_country": 1.5, "sentence_actor": 1.0, "located_in": 1.0,
               "located_at": 1.0, "antecedent": 1.0, "gapping": 1.0}
MEASURE_RULES = {"default": 3.0, "force_default": 2.0, "noun_other": 1.0, "antecedent": 1.0, "among_the": 1.0}
WEIGHTS = {"measure:other": 2.0, "disputed": 2.0, "near": 1.5, "vague": 0.5}  # outlier: its log2 distance
NEAR = ("year", "date", "age", "duration")  # number statuses that make a figure next to them suspect
REVIEW = {**dict.fromkeys(COLUMNS + OPTIONAL, "string"), "start": "Int64", "end": "Int64", "score": "Float64",
          **dict.fromkeys(("why", "figure_id", "surface"), "string"), **{f"now_{c}": FIGURES[c] for c in FIELDS},
          **dict.fromkeys(("party_rule", "measure_rule", "quote"), "string")}
"""Columns of :func:`review`: the correction columns to fill in, then the figure as it is now."""


def _near(figures: pd.DataFrame, numbers: pd.DataFrame | None, gap: int = 20) -> dict[str, str]:
    """The figures with a year, date, age or duration within ``gap`` characters: id -> that status."""
    if numbers is None or not len(numbers):
        return {}
    pairs = figures[["figure_id", "doc_id", "start", "end"]].merge(
        numbers.loc[numbers["status"].isin(NEAR), ["doc_id", "start", "end", "status"]], on="doc_id")
    close = pairs[(pairs["start_y"] - gap <= pairs["end_x"]) & (pairs["start_x"] <= pairs["end_y"] + gap)]
    return dict(zip(close["figure_id"], close["status"]))


def _facts(facts: pd.DataFrame | None, figures: pd.DataFrame) -> tuple[set[str], dict[str, float]]:
    """The figures in a disputed fact, and how far (``log2``, at most 3) each is from its fact's median."""
    if facts is None or not len(facts):
        return set(), {}
    link = facts[["fact_id", "disputed"]].assign(figure_id=facts["figure_ids"].str.split(SEP)).explode(
        "figure_id").merge(figures[["figure_id", "value"]], on="figure_id")
    value = link["value"].astype("float64").where(link["value"] > 0)
    far = (value / value.groupby(link["fact_id"]).transform("median")).map(math.log2).abs().clip(upper=3.0)
    far = far[far >= 0.5]
    return set(link.loc[link["disputed"].fillna(False), "figure_id"]), dict(zip(link.loc[far.index, "figure_id"], far))


def review(corpus: Corpus, limit: int | None = None) -> pd.DataFrame:
    """The uncorrected figures of ``corpus`` with a score above 0, most likely wrong first (see the module)."""
    figs = corpus.figures[~corpus.figures["corrected"].fillna(False)]
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
                     **{f"now_{c}": getattr(r, c) for c in FIELDS}, "party_rule": r.party_rule,
                     "measure_rule": r.measure_rule, "quote": r.quote})
    out = frame(rows, REVIEW).sort_values(["score", "doc_id", "start"], ascending=[False, True, True],
                                          kind="stable", ignore_index=True)
    return out if limit is None else out.head(limit)

