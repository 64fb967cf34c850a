"""Reconciliation: from the figures and mentions of a corpus to facts, events, timeline, places, actors.

Plain functions from tables to tables, by the codebook's section "Facts and totals (version 2)":

* :mod:`.figures` — one article's figures: kind, working dates, place, parts; the one
  low/best/high rule :func:`estimates`;
* :mod:`.facts` — every report of one quantity made one fact (values, disputed, best);
* :mod:`.events`, :mod:`.timeline` — incidents grouped into events; events plus milestones;
* :mod:`.gazetteer` — the places and actors tables;
* :mod:`.totals` — :func:`total`: how many, without double counting.

:func:`derive` runs them all. What stays out: extraction, reading and writing tables, reports.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..extract import gazetteer as places
from ..schema import DATE, EVENTS, FACTS, TIMELINE
from .events import event_row, group_events
from .facts import cluster, fact_rows
from .figures import DAY_NS, MEASURES, Fig, annotate, estimates
from .gazetteer import actors_table, places_table
from .timeline import milestone_rows, timeline_rows
from .totals import Total, total

__all__ = ["derive", "total", "Total", "estimates", "places_table", "actors_table"]
NAT = np.iinfo("i8").min


def _days(s: pd.Series) -> list[int | None]:
    ns = pd.to_datetime(s, errors="coerce").to_numpy("datetime64[ns]").view("i8")
    return [None if v == NAT else v // DAY_NS for v in ns.tolist()]


def _columns(df: pd.DataFrame | None, names: tuple[str, ...], dates: tuple[str, ...] = ()) -> dict[str, list]:
    """``df``'s columns ``names`` as lists, None where missing (absent columns too), ``dates`` in days."""
    n = 0 if df is None else len(df)
    return {c: [None] * n if df is None or c not in df.columns else _days(df[c]) if c in dates
            else df[c].astype(object).where(df[c].notna(), None).tolist() for c in names}


def _table(rows: list[dict], schema: dict[str, str]) -> pd.DataFrame:
    out = {}
    for col, dtype in schema.items():
        values = [r.get(col) for r in rows]
        if dtype == DATE:
            out[col] = np.array([NAT if v is None else v * DAY_NS for v in values], dtype="i8").view(DATE)
        else:
            out[col] = pd.array(values, dtype=dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(len(rows)))


@functools.lru_cache(maxsize=4096)
def _abroad(place: str) -> bool:
    """Whether a place lies outside the gazetteer's countries (the theatre of the conflict)."""
    country, kind = places.column("country"), places.column("kind")
    theatre = {country[p] for p, k in kind.items() if k == "country"}
    codes = country.get(place)
    return isinstance(codes, str) and not any(c in theatre for c in codes.split("|"))


def _articles(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None
              ) -> tuple[list[list[Fig]], list[dict]]:
    """Annotated figures by article in report order, and the dated milestones with their sentence's context."""
    d = _columns(documents, ("doc_id",))
    pubs = dict(zip(map(str, d["doc_id"]), _days(documents["published"])))
    fc = _columns(figures, ("figure_id", "doc_id", "value", "value_high", "qualifier", "party", "measure", "noun",
                            "date_start", "date_end", "start", "sentence", "sentence_start", "quote", "date_text"),
                  ("date_start", "date_end"))
    mc = _columns(mentions, ("mention_id", "doc_id", "kind", "name", "code", "start", "surface", "sentence",
                             "sentence_start", "sentence_end", "date_start", "date_end", "quote"),
                  ("date_start", "date_end"))
    for doc in fc["doc_id"] + mc["doc_id"]:
        pubs.setdefault(str(doc), None)
    order = {doc: k for k, doc in enumerate(sorted(pubs, key=lambda x: (pubs[x] is None, pubs[x] or 0, x)))}
    places_at: dict[tuple, list] = {}
    context: dict[tuple, dict] = {}
    operations: dict[str, list] = {}
    for k, kind in enumerate(mc["kind"]):
        doc, sent = str(mc["doc_id"][k]), mc["sentence"][k]
        if sent is None:
            continue
        here = context.setdefault((doc, sent), {"places": [], "names": [], "codes": []})
        if kind == "place" and str(mc["surface"][k] or "").isupper():  # a dateline ("BAMAKO, Oct 1"): not where
            continue
        if kind == "place" and not _abroad(str(mc["code"][k])):  # (Paris, Pau: who speaks, not where)
            places_at.setdefault(doc, {}).setdefault(sent, []).append((mc["start"][k], str(mc["code"][k])))
            here["places"].append(str(mc["code"][k]))
        elif kind == "actor":
            here["names"].append(mc["name"][k])
            here["codes"].append(mc["code"][k])
        elif kind == "milestone" and mc["code"][k] == "operation" and mc["date_start"][k] is not None:
            operations.setdefault(doc, []).append((sent, mc["date_start"][k], mc["date_end"][k] or mc["date_start"][k]))
    by_doc: dict[str, list[Fig]] = {}
    for i, value in enumerate(fc["value"]):
        if value is None or fc["measure"][i] not in MEASURES:
            continue
        doc = str(fc["doc_id"][i])
        s0, pos, ds = fc["sentence_start"][i], fc["start"][i], fc["date_start"][i]
        de = fc["date_end"][i] if fc["date_end"][i] is not None else ds
        by_doc.setdefault(doc, []).append(Fig(
            str(fc["figure_id"][i]), doc, order[doc], pubs[doc], str(fc["party"][i] or "UNKNOWN"),
            fc["measure"][i], fc["noun"][i], float(value),
            None if fc["value_high"][i] is None else float(fc["value_high"][i]), fc["qualifier"][i] or "exact",
            ds, de, fc["sentence"][i] if fc["sentence"][i] is not None else -1, pos if pos is not None else -1,
            pos - s0 if pos is not None and s0 is not None else -1, str(fc["quote"][i] or ""),
            date_text=fc["date_text"][i]))
    for doc, figs in by_doc.items():
        annotate(figs, places_at.get(doc, {}), operations.get(doc, []))
    figure_at: dict[tuple, list[str]] = {}
    for figs in by_doc.values():
        for f in figs:
            figure_at.setdefault((f.doc, f.sentence), []).append(f.fid)
    milestones = []
    for k, kind in enumerate(mc["kind"]):
        if kind != "milestone" or mc["date_start"][k] is None:
            continue
        doc, sent = str(mc["doc_id"][k]), mc["sentence"][k]
        here = context.get((doc, sent), {"places": [], "names": [], "codes": []})
        milestones.append({c: mc[c][k] for c in ("mention_id", "name", "code", "start", "date_start", "date_end",
                                                "quote")} | {
            "doc_id": doc, "place": places.most_specific(here["places"]),
            "names": list(dict.fromkeys(here["names"])), "codes": list(dict.fromkeys(here["codes"])),
            "figures": figure_at.get((doc, sent), []) if sent is not None else []})
    return sorted(by_doc.values(), key=lambda figs: figs[0].order), milestones


def derive(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None = None
           ) -> dict[str, pd.DataFrame]:
    """``{facts, events, timeline, places, actors}`` of a corpus from its documents, figures and mentions."""
    articles, milestones = _articles(documents, figures, mentions)
    facts = fact_rows(cluster(articles))
    facts.sort(key=lambda f: (f["date_start"] is not None, f["date_start"] or 0, f["party"], f["measure"],
                              f["fact_id"]))
    events = [event_row(g) for g in group_events(facts)]
    events.sort(key=lambda e: (e["date_start"], e["event_id"]))
    fact_of_figure = {m.fid: f for f in facts for m in f["_members"]}
    timeline = timeline_rows(events, milestone_rows(milestones, events, fact_of_figure))
    return {"facts": _table(facts, FACTS), "events": _table(events, EVENTS), "timeline": _table(timeline, TIMELINE),
            "places": places_table(mentions), "actors": actors_table(mentions)}
