"""Column names and dtypes of every table ``sahel`` reads and writes.

DataFrames with explicit dtypes are the interface between modules: build them
with :func:`frame` or coerce them with :func:`conform`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

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

GOLD: dict[str, str] = {
    "doc_id": "string",
    "value": "Float64",
    "value_high": "Float64",
    "qualifier": "string",
    "party": "string",
    "measure": "string",
    "noun": "string",
    "date_start": DATE,
    "date_end": DATE,
    "quote": "string",
}


def conform(df: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, with its dtypes.

    Missing columns are added empty; extra columns are kept after them.
    """
    out = df.copy()
    for col, dtype in schema.items():
        if col not in out.columns:
            out[col] = pd.Series(pd.NA if dtype != DATE else pd.NaT, index=out.index)
        if dtype == DATE:
            out[col] = pd.to_datetime(out[col], errors="coerce").astype(DATE)
        else:
            out[col] = out[col].astype(dtype)
    extra = [c for c in out.columns if c not in schema]
    return out[list(schema) + extra].reset_index(drop=True)


def frame(rows: Iterable[Mapping[str, object]], schema: Mapping[str, str]) -> pd.DataFrame:
    """Build a DataFrame of ``schema`` from an iterable of row mappings."""
    rows = list(rows)
    df = pd.DataFrame(rows, columns=list(schema)) if rows else pd.DataFrame(columns=list(schema))
    return conform(df, schema)
