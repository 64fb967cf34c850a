"""The gazetteers of places and actors (``resources/places.csv``, ``actors.csv``) and matching their names.

One row per place (``|``-separated aliases, kind, country, coordinates) or actor (aliases, kind,
party); each gazetteer is matched as one compiled alternation, a whole article in one pass.
What stays out: an article's mention rows (:mod:`.mentions`) and the corpus-wide tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import paths
from ..schema import ACTORS, PLACES, conform
from .text import prefix_tree

PLACES_CSV = paths.RESOURCES_DIR / "places.csv"
ACTORS_CSV = paths.RESOURCES_DIR / "actors.csv"
KINDS = ("state", "state force", "operation", "task force", "UN mission", "EU mission",
         "G5 force", "international organization", "jihadist group", "armed group", "mercenary")
"""The actor kinds ``actors.csv`` may use."""

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
    """Aliases of a gazetteer as two alternations: short all-capital ones (``UN``, ``ISGS``) match
    case-sensitively, the others ignoring case."""

    def __init__(self, table: pd.DataFrame, key: str) -> None:
        self._exact: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        for row_key, aliases in zip(table[key], table["aliases"]):
            for alias in filter(None, (a.strip() for a in str(aliases).split("|"))):
                if alias.isupper() and len(alias) <= 6:
                    self._exact.setdefault(alias, row_key)
                else:
                    self._folded.setdefault(alias.lower(), row_key)
        self._rx_exact = _alternation(self._exact, 0)
        self._rx_folded = _alternation(self._folded, re.IGNORECASE)

    def find(self, text: str) -> list[Match]:
        """Every alias occurrence, left to right; overlaps resolve to the longest."""
        found: list[Match] = []
        for rx, table, fold in ((self._rx_folded, self._folded, True), (self._rx_exact, self._exact, False)):
            if rx is None:
                continue
            for m in rx.finditer(text):
                surface = m.group(0)
                found.append(Match(m.start(), m.end(), surface, table[_norm(surface) if fold else surface]))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out: list[Match] = []
        for m in found:
            if not out or m.start >= out[-1].end:
                out.append(m)
        return out


@lru_cache(maxsize=4096)
def _norm(s: str) -> str:
    return _SPACES.sub(" ", s.replace("’", "'")).lower()


_SPACES = re.compile(r"\s+")


def _atom(ch: str) -> str:
    """The pattern of one alias character: a space matches any whitespace, ``'`` either apostrophe."""
    return r"\s+" if ch == " " else "['’]" if ch == "'" else re.escape(ch)


def _flat(aliases: list[str]) -> str:
    """Longest alias first: at a position the longest alias that fits wins."""
    return "|".join("".join(_atom(c) for c in alias) for alias in sorted(aliases, key=len, reverse=True))


_ACCENTED = frozenset("àáâäãåçèéêëìíîïñòóôöõùúûüýÀÁÂÄÃÅÇÈÉÊËÌÍÎÏÑÒÓÔÖÕÙÚÛÜÝ")  # one case pair each


def _trie(aliases: list[str], flags: int) -> str | None:
    """The aliases as a prefix tree (one branch per character, not every name at every word start),
    or None when it could match differently from :func:`_flat` (overlapping character classes)."""
    # an alias spelt with ’ is redundant next to the same spelt with ' (['’] matches both)
    names = [a for a in aliases if not ("’" in a and a.replace("’", "'") in aliases)]
    if not all((ch.isascii() and (ch.isalnum() or ch in " '-.&/()")) or ch in _ACCENTED for a in names for ch in a):
        return None  # keep the flat alternation: character classes might overlap
    return prefix_tree(names, _atom, str.lower if flags & re.IGNORECASE else str)


def _alternation(aliases: dict[str, str], flags: int) -> re.Pattern[str] | None:
    if not aliases:
        return None
    body = _trie(list(aliases), flags) or _flat(list(aliases))
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w]|-\w)", flags)


def read_gazetteer(path: Path, schema: dict[str, str], key: str) -> pd.DataFrame:
    """Read a gazetteer CSV with the schema's dtypes (count columns left empty)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if key not in df.columns or df[key].isna().any() or df[key].duplicated().any():
        raise ValueError(f"{path}: every row needs a unique `{key}`")
    df["aliases"] = [a if isinstance(a, str) and a else n for a, n in zip(df["aliases"], df["name"])]
    return conform(df, schema)


@lru_cache(maxsize=8)
def gazetteer(path: Path = PLACES_CSV) -> pd.DataFrame:
    """A gazetteer as a PLACES or ACTORS frame (counts empty): actors for ``actors.csv`` or a file with
    an ``actor_id`` column (kinds among :data:`KINDS`)."""
    path = Path(path)
    if path.name != "actors.csv" and "actor_id" not in pd.read_csv(path, nrows=0).columns:
        return read_gazetteer(path, PLACES, "place_id")
    df = read_gazetteer(path, ACTORS, "actor_id")
    bad = sorted(set(df["kind"].dropna()) - set(KINDS))
    if bad:
        raise ValueError(f"{path}: unknown actor kind(s) {bad}")
    return df


@lru_cache(maxsize=8)
def matcher(path: Path = PLACES_CSV) -> Gazetteer:
    """The compiled matcher of a gazetteer file (built once per file)."""
    table = gazetteer(path)
    return Gazetteer(table, "actor_id" if "actor_id" in table.columns else "place_id")


def find_places(text: str) -> list[Match]:
    """Place names in ``text`` (``Match.key`` is the ``place_id``)."""
    return matcher().find(text)


def find_actors(text: str) -> list[Match]:
    """Actor names in ``text`` (``Match.key`` is the ``actor_id``)."""
    return matcher(ACTORS_CSV).find(text)


def most_specific(place_ids: list[str]) -> str | None:
    """Of several place ids, the most precise one (first on ties), or None."""
    kinds = column("kind")
    return max(place_ids, key=lambda p: SPECIFICITY.get(str(kinds.get(p)), 0), default=None)  # the first on ties


@lru_cache(maxsize=32)
def column(name: str, path: Path = PLACES_CSV) -> dict:
    """``id → name`` of a gazetteer file as a dict (``pd.NA`` for an empty cell), built once."""
    table = gazetteer(path)
    return dict(zip(table["actor_id" if "actor_id" in table.columns else "place_id"], table[name]))
