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
from .store.tables import read_table

KEY = ["doc_id", "value", "party", "measure"]


def _norm(text: object) -> str:
    return " ".join(str(text).split()).lower() if isinstance(text, str) else ""


def scorable(df: pd.DataFrame) -> pd.DataFrame:
    """The rows the codebook scores: one of the six measures and a value."""
    return df[df["measure"].isin(MEASURES) & df["value"].notna()].reset_index(drop=True)


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


def score(gold: pd.DataFrame, predicted: pd.DataFrame) -> Score:
    """Match ``predicted`` figures to ``gold`` figures and score them."""
    g = scorable(gold).assign(_q=lambda d: d["quote"].map(_norm))
    p = scorable(predicted).assign(_q=lambda d: d["quote"].map(_norm))
    used: set[int] = set()
    pairs, misses = [], []
    for gi, grow in g.iterrows():
        cands = p[(p["doc_id"] == grow["doc_id"]) & (p["value"] == grow["value"])
                  & (p["party"] == grow["party"]) & (p["measure"] == grow["measure"])]
        cands = [i for i in cands.index if i not in used]
        if not cands:
            misses.append(gi)
            continue
        # among equal keys prefer the same sentence, then the same date
        best = sorted(cands, key=lambda i: (p.at[i, "_q"] != grow["_q"],
                                            p.at[i, "date_start"] != grow["date_start"]))[0]
        used.add(best)
        pairs.append((gi, best))
    cols = ["qualifier", "date_start", "date_end"]
    matched = pd.DataFrame({
        **{c: [g.at[gi, c] for gi, _ in pairs] for c in ["doc_id", "value", "party", "measure", "quote"]},
        **{f"{c}_gold": [g.at[gi, c] for gi, _ in pairs] for c in cols},
        **{f"{c}_pred": [p.at[pi, c] for _, pi in pairs] for c in cols},
    })
    for c in ("date_start", "date_end"):
        for side in ("gold", "pred"):
            matched[f"{c}_{side}"] = pd.to_datetime(matched[f"{c}_{side}"])
    fp = p.loc[[i for i in p.index if i not in used]].drop(columns="_q")
    return Score(matched, g.loc[misses].drop(columns="_q"), fp)


def read_gold(path: Path) -> pd.DataFrame:
    """Read a gold figures CSV (the codebook's columns)."""
    return read_table(Path(path), GOLD)


def score_corpus(gold_path: Path, corpus_dir: Path) -> Score:
    """Parse ``corpus_dir`` and score it against the gold CSV at ``gold_path``."""
    from .pipeline import parse_corpus

    gold = read_gold(gold_path)
    corpus = parse_corpus(corpus_dir)
    return score(gold, corpus.figures)
