"""``sahel check``: what is wrong with each file of a corpus folder.

The rules are those ``sahel parse`` applies (both read the folder through
:func:`sahel.store.scan.scan`), so ``check`` says in advance what ``parse``
will skip or warn about. Every problem is one line naming the file. What
stays out: the rules themselves (:mod:`sahel.store.scan`), parsing.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pandas as pd

from .schema import frame
from .store.scan import ERROR, MAX_BYTES, WARNING, Problem, scan, shown

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
    for item in scan(folder, max_bytes=max_bytes, today=today):
        if isinstance(item, Problem):
            try:
                name = str(item.path.relative_to(folder))
            except ValueError:
                name = str(item.path)
            rows.append({"file": shown(name, 400), "doc_id": item.doc_id, "severity": item.severity,
                         "problem": item.problem})
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
