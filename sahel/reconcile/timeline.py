"""Events plus dated milestones (launches, coups, summits …) in date order: :data:`~sahel.schema.TIMELINE` rows.

Holds the merging of milestone mentions across articles (the same name and type, overlapping
dates), the milestones' places, actors and facts (those of their sentence), and the order of the
timeline. An operation milestone covered by an event of its article is left out (the event stands
for it). What stays out: facts and events (made before), totals.
"""
from __future__ import annotations

import pandas as pd

from ..extract import gazetteer as places
from .events import one_line
from .figures import precision


def milestone_rows(milestones: list[dict], events: list[dict], fact_of_figure: dict[str, dict]) -> list[dict]:
    """Timeline rows of the dated milestones (dicts with mention fields, ``names``, ``codes``,
    ``figures`` of their sentence; dates in days), merged across articles."""
    covered: dict[str, list[tuple[int, int]]] = {}
    for e in events:
        for d in e["doc_ids"].split(";"):
            covered.setdefault(d, []).append((e["date_start"], e["date_end"]))
    ms = [m for m in milestones if not (m["code"] == "operation" and any(
        not (ds > _end(m) or m["date_start"] > de) for ds, de in covered.get(m["doc_id"], ())))]
    ms.sort(key=lambda m: (m["date_start"], m["doc_id"], m["start"] if m["start"] is not None else 2**62))
    groups: list[list[dict]] = []
    open_: dict[tuple, tuple[float, list[dict]]] = {}  # (name, code) -> the open group's head's end, group
    for m in ms:  # (in date order: a group whose head ends before this start overlaps nothing later)
        end, group = open_.get((m["name"], m["code"]), (-1, None))
        if group is not None and end >= m["date_start"]:
            group.append(m)
        else:
            groups.append([m])
            open_[m["name"], m["code"]] = (m["date_end"] if m["date_end"] is not None else float("inf"), groups[-1])
    rows = []
    for g in groups:
        h = g[0]
        place = places.most_specific([m["place"] for m in g if m["place"]])
        names = [x for m in g for x in m["names"]]
        facts = {fact_of_figure[fid]["fact_id"]: fact_of_figure[fid] for m in g for fid in m["figures"]
                 if fid in fact_of_figure}
        bests = [f["best"] for f in facts.values() if f["best"] is not None]
        ends = [m["date_end"] for m in g if m["date_end"] is not None]
        docs = sorted({m["doc_id"] for m in g})
        rows.append({
            "item_id": "m-" + min(m["mention_id"] for m in g), "kind": "milestone", "type": h["code"],
            "date_start": max(m["date_start"] for m in g), "date_end": min(ends) if ends else None,
            "label": h["name"], "description": one_line(h["quote"]), "place_id": place,
            "place": places.column("name").get(place) if place else None,
            "actors": ";".join(dict.fromkeys(names)) if names else None,
            "parties": ";".join(sorted({c for m in g for c in m["codes"]})) if names else None,
            "best": (max(bests) if bests else pd.NA) if facts else None, "n_sources": len(docs),
            "doc_ids": ";".join(docs), "refs": ";".join(sorted(m["mention_id"] for m in g)), "event_id": None,
            "fact_ids": ";".join(sorted(facts)) or None,
        })
    return rows


def _end(m: dict) -> int:
    return m["date_end"] if m["date_end"] is not None else m["date_start"]


def timeline_rows(events: list[dict], milestones: list[dict]) -> list[dict]:
    """The events' rows then the milestones', dates put in order, sorted by date (undated first)."""
    rows = [{"item_id": e["event_id"], "kind": "event", "type": "incident", "date_start": e["date_start"],
             "date_end": e["date_end"], "label": e["summary"], "description": e["description"],
             "place_id": e["place_id"], "place": e["place"], "actors": None, "parties": e["parties"],
             "best": e["killed_best"], "n_sources": e["n_sources"], "doc_ids": e["doc_ids"],
             "refs": e["figure_ids"], "event_id": e["event_id"], "fact_ids": e["fact_ids"]} for e in events]
    rows += milestones
    for r in rows:
        if r["date_start"] is not None and r["date_end"] is not None and r["date_start"] > r["date_end"]:
            r["date_start"], r["date_end"] = r["date_end"], r["date_start"]
        r["date_precision"] = precision(r["date_start"], r["date_end"])
    low = -2**62
    keys = [(low if r["date_start"] is None else r["date_start"], low if r["date_end"] is None else r["date_end"],
             r["item_id"], r["kind"] != "event", k) for k, r in enumerate(rows)]
    return [rows[k] for k in sorted(range(len(rows)), key=keys.__getitem__)]
