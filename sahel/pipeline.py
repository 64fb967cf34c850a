"""From a corpus folder to its tables: ``sahel parse``, :func:`write_corpus`, :func:`parse_corpus`.

In order: scan the folder, take each article's rows from the cache or parse them (in parallel),
stream them to the per-article tables, apply the corrections, derive the corpus-wide tables and move
every table into place at once. What stays out: the extraction and reconciliation rules, reading
committed tables (:mod:`sahel.corpus`).
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import corrections as fixes
from . import paths
from .corpus import Corpus, load
from .schema import (ARTICLE_TABLES, CORRECTIONS, DERIVED, DOCUMENTS, FIGURES, MENTIONS, NUMBERS, REFERENCE,
                     datapackage, frame, reference, validate)
from .store.cache import Cache, Rows, article_key
from .store.parallel import Done, default_jobs, imap
from .store.scan import MAX_BYTES, Article, CorpusError, CorpusWarning, Problem, scan, shown
from .store.tables import TableSet, csv_header, csv_lines, read_table

CORPUS_WIDE = tuple(name for name in DERIVED if name not in ARTICLE_TABLES)
"""The tables derived from the whole corpus: facts, events, timeline, places, actors."""
TABLES = {**ARTICLE_TABLES, "documents": DOCUMENTS, **{name: DERIVED[name] for name in CORPUS_WIDE},
          **{name: dict.fromkeys(reference(name).columns, "string") for name in REFERENCE}, "corrections": CORRECTIONS}
"""Every table ``sahel parse`` writes, in the order written."""
ERROR = "error"
"""Key of the rows of an article the extractor failed on (never cached)."""
MAX_FIGURES = 10_000
"""Figures kept per article (a news article has ~1-50; a 5 MB casualty log could give 150,000)."""
CHUNK_ROWS = 20_000
"""Rows of the figures and mentions read back at a time."""


@dataclass
class ParseStats:
    """What a parse did: articles seen, from the cache, parsed, worker processes, seconds."""

    articles: int = 0
    cached: int = 0
    parsed: int = 0
    jobs: int = 1
    seconds: float = 0.0


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


def parse_article(article: Article) -> Rows:
    """The rows (CSV lines) of one article's figures, numbers and mentions: the unit of work sent to
    workers and cached. An extractor failure gives ``{ERROR: one line naming the file}`` instead."""
    from .extract import parse_text  # spaCy is imported only when parsing
    from .extract.mentions import mention_rows

    try:
        doc = parse_text(article.text, doc_id=article.doc_id, published=article.published)
        rows = {"figures": [{**r, "corrected": False} for r in doc.rows["figures"]],  # the cache holds uncorrected rows
                "numbers": doc.rows["numbers"],
                "mentions": mention_rows(doc.doc_id, doc.text, doc.rows["sentences"], doc.published)}
        return {name: csv_lines(rows[name], schema) for name, schema in ARTICLE_TABLES.items()}
    except Exception as exc:  # an extractor bug: skip this article, say which, go on
        detail = shown(" ".join(str(exc).split()))
        return {ERROR: [f"{shown(article.path)}: extractor failed ({type(exc).__name__}: {detail}); skipped"]}


def _warn(problems: list[str], text: str) -> None:
    problems.append(text)
    warnings.warn(text, CorpusWarning, stacklevel=4)


def _bar(folder: Path, progress: bool | None) -> Any:
    """A tqdm bar on stderr, or None (``progress`` None: on a terminal, for runs over a second)."""
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=sum(1 for _ in folder.glob("*.txt")), unit="art", desc="sahel parse", file=sys.stderr,
                delay=0 if progress else 1.0, dynamic_ncols=True)


def _rewrite(out: TableSet, name: str, df: Any) -> None:
    """Replace the rows streamed to table ``name`` by those of ``df``."""
    fh = out.files[name]
    fh.seek(0)
    fh.truncate()
    fh.write(csv_header(TABLES[name]))
    out.frame(name, df)


def _correct(out: TableSet, book: pd.DataFrame, texts: dict[str, str], summary: ParseSummary) -> tuple[Any, Any]:
    """Apply the corrections to the streamed figures (and the numbers of dropped ones); the corrected
    figures and the corrections with their status."""
    figures, applied = fixes.apply_corrections(read_table(out.path("figures"), FIGURES), book, texts)
    for r in applied[applied["status"] == "stale"].itertuples():
        _warn(summary.problems, f"{r.file}:{r.line}: stale correction {r.action} of {r.figure_id}: "
                                f"{r.problem}; not applied")
    _rewrite(out, "figures", figures)
    out.frame("corrections", validate("corrections", applied))
    gone = set(applied.loc[(applied["action"] == "drop") & (applied["status"] == "applied"), "figure_id"])
    if gone:  # the numbers of dropped figures are no figures
        numbers = read_table(out.path("numbers"), NUMBERS)
        hit = numbers["figure_id"].isin(gone).fillna(False)
        numbers.loc[hit, "status"], numbers.loc[hit, "figure_id"] = "dropped", pd.NA
        _rewrite(out, "numbers", numbers)
    return figures, applied


def _compact(chunks: Iterable[pd.DataFrame], columns: tuple[str, ...], blank: tuple[str, ...] = ()) -> pd.DataFrame:
    """The ``columns`` of a table read in chunks, for :func:`~sahel.reconcile.derive`: the ``blank``
    columns emptied but for milestones, text repeated across rows (codes, names, sentences) categorical."""
    kept = []
    for chunk in chunks:
        chunk = chunk[list(columns)]
        for col in blank:
            chunk[col] = chunk[col].where(chunk["kind"] == "milestone")
        kept.append(chunk)
    df = pd.concat(kept, ignore_index=True)
    del kept
    for col in df.columns:
        if df[col].dtype == "string" and col not in ("figure_id", "mention_id"):
            df[col] = df[col].astype("category")
    return df


def find_corrections(folder: Path, corrections: str | Path | None = None) -> pd.DataFrame | None:
    """The corrections of ``corrections`` (a file), else of ``folder/corrections.csv`` if there is one."""
    path = Path(corrections) if corrections is not None else folder / fixes.FILE
    return fixes.read_corrections(path) if corrections is not None or path.is_file() else None


def write_corpus(path: str | Path, out_dir: str | Path, jobs: int | None = None,
                 cache: bool | str | Path = True, progress: bool | None = None, *,
                 scheduler: str | None = None, max_bytes: int = MAX_BYTES,
                 corrections: str | Path | None = None) -> ParseSummary:
    """Parse a corpus folder and write every table to ``out_dir``, all or nothing.

    ``jobs``: worker processes (default all cores; 1: in this process). ``cache``: True for the default
    cache, False for none, or a folder (:mod:`sahel.store.cache`). ``progress``: a bar (default: on a
    terminal, for runs over a second). ``scheduler``: a ``dask.distributed`` scheduler address to parse
    on. ``max_bytes``: larger files are skipped. ``corrections``: a corrections file (default
    ``corrections.csv`` in the folder, if any), applied before reconciliation on every run; stale ones are
    warned about. Problems are warned about (:class:`CorpusWarning`) and listed in the summary;
    :class:`CorpusError` if no article can be read.
    """
    from .reconcile import FIGURE_COLUMNS, MENTION_COLUMNS, MILESTONE_COLUMNS, derive

    folder, t0 = Path(path), time.perf_counter()
    summary = ParseSummary(folder, Path(out_dir), ParseStats(jobs=1 if jobs == 1 else jobs or default_jobs()))
    book = find_corrections(folder, corrections)  # a malformed file stops here: nothing parsed
    named, texts = set() if book is None else set(book["doc_id"]), {}  # the articles corrections name
    store = Cache.open(cache, ARTICLE_TABLES)
    docs: list[dict[str, object]] = []
    keys: deque[tuple[str | None, bool]] = deque()  # of each article sent on: its key, whether it was cached

    def items() -> Any:
        for item in scan(folder, max_bytes=max_bytes):
            if isinstance(item, Problem):
                _warn(summary.problems, str(item))
                continue
            if item.doc_id in named:
                texts[item.doc_id] = item.text
            docs.append({"doc_id": item.doc_id, "published": item.published, "outlet": item.outlet,
                         "path": item.path.name, "n_chars": len(item.text), "sha256": item.sha256})
            key = article_key(item.text, item.doc_id, item.published, item.outlet) if store else None
            hit = store.get(key) if key else None
            keys.append((key, hit is not None))
            yield Done(hit) if hit is not None else item
        if not docs:
            _warn(summary.problems, f"{shown(folder)}: no readable .txt article in the folder")

    bar = _bar(folder, progress)
    try:
        with TableSet(Path(out_dir), TABLES) as out:
            for i, rows in enumerate(imap(parse_article, items(), jobs=jobs, scheduler=scheduler)):
                key, cached = keys.popleft()
                if ERROR in rows:
                    _warn(summary.problems, rows[ERROR][0])
                    rows = {name: [] for name in ARTICLE_TABLES}
                elif key and not cached:
                    store.put(key, rows)
                summary.stats.parsed += not cached
                if len(rows["figures"]) > MAX_FIGURES:
                    _warn(summary.problems, f"{shown(folder / docs[i]['path'])}: {len(rows['figures']):,} figures; "
                          f"only the first {MAX_FIGURES:,} kept (the limit of figures per article)")
                    rows = {**rows, "figures": rows["figures"][:MAX_FIGURES]}
                for name in ARTICLE_TABLES:
                    out.write(name, "".join(rows[name]))
                docs[i]["n_figures"] = len(rows["figures"])
                summary.figures += len(rows["figures"])
                if bar is not None:
                    bar.update(1)
            if not docs:
                raise CorpusError(f"{shown(folder)}: no article could be read ({len(summary.problems)} problems)")
            refs: dict[str, pd.DataFrame] = {}  # the tables others refer to
            corrected = None
            if book is not None:  # after extraction (cached or not), before reconciliation
                corrected, refs["corrections"] = _correct(out, book, texts, summary)
                counts = corrected["doc_id"].value_counts()
                for doc in docs:
                    doc["n_figures"] = int(counts.get(doc["doc_id"], 0))
                summary.figures = len(corrected)
            refs["documents"] = documents = validate("documents", frame(docs, DOCUMENTS))
            out.frame("documents", documents)
            summary.documents = summary.stats.articles = len(docs)
            summary.stats.cached = summary.documents - summary.stats.parsed
            del docs[:]
            # the corpus-wide tables, from the columns derive reads, a chunk of a table at a time
            chunks = [corrected] if corrected is not None else read_table(out.path("figures"), FIGURES, CHUNK_ROWS)
            del corrected
            refs["figures"] = _compact((validate("figures", c, refs) for c in chunks), FIGURE_COLUMNS)
            del chunks
            validate("figures", refs["figures"], columns=("figure_id",))  # the key, unique over all chunks
            derived = derive(documents, refs["figures"], _compact(read_table(
                out.path("mentions"), MENTIONS, CHUNK_ROWS, MENTION_COLUMNS), MENTION_COLUMNS, MILESTONE_COLUMNS))
            for name in CORPUS_WIDE:
                out.frame(name, validate(name, derived[name], {**refs, **derived}))
            for name in REFERENCE:  # the code tables and the data package describing them all
                out.frame(name, reference(name))
            out.text("datapackage.json", json.dumps(datapackage(documents), indent=2,
                                                    ensure_ascii=False) + "\n")
    finally:
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()
    summary.written = out.written
    summary.stats.seconds = time.perf_counter() - t0
    return summary


def parse_corpus(path: str | Path = paths.SEEDS_DIR, jobs: int | None = None,
                 cache: bool | str | Path = True, progress: bool | None = None, *,
                 scheduler: str | None = None, corrections: str | Path | None = None) -> Corpus:
    """Parse a corpus folder into a :class:`~sahel.corpus.Corpus` (:func:`write_corpus` into a temporary
    folder, then :func:`~sahel.corpus.load`), with its ``problems`` and ``parse_stats``."""
    with tempfile.TemporaryDirectory(prefix="sahel-parse-") as tmp:
        summary = write_corpus(path, Path(tmp) / "tables", jobs=jobs, cache=cache, progress=progress,
                               scheduler=scheduler, corrections=corrections)
        corpus = load(Path(tmp) / "tables")
    corpus.problems, corpus.root = summary.problems, Path(path)
    corpus.parse_stats = summary.stats  # type: ignore[attr-defined]
    return corpus
