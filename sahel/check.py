"""What is wrong with each file of a corpus folder: ``sahel check``.

The rules here are the ones ``sahel parse`` applies (:func:`sahel.corpus.iter_articles`
reads the corpus through :func:`scan`), so ``check`` says in advance what
``parse`` will skip or warn about. Severities:

``error``
    something meant to be parsed is not: a file skipped (empty, binary, too
    large, undecodable, unreadable), a catalog row ignored (malformed), a file
    listed in the catalog that does not exist.
``warning``
    parsed, but the result may be off: encoding guessed, duplicate text under
    two doc ids, no catalog row or no usable publication date, a publication
    date in the future.

Every problem is one line naming the file: ``path: problem``.

A :class:`ScanManifest` (kept in the cache folder by ``sahel parse``) lets
:func:`scan` skip reading files that have not changed since the last scan.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import pickle
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .corpus import CATALOG, CorpusError, text_digest
from .schema import frame

MAX_BYTES = 5_000_000
"""Default size limit of one article file (news articles are ~5-50 kB)."""
ERROR, WARNING = "error", "warning"
_MIN_DATE, _MAX_DATE = date(1700, 1, 1), date(2200, 12, 31)
"""Publication dates the tables can hold (``datetime64[ns]``), with room for date arithmetic."""

CHECK: dict[str, str] = {
    "file": "string",
    "doc_id": "string",
    "severity": "string",
    "problem": "string",
}
"""Columns of :func:`check_corpus`: ``file`` is relative to the corpus folder."""

_WESTERN = ["cp1252", "iso8859_15"]
"""Encodings tried first when a file is not UTF-8 (the corpus is English/French news)."""
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf_32"), (b"\x00\x00\xfe\xff", "utf_32"),
    (b"\xff\xfe", "utf_16"), (b"\xfe\xff", "utf_16"),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file of a corpus."""

    path: Path
    doc_id: str | None
    severity: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class Decoded:
    """The text of an article file, or why there is none."""

    text: str | None
    encoding: str | None
    problem: str | None = None
    severity: str | None = None


@dataclass(frozen=True)
class CatalogEntry:
    """One usable row of ``catalog.csv``."""

    doc_id: str
    line: int
    published: date | None
    outlet: str | None


@dataclass(frozen=True)
class RawArticle:
    """A readable article file with its catalog metadata.

    ``text`` is None when the file was known unchanged from a
    :class:`ScanManifest` (not read); ``digest`` and ``n_chars`` describe
    the decoded text either way.
    """

    doc_id: str
    path: Path
    text: str | None
    sha256: str
    published: date | None
    outlet: str | None
    digest: str
    n_chars: int


_RACY_NS = 2_000_000_000
"""Files changed less than this before a scan started are read again on the next
scan: a change within the file system's timestamp resolution would go unseen."""

Entry = tuple
"""What a :class:`ScanManifest` keeps of one file: ``(size, mtime_ns, inode,
ctime_ns)``, then what :func:`_derive` made of its bytes."""


@functools.cache
def _manifest_version() -> str:
    """Changes with the rules of this module, :func:`~sahel.corpus.text_digest`,
    charset_normalizer and Python."""
    from . import corpus
    from .cache import hash_versions

    h = hashlib.sha256()
    for module in (__file__, corpus.__file__):
        h.update(Path(module).read_bytes() + b"\0")
    return hash_versions(h, "charset_normalizer")


class ScanManifest:
    """What :func:`scan` derived from each file of one folder, by stat identity.

    Stored at ``<cache root>/scan/<hash of the resolved folder>.pkl``. A file
    whose name, size, mtime, inode and ctime are those recorded is not read
    again; files changed shortly before a scan are not recorded (the racy
    rule of git). The manifest is versioned (:func:`_manifest_version`),
    written atomically, and ignored when unreadable.
    """

    FOLDER = "scan"

    def __init__(self, path: Path, folder: str) -> None:
        self.path, self.folder = path, folder
        self.old: dict[str, Entry] = {}
        self.new: dict[str, Entry] = {}
        self.started = time.time_ns()

    @classmethod
    def open(cls, root: Path, folder: Path) -> ScanManifest:
        """The manifest of ``folder`` under cache ``root`` (empty if missing, stale or corrupt)."""
        from .cache import folder_key

        resolved = str(Path(folder).resolve())
        manifest = cls(Path(root) / cls.FOLDER / f"{folder_key(resolved)}.pkl", resolved)
        try:
            with open(manifest.path, "rb") as fh:
                data = pickle.loads(fh.read())
            if (isinstance(data, dict) and data.get("version") == _manifest_version()
                    and data.get("folder") == resolved and isinstance(data.get("entries"), dict)):
                manifest.old = data["entries"]
        except Exception:  # missing, truncated or foreign: scan every file
            pass
        return manifest

    def get(self, name: str, st: os.stat_result) -> Entry | None:
        """The recorded entry of file ``name`` if its stat identity is unchanged."""
        entry = self.old.get(name)
        if entry is not None and entry[:4] == (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns):
            self.new[name] = entry
            return entry
        return None

    def put(self, name: str, st: os.stat_result, derived: tuple) -> None:
        """Record what was derived from file ``name`` as it was at ``st`` (unless racy)."""
        if max(st.st_mtime_ns, st.st_ctime_ns) < self.started - _RACY_NS:
            self.new[name] = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns, *derived)

    def save(self) -> None:
        """Write the entries of this scan (only if they changed); failures are ignored."""
        if self.new == self.old:
            return
        from .cache import write_pickle

        write_pickle(self.path, {"version": _manifest_version(), "folder": self.folder, "entries": self.new})


def _one_line(value: object, limit: int = 60) -> str:
    """``repr`` of a value cut to ``limit`` characters: safe inside a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _is_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in data:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > 0.05 * len(head)


_CONTROL_BYTES = bytes(b for b in range(256) if (b < 32 and b not in (9, 10, 11, 12, 13)) or b == 127)


def _mostly_utf8(data: bytes) -> tuple[str, int, int] | None:
    """UTF-8 with a few invalid bytes: the text (invalid bytes replaced), count, first offset."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = [i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff"]
    multibyte = sum(1 for ch in text if ch > "\x7f" and not "\udc80" <= ch <= "\udcff")
    if not bad or multibyte < len(bad):
        return None
    first = len(text[: bad[0]].encode("utf-8", errors="surrogateescape"))
    return data.decode("utf-8", errors="replace"), len(bad), first


def decode_bytes(data: bytes) -> Decoded:
    """Decode an article file: UTF-8, else a guessed encoding, else nothing.

    Empty, binary and undecodable data give ``text=None`` with an ``error``;
    anything decoded other than as clean UTF-8 gives a ``warning`` that says
    which encoding was guessed.
    """
    if not data.strip():
        return Decoded(None, None, "empty file; skipped" if not data
                       else "empty file (whitespace only); skipped", ERROR)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding, f"not UTF-8: {encoding} "
                               "(byte-order mark), decoded", WARNING)
            except UnicodeDecodeError:
                break
    if _is_binary(data):
        return Decoded(None, None, "binary file (NUL or control bytes), not a text article; skipped", ERROR)
    try:
        return Decoded(data.decode("utf-8-sig"), "utf_8")
    except UnicodeDecodeError as exc:
        reason = f"{exc.reason} at byte {exc.start}"
    mostly = _mostly_utf8(data)
    if mostly:
        text, n, first = mostly
        return Decoded(text, "utf_8", f"UTF-8 with {n} invalid byte(s) (first at byte {first}); "
                       "decoded with replacement characters", WARNING)
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_WESTERN).best() or from_bytes(data).best()
    if best is None:
        return Decoded(None, None, f"not UTF-8 ({reason}) and no encoding could be guessed; skipped", ERROR)
    return Decoded(str(best), best.encoding,
                   f"not UTF-8 ({reason}); encoding guessed as {best.encoding}, decoded", WARNING)


def _parse_published(raw: str) -> date | None:
    """An ISO date or datetime (``2019-11-26``, ``2019-11-26T10:00:00Z``); ValueError otherwise."""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return datetime.fromisoformat(raw).date()


def read_catalog_entries(folder: Path, today: date | None = None
                         ) -> tuple[dict[str, CatalogEntry] | None, list[Problem]]:
    """The usable rows of ``folder/catalog.csv`` (None if there is no catalog) and its problems."""
    path = Path(folder) / CATALOG
    problems: list[Problem] = []
    if not path.exists():
        return None, problems

    def add(doc_id: str | None, severity: str, message: str) -> None:
        problems.append(Problem(path, doc_id, severity, message))

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        add(None, ERROR, f"catalog not UTF-8 ({exc.reason} at byte {exc.start}); "
            "catalog ignored, publication dates unknown")
        return {}, problems
    except OSError as exc:
        add(None, ERROR, f"catalog unreadable ({exc.strerror}); publication dates unknown")
        return {}, problems
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        add(None, ERROR, f"line 1: malformed CSV header ({exc}); catalog ignored")
        return {}, problems
    if "doc_id" not in header:
        add(None, ERROR, "catalog has no `doc_id` column; catalog ignored, publication dates unknown")
        return {}, problems
    today = today or date.today()
    out: dict[str, CatalogEntry] = {}
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            add(None, ERROR, f"line {reader.line_num}: malformed CSV ({exc}); rest of the catalog ignored")
            break
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        row = dict(zip(header, (f.strip() for f in fields)))
        doc_id = row.get("doc_id", "")
        if len(fields) > len(header) or not doc_id or "\n" in "".join(fields) or "\r" in "".join(fields):
            why = (f"{len(fields)} fields for {len(header)} columns" if len(fields) > len(header)
                   else "no doc_id" if not doc_id else "line break inside a field")
            add(doc_id or None, ERROR, f"line {line}: malformed catalog row ({why}) ignored: "
                f"{_one_line(','.join(fields))}")
            continue
        if doc_id in out:
            add(doc_id, WARNING, f"line {line}: second catalog row for {doc_id} ignored "
                f"(first at line {out[doc_id].line})")
            continue
        raw = row.get("published", "")
        published = None
        if raw:
            try:
                published = _parse_published(raw)
            except ValueError:
                add(doc_id, WARNING, f"line {line}: unparseable published date {_one_line(raw)} for "
                    f"{doc_id} (expected ISO YYYY-MM-DD); relative dates left unresolved")
            else:
                if not _MIN_DATE <= published <= _MAX_DATE:
                    add(doc_id, WARNING, f"line {line}: published date {published.isoformat()} of {doc_id} "
                        f"is out of range ({_MIN_DATE.year}-{_MAX_DATE.year}); relative dates left unresolved")
                    published = None
                elif published > today:
                    add(doc_id, WARNING, f"line {line}: published date {published.isoformat()} of "
                        f"{doc_id} is in the future; relative dates will be resolved against it")
        out[doc_id] = CatalogEntry(doc_id, line, published, row.get("outlet") or None)
    return out, problems


def _derive(data: bytes) -> tuple[tuple, str | None]:
    """What :func:`scan` needs of a file's bytes, and the decoded text (None if skipped).

    The first item is ``(problem, severity, sha256, digest, n_chars, dup)``:
    ``dup`` hashes the text with whitespace normalised (duplicate detection).
    """
    decoded = decode_bytes(data)
    text = decoded.text
    if text is None:
        return (decoded.problem, decoded.severity, None, None, 0, None), None
    dup = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
    return (decoded.problem, decoded.severity, hashlib.sha256(data).hexdigest(), text_digest(text),
            len(text), dup), text


def scan(folder: str | Path, *, max_bytes: int = MAX_BYTES, today: date | None = None,
         manifest: ScanManifest | None = None) -> Iterator[RawArticle | Problem]:
    """Read a corpus folder: yield every readable article and every problem, in a stable order.

    Catalog problems come first, then each ``*.txt`` file in name order.
    With a ``manifest``, files unchanged since it was saved are not read
    (their articles come without ``text``), and it is saved at the end.
    Raises :class:`~sahel.corpus.CorpusError` when ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: corpus folder not found" if not folder.exists()
                          else f"{folder}: not a folder (give the folder of .txt articles)")
    catalog, problems = read_catalog_entries(folder, today)
    yield from problems
    files = sorted(folder.glob("*.txt"), key=lambda p: p.name)  # one folder: the same order as by path
    if catalog is None:
        yield Problem(folder / CATALOG, None, WARNING,
                      "no catalog.csv: publication dates unknown, relative dates left unresolved")
        catalog = {}
    stems = {p.stem for p in files}
    for doc_id, entry in catalog.items():
        if doc_id not in stems:
            yield Problem(folder / f"{doc_id}.txt", doc_id, ERROR,
                          f"listed in {CATALOG} (line {entry.line}) but the file does not exist")
    malformed = {p.doc_id for p in problems}
    seen: dict[str, Path] = {}
    for path in files:
        doc_id = path.stem
        text = derived = None
        try:
            try:
                st = os.stat(path)
            except OSError:
                st = None
            if st is None or not stat.S_ISREG(st.st_mode):
                if not path.is_file():  # as before: the error path keeps its messages
                    yield Problem(path, doc_id, ERROR, "not a regular file; skipped")
                    continue
                st = path.stat()
            size = st.st_size
            if size > max_bytes:
                yield Problem(path, doc_id, ERROR, f"too large ({size:,} bytes, limit {max_bytes:,}); "
                              "skipped (raise the limit with --max-bytes)")
                continue
            if manifest is not None and (known := manifest.get(path.name, st)) is not None:
                derived = known[4:]
            else:
                data = path.read_bytes()
        except OSError as exc:
            yield Problem(path, doc_id, ERROR, f"unreadable ({exc.strerror or exc}); skipped")
            continue
        if derived is None:
            derived, text = _derive(data)
            del data
            if manifest is not None:
                manifest.put(path.name, st, derived)
        problem, severity, sha256, digest, n_chars, dup = derived
        if problem:
            yield Problem(path, doc_id, severity or ERROR, problem)
        if digest is None:
            continue
        if dup in seen:
            yield Problem(path, doc_id, WARNING, f"same text as {seen[dup].name} (duplicate under doc ids "
                          f"{seen[dup].stem} and {doc_id}); both parsed")
        else:
            seen[dup] = path
        entry = catalog.get(doc_id)
        if entry is None and doc_id in malformed:
            yield Problem(path, doc_id, WARNING, f"its row in {CATALOG} is malformed: publication date "
                          "unknown, relative dates left unresolved")
        elif entry is None and catalog:
            yield Problem(path, doc_id, WARNING, f"no row in {CATALOG}: publication date unknown, "
                          "relative dates left unresolved")
        elif entry is not None and entry.published is None and doc_id not in malformed:
            yield Problem(path, doc_id, WARNING, f"no publication date in {CATALOG}; "
                          "relative dates left unresolved")
        yield RawArticle(doc_id, path, text, sha256, entry.published if entry else None,
                         entry.outlet if entry else None, digest, n_chars)
    if manifest is not None:
        manifest.save()


def check_corpus(path: str | Path, max_bytes: int = MAX_BYTES, today: date | None = None) -> pd.DataFrame:
    """One row per problem of the corpus folder ``path``: file, doc_id, severity, problem."""
    folder = Path(path)
    rows = []
    for item in scan(folder, max_bytes=max_bytes, today=today):
        if isinstance(item, Problem):
            try:
                name = str(item.path.relative_to(folder))
            except ValueError:
                name = str(item.path)
            rows.append({"file": name, "doc_id": item.doc_id, "severity": item.severity,
                         "problem": item.problem})
    return frame(rows, CHECK)


def format_report(df: pd.DataFrame, folder: str | Path) -> str:
    """The problems as ``path: severity: problem`` lines plus a summary line."""
    lines = [f"{Path(folder) / f}: {s}: {p}" for f, s, p in zip(df["file"], df["severity"], df["problem"])]
    n_err = int((df["severity"] == ERROR).sum())
    n_warn = int((df["severity"] == WARNING).sum())
    n_files = df["file"].nunique()
    lines.append(f"{folder}: {n_err} error(s), {n_warn} warning(s) in {n_files} file(s)"
                 if len(df) else f"{folder}: no problems found")
    return "\n".join(lines)


def run(folder: str | Path, *, max_bytes: int = MAX_BYTES, strict: bool = False) -> int:
    """``sahel check``: print the report; 1 if there are errors (or any problem with ``strict``)."""
    df = check_corpus(folder, max_bytes=max_bytes)
    print(format_report(df, folder), file=sys.stdout)
    failed = (df["severity"] == ERROR).any() or (strict and len(df) > 0)
    return 1 if failed else 0
