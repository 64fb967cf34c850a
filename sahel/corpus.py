"""A parsed corpus: the :class:`Corpus` of tables and :func:`load` of a folder of them (pandas only).
What stays out: parsing a corpus folder (:mod:`sahel.pipeline`: ``parse_corpus``, ``write_corpus``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import paths
from .schema import DERIVED, REFERENCE, SEP, TABLES, check_code, describe, reference


@dataclass
class Corpus:
    """The parsed tables of a corpus, each a DataFrame with the dtypes of :mod:`sahel.schema`.

    Tables are attributes (``corpus.figures``, ``corpus.facts`` …; ``dir(corpus)`` lists them);
    :meth:`describe` tells what their columns mean.

    >>> corpus = load()
    >>> int(corpus.total("killed", party="FRA").best)
    41
    """

    documents: pd.DataFrame
    figures: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    root: Path | None = None
    describe = staticmethod(describe)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})  # not self.names: no recursion while unpickling
        if name in tables:
            return tables[name]
        names = ", ".join(["documents", "figures", *tables])
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
        """How many ``measure`` (of ``party``) in ``[start, end]``, from the facts without double counting:
        a :class:`sahel.reconcile.Total` (``low``, ``best``, ``high``, ``facts``). An unknown measure or
        party is a ValueError naming the close code and the valid ones."""
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

    def to_parquet(self, out_dir: str | Path) -> list[Path]:
        """Write every table to ``out_dir/NAME.parquet`` (needs pyarrow: ``pip install 'sahel[export]'``)."""
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        files = [Path(out_dir) / f"{name}.parquet" for name in self.names]
        for name, file in zip(self.names, files):
            self.table(name).to_parquet(file, index=False)
        return files

    def to_excel(self, path: str | Path) -> Path:
        """Write one sheet per table and a ``dictionary`` sheet (needs openpyxl: ``sahel[export]``). Article
        text stays text: control characters Excel cannot hold are dropped, and no cell is a formula."""
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


def load(path: str | Path | None = None) -> Corpus:
    """Read the tables ``sahel parse CORPUS --out PATH`` wrote to ``path`` (default: the committed
    ``data/``, or the copy an installed package carries) into a :class:`Corpus`; pandas only, no NLP.

    >>> import sahel
    >>> corpus = sahel.load()
    >>> corpus.figures.loc[0, "figure_id"]
    '000_59af83d45f761803:671'
    """
    from .store.tables import read_table

    folder = Path(path) if path is not None else paths.data_dir()
    tables = {}
    for name in ("documents", "figures", *DERIVED, "numbers", "corrections", *REFERENCE):
        file = folder / f"{name}.csv"
        if name in ("documents", "figures") or file.exists():
            tables[name] = read_table(file, TABLES[name].dtypes)
        elif name in REFERENCE:  # the code tables: the package's when the folder has none
            tables[name] = reference(name).copy()
    return Corpus(tables.pop("documents"), tables.pop("figures"), tables=tables, root=folder)
