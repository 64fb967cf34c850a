"""The per-article cache: one SQLite file (``articles.sqlite``) of JSON rows, keyed by content.

A key hashes an article's text, its catalog row and :func:`code_hash` (extraction code, resources,
library versions), so an entry is never stale. A value is the article's rows of each table as CSV
lines; nothing read back can run code (an unexpected entry is a miss). Where: :func:`default_root`.
What stays out: what the rows are (:mod:`sahel.pipeline`), the tables (:mod:`sahel.store.tables`).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

from .. import paths

EXTRACTION = ("extract", "resources", "schema.py", "store/tables.py")
"""Files and folders under ``sahel/`` whose content is part of every key."""
FILE = "articles.sqlite"
_DISABLED = {"0", "off", "false", "no", "none"}
Rows = dict[str, list[str]]
"""An article's rows: ``{table: [CSV line, ...]}`` (each line with its ``\\n``)."""


def default_root() -> Path | None:
    """``$SAHEL_CACHE`` (None if ``0``/``off``/``false``/``no``/``none``), else ``$XDG_CACHE_HOME/sahel``,
    else ``~/.cache/sahel``."""
    env = os.environ.get("SAHEL_CACHE", "").strip()
    if env.lower() in _DISABLED:
        return None
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "sahel"


@functools.cache
def code_hash() -> str:
    """Hash of the extraction sources and resources and of the library versions they use."""
    from importlib import metadata

    h = hashlib.sha256()
    files: list[Path] = []
    for name in EXTRACTION:
        p = paths.PACKAGE_DIR / name
        files += sorted(q for q in p.rglob("*") if q.is_file() and "__pycache__" not in q.parts) \
            if p.is_dir() else [p] if p.is_file() else []
    for p in files:
        h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for dist in ("spacy", "pandas"):
        try:
            h.update(f"{dist}={metadata.version(dist)}\0".encode())
        except metadata.PackageNotFoundError:
            pass
    h.update(f"python={sys.version_info[0]}.{sys.version_info[1]}".encode())
    return h.hexdigest()


def article_key(text: str, doc_id: str, published: object, outlet: object) -> str:
    """The key of an article: its text, its catalog row and :func:`code_hash`."""
    h = hashlib.sha256(code_hash().encode())
    for part in (text, doc_id, "" if published is None else str(published), "" if outlet is None else str(outlet)):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


class Cache:
    """The article rows stored in one SQLite file (see the module's docstring)."""

    def __init__(self, path: Path, tables: Iterable[str]) -> None:
        self.path, self.tables = Path(path), dict.fromkeys(tables).keys()
        self.db: sqlite3.Connection | None = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self.db.execute("CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, rows TEXT NOT NULL)")
        self.pending = 0

    @classmethod
    def open(cls, cache: bool | str | Path | None, tables: Iterable[str]) -> Cache | None:
        """The cache for the rows of ``tables`` in folder ``cache`` (True: :func:`default_root`); None if
        disabled or unusable (with a warning). A file that is not a database is replaced by an empty one."""
        root = default_root() if cache is True else None if cache is None or cache is False else Path(cache)
        if root is None:
            return None
        try:
            root.mkdir(parents=True, exist_ok=True)
            try:
                return cls(root / FILE, tables)
            except sqlite3.DatabaseError:  # damaged: it is only a cache
                (root / FILE).unlink()
                return cls(root / FILE, tables)
        except (OSError, sqlite3.Error) as exc:
            warnings.warn(f"{root / FILE}: cache unusable ({exc}); parsing without cache", RuntimeWarning,
                          stacklevel=2)
            return None

    def get(self, key: str) -> Rows | None:
        """The rows stored under ``key``, or None (missing, unreadable, or not rows of these tables)."""
        if self.db is None:
            return None
        try:
            rows = json.loads(self.db.execute("SELECT rows FROM articles WHERE key = ?", (key,)).fetchone()[0])
        except (TypeError, ValueError, sqlite3.Error):  # (None[0] is a TypeError: no entry)
            return None
        return rows if self.valid(rows) else None

    def valid(self, rows: object) -> bool:
        """Whether ``rows`` holds a list of CSV lines for each table, and nothing else."""
        return (type(rows) is dict and rows.keys() == self.tables and all(
            type(lines) is list and not {type(x) for x in lines} - {str}
            and all(x[-1:] == "\n" for x in lines) for lines in rows.values()))

    def put(self, key: str, rows: Rows) -> None:
        """Store ``rows`` under ``key`` (committed in batches and by :meth:`close`); a failure to write
        (disk full, read-only) is warned about once and only costs a parse next time."""
        if self.db is None:
            return
        try:
            if self.pending == 0:
                self.db.execute("BEGIN")
            self.db.execute("INSERT OR REPLACE INTO articles VALUES (?, ?)",
                            (key, json.dumps(rows, separators=(",", ":"))))
            self.pending += 1
            if self.pending >= 500:
                self.db.execute("COMMIT")
                self.pending = 0
        except sqlite3.Error as exc:
            warnings.warn(f"{self.path}: cannot store parsed articles ({exc}); going on without", RuntimeWarning,
                          stacklevel=2)
            self.close()

    def close(self) -> None:
        """Commit what was stored and close the file."""
        if self.db is None:
            return
        db, self.db = self.db, None
        with contextlib.closing(db), contextlib.suppress(sqlite3.Error):
            if self.pending:
                db.execute("COMMIT")
