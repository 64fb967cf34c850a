"""A parsed corpus: the :class:`Corpus` of tables and :func:`load` of the committed ``data/``.

:func:`load` reads the tables with pandas alone (no NLP import). Parsing a
corpus folder lives in :mod:`sahel.pipeline` (``parse_corpus``, ``write_corpus``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import paths
from .schema import DOCUMENTS, FIGURES, NUMBERS


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

    def total(self, measure: str, party: str | None = None, start=None, end=None):
        """How many ``measure`` (of ``party``) in ``[start, end]``, from the facts
        without double counting: a :class:`sahel.reconcile.Total` (low, best, high, facts)."""
        from .reconcile import total

        if "facts" not in self.tables:
            raise ValueError("this corpus has no facts table; run `sahel parse` first")
        return total(self.tables["facts"], measure, party=party, start=start, end=end)

    def __repr__(self) -> str:
        extra = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items())
        return (f"Corpus({len(self.documents)} documents, {len(self.figures)} figures"
                + (f", {extra}" if extra else "") + ")")


def load(path: str | Path | None = None) -> Corpus:
    """The corpus as committed in ``data/`` (or ``path``): pandas only, fast."""
    from .schema import DERIVED
    from .store.tables import read_table

    folder = Path(path) if path is not None else paths.data_dir()
    documents = read_table(folder / "documents.csv", DOCUMENTS)
    figures = read_table(folder / "figures.csv", FIGURES)
    # the derived tables present (facts, events, timeline, places, actors, mentions), then numbers
    tables = {}
    for name, schema in (*DERIVED.items(), ("numbers", NUMBERS)):
        if (folder / f"{name}.csv").exists():
            tables[name] = read_table(folder / f"{name}.csv", schema)
    return Corpus(documents, figures, tables=tables, root=folder)
