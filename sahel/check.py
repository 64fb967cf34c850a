"""``sahel check``: what ``sahel parse`` will skip or warn about in a corpus folder, one row per problem
naming the file, with the malformed or stale rows of its ``corrections.csv``. What stays out: the rules
themselves (:mod:`sahel.store.scan`, :mod:`sahel.corrections`)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from . import corrections as fixes
from .pipeline import find_corrections
from .schema import CORRECTIONS, FIGURES, frame
from .store.scan import ERROR, MAX_BYTES, WARNING, Problem, scan, shown

CHECK = dict.fromkeys(("file", "doc_id", "severity", "problem"), "string")
"""Columns of :func:`check_corpus`: ``file`` is relative to the corpus folder (escaped: one line)."""


def _fault(problem: str, doc_id: str | None = None) -> dict[str, str | None]:
    """An error of the corrections file (``problem`` starts with its line)."""
    return {"file": fixes.FILE, "doc_id": doc_id, "severity": ERROR, "problem": f"line {problem}"}


def check_corpus(path: str | Path, max_bytes: int = MAX_BYTES, today: date | None = None) -> pd.DataFrame:
    """One row per problem of the corpus folder ``path``: file, doc_id, severity, problem."""
    folder, rows, articles, book = Path(path), [], {}, None
    try:
        book = find_corrections(folder)
    except fixes.CorrectionsError as exc:
        rows.append(_fault(str(exc).removeprefix(f"{folder / fixes.FILE}:")))
    named = set() if book is None else set(book["doc_id"])
    for item in scan(folder, max_bytes=max_bytes, today=today):
        if isinstance(item, Problem):
            name = item.path.relative_to(folder) if item.path.is_relative_to(folder) else item.path
            rows.append({"file": shown(name, 400), "doc_id": item.doc_id, "severity": item.severity,
                         "problem": item.problem})
        elif item.doc_id in named:
            articles[item.doc_id] = item
    if book is not None:
        from .extract import parse_text

        figures = [parse_text(a.text, doc_id=a.doc_id, published=a.published).figures for a in articles.values()]
        try:
            applied = fixes.apply_corrections(pd.concat(figures, ignore_index=True) if figures else
                                              frame([], FIGURES), book, {d: a.text for d, a in articles.items()})[1]
        except fixes.CorrectionsError as exc:
            applied = frame([], CORRECTIONS)
            rows.append(_fault(str(exc).removeprefix(f"{fixes.FILE}:")))
        rows += [_fault(f"{r.line}: stale correction {r.action} of {r.figure_id}: {r.problem}; not applied", r.doc_id)
                 for r in applied[applied["status"] == "stale"].itertuples()]
    return frame(rows, CHECK)


def format_report(df: pd.DataFrame, folder: str | Path) -> str:
    """The problems as ``path: severity: problem`` lines (escaped) and a summary line."""
    lines = [f"{shown(Path(folder) / f, 400)}: {s}: {p}" for f, s, p in zip(df["file"], df["severity"], df["problem"])]
    n_err, n_warn = ((df["severity"] == level).sum() for level in (ERROR, WARNING))
    lines.append(f"{shown(folder)}: {n_err} error(s), {n_warn} warning(s) in {df['file'].nunique()} file(s)"
                 if len(df) else f"{shown(folder)}: no problems found")
    return "\n".join(lines)
