"""Scoring against a gold table by the codebook's rules: figures (:func:`score`), and facts with their
totals (:func:`score_facts`). What stays out: parsing the corpus (:mod:`sahel.pipeline`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .schema import GOLD, MEASURES, SEP
from .store.scan import shown
from .store.tables import read_table

KEY = ["doc_id", "value", "party", "measure"]
SIDES = ["qualifier", "date_start", "date_end"]  # compared on the matched pairs
GOLD_FACTS: dict[str, str] = {**GOLD, "fact": "string", "kind": "string", "part_of": "string"}
GOLD_TOTALS: dict[str, str] = {"query_id": "string", "measure": "string", "party": "string", "start": "string",
                               "end": "string", "low": "Float64", "best": "Float64", "high": "Float64",
                               "facts": "string", "note": "string"}


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _share(right: pd.Series) -> float:
    return 1.0 if pd.isna(mean := right.mean()) else float(mean)


def _what(r) -> str:
    return f"{r.doc_id} {r.value:g} {r.party} {r.measure}"


def _day(x: object) -> str:
    return "" if pd.isna(x) else f"{x:%Y-%m-%d}"


def _text(x: object) -> str:
    return "" if pd.isna(x) else str(x)


def _n(x: object) -> str:
    return "open" if pd.isna(x) else f"{float(x):g}"


@dataclass
class Score:
    """The rates of one scoring run (:func:`score`), with the rows behind them."""

    precision: float
    recall: float
    f1: float
    qualifier_accuracy: float
    date_accuracy: float
    matched: pd.DataFrame  # KEY, quote, SIDES of gold (_gold) and prediction (_pred), qualifier_right, dates_right
    misses: pd.DataFrame
    false_positives: pd.DataFrame

    def report(self, details: bool = True) -> str:
        m = self.matched
        lines = [f"figures: {len(m)} matched, {len(self.misses)} missed, {len(self.false_positives)} false positives",
                 f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}",
                 f"qualifier accuracy {self.qualifier_accuracy:.3f}  date accuracy {self.date_accuracy:.3f}"]
        if details:
            for title, df in (("misses", self.misses), ("false positives", self.false_positives)):
                if len(df):
                    lines.append(f"\n{title}:")
                    lines += [f"  {_what(r)}: {str(r.quote)[:110]}" for r in df.itertuples(index=False)]
            lines += [f"  qualifier {_what(r)}: gold {r.qualifier_gold}, got {r.qualifier_pred}"
                      for r in m[~m["qualifier_right"]].itertuples(index=False)]
            lines += [f"  date {_what(r)}: gold {_day(r.date_start_gold)}..{_day(r.date_end_gold)}, "
                      f"got {_day(r.date_start_pred)}..{_day(r.date_end_pred)}"
                      for r in m[~m["dates_right"].fillna(True)].itertuples(index=False)]
        return "\n".join(lines)


def scorable(df: pd.DataFrame) -> pd.DataFrame:
    """The rows the codebook scores: one of the six measures and a value."""
    return df[df["measure"].isin(MEASURES) & df["value"].notna()].reset_index(drop=True)


def _keyed(df: pd.DataFrame):
    """(row, key, normalized quote, date_start) of each row of ``df``."""
    return zip(df.index, df[KEY].itertuples(index=False, name=None),
               df["quote"].str.split().str.join(" ").str.lower().fillna(""), df["date_start"])


def match(g: pd.DataFrame, p: pd.DataFrame) -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs (gold row, predicted row) of the same article, value, party and measure, each row used once
    (among equal keys the same sentence first, then the same date), and the gold rows left unmatched."""
    free: dict[tuple, list[tuple[int, str, object]]] = {}
    for i, key, quote, day in _keyed(p):
        free.setdefault(key, []).append((i, quote, day))
    pairs, misses = [], []
    for gi, key, quote, day in _keyed(g):
        candidates = free.get(key)
        if not candidates:
            misses.append(gi)
            continue
        best = min(candidates, key=lambda c: (c[1] != quote, c[2] != day))
        candidates.remove(best)
        pairs.append((gi, best[0]))
    return pairs, misses


def score(gold: pd.DataFrame, predicted: pd.DataFrame) -> Score:
    """Match ``predicted`` figures to ``gold`` figures (:func:`match`; only rows with one of the six measures
    and a value) and score them: precision, recall and F1 pooled over the articles, qualifier and date
    accuracy on the matched pairs (dates only where the gold has one)."""
    g, p = scorable(gold), scorable(predicted)
    pairs, misses = match(g, p)
    used = [pi for _, pi in pairs]
    gold_rows, pred_rows = g.loc[[gi for gi, _ in pairs]].reset_index(drop=True), p.loc[used].reset_index(drop=True)
    m = pd.concat([gold_rows[[*KEY, "quote"]], gold_rows[SIDES].add_suffix("_gold"),
                   pred_rows[SIDES].add_suffix("_pred")], axis=1)
    m["qualifier_right"] = m["qualifier_gold"] == m["qualifier_pred"]
    m["dates_right"] = ((m["date_start_gold"] == m["date_start_pred"]) & (m["date_end_gold"] == m["date_end_pred"])
                        ).astype("boolean").where(m["date_start_gold"].notna())
    precision, recall = (len(m) / (len(m) + n) if len(m) + n else 1.0 for n in (len(p) - len(m), len(misses)))
    return Score(precision, recall, _f1(precision, recall), _share(m["qualifier_right"]), _share(m["dates_right"]),
                 m, g.loc[misses], p.drop(index=used))


def read_gold(path: str | Path, schema: dict[str, str] = GOLD) -> pd.DataFrame:
    """Read a gold CSV (the codebook's columns); ValueError naming the file and line for a value that is
    not a finite number >= 0, FileNotFoundError naming a missing file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{shown(path)}: gold file not found")
    gold = read_table(path, schema)
    for col in gold.columns.intersection(["value", "value_high", "low", "best", "high"]):
        values = gold[col].astype("Float64")
        bad = values.notna() & ~values.between(0, float("inf"), inclusive="left").fillna(False)
        if bad.any():
            i = int(bad.to_numpy().argmax())
            raise ValueError(f"{shown(path)}: line {i + 2}: {col} {values.iloc[i]} is not a finite number "
                             ">= 0 (a count of people or things)")
    return gold


@dataclass
class FactScore:
    """B-cubed precision, recall and F1 of the fact grouping (:func:`score_facts`), and the totals right."""

    precision: float
    recall: float
    f1: float
    matched: int
    gold_figures: int
    totals: pd.DataFrame  # one row per gold query: gold and predicted low/best/high, right

    @property
    def totals_right(self) -> int:
        return int(self.totals["right"].sum())

    def report(self, details: bool = True) -> str:
        lines = [f"facts: {self.matched} of {self.gold_figures} gold figures matched; B-cubed precision "
                 f"{self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}",
                 f"totals right {self.totals_right}/{len(self.totals)}"]
        if details:
            lines += [f"  {r.query_id} {r.measure} {_text(r.party) or 'all'} {_text(r.start) or '…'}.."
                      f"{_text(r.end) or '…'}: gold "
                      f"{_n(r.low)}/{_n(r.best)}/{_n(r.high)}, got {_n(r.got_low)}/{_n(r.got_best)}/"
                      f"{_n(r.got_high)} ({r.got_facts})" for r in self.totals[~self.totals["right"]].itertuples()]
        return "\n".join(lines)


def score_facts(gold_facts: pd.DataFrame, gold_totals: pd.DataFrame, figures: pd.DataFrame,
                facts: pd.DataFrame) -> FactScore:
    """Score predicted ``facts`` (and the ``figures`` they group) against a reconciliation gold.

    Figures are matched as :func:`score` matches them; B-cubed precision and recall of the predicted
    grouping against the gold ``fact`` are averaged over the gold figures (an unmatched gold figure,
    or a gold figure without a fact, is a fact of its own). A total is right when its low and best
    equal the gold's, and its high too where the gold gives one.
    """
    from .reconcile import total

    g, p = scorable(gold_facts), scorable(figures)
    pairs, _ = match(g, p)
    fact_of = {fid: k for k, ids in enumerate(facts["figure_ids"].astype(str)) for fid in ids.split(SEP)}
    predicted = {gi: fact_of.get(p.at[pi, "figure_id"]) for gi, pi in pairs}
    groups = pd.DataFrame({
        "pred": [f"fact {predicted[gi]}" if predicted.get(gi) is not None else f"alone {gi}" for gi in g.index],
        "gold": ("fact " + g["fact"]).where(g["fact"].fillna("") != "", "alone " + g.index.astype(str))})
    both = groups.groupby(["pred", "gold"])["pred"].transform("size")
    precision, recall = ((both / groups.groupby(side)[side].transform("size")).mean() if len(g) else 0.0
                         for side in ("pred", "gold"))
    rows = []
    for q in gold_totals.itertuples(index=False):
        party = _text(q.party) or None
        t = total(facts, q.measure, party, _text(q.start) or None, _text(q.end) or None)
        right = t.low == q.low and t.best == q.best and (pd.isna(q.high) or t.high == q.high)
        rows.append({**q._asdict(), "party": party, "got_low": t.low, "got_best": t.best, "got_high": t.high,
                     "got_facts": SEP.join(t.facts), "right": bool(right)})
    return FactScore(float(precision), float(recall), _f1(precision, recall), len(pairs), len(g), pd.DataFrame(rows))
