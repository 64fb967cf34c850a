"""Reading and writing the versioned CSV tables in ``data/``.

Writes are deterministic (stable row order, integral floats without ``.0``,
ISO dates) and atomic: every table is written to a temporary folder beside
the target and moved into place only once all of them are complete.
"""
from __future__ import annotations

import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import DATE, _dtype, conform

_FLOAT, _INT = pd.Float64Dtype(), pd.Int64Dtype()
_DATE_MIN, _DATE_MAX = np.datetime64("1677-09-22"), np.datetime64("2262-04-11")  # within datetime64[ns], in days


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

    The files are written (and fsynced) into a temporary folder next to
    ``out_dir`` and only then moved into place, so an interrupted run leaves
    the old tables intact. The moves themselves run with Ctrl-C/SIGTERM held
    back, and a failing move puts back the tables already replaced.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, (df, schema) in tables.items():
            _write_synced(tmp / f"{name}.csv", to_csv_text(df, schema))
        with _signals_held():
            return _commit(tmp, out_dir, list(tables))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _commit(tmp: Path, out_dir: Path, names: list[str]) -> list[Path]:
    """Move ``tmp/name.csv`` over ``out_dir/name.csv`` for every name: all, or none on failure."""
    backup = tmp / ".previous"
    backup.mkdir()
    done: list[str] = []
    try:
        for name in names:
            target = out_dir / f"{name}.csv"
            if target.exists():
                try:
                    os.link(target, backup / f"{name}.csv")
                except OSError:
                    shutil.copy2(target, backup / f"{name}.csv")
            os.replace(tmp / f"{name}.csv", target)
            done.append(name)
    except BaseException:
        for name in reversed(done):
            old, target = backup / f"{name}.csv", out_dir / f"{name}.csv"
            if old.exists():
                os.replace(old, target)
            else:
                target.unlink(missing_ok=True)
        raise
    try:  # make the renames durable (POSIX); harmless where unsupported
        fd = os.open(out_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    return [out_dir / f"{name}.csv" for name in names]


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back during the block and deliver them after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None]
    previous = {s: signal.signal(s, lambda signum, _frame: caught.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(caught):
            signal.raise_signal(s)


def read_table(path: Path, schema: Mapping[str, str]) -> pd.DataFrame:
    """Read a CSV written by :func:`write_tables` back with its dtypes.

    Fast path: one ``read_csv`` with nullable dtypes inferred (no per-column
    dtype mapping, which makes pandas wrap every column in a Series), then only
    the columns whose inferred dtype differs from the schema are fixed in place:
    dates to ``datetime64[ns]``, integral floats to ``Float64``, empty columns to
    their dtype. Anything else (a string column that looks numeric, bad values,
    other columns) takes the slow path: explicit dtypes and :func:`conform`.
    """
    path = Path(path)
    dates = [c for c, t in schema.items() if t == DATE]
    try:
        df = pd.read_csv(path, dtype_backend="numpy_nullable", keep_default_na=False, na_values=[""],
                         parse_dates=dates, low_memory=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: table not found; run `sahel parse` first") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise ValueError(f"{path}: not a readable table ({exc})") from None
    if df.columns.tolist() == list(schema) and _fix_inferred(df, schema):
        return df
    dtypes = {c: "string" if t == DATE else t for c, t in schema.items()}
    try:
        df = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""], low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise ValueError(f"{path}: not a readable table ({exc})") from None
    return conform(df, schema)


def _fix_inferred(df: pd.DataFrame, schema: Mapping[str, str]) -> bool:
    """Give ``df``'s inferred columns the schema's dtypes in place where that is
    lossless; False (``df`` half fixed) when some column needs the slow path."""
    for i, (have, (col, name)) in enumerate(zip(df.dtypes.tolist(), schema.items())):
        want = _dtype(name)
        if have == want:
            continue
        values = df[col].array
        if name == DATE and have.kind == "M":  # another unit: pandas 3 parses to datetime64[us]
            values = values.to_numpy()
            if (values < _DATE_MIN).any() or (values >= _DATE_MAX).any():  # NaT compares False
                return False  # (near) out of the range of datetime64[ns]: the slow path
            values = values.astype(want)
        elif want == _FLOAT and have == _INT:  # integral floats are written without ".0"
            values = values.astype(want)
        elif values.isna().all():  # an empty column is inferred as anything
            values = (np.full(len(values), np.datetime64("NaT"), dtype=want) if name == DATE
                      else pd.array([None] * len(values), dtype=want))
        else:
            return False
        df.isetitem(i, values)
    return True
