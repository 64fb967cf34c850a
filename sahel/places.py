"""The place gazetteer (``resources/places.csv``) and matching place names in text.

A gazetteer is a small curated CSV: one row per place with its aliases
(``|``-separated), kind, country (ISO3), coordinates and precision. Matching is
one compiled alternation per gazetteer (longest alias first), so a whole
article is scanned in a single pass with no NLP model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import paths
from .schema import PLACES, conform

PLACES_CSV = paths.RESOURCES_DIR / "places.csv"

#: how specific a place kind is (higher = more precise), to pick the best of several
SPECIFICITY = {"village": 6, "town": 5, "border": 4, "region": 3, "area": 3, "country": 1}


@dataclass(frozen=True)
class Match:
    """One gazetteer name found in a text."""

    start: int
    end: int
    surface: str
    key: str  # the row id (place_id / actor_id)


class Gazetteer:
    """Aliases of a gazetteer compiled into two alternations.

    All-capital short aliases (acronyms such as ``UN``, ``EU``, ``ISGS``) match
    case-sensitively; every other alias matches case-insensitively.
    """

    def __init__(self, table: pd.DataFrame, key: str) -> None:
        self.table = table.set_index(key, drop=False)
        exact: dict[str, str] = {}
        folded: dict[str, str] = {}
        for row_key, aliases in zip(table[key], table["aliases"]):
            names = [a.strip() for a in str(aliases).split("|") if a.strip()]
            for alias in names:
                if alias.isupper() and len(alias) <= 6:
                    exact.setdefault(alias, row_key)
                else:
                    folded.setdefault(alias.lower(), row_key)
        self._exact = exact
        self._folded = folded
        self._rx_exact = _alternation(exact, 0)
        self._rx_folded = _alternation(folded, re.IGNORECASE)

    def find(self, text: str) -> list[Match]:
        """Every alias occurrence, left to right; overlaps resolve to the longest."""
        found: list[Match] = []
        for rx, table, fold in ((self._rx_folded, self._folded, True), (self._rx_exact, self._exact, False)):
            if rx is None:
                continue
            for m in rx.finditer(text):
                surface = m.group(0)
                key = table[_norm(surface) if fold else surface]
                found.append(Match(m.start(), m.end(), surface, key))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out: list[Match] = []
        for m in found:
            if out and m.start < out[-1].end:
                continue
            out.append(m)
        return out


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("’", "'")).lower()


def _alternation(aliases: dict[str, str], flags: int) -> re.Pattern[str] | None:
    if not aliases:
        return None
    parts = []
    for alias in sorted(aliases, key=len, reverse=True):
        esc = re.escape(alias).replace(r"\ ", r"\s+").replace("'", "['’]")
        parts.append(esc)
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w]|-\w)", flags)


def read_gazetteer(path: Path, schema: dict[str, str], key: str) -> pd.DataFrame:
    """Read a gazetteer CSV with the schema's dtypes (count columns left empty)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if key not in df.columns or df[key].isna().any() or df[key].duplicated().any():
        raise ValueError(f"{path}: every row needs a unique `{key}`")
    df["aliases"] = [a if isinstance(a, str) and a else n for a, n in zip(df["aliases"], df["name"])]
    return conform(df, schema)


@lru_cache(maxsize=4)
def gazetteer(path: Path = PLACES_CSV) -> pd.DataFrame:
    """The place gazetteer as a :data:`~sahel.schema.PLACES` frame (counts empty)."""
    return read_gazetteer(Path(path), PLACES, "place_id")


@lru_cache(maxsize=4)
def matcher(path: Path = PLACES_CSV) -> Gazetteer:
    """The compiled place matcher (built once per gazetteer file)."""
    return Gazetteer(gazetteer(path), "place_id")


def find_places(text: str) -> list[Match]:
    """Place names in ``text`` (``Match.key`` is the ``place_id``)."""
    return matcher().find(text)


def most_specific(place_ids: list[str]) -> str | None:
    """Of several place ids, the most precise one (first on ties), or None."""
    if not place_ids:
        return None
    table = gazetteer()
    kinds = table.set_index("place_id")["kind"]
    return max(place_ids, key=lambda p: (SPECIFICITY.get(str(kinds.get(p, "")), 0), -place_ids.index(p)))
