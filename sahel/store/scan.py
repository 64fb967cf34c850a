"""Reading a corpus folder: the catalog, the article files and their decoding.

:func:`scan` yields every readable :class:`Article` and every :class:`Problem` (``error``: something
meant to be parsed is not; ``warning``: parsed, but the result may be off); ``sahel check`` and
``sahel parse`` both read through it. What stays out: parsing, caching and writing (:mod:`sahel.pipeline`).
"""
from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

CATALOG = "catalog.csv"
MAX_BYTES = 5_000_000
"""Default size limit of one article file (news articles are ~5-50 kB)."""
MAX_CATALOG_BYTES = 50_000_000
"""Size limit of ``catalog.csv`` (a row is ~100 bytes)."""
MAX_ROW_BYTES = 128 * 1024
ERROR, WARNING = "error", "warning"
_MIN_DATE, _MAX_DATE = date(1700, 1, 1), date(2200, 12, 31)
"""Publication dates the tables can hold (``datetime64[ns]``), with room for date arithmetic."""
_WESTERN = ["cp1252", "iso8859_15"]
"""Encodings tried first when a file is not UTF-8 (the corpus is English/French news)."""
_CONTROL_BYTES = bytes(b for b in range(256) if (b < 32 and b not in (9, 10, 11, 12, 13)) or b == 127)


class CorpusWarning(UserWarning):
    """A file of the corpus was skipped or read with a problem."""


class CorpusError(ValueError):
    """The corpus cannot be read at all."""


def shown(value: object, limit: int = 200) -> str:
    """``value`` as text safe on one terminal line: control characters and undecodable bytes escaped."""
    out = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in str(value))  # a lone surrogate too
    return out if len(out) <= limit else out[: limit - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file of a corpus."""

    path: Path
    doc_id: str | None
    severity: str
    problem: str

    def __str__(self) -> str:
        return f"{shown(self.path, 400)}: {self.problem}"


@dataclass(frozen=True)
class Decoded:
    """The text of an article file, or why there is none."""

    text: str | None
    problem: str | None = None
    severity: str | None = None


@dataclass(frozen=True)
class CatalogEntry:
    """One usable row of ``catalog.csv``."""

    doc_id: str
    line: int
    published: date | None
    outlet: str | None


@dataclass
class Article:
    """One readable article: its text and catalog metadata, before parsing."""

    doc_id: str
    path: Path
    text: str
    sha256: str
    published: date | None = None
    outlet: str | None = None


def decode_bytes(data: bytes) -> Decoded:
    """Decode an article file: UTF-8, else an encoding charset_normalizer guesses, else nothing. Empty, binary
    and undecodable data give ``text=None`` with an ``error``; anything but clean UTF-8 a ``warning``."""
    if not data.strip():
        return Decoded(None, "empty file; skipped" if not data else "empty file (whitespace only); skipped", ERROR)
    if b"\0" in data or data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 or UTF-32, with or without a BOM?
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding.startswith(("utf_16", "utf_32")):
            how = " (byte-order mark)" if best.bom else " without byte-order mark"
            return Decoded(str(best), f"not UTF-8: {best.encoding}{how}, decoded", WARNING)
    nuls = data.count(0)
    if 0 < nuls <= 1 + len(data) // 100:  # a few stray NUL bytes in a text: read as spaces (offsets kept)
        decoded = decode_bytes(data.replace(b"\0", b" "))
        if decoded.text is None:  # random binary data has 0.4 % NUL bytes
            return decoded
        note = f"{nuls} NUL byte(s) (first at byte {data.index(0)}) read as spaces"
        return Decoded(decoded.text, "; ".join(filter(None, (note, decoded.problem))), decoded.severity or WARNING)
    head = data[:8192]
    if nuls or len(head) - len(head.translate(None, _CONTROL_BYTES)) > 0.05 * len(head):
        return Decoded(None, "binary file (NUL or control bytes), not a text article; skipped", ERROR)
    try:
        return Decoded(data.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as exc:
        reason, first = f"{exc.reason} at byte {exc.start}", exc.start
    text = data.decode("utf-8", errors="surrogateescape")
    bad = sum("\udc80" <= ch <= "\udcff" for ch in text)
    if sum(ch > "\x7f" for ch in text) >= 2 * bad:  # at least as many valid multibyte characters as bad bytes
        return Decoded(data.decode("utf-8", errors="replace"), f"UTF-8 with {bad} invalid byte(s) (first at byte "
                       f"{first}); decoded with replacement characters", WARNING)
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_WESTERN).best() or from_bytes(data).best()
    if best is None:
        return Decoded(None, f"not UTF-8 ({reason}) and no encoding could be guessed; skipped", ERROR)
    return Decoded(str(best), f"not UTF-8 ({reason}); encoding guessed as {best.encoding}, decoded", WARNING)


def _published(raw: str, doc_id: str, today: date) -> tuple[date | None, str | None]:
    """The date of catalog cell ``raw`` (ISO date or datetime) of ``doc_id``, and what is wrong with it."""
    if not raw:
        return None, None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else datetime.fromisoformat(raw).date()
    except ValueError:
        return None, (f"unparseable published date {shown(repr(raw), 60)} for {doc_id} (expected ISO YYYY-MM-DD); "
                      "relative dates left unresolved")
    if not _MIN_DATE <= day <= _MAX_DATE:
        return None, (f"published date {day.isoformat()} of {doc_id} is out of range ({_MIN_DATE.year}-"
                      f"{_MAX_DATE.year}); relative dates left unresolved")
    if day > today:
        return day, f"published date {day.isoformat()} of {doc_id} is in the future; relative dates will be resolved against it"
    return day, None


def _fields(line: str) -> list[str]:
    """The fields of one catalog line (csv.Error if malformed)."""
    if len(line.encode("utf-8", "surrogatepass")) > MAX_ROW_BYTES:
        raise csv.Error(f"row over {MAX_ROW_BYTES:,} bytes")
    return next(csv.reader([line], strict=True), [])


def read_catalog_entries(folder: Path, today: date | None = None
                         ) -> tuple[dict[str, CatalogEntry] | None, list[Problem]]:
    """The usable rows of ``folder/catalog.csv`` (None if there is no catalog) and its problems. Each line
    is one row (a line break inside a field is malformed); a malformed row is reported and skipped."""
    path = Path(folder) / CATALOG
    problems: list[Problem] = []
    if not os.path.lexists(path):
        return None, problems

    def add(doc_id: str | None, severity: str, message: str) -> None:
        problems.append(Problem(path, doc_id, severity, message))

    data, why = _read(path, MAX_CATALOG_BYTES)
    decoded = decode_bytes(data) if data is not None else Decoded(None, why)  # decoded as an article is
    if decoded.text is None:
        add(None, ERROR, f"catalog {decoded.problem.removesuffix('; skipped')}; catalog ignored, publication dates "
            "unknown")
        return {}, problems
    if decoded.problem:
        add(None, WARNING, f"catalog {decoded.problem}")
    lines = decoded.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    try:
        header = [h.strip().lower() for h in _fields(lines[0])]
    except csv.Error as exc:
        add(None, ERROR, f"line 1: malformed CSV header ({exc}); catalog ignored")
        return {}, problems
    if "doc_id" not in header:
        add(None, ERROR, "catalog has no `doc_id` column; catalog ignored, publication dates unknown")
        return {}, problems
    today = today or date.today()
    out: dict[str, CatalogEntry] = {}
    for line, raw_line in enumerate(lines[1:], start=2):
        try:
            fields = _fields(raw_line)
        except csv.Error as exc:
            add(None, ERROR, f"line {line}: malformed CSV ({shown(exc, 100)}); row ignored: {shown(raw_line, 60)}")
            continue
        if not any(f.strip() for f in fields):
            continue
        row = dict(zip(header, (f.strip() for f in fields)))
        doc_id = row.get("doc_id", "")
        if len(fields) > len(header) or not doc_id:
            why = f"{len(fields)} fields for {len(header)} columns" if doc_id else "no doc_id"
            add(doc_id or None, ERROR, f"line {line}: malformed catalog row ({why}) ignored: "
                f"{shown(','.join(fields), 60)}")
            continue
        if doc_id in out:
            add(doc_id, WARNING, f"line {line}: second catalog row for {shown(doc_id)} ignored "
                f"(first at line {out[doc_id].line})")
            continue
        published, why = _published(row.get("published", ""), shown(doc_id), today)
        if why:
            add(doc_id, WARNING, f"line {line}: {why}")
        out[doc_id] = CatalogEntry(doc_id, line, published, row.get("outlet") or None)
    return out, problems


def _read(path: Path, max_bytes: int, root: Path | None = None) -> tuple[bytes | None, str | None]:
    """The bytes of ``path``, or why there are none (a symbolic link leaving ``root`` is refused)."""
    try:
        if root is not None and path.is_symlink() and not (target := path.resolve()).is_relative_to(root):
            return None, f"symbolic link leaving the corpus folder (to {shown(target)})"
        if not path.is_file():  # also a FIFO, which would block a read
            return None, "is not a regular file"
        size = path.stat().st_size
        if size > max_bytes:
            return None, f"too large ({size:,} bytes, limit {max_bytes:,})"
        return path.read_bytes(), None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links
        return None, f"unreadable ({shown(getattr(exc, 'strerror', None) or exc)})"


def scan(folder: str | Path, *, max_bytes: int = MAX_BYTES, today: date | None = None
         ) -> Iterator[Article | Problem]:
    """Read a corpus folder: yield every readable article and every problem, catalog problems first, then
    each ``*.txt`` file in name order. :class:`CorpusError` when ``folder`` is not a folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{shown(folder)}: corpus folder not found" if not folder.exists()
                          else f"{shown(folder)}: not a folder (give the folder of .txt articles)")
    root = folder.resolve()
    catalog, problems = read_catalog_entries(folder, today)
    yield from problems
    files = sorted((p for p in folder.iterdir() if p.suffix.lower() == ".txt"), key=lambda p: p.name)
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
        undecodable = any("\udc80" <= ch <= "\udcff" for ch in doc_id)  # bytes of the name that are not UTF-8
        if undecodable or ":" in doc_id:
            why = "is not valid UTF-8" if undecodable else "has a ':' (figure ids are doc_id:offset)"
            yield Problem(path, None, ERROR, f"file name {why}; skipped (rename the file)")
            continue
        data, why = _read(path, max_bytes, root)
        if data is None:
            more = " (raise the limit with --max-bytes)" if why.startswith("too large") else ""
            yield Problem(path, doc_id, ERROR, f"{why}; skipped{more}")
            continue
        decoded = decode_bytes(data)
        if decoded.problem:
            yield Problem(path, doc_id, decoded.severity, decoded.problem)
        if decoded.text is None:
            continue
        dup = hashlib.sha256(" ".join(decoded.text.split()).encode("utf-8", "surrogatepass")).hexdigest()
        first = seen.setdefault(dup, path)  # the first file with this text
        if first != path:
            yield Problem(path, doc_id, WARNING, f"same text as {shown(first.name)} (duplicate under doc ids "
                          f"{shown(first.stem)} and {shown(doc_id)}); both parsed")
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
        yield Article(doc_id, path, decoded.text, hashlib.sha256(data).hexdigest(),
                      entry.published if entry else None, entry.outlet if entry else None)
