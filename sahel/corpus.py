"""A corpus: a folder of ``.txt`` articles plus an optional ``catalog.csv``.

:func:`parse_corpus` reads and parses the folder; :func:`load` reads the parsed
tables committed in ``data/`` with pandas alone (no NLP import).
"""
from __future__ import annotations

import csv
import hashlib
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from . import paths
from .schema import DOCUMENTS, FIGURES, frame

CATALOG = "catalog.csv"


class CorpusWarning(UserWarning):
    """A file of the corpus was skipped or read with a problem."""


class CorpusError(ValueError):
    """The corpus cannot be read at all."""


@dataclass
class Article:
    """One article as read from disk, before parsing."""

    doc_id: str
    path: Path
    text: str
    sha256: str
    published: date | None = None
    outlet: str | None = None


@dataclass
class Corpus:
    """Parsed tables of a corpus; every figure points back to its sentence."""

    documents: pd.DataFrame
    figures: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    root: Path | None = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        # derived tables (facts, events, timeline, places, actors …) by name
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        extra = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        return (f"Corpus({len(self.documents)} documents, {len(self.figures)} figures"
                + (f", {extra}" if extra else "") + ")")


def _problem(problems: list[str], path: Path | str, message: str) -> None:
    text = f"{path}: {message}"
    problems.append(text)
    warnings.warn(text, CorpusWarning, stacklevel=3)


def read_catalog(folder: Path, problems: list[str] | None = None) -> dict[str, dict[str, object]]:
    """Read ``folder/catalog.csv`` into ``{doc_id: {published, outlet}}``.

    A missing catalog is allowed; malformed rows are skipped with a warning
    that names the file and the line.
    """
    problems = [] if problems is None else problems
    path = Path(folder) / CATALOG
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        _problem(problems, path, f"catalog unreadable ({exc}); publication dates unknown")
        return {}
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "doc_id" not in reader.fieldnames:
        _problem(problems, path, "catalog has no `doc_id` column; publication dates unknown")
        return {}
    out: dict[str, dict[str, object]] = {}
    for row in reader:
        line = reader.line_num
        doc_id = (row.get("doc_id") or "").strip()
        if not doc_id or None in row:
            _problem(problems, path, f"line {line}: malformed catalog row skipped")
            continue
        raw = (row.get("published") or "").strip()
        published = None
        if raw:
            try:
                published = date.fromisoformat(raw[:10])
            except ValueError:
                _problem(problems, path, f"line {line}: unparseable published date {raw!r} for {doc_id}")
        out[doc_id] = {"published": published, "outlet": (row.get("outlet") or "").strip() or None}
    return out


def decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """Decode an article's bytes; return the text and a problem (or None).

    Raises :class:`CorpusError` for empty and binary files.
    """
    if not data.strip():
        raise CorpusError(f"{path}: empty file")
    if b"\x00" in data[:4096]:
        raise CorpusError(f"{path}: binary file (NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        return text, f"not UTF-8 ({exc.reason} at byte {exc.start}); decoded as cp1252"


def iter_articles(folder: Path, problems: list[str] | None = None) -> Iterator[Article]:
    """Yield the readable articles of a corpus folder in doc_id order."""
    folder = Path(folder)
    problems = [] if problems is None else problems
    if not folder.is_dir():
        raise CorpusError(f"{folder}: corpus folder not found")
    catalog = read_catalog(folder, problems)
    for path in sorted(folder.glob("*.txt")):
        try:
            data = path.read_bytes()
            text, issue = decode(data, path)
        except CorpusError as exc:
            _problem(problems, path, str(exc).split(": ", 1)[1] + "; skipped")
            continue
        except OSError as exc:
            _problem(problems, path, f"unreadable ({exc.strerror}); skipped")
            continue
        if issue:
            _problem(problems, path, issue)
        meta = catalog.get(path.stem, {})
        if not meta.get("published"):
            _problem(problems, path, "no publication date in catalog; relative dates left unresolved")
        yield Article(path.stem, path, text, hashlib.sha256(data).hexdigest(),
                      meta.get("published"), meta.get("outlet"))


def parse_corpus(path: str | Path = paths.SEEDS_DIR) -> Corpus:
    """Read and parse every article of a corpus folder into a :class:`Corpus`."""
    from .extract import parse_text  # spaCy is imported only when parsing

    folder = Path(path)
    problems: list[str] = []
    docs, figures = [], []
    for art in iter_articles(folder, problems):
        doc = parse_text(art.text, doc_id=art.doc_id, published=art.published)
        figures.append(doc.figures)
        docs.append({"doc_id": art.doc_id, "published": art.published, "outlet": art.outlet,
                     "path": art.path.name, "n_chars": len(art.text), "sha256": art.sha256,
                     "n_figures": len(doc.figures)})
    if not docs and problems:
        raise CorpusError(f"{folder}: no article could be read ({len(problems)} problems)")
    documents = frame(docs, DOCUMENTS)
    figs = pd.concat(figures, ignore_index=True) if figures else frame([], FIGURES)
    return Corpus(documents, figs, problems=problems, root=folder)


def load(path: str | Path | None = None) -> Corpus:
    """The corpus as committed in ``data/`` (or ``path``): pandas only, fast."""
    from .tables import read_table

    folder = Path(path) if path is not None else paths.data_dir()
    documents = read_table(folder / "documents.csv", DOCUMENTS)
    figures = read_table(folder / "figures.csv", FIGURES)
    return Corpus(documents, figures, root=folder)
