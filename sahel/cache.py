"""On-disk cache of per-article parse results.

``sahel parse`` stores each article's payload (:func:`sahel.corpus.article_payload`),
so a re-run parses only new or changed articles.

Where
    ``$SAHEL_CACHE`` if set (``0``/``off``/``false``/``none`` disable the
    cache), else ``$XDG_CACHE_HOME/sahel``, else ``~/.cache/sahel``.
    ``sahel parse --no-cache`` (``parse_corpus(cache=False)``) bypasses it;
    ``parse_corpus(cache=<folder>)`` uses another folder.
Layout
    ``<root>/<EXTRACTOR_VERSION>/<key[:2]>/<key>.pkl``, one pickle per
    article. ``key`` hashes the article's decoded text (its
    :func:`~sahel.corpus.text_digest`) and its catalog metadata (doc id,
    publication date, outlet): everything :func:`~sahel.corpus.parse_article`
    sees. Entries of other extractor versions are never read; :func:`prune`
    deletes them.
    ``<root>/<EXTRACTOR_VERSION>/derive/<hash of the corpus folder>.pkl``: the
    facts of the blocks of figures clustered by the last run on the folder
    (:func:`memo_path`), so that a re-run clusters only the blocks that changed.
    ``<root>/<EXTRACTOR_VERSION>/derive/<hash of the corpus folder>.tables/<inputs key>/``:
    the corpus-wide tables (facts, events, timeline, places, actors) the last run wrote
    (:func:`derived_path`), taken as they are by a re-run whose articles did not change.
    ``<root>/<EXTRACTOR_VERSION>/derive/<hash of the corpus folder>.run.pkl``: the record of
    the last run (:class:`sahel.record.RunRecord`): where each article's rows are in the
    output folder's files and its prepared input, so that a re-run into the same folder
    copies the rows of unchanged articles instead of reading their entries.
    ``<root>/scan/<hash of the corpus folder>.pkl``: the folder's
    :class:`~sahel.check.ScanManifest`, what the scan derived from each file
    by stat identity, so that a re-run does not read unchanged files.
Format
    A pickle of the article's payload (see :func:`encode`): its rows of the
    figures, numbers and mentions tables as ready-made CSV lines (what a
    re-run writes as they are), and the compact inputs of the corpus-wide
    tables (:func:`sahel.reconcile.prepare`). The cache is a private,
    user-owned folder: never point ``SAHEL_CACHE`` at files you did not
    write (unpickling runs code).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import paths
from .schema import ARTICLE_TABLES
from .tables import csv_rows, read_csv_text

if TYPE_CHECKING:
    from .reconcile import BlockMemo

# Modules that run only before or after the per-article parse: editing them
# does not change what is cached. Every other module of the package (and every
# file in resources/) is part of the extractor version, so a new extraction
# module is covered without touching this list.
NOT_EXTRACTION = frozenset({
    "__main__.py", "parallel.py", "cli.py", "pipeline.py", "plots.py", "narrative.py", "params.py",
    "paths.py", "report.py", "kernels.py", "check.py", "score.py",
})
_DISABLED = {"0", "off", "false", "no", "none"}

Payload = dict[str, Any]
"""What is cached of an article: ``{table: {"n", "csv"}}`` for the tables of
:data:`sahel.schema.ARTICLE_TABLES`, ``{table: {"n", "dtypes", "columns"}}``
for any other frame, and the inputs of the corpus-wide tables under
:data:`sahel.corpus.PREPARED`."""


def _extractor_version() -> str:
    """Hash of the extraction sources, resources and the library versions they use."""
    h = hashlib.sha256()
    files = [p for p in sorted(paths.PACKAGE_DIR.glob("*.py")) if p.name not in NOT_EXTRACTION] + sorted(paths.PACKAGE_DIR.glob("extract/*.py"))
    if paths.RESOURCES_DIR.is_dir():
        files += sorted(p for p in paths.RESOURCES_DIR.rglob("*") if p.is_file())
    for p in files:
        h.update(p.relative_to(paths.PACKAGE_DIR).as_posix().encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return hash_versions(h, "spacy", "pandas")


def hash_versions(h: Any, *dists: str) -> str:
    """Add the versions of ``dists`` (those installed) and of Python to hash ``h``; its short digest."""
    for dist in dists:
        try:
            h.update(f"{dist}={metadata.version(dist)}\0".encode())
        except metadata.PackageNotFoundError:
            pass
    h.update(f"python={sys.version_info[0]}.{sys.version_info[1]}".encode())
    return h.hexdigest()[:16]


EXTRACTOR_VERSION: str = _extractor_version()
"""Changes whenever an extraction module, a resource file, spaCy or pandas changes."""


def default_root() -> Path | None:
    """The cache folder from the environment, or None when it is disabled."""
    env = os.environ.get("SAHEL_CACHE", "").strip()
    if env.lower() in _DISABLED:
        return None
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "sahel"


def cache_root(cache: bool | str | Path | None) -> Path | None:
    """The cache folder ``cache`` means: True → :func:`default_root`, False/None → none, a path → there."""
    if cache is None or cache is False:
        return None
    return default_root() if cache is True else Path(cache)


def article_key(digest: str, doc_id: str, published: object, outlet: object) -> str:
    """Cache key of an article: the hash of its decoded text (``digest``, see
    :func:`sahel.corpus.text_digest`) plus the metadata the parse sees.

    Hashing the decoded text (not the file's bytes) keeps the key right when
    the decoding rules change.
    """
    h = hashlib.sha256(digest.encode("utf-8", "surrogatepass"))
    meta = "\0".join([doc_id, "" if published is None else str(published),
                      "" if outlet is None else str(outlet)])
    h.update(b"\0" + meta.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def encode(frames: Mapping[str, pd.DataFrame],
           schemas: Mapping[str, Mapping[str, str]] = ARTICLE_TABLES) -> Payload:
    """An article's frames in the form that is cached and sent between processes.

    Tables with a schema become their CSV lines (see
    :func:`sahel.tables.csv_rows`): written out as they are, they are the
    table files, so a re-run only concatenates them. Other frames become
    plain column lists.
    """
    out: Payload = {}
    for name, df in frames.items():
        if name in schemas:
            out[name] = {"n": len(df), "csv": csv_rows(df, schemas[name])}
        else:
            out[name] = {"dtypes": dict(df.dtypes), "n": len(df),
                         "columns": {c: df[c].tolist() for c in df.columns}}
    return out


def merge(payloads: Iterable[Payload], name: str,
          schemas: Mapping[str, Mapping[str, str]] = ARTICLE_TABLES) -> pd.DataFrame | None:
    """Concatenate table ``name`` of many payloads, in order; None if none has it."""
    parts = [p[name] for p in payloads if name in p]
    if not parts:
        return None
    if name in schemas and all("csv" in part for part in parts):
        return read_csv_text("".join(part["csv"] for part in parts), schemas[name])
    columns: dict[str, list] = {}
    dtypes: dict[str, Any] = {}
    total = 0
    for part in parts:
        for col, dtype in part["dtypes"].items():
            if col not in columns:
                columns[col] = [None] * total  # a column the earlier articles lacked
                dtypes[col] = dtype
        for col, values in columns.items():
            values.extend(part["columns"].get(col, [None] * part["n"]))
        total += part["n"]

    def array(values: list, dtype: Any) -> Any:
        try:
            return pd.array(values, dtype=dtype)
        except (TypeError, ValueError):
            return pd.array(values, dtype=object)  # left as object; the table schema conforms it later

    return pd.DataFrame({c: array(v, dtypes[c]) for c, v in columns.items()},
                        index=pd.RangeIndex(total), copy=False)


class ArticleCache:
    """Per-article payloads under ``root/<EXTRACTOR_VERSION>/``."""

    def __init__(self, root: Path, version: str | None = None) -> None:
        self.root = Path(root)
        self.version = version or EXTRACTOR_VERSION
        self.folder = self.root / self.version
        self._prefix = os.path.join(str(self.folder), "")  # plain strings in the hot path

    @classmethod
    def open(cls, cache: bool | str | Path | None = True) -> ArticleCache | None:
        """The cache to use: True → :func:`default_root`, False/None → none, a path → there."""
        root = cache_root(cache)
        if root is None:
            return None
        try:
            (root / EXTRACTOR_VERSION).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            warnings.warn(f"{root}: cache folder unusable ({exc.strerror}); parsing without cache",
                          RuntimeWarning, stacklevel=2)
            return None
        return cls(root, EXTRACTOR_VERSION)

    def path(self, key: str) -> Path:
        return Path(self._file(key))

    def _file(self, key: str) -> str:
        return f"{self._prefix}{key[:2]}/{key}.pkl"

    def has(self, key: str) -> bool:
        """Whether an entry is stored (it may still turn out unreadable)."""
        return os.path.exists(self._file(key))

    def get(self, key: str) -> Payload | None:
        """The stored payload, or None (missing or unreadable entries are misses)."""
        try:
            with open(self._file(key), "rb") as fh:
                payload = pickle.loads(fh.read())
        except Exception:  # missing, truncated or foreign file: parse again, overwrite
            return None
        return payload if isinstance(payload, dict) else None

    def put(self, key: str, payload: Payload) -> None:
        """Store atomically (temporary file + rename); failures only cost a re-parse."""
        write_pickle(self.path(key), payload)


def write_pickle(target: Path, obj: object, fast: bool = False) -> None:
    """Pickle ``obj`` to ``target`` atomically (temporary file + rename); failures are ignored. ``fast``:
    without the pickler's memo of every object (less memory; ``obj`` must hold no reference cycle, and
    objects it holds twice are stored twice)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = fast
            pickler.dump(obj)
        os.replace(tmp, target)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def prune(root: str | Path | None = None) -> list[Path]:
    """Delete the entries of every extractor version but the current one (scan manifests stay)."""
    from .check import ScanManifest

    root = Path(root) if root is not None else default_root()
    if root is None or not root.is_dir():
        return []
    removed = []
    for sub in root.iterdir():
        if sub.is_dir() and sub.name not in (EXTRACTOR_VERSION, ScanManifest.FOLDER):
            shutil.rmtree(sub, ignore_errors=True)
            removed.append(sub)
    return removed


def folder_key(folder: str | Path) -> str:
    """The name of a corpus folder's files in the cache: a hash of its resolved path."""
    return hashlib.sha256(str(Path(folder).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]


def memo_path(store: ArticleCache, corpus: str | Path) -> Path:
    """Where ``sahel parse`` keeps the clustered blocks of figures of its last run on the corpus folder
    ``corpus``: one file per folder, replaced on each run."""
    return store.folder / "derive" / f"{folder_key(corpus)}.pkl"


def load_memo(path: str | Path) -> BlockMemo:
    """The :class:`~sahel.reconcile.BlockMemo` stored at ``path`` (empty if missing or unreadable), which
    stores itself there again as soon as a run has found all its blocks, and then lets go of them; with
    the events of the run that stored it (``<path>.events``, :attr:`~sahel.reconcile.BlockMemo.events`),
    if it is still that run's memo (the same token)."""
    from .reconcile import BlockMemo
    from .schema import EVENTS

    events = Path(f"{path}.events")

    def store(memo: BlockMemo) -> None:
        save_memo(memo, path)
        memo.blocks = {}  # stored: free the memory for the rest of the run

    def store_events(memo: BlockMemo) -> None:  # (no pickle memo: it would take more than the entries)
        write_pickle(events, (memo.events_token, list(memo.events.items())), fast=True)
        memo.events = {}  # stored: free the memory for the rest of the run

    memo = BlockMemo(on_finish=store)
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        blocks, names, digests, token = data
        if (isinstance(blocks, dict) and all(type(k) is bytes and type(v) is bytes for k, v in blocks.items())
                and isinstance(names, dict) and all(type(k) is tuple and v in blocks for k, v in names.items())
                and isinstance(digests, dict) and type(token) is bytes):
            memo = BlockMemo(blocks, on_finish=store, names=names, digests=digests, token=token)
    except Exception:  # missing, truncated or foreign: start empty
        pass
    memo.on_events = store_events
    try:  # the rows of the last run's events: used only with the facts of the same token
        with open(events, "rb") as fh:
            token, rows = pickle.load(fh)
        width = len(EVENTS)
        if (type(token) is bytes and token and token == memo.token and isinstance(rows, list)
                and all(type(key) is tuple and (entry is None or (
                    type(entry) is list and len(entry) == 3 and type(entry[0]) is tuple and len(entry[0]) == width
                    and (entry[1] is None or (type(entry[1]) is str and type(entry[2]) is str))))
                        for key, entry in rows)):
            memo.events, memo.events_token = dict(rows), token
    except Exception:  # missing, truncated or foreign: none
        pass
    return memo


def save_memo(memo: BlockMemo, path: str | Path) -> None:
    """Store the blocks of ``memo`` (with the key of each block name, the articles' digests and the
    memo's token) at ``path``."""
    write_pickle(Path(path), (memo.blocks, memo.names, memo.digests, memo.token))


def derived_path(store: ArticleCache, corpus: str | Path) -> Path:
    """Where ``sahel parse`` keeps the corpus-wide tables of its last run on the corpus folder ``corpus``:
    a folder holding one subfolder named by the key of the run's inputs (:func:`inputs_key`)."""
    return store.folder / "derive" / f"{folder_key(corpus)}.tables"


def inputs_key(digests: Iterable[bytes]) -> str:
    """A key of all the inputs of the corpus-wide tables: the :func:`~sahel.reconcile.digest` of each
    prepared article, in order (the code and resources are in the cache's version)."""
    h = hashlib.blake2b(digest_size=20)
    for d in digests:
        h.update(d)
    return h.hexdigest()


def find_derived(path: Path, key: str, names: Iterable[str]) -> dict[str, Path] | None:
    """The tables ``names`` kept at ``path`` (:func:`derived_path`) for inputs ``key``, or None (also if a
    file is not as :func:`save_derived` left it)."""
    folder = path / key
    found = {name: folder / f"{name}.csv" for name in names}
    try:
        kept = pickle.loads((folder / _KEPT).read_bytes())
        return found if all(kept[name] == _kept_identity(p) for name, p in found.items()) else None
    except Exception:  # missing, damaged or changed
        return None


_KEPT = "identity.pkl"


def _kept_identity(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


def save_derived(path: Path, key: str, tables: Mapping[str, Path]) -> None:
    """Keep ``tables`` (``{name: csv file}``) at ``path`` for inputs ``key``, in place of the previous ones:
    hard links to the files where possible (nothing to copy; :func:`find_derived` then takes them only
    while their size, time and inode are unchanged, so a file edited in place is not taken), else copies.
    They appear all at once (a folder renamed into place); failures are ignored."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=path))
    except OSError:
        return
    try:
        kept = {}
        for name, source in tables.items():
            target = tmp / f"{name}.csv"
            try:
                os.link(source, target)
            except OSError:  # (another file system, or no hard links)
                shutil.copyfile(source, target)
            kept[name] = _kept_identity(target)
        (tmp / _KEPT).write_bytes(pickle.dumps(kept))
        shutil.rmtree(path / key, ignore_errors=True)  # a damaged copy
        os.replace(tmp, path / key)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    for old in path.iterdir():  # earlier runs' tables and leftovers of interrupted ones
        if old.name != key:
            shutil.rmtree(old, ignore_errors=True)
