"""The CSV tables: how a column becomes cells, :class:`TableSet` (atomic writes of a whole set, under a
lock on the output folder) and :func:`read_table`. What stays out: which tables exist and their columns
(:mod:`sahel.schema`), how rows are made (:mod:`sahel.pipeline`)."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import DATE, conform

TMP_TAG = "-sahel-tmp-"
"""Temporary folders are ``.<out name><TMP_TAG>XXXX`` beside the output folder."""
FORMULA = re.compile(r"'*[=+\-@\t\r]")
"""Text cells a spreadsheet could run as a formula (OWASP's CSV-injection rule), with any quotes already
in front: written with one more ``'`` in front, which :func:`read_table` removes."""


def _cell(v: Any, kind: str) -> str:
    """A value as a CSV cell, by the dtype kind of its column: '' for missing; ISO days (a ``date`` of a row:
    '' outside the years :func:`sahel.schema.frame` keeps); integral floats without ``.0``; text with one
    more ``'`` in front of what a spreadsheet could run (:data:`FORMULA`)."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return ""
    if kind == "M":
        return v.isoformat()[:10] if isinstance(v, pd.Timestamp) or 1678 <= v.year <= 2261 else ""
    if kind == "f":
        v = float(v)
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    v = str(v)
    return f"'{v}" if v[:1] in "=+-@\t\r'" and FORMULA.match(v) else v


def unquote(s: pd.Series) -> pd.Series:
    """A text column as it was before :func:`row_cells` neutralized its formulas."""
    quoted = s.str.startswith("'").fillna(False)
    if not quoted.any():
        return s
    return s.mask(quoted & s.str.match(FORMULA.pattern).fillna(False), s.str.slice(1))


def row_cells(df: pd.DataFrame, schema: Mapping[str, str]) -> list[list[str]]:
    """The rows of ``df`` as lists of CSV cells, in the schema's column order (then extra columns)."""
    if list(df.columns) != list(schema) or any(str(t) != schema[c] for c, t in df.dtypes.items()):
        df = conform(df, schema)
    kinds = [t.kind for t in df.dtypes]
    return [[_cell(v, k) for v, k in zip(r, kinds)] for r in zip(*(df[c].tolist() for c in df.columns))]


@cache
def _kind(dtype: str) -> str:
    return pd.api.types.pandas_dtype(dtype).kind


def _writer(buf: Any) -> Any:
    return csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def csv_lines(rows: Iterable[Mapping[str, object]], schema: Mapping[str, str]) -> list[str]:
    """The CSV line (with its ``\\n``) of each row mapping, its cells in the schema's column order."""
    kinds = [(col, _kind(dtype)) for col, dtype in schema.items()]
    buf = io.StringIO()
    write, lines = _writer(buf).writerow, []
    for r in rows:
        write([_cell(r.get(col), k) for col, k in kinds])
        lines.append(buf.getvalue())
        buf.seek(0)
        buf.truncate()
    return lines


def csv_header(schema: Mapping[str, str]) -> str:
    """The header line of a table of ``schema``."""
    buf = io.StringIO()
    _writer(buf).writerow(list(schema))
    return buf.getvalue()


def csv_rows(df: pd.DataFrame, schema: Mapping[str, str]) -> str:
    """The CSV lines (no header) written for ``df``'s rows."""
    buf = io.StringIO()
    _writer(buf).writerows(row_cells(df, schema))
    return buf.getvalue()


class TableSet:
    """Write a set of tables into ``out_dir``, all or nothing (a context manager): the folder is locked
    (a second run waits), tables go to a temporary folder beside it (those of killed runs are removed) and
    are moved into place on a clean exit; on any exception nothing in ``out_dir`` changes."""

    def __init__(self, out_dir: Path, schemas: Mapping[str, Mapping[str, str]]) -> None:
        self.out_dir, self.schemas = Path(out_dir), dict(schemas)
        self.files: dict[str, Any] = {}
        self.written: list[Path] = []
        self.extra: list[str] = []  # files other than tables (``text``)
        self.tmp = Path()
        self.lock = -1

    def __enter__(self) -> TableSet:
        out = self.out_dir.absolute()
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(f"{self.out_dir}: not a folder (the output must be a folder)")
        out.mkdir(parents=True, exist_ok=True)
        self.lock = _lock(out)
        try:
            for old in out.parent.glob(f".{out.name}{TMP_TAG}*"):  # left by a killed run: no run holds them
                shutil.rmtree(old, ignore_errors=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}{TMP_TAG}", dir=out.parent))
            for name, schema in self.schemas.items():
                self.files[name] = open(self.tmp / f"{name}.csv", "w", encoding="utf-8", newline="")
                self.files[name].write(csv_header(schema))
        except BaseException:
            self._close()
            raise
        return self

    def write(self, name: str, lines: str) -> None:
        """Append CSV lines (from :func:`csv_lines`) to table ``name``."""
        self.files[name].write(lines)

    def frame(self, name: str, df: pd.DataFrame, chunk: int = 5000) -> None:
        """Append the rows of a DataFrame to table ``name`` (formatted ``chunk`` rows at a time)."""
        for start in range(0, len(df), chunk):
            self.files[name].write(csv_rows(df.iloc[start:start + chunk], self.schemas[name]))

    def text(self, filename: str, content: str) -> None:
        """Write a file other than a table (``datapackage.json``), committed with the tables."""
        (self.tmp / filename).write_text(content, encoding="utf-8")
        self.extra.append(filename)

    def path(self, name: str) -> Path:
        """Where table ``name`` is being written (flushed, so it can be read back)."""
        self.files[name].flush()
        return self.tmp / f"{name}.csv"

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            for fh in self.files.values():
                fh.close()
            if exc_type is None:
                names = [f"{name}.csv" for name in self.files] + self.extra
                for name in names:
                    with open(self.tmp / name, "rb+") as fh:
                        os.fsync(fh.fileno())
                with _signals_held():
                    self.written = _commit(self.tmp, self.out_dir, names, self.lock)
        except OSError as err:
            exc = err
            raise
        finally:
            self._close()
            if isinstance(exc, OSError) and exc.filename is None:  # a full disk: say where
                raise OSError(exc.errno, f"{exc.strerror or exc} while writing the tables of {self.out_dir}; "
                              "nothing in it changed", str(self.tmp)) from exc

    def _close(self) -> None:
        for fh in self.files.values():
            fh.close()
        if self.tmp != Path():
            shutil.rmtree(self.tmp, ignore_errors=True)
        if self.lock >= 0:
            os.close(self.lock)  # releases the lock
            self.lock = -1


def _lock(folder: Path) -> int:
    """Lock ``folder`` against other runs (an exclusive ``flock`` on the folder itself; waits with a
    warning while another run holds it); the descriptor to close. A no-op where flock is missing."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        import fcntl
    except ImportError:  # Windows
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        warnings.warn(f"{folder}: another run is writing into this folder; waiting for it", RuntimeWarning,
                      stacklevel=3)
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # a file system without locks
        pass
    return fd


def write_tables(tables: Mapping[str, tuple[pd.DataFrame, Mapping[str, str]]], out_dir: Path) -> list[Path]:
    """Write ``{name: (frame, schema)}`` as ``out_dir/name.csv``, all or nothing (see :class:`TableSet`)."""
    schemas = {name: {**schema, **dict.fromkeys([c for c in df.columns if c not in schema], "")}
               for name, (df, schema) in tables.items()}
    with TableSet(out_dir, schemas) as out:
        for name, (df, _) in tables.items():
            out.frame(name, df)
    return out.written


def _commit(tmp: Path, out_dir: Path, names: list[str], folder_fd: int) -> list[Path]:
    """Move ``tmp/name`` over ``out_dir/name`` for every file name: all, or none on failure; then make
    the renames durable (``folder_fd``: the output folder, open)."""
    backup = tmp / ".previous"
    backup.mkdir()
    done: list[str] = []
    try:
        for name in names:
            target = out_dir / name
            if target.exists():
                try:
                    os.link(target, backup / name)
                except OSError:
                    shutil.copy2(target, backup / name)
            os.replace(tmp / name, target)
            done.append(name)
    except BaseException:
        for name in reversed(done):
            old, target = backup / name, out_dir / name
            if old.exists():
                os.replace(old, target)
            else:
                target.unlink(missing_ok=True)
        raise
    try:
        os.fsync(folder_fd)
    except OSError:  # not supported here
        pass
    return [out_dir / name for name in names]


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


def read_table(path: Path, schema: Mapping[str, str], chunk: int | None = None,
               columns: Iterable[str] | None = None) -> Any:
    """Read a CSV written here back with the schema's dtypes (errors name the file); ``chunk``: an iterator
    of frames of that many rows; ``columns``: only these. One frame: dtypes inferred, then fixed in place
    where they differ (fast)."""
    path = Path(path)
    if columns is not None:
        schema = {c: schema[c] for c in columns}
    chunks = _read(path, schema, chunk, None if columns is None else list(schema))
    return chunks if chunk else next(chunks)


def _read(path: Path, schema: Mapping[str, str], chunk: int | None, usecols: list[str] | None
          ) -> Iterator[pd.DataFrame]:
    try:
        frames: Any = None
        if not chunk:
            df = pd.read_csv(path, dtype_backend="numpy_nullable", keep_default_na=False, na_values=[""],
                             parse_dates=[c for c, t in schema.items() if t == DATE], low_memory=False,
                             usecols=usecols)
            frames = [df] if df.columns.tolist() == list(schema) and _fix_inferred(df, schema) else None
        if frames is None:
            frames = pd.read_csv(path, dtype={c: "string" if t == DATE else t for c, t in schema.items()},
                                 keep_default_na=False, na_values=[""], chunksize=chunk, low_memory=False,
                                 usecols=usecols)
            frames = (conform(df, schema) for df in (frames if chunk else [frames]))
        for df in frames:
            for i, (have, col) in enumerate(zip(df.dtypes.tolist(), df.columns)):
                if isinstance(have, pd.StringDtype):
                    df.isetitem(i, unquote(df[col]))
            yield df
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: table not found; run `sahel parse` first") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise ValueError(f"{path}: not a readable table ({exc})") from None


_FLOAT, _INT = pd.Float64Dtype(), pd.Int64Dtype()
_DATE_MIN, _DATE_MAX = np.datetime64("1677-09-22"), np.datetime64("2262-04-11")  # within datetime64[ns]


def _fix_inferred(df: pd.DataFrame, schema: Mapping[str, str]) -> bool:
    """Give ``df``'s inferred columns the schema's dtypes in place where that is lossless; False (``df``
    half fixed) when some column needs the slow path."""
    for i, (have, (col, name)) in enumerate(zip(df.dtypes.tolist(), schema.items())):
        want = pd.api.types.pandas_dtype(name)
        if have == want:
            continue
        values = df[col].array
        if name == DATE and have.kind == "M":  # another unit: pandas 3 parses to datetime64[us]
            values = values.to_numpy()
            if (values < _DATE_MIN).any() or (values >= _DATE_MAX).any():  # NaT compares False
                return False
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
