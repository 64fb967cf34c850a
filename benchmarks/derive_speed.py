"""``python -m benchmarks.derive_speed``: CPU time of ``sahel.reconcile.derive`` (facts, events,
timeline, places, actors).

* On a generated corpus (``benchmarks/generate.py``, default 1,000 articles): the articles are
  parsed once (``parse_corpus``, cached), then only ``derive`` is timed, in CPU seconds (the
  machine is shared: wall time says little), and extrapolated linearly to 108,000 figures
  (about 10,000 generated articles). Goal: well under 10 s.
* On one article of ``--figures`` figures (default 5,000; one log of many incidents, the worst
  case for per-article steps): goal at most 2 s.

Never run at 10,000 articles on the shared machine; the integrator does.

Measured 2026-12-07 on the shared, loaded 2-core machine (best of 3, CPU s): 1,000 articles
(12,827 figures) 1.73 s, i.e. ~14.6 s for 108,000 figures (the branch's start, 9155fd1: 2.04 s,
~17 s): the 10 s goal is not met; one article of 5,000 figures 0.65 s.
"""
from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

from . import generate

TARGET_FIGURES = 108_000


def _cpu(fn, rounds: int = 3) -> float:
    """The least CPU time of ``rounds`` calls of ``fn``."""
    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def corpus_tables(n: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(documents, figures, mentions)`` of the generated corpus of ``n`` articles."""
    from sahel.pipeline import parse_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = parse_corpus(generate.corpus(n), jobs=2, progress=False)
    return c.documents, c.figures, c.mentions


def long_article(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One article of ``n`` figures: a log of dated incidents, restatements, parts and revisions."""
    from sahel.schema import FIGURES, frame

    rows, parties = [], ["FRA", "MLI", "NER", "JIHADIST", "CIVILIAN"]
    for i in range(n):
        day = pd.Timestamp("2019-01-01") + pd.Timedelta(days=i // 3)
        quote = (f"Of these, {i % 40 + 1} were killed on {day:%d %B %Y}." if i % 7 == 0 else
                 f"The toll rose to {i % 90 + 2} killed on {day:%d %B %Y}.")
        rows.append({"figure_id": f"log:{i * 100}", "doc_id": "log", "value": float(i % 90 + 2),
                     "qualifier": "exact", "party": parties[i % 5], "measure": "killed", "noun": "person",
                     "date_start": day, "date_end": day, "start": i * 100, "end": i * 100 + 2,
                     "sentence": i, "sentence_start": i * 100 - 10, "quote": quote})
    docs = pd.DataFrame({"doc_id": ["log"], "published": [pd.Timestamp("2023-01-01")]})
    return docs, frame(rows, FIGURES)


def main(argv: list[str] | None = None) -> None:
    from sahel.reconcile import derive

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000, help="generated corpus size (default 1,000)")
    ap.add_argument("--figures", type=int, default=5000, help="figures of the one long article (default 5,000)")
    args = ap.parse_args(argv)
    docs, figures, mentions = corpus_tables(args.articles)
    cpu = _cpu(lambda: derive(docs, figures, mentions))
    per = cpu / max(len(figures), 1)
    print(f"derive, {args.articles:,} articles ({len(figures):,} figures): {cpu:.2f} s CPU; "
          f"extrapolated to {TARGET_FIGURES:,} figures: {per * TARGET_FIGURES:.1f} s CPU (goal well under 10 s)")
    docs, figures = long_article(args.figures)
    cpu = _cpu(lambda: derive(docs, figures, None))
    print(f"derive, one article of {args.figures:,} figures: {cpu:.2f} s CPU (goal at most 2 s)")


if __name__ == "__main__":
    main()
