"""Column names and dtypes of every table ``sahel`` reads and writes.

DataFrames with explicit dtypes are the interface between modules: build them
with :func:`frame` or coerce them with :func:`conform`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from datetime import date, datetime

import numpy as np
import pandas as pd

MEASURES = ("killed", "wounded", "captured", "deployed", "destroyed", "displaced")
"""The six scored measures of the codebook (``other`` is kept but not scored)."""
QUALIFIERS = ("exact", "at_least", "at_most", "approx", "range", "vague")

DATE = "datetime64[ns]"

DOCUMENTS: dict[str, str] = {
    "doc_id": "string",
    "published": DATE,
    "outlet": "string",
    "path": "string",
    "n_chars": "Int64",
    "sha256": "string",
    "n_figures": "Int64",
}

FIGURES: dict[str, str] = {
    "figure_id": "string",
    "doc_id": "string",
    "value": "Float64",
    "value_high": "Float64",
    "qualifier": "string",
    "party": "string",
    "measure": "string",
    "noun": "string",
    "date_start": DATE,
    "date_end": DATE,
    "start": "Int64",
    "end": "Int64",
    "surface": "string",
    "date_text": "string",
    "sentence": "Int64",
    "sentence_start": "Int64",
    "sentence_end": "Int64",
    "paragraph": "Int64",
    "quote": "string",
    "party_rule": "string",
    "measure_rule": "string",
}

NUMBERS: dict[str, str] = {
    "doc_id": "string",
    "start": "Int64",
    "end": "Int64",
    "surface": "string",
    "value": "Float64",
    "status": "string",
    "figure_id": "string",
    "sentence": "Int64",
}
"""Every number in the text: ``status`` is ``figure`` or why it is not one
(``year``, ``date``, ``age``, ``duration``, ``ordinal``, ``label``, ``money``,
``percent``, ``uncounted``)."""

SENTENCES: dict[str, str] = {
    "doc_id": "string",
    "sentence": "Int64",
    "paragraph": "Int64",
    "start": "Int64",
    "end": "Int64",
}

GOLD: dict[str, str] = {c: FIGURES[c] for c in (
    "doc_id", "value", "value_high", "qualifier", "party", "measure", "noun",
    "date_start", "date_end", "quote")}
"""A gold table of the codebook: the scored columns of :data:`FIGURES`."""


def conform(df: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, with its dtypes.

    Missing columns are added empty; extra columns are kept after them.
    """
    out = df.copy()
    for col, dtype in schema.items():
        if col not in out.columns:
            out[col] = pd.Series(pd.NA if dtype != DATE else pd.NaT, index=out.index)
        if dtype == DATE:
            out[col] = (s := pd.to_datetime(out[col], errors="coerce")).where(s.isna() | s.between(pd.Timestamp.min, pd.Timestamp.max)).astype(DATE)  # out of ns range -> NaT
        else:
            out[col] = out[col].astype(dtype)
    extra = [c for c in out.columns if c not in schema]
    return out[list(schema) + extra].reset_index(drop=True)


def _dates(values: list[object]) -> np.ndarray:
    out = np.empty(len(values), dtype="datetime64[ns]")
    for i, v in enumerate(values):
        if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
            out[i] = np.datetime64("NaT", "ns")
        elif isinstance(v, date) and not 1678 <= v.year <= 2261:
            out[i] = np.datetime64("NaT", "ns")  # outside what datetime64[ns] can hold
        elif isinstance(v, date):
            out[i] = np.datetime64(v.isoformat() if not isinstance(v, datetime) else v.date().isoformat(), "ns")
        else:
            out[i] = pd.Timestamp(v).to_datetime64()
    return out


def frame(rows: Iterable[Mapping[str, object]], schema: Mapping[str, str]) -> pd.DataFrame:
    """Build a DataFrame of ``schema`` from an iterable of row mappings (fast path)."""
    rows = list(rows)
    cols = {}
    for col, dtype in schema.items():
        values = [r.get(col) for r in rows]
        cols[col] = _dates(values) if dtype == DATE else pd.array(values, dtype=_dtype(dtype))
    return pd.DataFrame(cols, index=pd.RangeIndex(len(rows)), copy=False)


_DTYPES: dict[str, object] = {}


def _dtype(name: str) -> object:
    if name not in _DTYPES:
        _DTYPES[name] = pd.api.types.pandas_dtype(name)
    return _DTYPES[name]


# --- derived tables (issue 3: reconcile, timeline, places, actors) -------------

FACTS: dict[str, str] = {
    "fact_id": "string",
    "kind": "string",            # incident | cumulative | stock
    "party": "string",
    "measure": "string",
    "noun": "string",
    "low": "Float64",
    "best": "Float64",           # the latest official count, else the latest report
    "high": "Float64",           # empty when open ("more than 50")
    "qualifier": "string",       # exact | at_least | at_most | approx | range
    "date_start": DATE,
    "date_end": DATE,
    "date_precision": "string",  # day | week | month | year | period
    "date_basis": "string",      # sentence | event | published | none
    "n_sources": "Int64",
    "n_figures": "Int64",
    "doc_ids": "string",         # ';'-separated
    "figure_ids": "string",      # ';'-separated
    "disputed": "boolean",       # the reported values differ
    "values": "string",          # every reported value with its figure, in report order: '13 (a:979); 14 (b:12)'
    "part_of": "string",         # fact_id of the aggregate this fact is a part of (never added to it)
    "event_id": "string",
    "place_id": "string",
    "place": "string",
    "quote": "string",
}
"""One real-world quantity, merged from the figures of every article stating it."""

EVENTS: dict[str, str] = {
    "event_id": "string",
    "date_start": DATE,
    "date_end": DATE,
    "date_precision": "string",
    "place_id": "string",
    "place": "string",
    "country": "string",
    "latitude": "Float64",
    "longitude": "Float64",
    "killed_low": "Float64",
    "killed_best": "Float64",
    "killed_high": "Float64",
    "deaths_by_party": "string",  # 'FRA=13;JIHADIST=50' (best)
    "summary": "string",          # every counted fact: 'killed FRA 13; destroyed FRA 2'
    "parties": "string",
    "n_sources": "Int64",
    "doc_ids": "string",
    "fact_ids": "string",
    "figure_ids": "string",
    "description": "string",
}
"""A dated incident grouping the facts that belong together (UCDP-style)."""

TIMELINE: dict[str, str] = {
    "item_id": "string",
    "kind": "string",        # event | milestone
    "type": "string",        # incident, launch, coup, summit, reinforcement, …
    "date_start": DATE,
    "date_end": DATE,
    "date_precision": "string",
    "label": "string",
    "description": "string",
    "place_id": "string",
    "place": "string",
    "actors": "string",      # ';'-separated canonical actor names
    "parties": "string",     # ';'-separated party codes
    "best": "Float64",
    "n_sources": "Int64",
    "doc_ids": "string",
    "refs": "string",        # ';'-separated figure_ids / mention_ids
    "event_id": "string",
    "fact_ids": "string",
}
"""Events plus dated non-numeric milestones, in date order."""

PLACES: dict[str, str] = {
    "place_id": "string",
    "name": "string",
    "aliases": "string",     # '|'-separated
    "kind": "string",        # country, region, area, border, town, village
    "country": "string",     # ISO3; '|'-separated for cross-border areas
    "latitude": "Float64",
    "longitude": "Float64",
    "precision": "string",   # point, region, border, country
    "n_mentions": "Int64",
    "n_docs": "Int64",
    "doc_ids": "string",
}

ACTORS: dict[str, str] = {
    "actor_id": "string",
    "name": "string",
    "aliases": "string",
    "party": "string",
    "kind": "string",        # state, state force, operation, task force, UN mission, EU mission, …
    "n_mentions": "Int64",
    "n_docs": "Int64",
    "doc_ids": "string",
}

MENTIONS: dict[str, str] = {
    "mention_id": "string",  # f"{doc_id}:{kind[0]}:{start}"
    "doc_id": "string",
    "kind": "string",        # place | actor | milestone
    "name": "string",        # canonical name (milestone: its label)
    "code": "string",        # place_id | party code | milestone type
    "start": "Int64",
    "end": "Int64",
    "surface": "string",
    "sentence": "Int64",
    "sentence_start": "Int64",
    "sentence_end": "Int64",
    "paragraph": "Int64",
    "date_start": DATE,
    "date_end": DATE,
    "date_precision": "string",
    "quote": "string",
}
"""Places, actors and dated milestones named in each article."""

DERIVED: dict[str, dict[str, str]] = {
    "facts": FACTS, "events": EVENTS, "timeline": TIMELINE,
    "places": PLACES, "actors": ACTORS, "mentions": MENTIONS,
}
"""Tables derived from the figures and mentions, written by ``sahel parse`` beside them."""

ARTICLE_TABLES: dict[str, dict[str, str]] = {"figures": FIGURES, "numbers": NUMBERS, "mentions": MENTIONS}
"""Tables made one article at a time (:func:`sahel.corpus.parse_article`), streamed to disk in order."""
