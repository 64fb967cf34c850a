"""Events and the timeline: :data:`~sahel.schema.EVENTS` and :data:`~sahel.schema.TIMELINE` rows.

Events, UCDP-style: dated violent incident facts joined by a shared sentence, by one article's same dates
of a week or less (places not in conflict), or as parts of one another. The timeline: events plus dated
milestones merged across articles (one name and type, overlapping dates). What stays out: facts, totals.
"""
from __future__ import annotations

import pandas as pd

from ..extract import gazetteer as places
from .facts import components, place_conflict
from .figures import precision

VIOLENT = ("killed", "wounded", "captured", "destroyed")


def group_events(facts: list[dict]) -> list[list[dict]]:
    """The fact rows that form events, grouped (each group in fact order); sets their ``event_id``."""
    cand = [f for f in facts if f["kind"] == "incident" and f["measure"] in VIOLENT and f["date_start"] is not None]
    by_sentence: dict[tuple, list[int]] = {}
    by_dates: dict[tuple, list[int]] = {}
    for i, f in enumerate(cand):
        for m in f["_members"]:
            by_sentence.setdefault((m.doc, m.sentence), []).append(i)
        if f["date_end"] - f["date_start"] <= 7:
            for d in f["doc_ids"].split(";"):
                by_dates.setdefault((d, f["date_start"], f["date_end"]), []).append(i)
    pairs = [(a, b) for a, *rest in by_sentence.values() for b in rest
             if not (cand[a]["date_start"] > cand[b]["date_end"] or cand[b]["date_start"] > cand[a]["date_end"])]
    pairs += [(a, b) for a, *rest in by_dates.values() for b in rest
              if not place_conflict(cand[a]["place_id"], cand[b]["place_id"])]
    by_id = {f["fact_id"]: i for i, f in enumerate(cand)}
    pairs += [(i, by_id[f["part_of"]]) for i, f in enumerate(cand) if f["part_of"] in by_id]
    out = [[cand[i] for i in g] for g in components(len(cand), pairs)]
    for g in out:
        event_id = "e-" + min(m.fid for f in g for m in f["_members"])
        for f in g:
            f["event_id"] = event_id
    return out


def event_row(g: list[dict]) -> dict:
    """The :data:`~sahel.schema.EVENTS` row of the facts ``g`` of one event (dates in days)."""
    ids = {f["fact_id"] for f in g}
    counted = [f for f in g if f["part_of"] not in ids]
    ds, de = min(f["date_start"] for f in g), max(f["date_end"] for f in g)
    place = (places.most_specific([f["place_id"] for f in counted if f["place_id"]])
             or places.most_specific([f["place_id"] for f in g if f["place_id"]]))
    killed = [f for f in counted if f["measure"] == "killed"]
    by_party = {p: sum(f["best"] for f in killed if f["party"] == p) for p in {f["party"] for f in killed}}
    lead = max(killed or counted, key=lambda f: f["best"])
    docs = sorted({d for f in g for d in f["doc_ids"].split(";")})

    where = {c: places.column(c).get(place) if place else None for c in ("name", "country", "latitude", "longitude")}
    return {
        "event_id": g[0]["event_id"], "date_start": ds, "date_end": de, "date_precision": precision(ds, de),
        "place_id": place, "place": where["name"], "country": where["country"], "latitude": where["latitude"],
        "longitude": where["longitude"],
        "killed_low": sum(f["low"] for f in killed), "killed_best": sum(f["best"] for f in killed),
        "killed_high": None if any(f["high"] is None for f in killed) else sum(f["high"] for f in killed),
        "deaths_by_party": ";".join(f"{p}={v:.0f}" for p, v in sorted(by_party.items())),
        "summary": "; ".join(f"{f['measure']} {f['party']} {_sign(f['qualifier'])}{f['best']:,.0f} {f['noun']}"
                             for f in counted),
        "parties": ";".join(sorted({f["party"] for f in g})), "n_sources": len(docs), "doc_ids": ";".join(docs),
        "fact_ids": ";".join(sorted(ids)),
        "figure_ids": ";".join(sorted(x for f in g for x in f["figure_ids"].split(";"))),
        "description": one_line(lead["quote"]),
    }


def _sign(q: str | None) -> str:
    return {"at_least": "≥", "at_most": "≤", "approx": "~"}.get(str(q), "")


def one_line(text: object, limit: int = 200) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def milestone_rows(milestones: list[dict], events: list[dict], fact_of_figure: dict[str, dict]) -> list[dict]:
    """Timeline rows of the dated milestones (dicts with mention fields and the ``context`` of their
    sentence: places, names, codes, figures; dates in days), merged across articles."""
    covered: dict[str, list[tuple[int, int]]] = {}
    for e in events:
        for d in e["doc_ids"].split(";"):
            covered.setdefault(d, []).append((e["date_start"], e["date_end"]))
    ms = [m for m in milestones if not (m["code"] == "operation" and any(not (
        ds > (m["date_end"] if m["date_end"] is not None else m["date_start"]) or m["date_start"] > de)
        for ds, de in covered.get(m["doc_id"], ())))]
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
        place = places.most_specific([p for m in g for p in m["context"]["places"]])
        names = [x for m in g for x in m["context"]["names"]]
        facts = {fact_of_figure[fid]["fact_id"]: fact_of_figure[fid] for m in g for fid in m["context"]["figures"]
                 if fid in fact_of_figure}
        docs = sorted({m["doc_id"] for m in g})
        rows.append({
            "item_id": "m-" + min(m["mention_id"] for m in g), "kind": "milestone", "type": h["code"],
            "date_start": max(m["date_start"] for m in g),
            "date_end": min((m["date_end"] for m in g if m["date_end"] is not None), default=None),
            "label": h["name"], "description": one_line(h["quote"]), "place_id": place,
            "place": places.column("name").get(place) if place else None,
            "actors": ";".join(dict.fromkeys(names)) if names else None,
            "parties": ";".join(sorted({c for m in g for c in m["context"]["codes"]})) if names else None,
            "best": max((f["best"] for f in facts.values() if f["best"] is not None), default=pd.NA)
            if facts else None, "n_sources": len(docs),
            "doc_ids": ";".join(docs), "refs": ";".join(sorted(m["mention_id"] for m in g)), "event_id": None,
            "fact_ids": ";".join(sorted(facts)) or None,
        })
    return rows


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
