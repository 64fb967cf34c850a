"""Extraction speed: ``sahel.parse_text`` vs quantulum3 vs the spaCy floor.

All three run on the same texts in the same process, in turn, round after
round (medians). The floor is what any spaCy-based extractor pays at least:
tokenizing and sentence-splitting with spaCy's blank English pipeline.
"""
from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable

from .common import DEV_DIR, SEEDS_DIR, Result, Row, read_text

GOAL_PEER, GOAL_FLOOR = 25.0, 3.0  # issue 19: at least 25x faster than quantulum3


def _per_article(fn: Callable[[str, str], object], texts: list[tuple[str, str]]) -> float:
    """CPU milliseconds per article (process time: the machine is shared, wall time swings with its load)."""
    t = time.process_time()
    for name, text in texts:
        fn(name, text)
    return (time.process_time() - t) / len(texts) * 1e3


def run(quick: bool = False) -> Result:
    import spacy

    import sahel

    try:
        from quantulum3 import parser as q3
    except ImportError:  # not installed: sahel and the floor only
        q3 = None

    parse_text = getattr(sahel, "parse_text", None)
    if parse_text is None:
        from sahel.extract import parse_text
    floor_nlp = spacy.blank("en")
    floor_nlp.add_pipe("sentencizer")
    sets = {
        "seeds": [(p.stem, read_text(p)) for p in sorted(SEEDS_DIR.glob("*.txt"))],
        "dev": [(p.stem, read_text(p)) for p in sorted(DEV_DIR.glob("*.txt"))],
    }
    sets = {k: v for k, v in sets.items() if v}
    methods: dict[str, Callable[[str, str], object]] = {
        "sahel": lambda name, text: parse_text(text, doc_id=name),
        "floor": lambda name, text: floor_nlp(text),
    }
    if q3 is not None:
        methods["quantulum3"] = lambda name, text: q3.parse(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn in methods.values():  # warm-up: load models, fill caches
            fn("warm-up", "Five soldiers were killed on Monday, the army said.")
        rounds = 2 if quick else 5
        times: dict[str, dict[str, list[float]]] = {s: {m: [] for m in methods} for s in sets}
        for r in range(rounds):
            for s, texts in sets.items():
                for m, fn in methods.items():  # every method each round: the peer ratio is taken per round
                    times[s][m].append(_per_article(fn, texts))
    res = Result()
    for s, by_method in times.items():
        ms = {m: statistics.median(v) for m, v in by_method.items()}
        res.details[s] = {"articles": len(sets[s]), "ms_per_article": ms, "rounds": {m: len(v) for m, v in by_method.items()}}
        floor = ms["sahel"] / ms["floor"]
        n = len(sets[s])
        peer = f"quantulum3 {ms['quantulum3']:.0f} ms, " if "quantulum3" in ms else "quantulum3 not installed, "
        res.rows += [
            Row("extraction", f"sahel.parse_text, {s} ({n} articles)", ms["sahel"], "ms/article",
                note=f"{peer}floor {ms['floor']:.2f} ms"),
            Row("extraction", f"sahel time / spaCy floor, {s}", floor, goal=f"≤ {GOAL_FLOOR:g}×",
                met=floor <= GOAL_FLOOR),
        ]
        if "quantulum3" in ms:  # the median of the ratios of the same rounds (the load of a shared machine varies)
            ratio = statistics.median(q / t for q, t in zip(by_method["quantulum3"], by_method["sahel"]))
            res.rows.insert(-1, Row("extraction", f"quantulum3 time / sahel time, {s}", ratio,
                                    goal=f"≥ {GOAL_PEER:g}×", met=ratio >= GOAL_PEER))
    return res
