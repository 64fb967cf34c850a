"""A corpus: a folder of ``.txt`` articles plus an optional ``catalog.csv``.

:func:`parse_corpus` reads and parses the folder; :func:`load` reads the parsed
tables committed in ``data/`` with pandas alone (no NLP import).
"""
from __future__ import annotations

import gc
import hashlib
import os
import sys
import tempfile
import warnings
from contextlib import ExitStack, closing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import paths
from .schema import (ARTICLE_TABLES, DERIVED, DOCUMENTS, FIGURES, NUMBERS, REFERENCE, SEP, TABLES, check_code,
                     describe, frame, reference)

if TYPE_CHECKING:
    from .cache import Payload
    from .parallel import ParseStats
    from .reconcile import BlockMemo, Prepared
    from .record import Copier
    from .tables import TableWriter

CATALOG = "catalog.csv"
CORPUS_WIDE = tuple(name for name in DERIVED if name not in ARTICLE_TABLES)
"""The tables derived from the whole corpus (:func:`sahel.reconcile.derive_prepared`)."""


class CorpusWarning(UserWarning):
    """A file of the corpus was skipped or read with a problem."""


class CorpusError(ValueError):
    """The corpus cannot be read at all."""


def text_digest(text: str) -> str:
    """Hash of a decoded text: what the parse sees (see :func:`sahel.cache.article_key`)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Article:
    """One article as read from disk, before parsing.

    ``text`` may be None (not read: the file is unchanged since the last
    scan, see :class:`sahel.check.ScanManifest`); :meth:`load_text` reads it
    when the article must be parsed. ``digest`` (:func:`text_digest`) and
    ``n_chars`` describe the decoded text either way; given a text, they
    default to its own.
    """

    doc_id: str
    path: Path
    text: str | None
    sha256: str
    published: date | None = None
    outlet: str | None = None
    digest: str = ""
    n_chars: int = 0

    def __post_init__(self) -> None:
        if self.text is not None and not self.digest:
            self.digest, self.n_chars = text_digest(self.text), len(self.text)

    def load_text(self) -> str:
        """The text, read and decoded from ``path`` if it was not kept.

        Raises :class:`CorpusError` if the file no longer gives the text
        scanned (changed or removed during the run).
        """
        if self.text is None:
            from .check import decode_bytes  # the rules of `sahel check`

            try:
                text = decode_bytes(self.path.read_bytes()).text
            except OSError as exc:
                raise CorpusError(f"{self.path}: unreadable ({exc.strerror or exc}) since it was "
                                  "scanned; run again") from None
            if text is None or (self.digest and text_digest(text) != self.digest):
                raise CorpusError(f"{self.path}: changed since it was scanned; run again")
            self.text = text
        return self.text


@dataclass
class Corpus:
    """The parsed tables of a corpus, each a DataFrame with the dtypes of :mod:`sahel.schema`.

    Tables are attributes (``corpus.figures``, ``corpus.facts`` …; ``dir(corpus)``
    lists them); :meth:`describe` tells what their columns mean.

    >>> corpus = load()
    >>> corpus.facts[["party", "measure", "best"]].head(2).shape
    (2, 3)
    >>> int(corpus.total("killed", party="FRA").best)
    41
    """

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
        names = ", ".join(["documents", "figures", *tables])  # not self.names: no recursion while unpickling
        raise AttributeError(f"{name!r}: not a table of this corpus (tables: {names})")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.names))

    @property
    def names(self) -> list[str]:
        """The names of the tables, documents and figures first."""
        return ["documents", "figures", *self.tables]

    def table(self, name: str) -> pd.DataFrame:
        """A table by name (``"facts"``)."""
        if name not in self.names:
            raise ValueError(f"unknown table {name!r}: tables: {', '.join(self.names)}")
        return getattr(self, name)

    def total(self, measure: str, party: str | None = None, start=None, end=None):
        """How many ``measure`` (of ``party``) in ``[start, end]``, from the facts without
        double counting: a :class:`sahel.reconcile.Total` (``low``, ``best``, ``high``, ``facts``).

        An unknown measure or party is a ValueError naming the close code and the valid ones.
        """
        from .reconcile import total

        check_code("measure", measure)
        if party is not None:
            check_code("party", party)
        if "facts" not in self.tables:
            raise ValueError("this corpus has no facts table; run `sahel parse` first")
        return total(self.tables["facts"], measure, party=party, start=start, end=end)

    def evidence(self, item_id: str) -> pd.DataFrame:
        """The figures a fact or event (by id) merges, with their article's outlet and date.

        >>> load().evidence("f-000_59af83d45f761803:979")[["doc_id", "value"]].shape
        (2, 2)
        """
        for name, key in (("facts", "fact_id"), ("events", "event_id")):
            rows = self.tables.get(name, pd.DataFrame({key: []}))
            if item_id in set(rows[key]):
                ids = rows.loc[rows[key] == item_id, "figure_ids"].iloc[0].split(SEP)
                figures = self.figures.set_index("figure_id").loc[ids].reset_index()
                return figures.join(self.documents.set_index("doc_id")[["outlet", "published"]], on="doc_id")
        raise ValueError(f"{item_id!r} is neither a fact_id nor an event_id of this corpus")

    def describe(self, name: str | None = None) -> pd.DataFrame:
        """The data dictionary of the tables (see :func:`sahel.schema.describe`)."""
        return describe(name)

    def to_parquet(self, out_dir: str | Path) -> list[Path]:
        """Write every table to ``out_dir/NAME.parquet`` (needs pyarrow: ``pip install 'sahel[export]'``)."""
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        for name in self.names:
            self.table(name).to_parquet(Path(out_dir) / f"{name}.parquet", index=False)
        return [Path(out_dir) / f"{name}.parquet" for name in self.names]

    def to_excel(self, path: str | Path) -> Path:
        """Write one sheet per table and a ``dictionary`` sheet (needs openpyxl: ``sahel[export]``).

        Article text stays text: control characters Excel cannot hold are dropped, and a
        cell starting with ``=`` is stored as a string, never as a formula.
        """
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        with pd.ExcelWriter(path, engine="openpyxl") as book:
            for name in [*self.names, "dictionary"]:
                table = describe() if name == "dictionary" else self.table(name)
                text = table.select_dtypes(include=["string", "object"]).columns
                table.assign(**{c: table[c].str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True) for c in text}
                             ).to_excel(book, sheet_name=name, index=False)
                for cell in (c for row in book.sheets[name].iter_rows() for c in row if c.data_type == "f"):
                    cell.data_type = "s"
        return Path(path)

    def __repr__(self) -> str:
        width = max(map(len, self.names))
        rows = [f"  {n:<{width}} {len(self.table(n)):>7,} rows x {self.table(n).shape[1]} columns"
                for n in self.names]
        return "\n".join([f"Corpus from {self.root}" if self.root else "Corpus", *rows])


def _problem(problems: list[str], path: Path | str, message: str) -> None:
    text = f"{path}: {message}"
    problems.append(text)
    warnings.warn(text, CorpusWarning, stacklevel=3)


def read_catalog(folder: Path, problems: list[str] | None = None) -> dict[str, dict[str, object]]:
    """Read ``folder/catalog.csv`` into ``{doc_id: {published, outlet}}``.

    A missing catalog is allowed; malformed rows are skipped with a warning
    that names the file and the line.
    """
    from .check import read_catalog_entries  # the rules of `sahel check`

    problems = [] if problems is None else problems
    entries, issues = read_catalog_entries(Path(folder))
    for issue in issues:
        _problem(problems, issue.path, issue.problem)
    return {doc_id: {"published": e.published, "outlet": e.outlet} for doc_id, e in (entries or {}).items()}


def decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """Decode an article's bytes; return the text and a problem (or None).

    Raises :class:`CorpusError` for empty, binary and undecodable files; a
    non-UTF-8 file is decoded with the encoding ``charset_normalizer`` guesses.
    """
    from .check import decode_bytes  # the rules of `sahel check`

    decoded = decode_bytes(data)
    if decoded.text is None:
        raise CorpusError(f"{path}: {decoded.problem}")
    return decoded.text, decoded.problem


def iter_articles(folder: Path, problems: list[str] | None = None, *,
                  max_bytes: int | None = None, cache: bool | str | Path | None = None) -> Iterator[Article]:
    """Yield the readable articles of a corpus folder in doc_id order.

    Applies the rules of ``sahel check`` (:func:`sahel.check.scan`): files that
    cannot be read are skipped, and every problem is warned about as one line
    ``path: problem`` (a :class:`CorpusWarning`) and appended to ``problems``.
    A folder without any readable article adds a problem too, so that
    :func:`parse_corpus` refuses it. ``max_bytes`` defaults to
    :data:`sahel.check.MAX_BYTES`. With a ``cache`` (that of
    :func:`parse_corpus`), the folder's :class:`~sahel.check.ScanManifest`
    is used: files unchanged since the last run are not read, and their
    articles come without ``text``.
    """
    from .cache import cache_root
    from .check import MAX_BYTES, Problem, ScanManifest, scan  # the rules of `sahel check`

    folder = Path(folder)
    problems = [] if problems is None else problems
    root = cache_root(cache)
    manifest = ScanManifest.open(root, folder) if root is not None else None
    n = 0
    for item in scan(folder, max_bytes=MAX_BYTES if max_bytes is None else max_bytes, manifest=manifest):
        if isinstance(item, Problem):
            _problem(problems, item.path, item.problem)
            continue
        n += 1
        yield Article(item.doc_id, item.path, item.text, item.sha256, item.published, item.outlet,
                      item.digest, item.n_chars)
    if n == 0:
        _problem(problems, folder, "no readable .txt article in the folder")


def parse_article(article: Article) -> dict[str, pd.DataFrame]:
    """Parse one article into its per-article frames, keyed by table name.

    The single unit of work of :func:`parse_corpus`: it runs in worker
    processes and its result is cached on disk (:mod:`sahel.cache`), so it
    must depend only on the article (text, doc id, date, outlet). Add any
    further per-article table here; corpus-wide tables are derived later.
    """
    from .extract import parse_text  # spaCy is imported only when parsing

    doc = parse_text(article.load_text(), doc_id=article.doc_id, published=article.published)
    return {"figures": doc.figures, "numbers": doc.numbers, "mentions": doc.mentions}


PREPARED = "_prepared"
"""Key of an article's payload holding the inputs of the corpus-wide tables."""


def article_payload(article: Article) -> Payload:
    """What is cached of one article: its tables as CSV lines, and its inputs to
    the corpus-wide tables (:func:`sahel.reconcile.prepare`)."""
    from .cache import encode

    frames = parse_article(article)
    payload = encode(frames)
    if "figures" in frames and "mentions" in frames:
        payload[PREPARED] = (article.doc_id, article.published, frames["figures"], frames["mentions"])
    return payload


def write_corpus(path: str | Path, out_dir: str | Path, jobs: int | None = None,
                 cache: bool | str | Path = True, progress: bool | None = None) -> ParseSummary:
    """Parse a corpus folder and write its tables to ``out_dir``, all or nothing.

    Articles are read (files unchanged since the last run only if they must
    be parsed: see :class:`~sahel.check.ScanManifest`), parsed (on ``jobs``
    processes, default all cores) or taken from the cache, and their rows
    appended to the tables in order, so memory does not grow with the corpus
    beyond the compact inputs of the corpus-wide tables. ``cache`` and
    ``progress`` are those of :func:`parse_corpus`; the cache also keeps the
    facts of each block of figures (:class:`sahel.reconcile.BlockMemo`), so
    that a re-run clusters only the blocks that changed, and the corpus-wide
    tables of the last run, which a re-run whose articles are all unchanged
    takes as they are (:func:`sahel.cache.derived_path`). A re-run into the
    same ``out_dir`` copies the rows of unchanged articles from its files
    and takes their inputs from the last run's record
    (:class:`sahel.record.RunRecord`). Nothing in
    ``out_dir`` changes unless every table is complete (see
    :class:`sahel.tables.TableWriter`).
    """
    memos: list[BlockMemo] = []  # the block memo, which a child may still be storing when the run ends
    try:
        return _write_corpus(Path(path), Path(out_dir), jobs, cache, progress, memos)
    finally:
        for memo in memos:
            memo.wait()


def _write_corpus(folder: Path, out_dir: Path, jobs: int | None, cache: bool | str | Path, progress: bool | None,
                  memos: list[BlockMemo]) -> ParseSummary:
    from .cache import (ArticleCache, article_key, derived_path, find_derived, inputs_key, load_memo,
                        memo_path, save_derived)
    from .forks import can_fork
    from .parallel import ParseStats, WarmParser, iter_payloads
    from .record import Copier, RunRecord, record_path
    from .tables import TableWriter, csv_row_list

    summary = ParseSummary(folder, Path(out_dir), ParseStats())
    docs: list[dict[str, object]] = []
    keys: list[str] = []

    def articles() -> Iterator[Article]:
        for art in iter_articles(folder, summary.problems, cache=cache):
            docs.append({"doc_id": art.doc_id, "published": art.published, "outlet": art.outlet,
                         "path": art.path.name, "n_chars": art.n_chars, "sha256": art.sha256})
            keys.append(article_key(art.digest, art.doc_id, art.published, art.outlet))
            yield art

    shown = progress or (progress is None and sys.stderr.isatty())  # the bar's size, only if it is shown
    total = sum(1 for _ in folder.glob("*.txt")) if shown and folder.is_dir() else None
    store = ArticleCache.open(cache)
    last = RunRecord.load(record_path(store, folder)) if store is not None else None
    record = RunRecord("", tuple(ARTICLE_TABLES)) if store is not None else None
    prepared: list[Prepared] = []
    digests: list[bytes] = []
    memo: BlockMemo | None = None
    grouped: Grouped | None = None
    finished = 0  # documents whose row is known (their articles are done)
    doc_lines: list[str] = []  # the rows of the first documents, made ahead

    def ahead() -> None:  # while the articles to parse are parsed: read the block memo, group the others
        nonlocal memo, grouped
        out.start_writeback(*ARTICLE_TABLES)  # the rows copied so far
        doc_lines[:] = csv_row_list(frame(docs[:finished], DOCUMENTS), DOCUMENTS)
    with TableWriter(Path(out_dir)) as out, ExitStack() as stack:
        sources = last.open(Path(out_dir), tuple(ARTICLE_TABLES)) if last is not None else None
        if sources is None:
            last = None
        else:
            stack.callback(lambda: [os.close(fd) for fd in sources.values()])
        for name, schema in ARTICLE_TABLES.items():
            out.append(name, schema)
        copier = warm = None
        if last is None:  # every article through the cache or the parser
            stream = iter_payloads(articles(), jobs=jobs, cache=cache, progress=progress, total=total,
                                   stats=summary.stats)
            items: Iterator[tuple[int | None, Payload | None]] = ((None, p) for p in stream)
        else:  # the rows of articles unchanged since the last run are copied from its files
            # the parser starts in a forked child while the folder is scanned
            warm = WarmParser(store) if jobs != 1 and can_fork() else None
            if warm is not None:
                stack.callback(warm.close)
            listed = list(articles())
            found = last.find((d["doc_id"] for d in docs), keys)  # type: ignore[misc]
            todo = [a for a, j in zip(listed, found) if j is None]
            del listed
            stream = iter_payloads(iter(todo), jobs=jobs, cache=cache, progress=progress,
                                   total=len(todo) if total is not None else None, stats=summary.stats, warm=warm,
                                   idle=ahead)
            del todo
            copier = Copier(last, sources, out, ARTICLE_TABLES, record)  # type: ignore[arg-type]
            items = _interleaved(found, stream, copier)
        with closing(stream):  # on any error the worker pool stops; else it stops here, before derive forks
            for i, (j, payload) in enumerate(items):
                doc = docs[i]  # appended when the article was read
                if j is not None:  # copied (when the next article is not)
                    copier.take(j)  # type: ignore[union-attr]
                    doc["n_figures"] = int(last.n_figures[j])  # type: ignore[union-attr]
                    p, d = last.prepared_of(j), last.digests[j]  # type: ignore[union-attr]
                    if record is not None:
                        record.add(doc["doc_id"], keys[i], doc["n_figures"], last.prepared[j], d)  # type: ignore[arg-type, union-attr]
                    summary.stats.cached += 1
                else:
                    if copier is not None:
                        copier.flush()  # the copied rows come first
                    start = dict(out.sizes)  # where this article's rows go
                    p, failed = _append_payload(out, payload, doc, summary.problems)  # type: ignore[arg-type]
                    d = _digest(p) if p is not None and store is not None else None
                    if record is not None:
                        record.add(doc["doc_id"], None if failed else keys[i], doc["n_figures"], p, d,  # type: ignore[arg-type]
                                   start)
                summary.figures += doc["n_figures"]  # type: ignore[operator]
                finished = i + 1
                if p is not None:
                    prepared.append(p)
                    if d is not None:
                        digests.append(d)
            if copier is not None:
                copier.flush()
        if warm is not None:
            warm.close()  # unused (nothing to parse) or done
        sizes = dict(out.sizes)  # the end of each table's rows
        if not docs:
            raise CorpusError(f"{folder}: no article could be read ({len(summary.problems)} problems)")
        summary.documents = len(docs)
        doc_lines += csv_row_list(frame(docs[len(doc_lines):], DOCUMENTS), DOCUMENTS)
        out.append("documents", DOCUMENTS, "".join(doc_lines))
        del doc_lines[:]
        out.start_writeback(*ARTICLE_TABLES, "documents")
        del docs[:]
        kept = key = None
        copied = False
        if store is not None:
            kept, key = derived_path(store, folder), inputs_key(digests)
            copied = _copy_derived(out, find_derived(kept, key, CORPUS_WIDE))
            if copied and record is not None and last is not None:  # the last run's facts table again
                record.facts = last.facts
        if not copied:  # (reconcile v2 branch: one derive from the prepared inputs, see _derive_tables)
            for name, table in _derive_tables(prepared).items():
                out.write(name, table, DERIVED[name])
                out.start_writeback(name)
        del prepared[:], digests[:]
    summary.written = out.written
    if kept is not None and key is not None and not copied:
        save_derived(kept, key, {name: Path(out_dir) / f"{name}.csv" for name in CORPUS_WIDE})
    if record is not None and store is not None:
        record.finish(sizes, Path(out_dir))
        record.save(record_path(store, folder))
    return summary


def _digest(prepared: tuple) -> bytes:
    """A hash of one article's inputs to the corpus-wide tables."""
    import pickle

    return hashlib.blake2b(pickle.dumps(prepared, protocol=4), digest_size=16).digest()


def _derive_tables(prepared: list[tuple]) -> dict[str, pd.DataFrame]:
    """The corpus-wide tables of the articles' prepared inputs (doc id, published, figures, mentions)."""
    from .reconcile import derive
    from .schema import MENTIONS

    documents = frame([{"doc_id": d, "published": p} for d, p, _, _ in prepared], DOCUMENTS)
    figures = pd.concat([f for _, _, f, _ in prepared] or [frame([], FIGURES)], ignore_index=True)
    mentions = pd.concat([m for _, _, _, m in prepared] or [frame([], MENTIONS)], ignore_index=True)
    return derive(documents, figures, mentions)


def _interleaved(found: list[int | None], stream: Iterator[Payload], copier: Copier
                 ) -> Iterator[tuple[int | None, Payload | None]]:
    """``(j, None)`` for each article found in the last run (its number there), else ``(None, payload)``
    from ``stream``; the rows copied so far are written out before waiting for a payload."""
    for j in found:
        if j is not None:
            yield j, None
        else:
            copier.flush()
            yield None, next(stream)


def _append_payload(out: TableWriter, payload: Payload, doc: dict[str, object],
                    problems: list[str]) -> tuple[Prepared | None, bool]:
    """Append an article's rows from its payload (reporting a failed parse); its prepared input, and
    whether its parse failed."""
    from .parallel import ERROR

    failed = ERROR in payload
    if failed:
        path, message = payload[ERROR].split(": ", 1)
        _problem(problems, path, message)
    for name, schema in ARTICLE_TABLES.items():
        if name in payload:
            out.append(name, schema, payload[name]["csv"])
    doc["n_figures"] = payload["figures"]["n"] if "figures" in payload else 0
    return payload.get(PREPARED), failed


def _copy_derived(out: TableWriter, found: dict[str, Path] | None) -> bool:
    """Take the corpus-wide tables from ``found`` (kept by an earlier run with the same inputs) into
    ``out``: True if all of them were, False (and none) if there are none or one is unusable."""
    if found is None:
        return False
    done = []
    try:
        for name, source in found.items():
            out.copy(name, source, DERIVED[name])
            done.append(name)
    except (OSError, ValueError):
        for name in done:
            out.discard(name)
        return False
    return True


@dataclass
class ParseSummary:
    """What :func:`write_corpus` did."""

    corpus: Path
    out_dir: Path
    stats: ParseStats
    documents: int = 0
    figures: int = 0
    problems: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def parse_corpus(path: str | Path = paths.SEEDS_DIR, jobs: int | None = None,
                 cache: bool | str | Path = True, progress: bool | None = None) -> Corpus:
    """Read and parse every article of a corpus folder into a :class:`Corpus`.

    The same as ``sahel parse`` (:func:`write_corpus`) into a temporary
    folder followed by :func:`load`: articles go through
    :func:`parse_article` on ``jobs`` processes (default: all cores; 1: in
    this process), and results are cached per article (``cache``: True for
    the default folder, False for none, or a folder; see :mod:`sahel.cache`).
    ``progress`` shows a bar (default: on a terminal, for runs over a second).
    ``corpus.parse_stats`` tells how many articles were parsed and how many
    came from the cache.
    """
    with tempfile.TemporaryDirectory(prefix="sahel-parse-") as tmp:
        summary = write_corpus(path, Path(tmp) / "tables", jobs=jobs, cache=cache, progress=progress)
        corpus = load(Path(tmp) / "tables")
    corpus.problems, corpus.root = summary.problems, Path(path)
    corpus.parse_stats = summary.stats  # type: ignore[attr-defined]
    return corpus


def load(path: str | Path | None = None) -> Corpus:
    """Read the parsed tables of ``path`` (default: the committed ``data/``) into a :class:`Corpus`.

    pandas only, fast: no NLP is imported. ``path`` is a folder written by
    ``sahel parse CORPUS --out PATH`` (your own articles); from a checkout the
    default is its ``data/``, from an installed package the copy it carries.

    >>> import sahel
    >>> corpus = sahel.load()
    >>> corpus.figures.loc[0, "figure_id"]
    '000_59af83d45f761803:671'
    >>> bool(corpus.figures["party"].isin(["FRA"]).any())
    True
    """
    from .tables import read_table

    folder = Path(path) if path is not None else paths.data_dir()
    documents = read_table(folder / "documents.csv", DOCUMENTS)
    figures = read_table(folder / "figures.csv", FIGURES)
    # the derived tables present (facts, events, timeline, places, actors, mentions), then numbers
    tables = {}
    for name, schema in (*DERIVED.items(), ("numbers", NUMBERS)):
        if (folder / f"{name}.csv").exists():
            tables[name] = read_table(folder / f"{name}.csv", schema)
    for name in REFERENCE:  # the code tables: data/'s copy, else the package's
        tables[name] = read_table(folder / f"{name}.csv", TABLES[name].dtypes) if (
            folder / f"{name}.csv").exists() else reference(name).copy()
    return Corpus(documents, figures, tables=tables, root=folder)
