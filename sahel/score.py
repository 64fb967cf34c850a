"""Scoring predicted figures against a gold table, by the codebook's rules.

Per article a predicted figure matches a gold figure when ``value``, ``party``
and ``measure`` are equal; each gold figure matches at most once. Only rows
with one of the six measures and a numeric value are scored. Precision,
recall and F1 are pooled over all articles; qualifier and date accuracy are
measured on the matched pairs (dates only where gold has one).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .schema import GOLD, MEASURES
from .store.scan import shown
from .store.tables import read_table

KEY = ["doc_id", "value", "party", "measure"]


def _norm(text: object) -> str:
    return " ".join(str(text).split()).lower() if isinstance(text, str) else ""


def scorable(df: pd.DataFrame) -> pd.DataFrame:
    """The rows the codebook scores (one of the six measures and a value), with ``_q`` (the quote)."""
    df = df[df["measure"].isin(MEASURES) & df["value"].notna()].reset_index(drop=True)
    return df.assign(_q=df["quote"].map(_norm))


@dataclass
class Score:
    """Counts and rates of one scoring run, with the rows behind them."""

    matched: pd.DataFrame
    misses: pd.DataFrame
    false_positives: pd.DataFrame

    @property
    def tp(self) -> int:
        return len(self.matched)

    @property
    def precision(self) -> float:
        n = self.tp + len(self.false_positives)
        return self.tp / n if n else 1.0

    @property
    def recall(self) -> float:
        n = self.tp + len(self.misses)
        return self.tp / n if n else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def qualifier_accuracy(self) -> float:
        m = self.matched
        return float((m["qualifier_gold"] == m["qualifier_pred"]).mean()) if len(m) else 1.0

    @property
    def date_accuracy(self) -> float:
        m = self.matched[self.matched["date_start_gold"].notna()]
        if not len(m):
            return 1.0
        ok = (m["date_start_gold"] == m["date_start_pred"]) & (m["date_end_gold"] == m["date_end_pred"])
        return float(ok.mean())

    def summary(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "qualifier_accuracy": self.qualifier_accuracy, "date_accuracy": self.date_accuracy,
                "matched": self.tp, "misses": len(self.misses),
                "false_positives": len(self.false_positives)}

    def report(self, details: bool = True) -> str:
        s = self.summary()
        lines = [
            f"figures: {s['matched']} matched, {s['misses']} missed, {s['false_positives']} false positives",
            f"precision {s['precision']:.3f}  recall {s['recall']:.3f}  F1 {s['f1']:.3f}",
            f"qualifier accuracy {s['qualifier_accuracy']:.3f}  date accuracy {s['date_accuracy']:.3f}",
        ]
        if details:
            cols = ["doc_id", "value", "party", "measure", "quote"]
            for title, df in (("misses", self.misses), ("false positives", self.false_positives)):
                if len(df):
                    lines.append(f"\n{title}:")
                    for r in df[cols].itertuples(index=False):
                        lines.append(f"  {r.doc_id} {r.value:g} {r.party} {r.measure}: {str(r.quote)[:110]}")
            m = self.matched
            bad_q = m[m["qualifier_gold"] != m["qualifier_pred"]]
            dated = m[m["date_start_gold"].notna()]
            bad_d = dated[(dated["date_start_gold"] != dated["date_start_pred"])
                          | (dated["date_end_gold"] != dated["date_end_pred"])]
            for r in bad_q.itertuples(index=False):
                lines.append(f"  qualifier {r.doc_id} {r.value:g} {r.party} {r.measure}: "
                             f"gold {r.qualifier_gold}, got {r.qualifier_pred}")
            for r in bad_d.itertuples(index=False):
                lines.append(f"  date {r.doc_id} {r.value:g} {r.party} {r.measure}: gold "
                             f"{_d(r.date_start_gold)}..{_d(r.date_end_gold)}, got "
                             f"{_d(r.date_start_pred)}..{_d(r.date_end_pred)}")
        return "\n".join(lines)


def _d(x: object) -> str:
    return "" if pd.isna(x) else pd.Timestamp(x).strftime("%Y-%m-%d")


def match(g: pd.DataFrame, p: pd.DataFrame) -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs (gold row, predicted row) of equal ``doc_id, value, party, measure`` (each row used once;
    among equal keys the same sentence, then the same date first), and the gold rows left unmatched.
    Both frames need a ``_q`` column (the normalized quote)."""
    used: set[int] = set()
    pairs, misses = [], []
    keyed: dict[tuple, list[int]] = {}
    for i, key in zip(p.index, zip(p["doc_id"], p["value"], p["party"], p["measure"])):
        keyed.setdefault(key, []).append(i)
    for gi, grow in g.iterrows():
        cands = [i for i in keyed.get((grow["doc_id"], grow["value"], grow["party"], grow["measure"]), ())
                 if i not in used]
        if not cands:
            misses.append(gi)
            continue
        best = sorted(cands, key=lambda i: (p.at[i, "_q"] != grow["_q"],
                                            p.at[i, "date_start"] != grow["date_start"]))[0]
        used.add(best)
        pairs.append((gi, best))
    return pairs, misses


def score(gold: pd.DataFrame, predicted: pd.DataFrame) -> Score:
    """Match ``predicted`` figures to ``gold`` figures and score them."""
    g, p = scorable(gold), scorable(predicted)
    pairs, misses = match(g, p)
    used = {pi for _, pi in pairs}
    cols = ["qualifier", "date_start", "date_end"]
    matched = pd.DataFrame({
        **{c: [g.at[gi, c] for gi, _ in pairs] for c in ["doc_id", "value", "party", "measure", "quote"]},
        **{f"{c}_gold": [g.at[gi, c] for gi, _ in pairs] for c in cols},
        **{f"{c}_pred": [p.at[pi, c] for _, pi in pairs] for c in cols},
    })
    dates = [f"{c}_{side}" for c in ("date_start", "date_end") for side in ("gold", "pred")]
    matched[dates] = matched[dates].apply(pd.to_datetime)
    fp = p.loc[[i for i in p.index if i not in used]].drop(columns="_q")
    return Score(matched, g.loc[misses].drop(columns="_q"), fp)


def read_gold(path: Path, schema: dict[str, str] = GOLD) -> pd.DataFrame:
    """Read a gold CSV (the codebook's columns); ValueError naming the file and line for a value that is
    not a finite number >= 0, FileNotFoundError naming a missing file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{shown(path)}: gold file not found")
    gold = read_table(path, schema)
    for col in ("value", "value_high", "low", "best", "high"):
        if col in gold.columns:
            values = gold[col].astype("Float64")
            bad = values.notna() & ~values.between(0, float("inf"), inclusive="left").fillna(False)
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                raise ValueError(f"{shown(path)}: line {i + 2}: {col} {values.iloc[i]} is not a finite number "
                                 ">= 0 (a count of people or things)")
    return gold


def score_corpus(gold_path: Path, corpus_dir: Path) -> Score:
    """Parse ``corpus_dir`` and score it against the gold CSV at ``gold_path``."""
    from .pipeline import parse_corpus

    gold = read_gold(gold_path)
    corpus = parse_corpus(corpus_dir)
    return score(gold, corpus.figures)


# --- facts and totals (codebook, "Facts and totals (version 2)") ----------------------------------

GOLD_FACTS: dict[str, str] = {**GOLD, "fact": "string", "kind": "string", "part_of": "string"}
GOLD_TOTALS: dict[str, str] = {"query_id": "string", "measure": "string", "party": "string", "start": "string",
                               "end": "string", "low": "Float64", "best": "Float64", "high": "Float64",
                               "facts": "string", "note": "string"}


@dataclass
class FactScore:
    """B-cubed precision/recall/F1 of the fact grouping and the totals right, with the wrong ones."""

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
            for r in self.totals[~self.totals["right"]].itertuples(index=False):
                lines.append(f"  {r.query_id} {r.measure} {_s(r.party) or 'all'} {_s(r.start) or '…'}..{_s(r.end) or '…'}: gold "
                             f"{_n(r.low)}/{_n(r.best)}/{_n(r.high)}, got {_n(r.got_low)}/{_n(r.got_best)}/"
                             f"{_n(r.got_high)} ({r.got_facts})")
        return "\n".join(lines)


def _s(x: object) -> str:
    return "" if x is None or x is pd.NA or (isinstance(x, float) and x != x) else str(x)


def _n(x: object) -> str:
    return "open" if x is None or pd.isna(x) else f"{float(x):g}"


def score_facts(gold_facts: pd.DataFrame, gold_totals: pd.DataFrame, figures: pd.DataFrame,
                facts: pd.DataFrame) -> FactScore:
    """Score predicted ``facts`` (and the ``figures`` they group) against a reconciliation gold.

    Figures are matched per article as :func:`score` matches them; B-cubed precision and recall of
    the predicted grouping against the gold ``fact`` are averaged over the gold figures (an
    unmatched gold figure is its own predicted fact). A total is right when its low and best equal
    the gold's, and its high too where the gold gives one.
    """
    from .reconcile import total

    g, p = scorable(gold_facts), scorable(figures)
    pairs, _ = match(g, p)
    fact_of = {fid: k for k, ids in enumerate(facts["figure_ids"].astype(str)) for fid in ids.split(";")}
    predicted = {gi: fact_of.get(p.at[pi, "figure_id"], ("figure", pi)) for gi, pi in pairs}
    pred = [predicted.get(gi, ("gold", gi)) for gi in g.index]
    gold = [f if isinstance(f, str) and f else ("gold", gi) for gi, f in zip(g.index, g["fact"].tolist())]
    by_pred: dict = {}
    by_gold: dict = {}
    for i, (a, b) in enumerate(zip(pred, gold)):
        by_pred.setdefault(a, set()).add(i)
        by_gold.setdefault(b, set()).add(i)
    precision = recall = 0.0
    for a, b in zip(pred, gold):
        both = len(by_pred[a] & by_gold[b])
        precision += both / len(by_pred[a])
        recall += both / len(by_gold[b])
    n = len(g) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    rows = []
    for q in gold_totals.itertuples(index=False):
        party = _s(q.party) or None
        t = total(facts, q.measure, party, _s(q.start) or None, _s(q.end) or None)
        right = t.low == q.low and t.best == q.best and (pd.isna(q.high) or t.high == q.high)
        rows.append({**q._asdict(), "party": party, "got_low": t.low, "got_best": t.best, "got_high": t.high,
                     "got_facts": ";".join(t.facts), "right": bool(right)})
    return FactScore(precision, recall, f1, len(pairs), len(g), pd.DataFrame(rows))


def score_facts_corpus(facts_path: Path, totals_path: Path, corpus_dir: Path) -> FactScore:
    """Parse ``corpus_dir`` and score its facts and totals against the gold CSVs."""
    from .pipeline import parse_corpus

    gold_facts, gold_totals = read_gold(facts_path, GOLD_FACTS), read_gold(totals_path, GOLD_TOTALS)
    corpus = parse_corpus(corpus_dir)
    return score_facts(gold_facts, gold_totals, corpus.figures, corpus.facts)
