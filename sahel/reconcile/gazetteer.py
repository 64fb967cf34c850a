"""The places and actors tables: the gazetteers with how often, and in which articles, each is named.

Holds :func:`places_table` and :func:`actors_table` (from the mentions table). What stays out: finding
names in text (the extraction's gazetteer) and everything about figures.
"""
from __future__ import annotations

import pandas as pd

from ..extract import gazetteer as places
from ..schema import ACTORS, PLACES, conform


def _counts(mentions: pd.DataFrame | None, kind: str, column: str) -> tuple[dict[str, int], dict[str, set]]:
    counts: dict[str, int] = {}
    docs: dict[str, set] = {}
    if mentions is None or not len(mentions):
        return counts, docs
    sel = mentions[(mentions["kind"] == kind) & mentions[column].notna()]
    for key, doc in zip(sel[column].tolist(), sel["doc_id"].tolist()):
        counts[key] = counts.get(key, 0) + 1
        docs.setdefault(key, set()).add(str(doc))
    return counts, docs


def _with_counts(table: pd.DataFrame, key: str, counts: dict, docs: dict, schema: dict) -> pd.DataFrame:
    out = table.copy()
    keys = out[key].tolist()
    doc_ids = [";".join(sorted(docs[k])) if k in docs else None for k in keys]
    out["n_mentions"] = [counts.get(k, 0) for k in keys]
    out["doc_ids"] = doc_ids
    out["n_docs"] = [len(docs.get(k, ())) for k in keys]
    return conform(out, schema)


def places_table(mentions: pd.DataFrame | None) -> pd.DataFrame:
    """The place gazetteer with mention counts and the articles naming each place."""
    return _with_counts(places.gazetteer(), "place_id", *_counts(mentions, "place", "code"), PLACES)


def actors_table(mentions: pd.DataFrame | None) -> pd.DataFrame:
    """The actor gazetteer with mention counts and the articles naming each actor (by canonical name)."""
    gaz = places.gazetteer(places.ACTORS_CSV)
    ids = dict(zip(gaz["name"], gaz["actor_id"]))
    counts, docs = _counts(mentions, "actor", "name")
    by_id: dict[str, int] = {}
    docs_by_id: dict[str, set] = {}
    for name, n in counts.items():
        actor = ids.get(name)
        if actor is not None and not pd.isna(actor):
            by_id[actor] = by_id.get(actor, 0) + n
            docs_by_id.setdefault(actor, set()).update(docs[name])
    return _with_counts(gaz, "actor_id", by_id, docs_by_id, ACTORS)
