"""Reading and writing the versioned CSV tables in ``data/``.

Writes are deterministic (stable row order, integral floats without ``.0``,
ISO dates) and atomic: every table is written to a temporary folder beside
the target and moved into place only once all of them are complete.
"""
from __future__ import annotations

import csv
import functools
import io
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .forks import Forked, can_fork
from .schema import DATE, _dtype, conform

_FLOAT, _INT = pd.Float64Dtype(), pd.Int64Dtype()
_DATE_MIN, _DATE_MAX = np.datetime64("1677-09-22"), np.datetime64("2262-04-11")  # within datetime64[ns], in days


def _cells(s: pd.Series, dtype: str | None) -> list[str]:
    """The CSV cells of one column: ISO dates, integral floats without ``.0``, '' for missing."""
    if dtype == DATE or pd.api.types.is_datetime64_any_dtype(s):
        days = np.datetime_as_string(pd.to_datetime(s).to_numpy("datetime64[ns]"), unit="D")
        return ["" if d == "NaT" else d for d in days.tolist()]
    if pd.api.types.is_float_dtype(s):
        return [_fmt_float(v) for v in s.to_numpy("float64", na_value=np.nan).tolist()]
    return ["" if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v) else str(v)
            for v in s.tolist()]


def _fmt_float(v: float) -> str:
    if v is None or math.isnan(v):
        return ""
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _copy(source: int, out: int, offset: int, count: int) -> int:
    """Copy up to ``count`` bytes from ``offset`` in file ``source`` to the position of file ``out``
    (advancing it); the number copied (0 at the end of ``source``)."""
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            return copy_range(source, out, count, offset)
        except OSError:  # not supported between these files: copy through memory
            pass
    size = min(count, 1 << 24)
    if hasattr(os, "pread"):
        data = os.pread(source, size, offset)
    else:  # Windows
        os.lseek(source, offset, os.SEEK_SET)
        data = os.read(source, size)
    return os.write(out, data)


def _writer(buf: io.StringIO) -> Any:
    return csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def csv_header(schema: Mapping[str, str]) -> str:
    """The header line of a table of ``schema``."""
    buf = io.StringIO()
    _writer(buf).writerow(list(schema))
    return buf.getvalue()


def _conformed(df: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """``df`` itself if it already has ``schema``'s columns and dtypes, else passed through :func:`conform`."""
    if list(df.columns) != list(schema) or any(str(t) != schema[c] for c, t in df.dtypes.items()):
        return conform(df, schema)
    return df


def csv_row_list(df: pd.DataFrame, schema: Mapping[str, str]) -> list[str]:
    """:func:`csv_rows` one row at a time: the text of each row (with its ``\n``)."""
    df = _conformed(df, schema)
    buf = io.StringIO()
    writer = _writer(buf)
    out = []
    for row in zip(*(_cells(df[c], schema.get(c)) for c in df.columns)):
        writer.writerow(row)
        out.append(buf.getvalue())
        buf.seek(0)
        buf.truncate()
    return out


def csv_rows(df: pd.DataFrame, schema: Mapping[str, str]) -> str:
    """The CSV lines (no header) :func:`write_tables` stores for ``df``'s rows.

    Row-wise, so the rows of a table can be written piece by piece (one
    article at a time) and give the same file as the whole table at once.
    """
    df = _conformed(df, schema)
    buf = io.StringIO()
    _writer(buf).writerows(zip(*(_cells(df[c], schema.get(c)) for c in df.columns)))
    return buf.getvalue()


def to_csv_text(df: pd.DataFrame, schema: Mapping[str, str]) -> str:
    """The exact CSV text :func:`write_tables` stores for ``df``."""
    extra = [c for c in df.columns if c not in schema]
    return csv_header({**schema, **dict.fromkeys(extra, "")}) + csv_rows(df, schema)


class TableWriter:
    """Write tables into ``out_dir`` all or nothing, whole or piece by piece.

    Used as a context manager: tables go to a temporary folder beside
    ``out_dir`` and are moved into place when the block ends without an
    exception (see :func:`write_tables`); otherwise nothing is changed.
    :meth:`append` streams a table's rows, so a large table never needs to
    be held in memory.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.tmp: Path | None = None
        self.files: dict[str, Any] = {}
        self.sizes: dict[str, int] = {}  # bytes in each appended table so far
        self.children: dict[str, Forked[None]] = {}

    def __enter__(self) -> TableWriter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}-", dir=self.out_dir.parent))
        return self

    def _file(self, name: str, schema: Mapping[str, str]) -> Any:
        if name not in self.files:
            assert self.tmp is not None, "use TableWriter as a context manager"
            fh = open(self.tmp / f"{name}.csv", "wb")
            self.files[name] = fh
            self.sizes[name] = 0
            self._put(name, fh, csv_header(schema))
        return self.files[name]

    def _put(self, name: str, fh: Any, text: str) -> None:
        data = text.encode("utf-8")
        fh.write(data)
        self.sizes[name] += len(data)

    def append(self, name: str, schema: Mapping[str, str], rows: str = "") -> None:
        """Add CSV lines (from :func:`csv_rows`) to table ``name`` (created with its header)."""
        self._put(name, self._file(name, schema), rows)

    def append_from(self, name: str, schema: Mapping[str, str], source: int, start: int, end: int) -> None:
        """Add bytes ``start:end`` of the open file ``source`` (a descriptor: rows of a table written
        earlier) to table ``name``, as :meth:`append` would add them."""
        fh = self._file(name, schema)
        fh.flush()  # what was appended so far is in the file; the copy goes after it
        out, at, left = fh.fileno(), start, end - start
        while left > 0:
            n = _copy(source, out, at, left)
            if n <= 0:
                raise OSError(f"{name}: the rows to copy end early")
            at, left = at + n, left - n
        self.sizes[name] += end - start

    def append_file(self, name: str, schema: Mapping[str, str], path: Path) -> None:
        """Add the CSV lines (no header) of the file ``path`` to table ``name``, then delete the file."""
        with open(path, "rb") as source:
            self.append_from(name, schema, source.fileno(), 0, os.fstat(source.fileno()).st_size)
        path.unlink()

    def copy(self, name: str, source: Path, schema: Mapping[str, str]) -> None:
        """Take table ``name`` whole from the CSV file ``source`` (written earlier by a writer like this
        one); :class:`ValueError` if its header is not that of ``schema``."""
        if name in self.files:
            raise ValueError(f"{name}: table already written")
        assert self.tmp is not None, "use TableWriter as a context manager"
        target = self.tmp / f"{name}.csv"
        shutil.copyfile(source, target)
        with open(target, encoding="utf-8", newline="") as fh:
            head = fh.readline()
        if head != csv_header(schema):
            target.unlink()
            raise ValueError(f"{source}: not a {name} table of this version (header differs)")
        self.files[name] = None  # complete: nothing to close

    def start_writeback(self, *names: str) -> None:
        """What tables ``names`` hold so far starts going to disk now (once they are complete, or while
        waiting for more), so that the sync before the commit has less to wait for."""
        for name in names:
            fh = self.files.get(name)
            if fh is not None:
                fh.flush()
                _start_writeback(fh.fileno())

    def discard(self, name: str) -> None:
        """Forget table ``name`` (taken by :meth:`copy`), so that it can be written again."""
        if self.files.get(name, False) is not None or name in self.children:
            raise ValueError(f"{name}: not a copied table")
        del self.files[name]
        (self.tmp / f"{name}.csv").unlink(missing_ok=True)  # type: ignore[operator]

    def write(self, name: str, df: pd.DataFrame, schema: Mapping[str, str], chunk: int = 2000,
              background: bool = False) -> None:
        """Write a whole table (formatted ``chunk`` rows at a time, to bound memory).

        ``background``: format and write it in a forked child process while this one goes on, where
        that is safe (:func:`sahel.forks.can_fork`); should the child fail, the table is written here
        when the block ends.
        """
        if name in self.files:
            raise ValueError(f"{name}: table already written")
        if background and can_fork():
            job = Forked(lambda: self._write_rows(name, df, schema, chunk))
            self.files[name] = None  # written by the child (or, should it fail, by _join)
            self.children[name] = job
            return
        self._write_rows(name, df, schema, chunk)

    def _write_rows(self, name: str, df: pd.DataFrame, schema: Mapping[str, str], chunk: int) -> None:
        if self.files.get(name, False) is None:  # a child's table: written here after all
            del self.files[name]
        extra = [c for c in df.columns if c not in schema]
        fh = self._file(name, {**schema, **dict.fromkeys(extra, "")})
        for start in range(0, len(df), chunk):
            self._put(name, fh, csv_rows(df.iloc[start:start + chunk], schema))
        fh.flush()

    def _join(self, ok: bool) -> None:
        """Wait for the tables written in the background (writing here those whose child failed), or,
        if not ``ok``, stop them all."""
        try:
            for name in list(self.children):
                job = self.children.pop(name)
                if ok:
                    job.result()
                else:
                    job.close(kill=True)
        except BaseException:
            for job in self.children.values():  # interrupted: no child may outlive the folder
                job.close(kill=True)
            self.children.clear()
            raise

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._join(exc_type is None)
            for fh in self.files.values():
                if fh is not None:
                    fh.close()
            if exc_type is None:
                for name in self.files:
                    _fsync(self.tmp / f"{name}.csv")  # type: ignore[operator]
                with _signals_held():
                    self.written = _commit(self.tmp, self.out_dir, list(self.files))  # type: ignore[arg-type]
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)  # type: ignore[arg-type]


def write_tables(tables: Mapping[str, tuple[pd.DataFrame, Mapping[str, str]]], out_dir: Path) -> list[Path]:
    """Write ``{name: (frame, schema)}`` as ``out_dir/name.csv``, all or nothing.

    The files are written (and fsynced) into a temporary folder next to
    ``out_dir`` and only then moved into place, so an interrupted run leaves
    the old tables intact. The moves themselves run with Ctrl-C/SIGTERM held
    back, and a failing move puts back the tables already replaced.
    """
    with TableWriter(out_dir) as writer:
        for name, (df, schema) in tables.items():
            writer.write(name, df, schema)
    return writer.written


def _start_writeback(fd: int) -> None:
    """Start writing the file's changed pages to disk without waiting (Linux ``sync_file_range``; a no-op
    elsewhere)."""
    call = _sync_file_range()
    if call is not None:
        call(fd, 0, 0, 2)  # SYNC_FILE_RANGE_WRITE: the whole file, without waiting (a failure is ignored)


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        call = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    call.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    return call


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
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
    return _read(lambda: path, str(path), schema)


def read_csv_text(rows: str, schema: Mapping[str, str]) -> pd.DataFrame:
    """A table of ``schema`` from CSV lines without header (from :func:`csv_rows`),
    read as :func:`read_table` reads a file."""
    text = csv_header(schema) + rows
    return _read(lambda: io.StringIO(text), "CSV text", schema)


def _read(source: Callable[[], Any], label: str, schema: Mapping[str, str]) -> pd.DataFrame:
    """:func:`read_table` of what ``source()`` opens; errors name ``label``."""
    dates = [c for c, t in schema.items() if t == DATE]
    try:
        df = pd.read_csv(source(), dtype_backend="numpy_nullable", keep_default_na=False, na_values=[""],
                         parse_dates=dates, low_memory=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"{label}: table not found; run `sahel parse` first") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise ValueError(f"{label}: not a readable table ({exc})") from None
    if df.columns.tolist() == list(schema) and _fix_inferred(df, schema):
        return df
    dtypes = {c: "string" if t == DATE else t for c, t in schema.items()}
    try:
        df = pd.read_csv(source(), dtype=dtypes, keep_default_na=False, na_values=[""], low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise ValueError(f"{label}: not a readable table ({exc})") from None
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
