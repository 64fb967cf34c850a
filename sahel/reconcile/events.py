"""Facts to events: the incident facts of one occurrence, UCDP-style, as :data:`~sahel.schema.EVENTS` rows.

Holds the grouping of dated incident facts of a violent measure (killed, wounded, captured,
destroyed) into events and the event rows (place, deaths by party, summary). Facts are joined when
reports of theirs share a sentence (and their dates overlap), when they come from one article with
the same dates of a week or less (and no conflicting places), and when one is a part of the other.
What stays out: the facts themselves, the timeline and totals.
"""
from __future__ import annotations

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
    ds = min(f["date_start"] for f in g)
    de = max(f["date_end"] for f in g)
    place = (places.most_specific([f["place_id"] for f in counted if f["place_id"]])
             or places.most_specific([f["place_id"] for f in g if f["place_id"]]))
    killed = [f for f in counted if f["measure"] == "killed"]
    by_party: dict[str, float] = {}
    for f in killed:
        by_party[f["party"]] = by_party.get(f["party"], 0.0) + f["best"]
    lead = max(killed or counted, key=lambda f: f["best"])
    docs = sorted({d for f in g for d in f["doc_ids"].split(";")})

    def col(name: str) -> object:
        return places.column(name).get(place) if place else None

    return {
        "event_id": g[0]["event_id"], "date_start": ds, "date_end": de, "date_precision": precision(ds, de),
        "place_id": place, "place": col("name"), "country": col("country"), "latitude": col("latitude"),
        "longitude": col("longitude"),
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
