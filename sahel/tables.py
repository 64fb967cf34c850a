"""Reading and writing the versioned CSV tables in ``data/``.

Writes are deterministic (stable row order, integral floats without ``.0``,
ISO dates) and atomic: every table is written to a temporary folder beside
the target and moved into place only once all of them are complete.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .schema import DATE, conform


def _format(df: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        dtype = schema.get(col)
        s = df[col]
        if dtype == DATE or pd.api.types.is_datetime64_any_dtype(s):
            out[col] = pd.to_datetime(s).dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(s):
            out[col] = [_fmt_float(v) for v in s.astype("float64")]
        else:
            out[col] = s.astype("object").where(s.notna(), "")
    return out


def _fmt_float(v: float) -> str:
    if v is None or math.isnan(v):
        return ""
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def to_csv_text(df: pd.DataFrame, schema: Mapping[str, str]) -> str:
    """The exact CSV text :func:`write_tables` stores for ``df``."""
    return _format(conform(df, schema), schema).to_csv(index=False, lineterminator="\n")


def write_tables(tables: Mapping[str, tuple[pd.DataFrame, Mapping[str, str]]], out_dir: Path) -> list[Path]:
    """Write ``{name: (frame, schema)}`` as ``out_dir/name.csv``, all or nothing.

    The files are written into a temporary folder next to ``out_dir`` and only
    then moved into place, so an interrupted run leaves the old tables intact.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, (df, schema) in tables.items():
            (tmp / f"{name}.csv").write_text(to_csv_text(df, schema), encoding="utf-8")
        written = []
        for name in tables:
            target = out_dir / f"{name}.csv"
            os.replace(tmp / f"{name}.csv", target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_table(path: Path, schema: Mapping[str, str]) -> pd.DataFrame:
    """Read a CSV written by :func:`write_tables` back with its dtypes."""
    path = Path(path)
    dates = [c for c, t in schema.items() if t == DATE]
    plain = {c: ("string" if t == "string" else "object") for c, t in schema.items() if t != DATE}
    try:
        df = pd.read_csv(path, dtype=plain, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: table not found; run `sahel parse` first") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a readable CSV table ({exc})") from None
    for c in dates:
        if c in df.columns:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
    return conform(df, schema)
