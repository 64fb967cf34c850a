"""What a ``sahel parse`` run wrote, kept in the cache so that the next run copies what did not change.

A :class:`RunRecord` names, for each article of the run in order, its cache key, where its rows are
in each per-article table file of the output folder (byte offsets), its figure count and its
compact input to the corpus-wide tables (:class:`sahel.reconcile.Prepared`, pickled). The next run
on the same corpus folder into the same output folder, if those files are still the ones the run
wrote (same stat identity: size, mtime, ctime, inode, device), copies the rows of every article
whose key is unchanged straight from them (runs of consecutive articles in one copy) and takes its
prepared input from the record: no cache entry is read for it. Articles that are new, changed, or
whose parse failed go through the cache or the parser as usual.

The record is one pickle per corpus folder, ``<cache>/<version>/derive/<folder key>.run.pkl``
(:func:`record_path`), replaced atomically after each run; a missing, damaged or foreign one is
ignored.
"""
from __future__ import annotations

import os
import pickle
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import ArticleCache, folder_key, write_pickle

if TYPE_CHECKING:
    from .reconcile import Prepared
    from .tables import TableWriter

FORMAT = 1


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
        """Store the record at ``path`` (pickling the prepared inputs one by one, letting each go)."""
        for j, p in enumerate(self.prepared):
            if p is not None and not isinstance(p, bytes):
                self.prepared[j] = pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)
        write_pickle(path, self)

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
        self.files = {name: _identity(os.stat(Path(self.out_dir) / f"{name}.csv")) for name in self.tables}

    def prepared_of(self, j: int) -> Prepared | None:
        blob = self.prepared[j]
        return None if blob is None else pickle.loads(blob)


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
