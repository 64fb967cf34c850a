"""Test helper: the gold seed figures as a FIGURES frame, sentences and mentions.

Lets the reconcile layer be developed and tested independently of the
extractor: every gold quote is located in its article (sentence offsets) and
its number in the quote (figure offsets); figure_id = f"{doc_id}:{start}".
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sahel.schema import DOCUMENTS, FIGURES, SENTENCES, frame

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "fixtures" / "seeds-figures.csv"
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 10: "ten", 12: "a dozen",
         1_000_000: "a million"}


def split_sentences(doc_id: str, text: str) -> pd.DataFrame:
    """Paragraphs at line breaks, sentences after . ! ? followed by a capital."""
    rows = []
    n = 0
    for p, para in enumerate(re.finditer(r"[^\n]+", text)):
        a = para.start()
        chunk = para.group(0)
        cuts = [0] + [m.end() for m in re.finditer(r"(?<=[.!?])[\"”]?\s+(?=[A-Z\"“])", chunk)] + [len(chunk)]
        for s, e in zip(cuts, cuts[1:]):
            seg = chunk[s:e]
            if not seg.strip():
                continue
            lead = len(seg) - len(seg.lstrip())
            rows.append({"doc_id": doc_id, "sentence": n, "paragraph": p,
                         "start": a + s + lead, "end": a + s + len(seg.rstrip())})
            n += 1
    return frame(rows, SENTENCES)


def _surfaces(value: float) -> list[str]:
    v = int(value)
    out = [f"{v:,}", str(v)]
    if v >= 1_000_000 and v % 100_000 == 0:
        out.insert(0, f"{v / 1_000_000:g} million")
    if v in WORDS:
        out.append(WORDS[v])
    return out


@lru_cache(maxsize=1)
def seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def seed_documents() -> pd.DataFrame:
    cat = pd.read_csv(SEEDS / "catalog.csv", dtype=str)
    texts = seed_texts()
    rows = [{"doc_id": d, "published": p, "outlet": o if isinstance(o, str) else None,
             "path": f"{d}.txt", "n_chars": len(texts[d])}
            for d, p, o in zip(cat["doc_id"], cat["published"], cat["outlet"])]
    return frame(rows, DOCUMENTS)


def seed_figures() -> pd.DataFrame:
    """The gold seed figures converted to the FIGURES schema, with offsets."""
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    texts = seed_texts()
    rows = []
    used: set[tuple[str, int]] = set()
    for g in gold.to_dict("records"):
        text = texts[g["doc_id"]]
        sents = split_sentences(g["doc_id"], text)
        q0 = text.find(g["quote"])
        assert q0 >= 0, g["quote"]
        row = sents[(sents["start"] <= q0) & (sents["end"] > q0)].iloc[0]
        quote = g["quote"]
        start = None
        for surf in _surfaces(float(g["value"])):
            for m in re.finditer(r"(?<![\w,.])" + re.escape(surf) + r"(?![\w]|,\d)", quote, re.I):
                if (g["doc_id"], q0 + m.start()) not in used:
                    start, end = q0 + m.start(), q0 + m.end()
                    break
            if start is not None:
                break
        assert start is not None, (g["value"], quote)
        used.add((g["doc_id"], start))
        rows.append({
            "figure_id": f"{g['doc_id']}:{start}", "doc_id": g["doc_id"],
            "value": float(g["value"]), "value_high": float(g["value_high"]) if g["value_high"] else None,
            "qualifier": g["qualifier"], "party": g["party"], "measure": g["measure"], "noun": g["noun"],
            "date_start": g["date_start"] or None, "date_end": g["date_end"] or None,
            "start": start, "end": end, "surface": text[start:end], "date_text": None,
            "sentence": int(row["sentence"]), "sentence_start": q0, "sentence_end": q0 + len(quote),
            "paragraph": int(row["paragraph"]), "quote": quote,
        })
    return frame(rows, FIGURES)


def seed_mentions() -> pd.DataFrame:
    """Mentions of every seed article, from sahel.mentions.extract_mentions."""
    from sahel.extract.mentions import extract_mentions

    docs = seed_documents()
    texts = seed_texts()
    frames = [extract_mentions(d, texts[d], split_sentences(d, texts[d]), p.date())
              for d, p in zip(docs["doc_id"], docs["published"])]
    return pd.concat(frames, ignore_index=True)


def published(doc_id: str) -> date:
    docs = seed_documents().set_index("doc_id")
    return docs.at[doc_id, "published"].date()
