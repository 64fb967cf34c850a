"""What a ``sahel parse`` run wrote, kept in the cache so that the next run copies what did not change.

A :class:`RunRecord` names, for each article of the run in order, its cache key, where its rows are
in each per-article table file of the output folder (byte offsets), its figure count and its
compact input to the corpus-wide tables (:class:`sahel.reconcile.Prepared`, pickled). The next run
on the same corpus folder into the same output folder, if those files are still the ones the run
wrote (same stat identity: size, mtime, ctime, inode, device), copies the rows of every article
whose key is unchanged straight from them (runs of consecutive articles in one copy) and takes its
prepared input from the record: no cache entry is read for it. Articles that are new, changed, or
whose parse failed go through the cache or the parser as usual.

It also names where each fact's row is in the facts table the run wrote (:class:`FactIndex`), so that
the next run copies the rows of facts that did not change (:func:`write_facts`).

The record is one pickle per corpus folder, ``<cache>/<version>/derive/<folder key>.run.pkl``
(:func:`record_path`), replaced atomically after each run; a missing, damaged or foreign one is
ignored.
"""
from __future__ import annotations

import os
import pickle
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import ArticleCache, folder_key, write_pickle

if TYPE_CHECKING:
    from .reconcile import Prepared
    from .tables import TableWriter

FORMAT = 2


def record_path(store: ArticleCache, corpus: str | Path) -> Path:
    """Where the record of the last run on the corpus folder ``corpus`` is kept."""
    return store.folder / "derive" / f"{folder_key(corpus)}.run.pkl"


def _identity(st: os.stat_result) -> tuple[int, ...]:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


@dataclass
class RunRecord:
    """The articles of one run and where their rows are in its output folder's table files."""

    out_dir: str  # resolved
    tables: tuple[str, ...]  # the per-article tables, in the order they are written
    files: dict[str, tuple[int, ...]] = field(default_factory=dict)  # table -> stat identity of its file
    doc_ids: list[str] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)  # None: not to be copied (the parse failed)
    starts: dict[str, array] = field(default_factory=dict)  # table -> byte offset of each article's rows
    n_figures: array = field(default_factory=lambda: array("q"))
    prepared: list[Any] = field(default_factory=list)  # pickled Prepared (None: none; objects until saved)
    digests: list[bytes | None] = field(default_factory=list)  # reconcile.digest of each Prepared
    facts: FactIndex | None = None  # where each fact's row is in the facts table written
    format: int = FORMAT

    def __post_init__(self) -> None:
        for name in self.tables:
            self.starts.setdefault(name, array("q"))

    @classmethod
    def load(cls, path: Path) -> RunRecord | None:
        """The record at ``path``, or None if missing or unreadable."""
        try:
            with open(path, "rb") as fh:
                record = pickle.load(fh)
        except Exception:  # missing, truncated or foreign
            return None
        if not isinstance(record, cls) or record.format != FORMAT:
            return None
        return record

    def save(self, path: Path) -> None:
        """Store the record at ``path``, each prepared input pickled as it is written (not all at once)."""
        prepared = self.prepared
        self.prepared = _Pickled(prepared)
        try:
            write_pickle(path, self, fast=True)  # (no pickler memo: it would keep every pickled input)
        finally:
            self.prepared = prepared

    def open(self, out_dir: Path, tables: Iterable[str]) -> dict[str, int] | None:
        """If the run wrote these tables into ``out_dir`` and its files are still the ones it wrote, each
        file opened for reading (``{table: descriptor}``, checked once open); else None."""
        if self.out_dir != str(Path(out_dir).resolve()) or tuple(tables) != self.tables:
            return None
        fds: dict[str, int] = {}
        try:
            for name in self.tables:
                fds[name] = os.open(Path(self.out_dir) / f"{name}.csv", os.O_RDONLY | getattr(os, "O_BINARY", 0))
                if _identity(os.fstat(fds[name])) != self.files[name]:
                    break
            else:
                return fds
        except (OSError, KeyError):
            pass
        for fd in fds.values():
            os.close(fd)
        return None

    def find(self, doc_ids: Iterable[str], keys: Iterable[str]) -> list[int | None]:
        """For each article (doc id and cache key), its position in this record if it can be copied."""
        where = {doc: j for j, doc in enumerate(self.doc_ids)}
        out: list[int | None] = []
        for doc, key in zip(doc_ids, keys):
            j = where.get(doc)
            out.append(j if j is not None and self.keys[j] == key else None)
        return out

    def add(self, doc_id: str, key: str | None, n_figures: int, prepared: Prepared | bytes | None,
            digest: bytes | None, sizes: dict[str, int] | None = None) -> None:
        """Append an article whose rows start at ``sizes`` (bytes so far in each table; None: set by the
        :class:`Copier` that copies them); ``prepared`` pickled or not (it is pickled on saving)."""
        self.doc_ids.append(doc_id)
        self.keys.append(key)
        if sizes is not None:
            for name in self.tables:
                self.starts[name].append(sizes[name])
        self.n_figures.append(n_figures)
        self.prepared.append(prepared)
        self.digests.append(digest)

    def finish(self, sizes: dict[str, int], out_dir: Path) -> None:
        """Close the record with the tables' final sizes, once they are in ``out_dir``."""
        for name in self.tables:
            self.starts[name].append(sizes[name])
        self.out_dir = str(Path(out_dir).resolve())
        names = (*self.tables, "facts") if self.facts is not None else self.tables
        self.files = {name: _identity(os.stat(Path(self.out_dir) / f"{name}.csv")) for name in names}

    def open_facts(self, out_dir: Path, token: bytes) -> tuple[int, FactIndex] | None:
        """The facts table this run wrote into ``out_dir``, opened, and where its rows are, if the file is
        still the one written and ``token`` (the block memo's) is the one its facts came with; else None."""
        if self.facts is None or not token or self.facts.token != token or "facts" not in self.files:
            return None
        if self.out_dir != str(Path(out_dir).resolve()):
            return None
        try:
            fd = os.open(Path(self.out_dir) / "facts.csv", os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError:
            return None
        if _identity(os.fstat(fd)) != self.files["facts"]:
            os.close(fd)
            return None
        return fd, self.facts

    def prepared_of(self, j: int) -> Prepared | None:
        blob = self.prepared[j]
        return None if blob is None else pickle.loads(blob)


class _Pickled(list):
    """Prepared inputs that pickle as a list of each one pickled (bytes), made one at a time."""

    def __reduce_ex__(self, protocol: Any) -> tuple:
        return list, (), None, (p if p is None or isinstance(p, bytes) else pickle.dumps(p, protocol=protocol)
                                for p in self)


class Copier:
    """Copies the rows of runs of consecutive articles of record ``last`` from its files into ``out``,
    noting where they land in record ``new``."""

    def __init__(self, last: RunRecord, fds: dict[str, int], out: TableWriter,
                 schemas: dict[str, dict[str, str]], new: RunRecord | None) -> None:
        """``fds``: the files of ``last``, open (see :meth:`RunRecord.open`; the caller closes them)."""
        self.last, self.fds, self.out, self.schemas, self.new = last, fds, out, schemas, new
        self.first = self.end = -1  # the pending run of articles: first … end - 1

    def take(self, j: int) -> None:
        """Queue article ``j`` of ``last`` (added to ``new`` by the caller, without its offsets)."""
        if j != self.end:
            self.flush()
            self.first = j
        self.end = j + 1

    def flush(self) -> None:
        """Copy the queued articles' rows (before anything else is appended to ``out``)."""
        if self.first < 0:
            return
        starts = self.last.starts
        for name in self.last.tables:
            a, b = starts[name][self.first], starts[name][self.end]
            if self.new is not None:
                base = self.out.sizes[name] - a
                self.new.starts[name].extend([base + x for x in starts[name][self.first:self.end]])
            if b > a:
                self.out.append_from(name, self.schemas[name], self.fds[name], a, b)
        self.first = self.end = -1


class FactIndex:
    """Where the row of each fact is in a facts table (byte offsets, the last one its end), with the
    ``part_of`` and ``event_id`` it was written with, and the block memo's token of that run. Pickled
    as a few long strings (not one object per fact)."""

    def __init__(self, ids: list[str], starts: array, part_of: list[str | None], event_id: list[str | None],
                 token: bytes) -> None:
        self.ids, self.starts, self.part_of, self.event_id, self.token = ids, starts, part_of, event_id, token

    def where(self) -> dict[str, int]:
        """The position of each fact id that occurs once."""
        out: dict[str, int] = {}
        for k, fid in enumerate(self.ids):
            out[fid] = -1 if fid in out else k
        return out

    def __getstate__(self) -> tuple:
        def join(values: list[str | None]) -> str | list[str | None]:
            text = "\0".join("\1" if v is None else v for v in values)
            if text.count("\0") != max(len(values) - 1, 0) or "\1" in values:  # a value holds a marker
                return values
            return text

        return join(self.ids), self.starts, join(self.part_of), join(self.event_id), self.token

    def __setstate__(self, state: tuple) -> None:
        def split(text: str | list[str | None]) -> list[str | None]:
            if not isinstance(text, str):
                return text
            return [None if v == "\1" else v for v in text.split("\0")] if text else []

        ids, self.starts, part_of, event_id, self.token = state
        self.ids, self.part_of, self.event_id = split(ids), split(part_of), split(event_id)  # type: ignore[assignment]


def write_facts(out: TableWriter, facts: list, schema: dict[str, str], frame: Callable[[list], Any],
                last: tuple[int, FactIndex] | None, token: bytes, chunk: int = 2000) -> FactIndex:
    """Write the facts table: the row of each fact that is ``kept`` (as it was in the last run) and has
    the links it had is copied from the last table (``last``: its open file and index), the others are
    formatted (``frame(facts)``, a frame of ``schema``); where each row went, for the next run."""
    from .tables import csv_row_list

    out.append("facts", schema)
    starts = array("q")
    fd, index = last if last is not None else (-1, None)
    if index is not None and not (len(index.ids) == len(index.part_of) == len(index.event_id) == len(index.starts) - 1):
        index = None  # not an index of this kind: format every row
    where = index.where() if index is not None else {}
    todo: list = []  # facts to format, in order
    first = end = -1  # the pending run of rows to copy (positions in the last index)

    def copy() -> None:
        nonlocal first, end
        if first >= 0:
            a, b = index.starts[first], index.starts[end]  # type: ignore[union-attr]
            base = out.sizes["facts"] - a
            starts.extend([base + x for x in index.starts[first:end]])  # type: ignore[union-attr]
            out.append_from("facts", schema, fd, a, b)
            first = end = -1

    def formatted() -> None:
        for at in range(0, len(todo), chunk):
            rows = csv_row_list(frame(todo[at:at + chunk]), schema)
            size = out.sizes["facts"]
            for row in rows:
                starts.append(size)
                size += len(row.encode("utf-8"))
            out.append("facts", schema, "".join(rows))
        todo.clear()

    for f in facts:
        k = where.get(f.fact_id, -1) if f.kept else -1
        if k >= 0 and index.part_of[k] == f.part_of and index.event_id[k] == f.event_id:  # type: ignore[union-attr]
            formatted()
            if k != end:
                copy()
                first = k
            end = k + 1
        else:
            copy()
            todo.append(f)
    copy()
    formatted()
    starts.append(out.sizes["facts"])
    return FactIndex([f.fact_id for f in facts], starts, [f.part_of for f in facts], [f.event_id for f in facts],
                     token)
