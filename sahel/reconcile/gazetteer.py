"""The places and actors tables: the gazetteers with how often, and in which articles, each is named.

Holds :func:`places_table` and :func:`actors_table` (from the mentions table). What stays out: finding
names in text (the extraction's gazetteer) and everything about figures.
"""
from __future__ import annotations

import pandas as pd

from ..extract import gazetteer as places
from ..schema import ACTORS, PLACES, conform


def _with_counts(table: pd.DataFrame, key: str, keys: pd.Series, docs: pd.Series, schema: dict) -> pd.DataFrame:
    """``table`` with ``n_mentions``, ``n_docs`` and ``doc_ids`` of each ``key`` named by the mentions."""
    pairs = pd.DataFrame({"key": keys.astype(object), "doc": docs.astype(object)}).dropna()  # (no new strings)
    named = pairs.drop_duplicates().sort_values("doc").groupby("key")["doc"]
    out = table.copy()
    out["n_mentions"] = out[key].map(pairs.groupby("key").size()).fillna(0).astype(int).to_numpy()
    out["doc_ids"] = out[key].map(named.agg(";".join)).astype(object).to_numpy()
    out["n_docs"] = out[key].map(named.size()).fillna(0).astype(int).to_numpy()
    return conform(out, schema)


def _named(mentions: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    if mentions is None or not len(mentions):
        return pd.DataFrame(columns=["code", "name", "doc_id"], dtype=object)
    return mentions.loc[mentions["kind"] == kind, ["code", "name", "doc_id"]]


def places_table(mentions: pd.DataFrame | None) -> pd.DataFrame:
    """The place gazetteer with mention counts and the articles naming each place."""
    m = _named(mentions, "place")
    return _with_counts(places.gazetteer(), "place_id", m["code"], m["doc_id"], PLACES)


def actors_table(mentions: pd.DataFrame | None) -> pd.DataFrame:
    """The actor gazetteer with mention counts and the articles naming each actor (by canonical name)."""
    gaz = places.gazetteer(places.ACTORS_CSV)
    m = _named(mentions, "actor")
    ids = m["name"].astype(object).map(dict(zip(gaz["name"], gaz["actor_id"])))
    return _with_counts(gaz, "actor_id", ids, m["doc_id"], ACTORS)
