"""``sahel check``: what ``sahel parse`` will skip or warn about in a corpus folder, one line per problem
naming the file, including stale rows of its ``corrections.csv``. What stays out: the rules themselves
(:mod:`sahel.store.scan`, :mod:`sahel.corrections`)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pandas as pd

from . import corrections as fixes
from .pipeline import find_corrections
from .schema import CORRECTIONS, FIGURES, frame
from .store.scan import ERROR, MAX_BYTES, WARNING, Article, Problem, scan, shown

CHECK: dict[str, str] = {
    "file": "string",
    "doc_id": "string",
    "severity": "string",
    "problem": "string",
}
"""Columns of :func:`check_corpus`: ``file`` is relative to the corpus folder (escaped: one line)."""


def check_corpus(path: str | Path, max_bytes: int = MAX_BYTES, today: date | None = None) -> pd.DataFrame:
    """One row per problem of the corpus folder ``path``: file, doc_id, severity, problem."""
    folder = Path(path)
    rows = []
    try:
        book = find_corrections(folder)
    except fixes.CorrectionsError as exc:
        book, problem = None, str(exc).removeprefix(f"{folder / fixes.FILE}:")
        rows.append({"file": fixes.FILE, "doc_id": None, "severity": ERROR, "problem": f"line {problem}"})
    named = set() if book is None else set(book["doc_id"])
    articles: dict[str, Article] = {}
    for item in scan(folder, max_bytes=max_bytes, today=today):
        if isinstance(item, Article) and item.doc_id in named:
            articles[item.doc_id] = item
        if isinstance(item, Problem):
            name = str(item.path.relative_to(folder) if item.path.is_relative_to(folder) else item.path)
            rows.append({"file": shown(name, 400), "doc_id": item.doc_id, "severity": item.severity,
                         "problem": item.problem})
    if book is not None:
        from .extract import parse_text

        figures = [parse_text(a.text, doc_id=a.doc_id, published=a.published).figures for a in articles.values()]
        try:
            applied = fixes.apply_corrections(pd.concat(figures, ignore_index=True) if figures else
                                              frame([], FIGURES), book, {d: a.text for d, a in articles.items()})[1]
        except fixes.CorrectionsError as exc:
            applied = frame([], CORRECTIONS)
            rows.append({"file": fixes.FILE, "doc_id": None, "severity": ERROR,
                         "problem": "line " + str(exc).split(":", 1)[1].lstrip()})
        for r in applied[applied["status"] == "stale"].itertuples():
            rows.append({"file": fixes.FILE, "doc_id": r.doc_id, "severity": ERROR,
                         "problem": f"line {r.line}: stale correction {r.action} of {r.figure_id}: {r.problem}; "
                                    "not applied"})
    return frame(rows, CHECK)


def format_report(df: pd.DataFrame, folder: str | Path) -> str:
    """The problems as ``path: severity: problem`` lines (escaped) plus a summary line."""
    lines = [f"{shown(Path(folder) / f, 400)}: {s}: {p}"
             for f, s, p in zip(df["file"], df["severity"], df["problem"])]
    n_err = int((df["severity"] == ERROR).sum())
    n_warn = int((df["severity"] == WARNING).sum())
    lines.append(f"{shown(folder)}: {n_err} error(s), {n_warn} warning(s) in {df['file'].nunique()} file(s)"
                 if len(df) else f"{shown(folder)}: no problems found")
    return "\n".join(lines)


def run(folder: str | Path, *, max_bytes: int = MAX_BYTES, strict: bool = False) -> int:
    """``sahel check``: print the report; 1 if there are errors (or any problem with ``strict``)."""
    df = check_corpus(folder, max_bytes=max_bytes)
    print(format_report(df, folder), file=sys.stdout)
    return 1 if (df["severity"] == ERROR).any() or (strict and len(df) > 0) else 0
