"""Reconciliation by the codebook's "Facts and totals (version 2)": :mod:`.figures` (one article's figures),
:mod:`.facts` (one fact per quantity), :mod:`.events` (events, timeline), :mod:`.gazetteer` (places and
actors tables), :mod:`.totals` (:func:`total`); :func:`derive` runs them all. What stays out: extraction,
reading and writing tables, reports.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..extract import gazetteer as places
from ..schema import DATE, EVENTS, FACTS, TIMELINE
from .events import event_row, group_events, milestone_rows, timeline_rows
from .facts import cluster, fact_rows
from .figures import DAY_NS, MEASURES, Fig, annotate, estimates
from .gazetteer import actors_table, places_table
from .totals import Total, total

__all__ = ["derive", "total", "Total", "estimates", "places_table", "actors_table"]
NAT = np.iinfo("i8").min
FIGURE_COLUMNS = ("figure_id", "doc_id", "value", "value_high", "qualifier", "party", "measure", "noun",
                  "date_start", "date_end", "start", "sentence", "sentence_start", "quote", "date_text")
MENTION_COLUMNS = ("mention_id", "doc_id", "kind", "name", "code", "start", "surface", "sentence", "date_start",
                   "date_end", "quote")
"""The columns of figures and mentions :func:`derive` reads (``MILESTONE_COLUMNS`` of milestones only)."""
MILESTONE_COLUMNS = ("mention_id", "date_start", "date_end", "quote")


def _days(s: pd.Series) -> list[int | None]:
    ns = pd.to_datetime(s, errors="coerce").to_numpy("datetime64[ns]").view("i8")
    return [None if v == NAT else v // DAY_NS for v in ns.tolist()]


def _columns(df: pd.DataFrame | None, names: tuple[str, ...], dates: tuple[str, ...] = ()) -> dict[str, list]:
    """``df``'s columns ``names`` as lists, None where missing (absent columns too), ``dates`` in days."""
    n = 0 if df is None else len(df)
    return {c: [None] * n if df is None or c not in df.columns else _days(df[c]) if c in dates
            else df[c].astype(object).where(df[c].notna(), None).tolist() for c in names}


def _table(rows: list[dict], schema: dict[str, str]) -> pd.DataFrame:
    out = {c: np.array([NAT if r.get(c) is None else r[c] * DAY_NS for r in rows], dtype="i8").view(DATE)
           if t == DATE else pd.array([r.get(c) for r in rows], dtype=t) for c, t in schema.items()}
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
    """Annotated figures by article in report order, and the dated milestones with the places, actors
    (``names``, ``codes``) and figures of their sentence."""
    pubs = dict(zip(documents["doc_id"].astype(str), _days(documents["published"])))
    fc = _columns(figures, FIGURE_COLUMNS, ("date_start", "date_end"))
    mc = _columns(mentions, MENTION_COLUMNS, ("date_start", "date_end"))
    for doc in fc["doc_id"] + mc["doc_id"]:
        pubs.setdefault(str(doc), None)
    order = {doc: k for k, doc in enumerate(sorted(pubs, key=lambda x: (pubs[x] is None, pubs[x] or 0, x)))}
    by_doc: dict[str, list[Fig]] = {}
    figure_at: dict[tuple, list[str]] = {}
    for fid, doc, value, high, qual, party, measure, noun, ds, de, pos, sent, s0, quote, date_text in zip(*fc.values()):
        if value is not None and measure in MEASURES:
            by_doc.setdefault(str(doc), []).append(Fig(
                str(fid), str(doc), order[str(doc)], pubs[str(doc)], str(party or "UNKNOWN"), measure, noun,
                float(value), None if high is None else float(high), qual or "exact", ds, de if de is not None else ds,
                -1 if sent is None else sent, -1 if pos is None else pos, -1 if None in (pos, s0) else pos - s0,
                str(quote or ""), date_text=date_text))
            figure_at.setdefault((str(doc), sent), []).append(str(fid))
    places_at: dict[str, dict] = {}
    context: dict[tuple, dict] = {}
    operations: dict[str, list] = {}
    milestones = []
    dated = {(str(doc), sent) for doc, kind, sent in zip(mc["doc_id"], mc["kind"], mc["sentence"])
             if kind == "milestone"}  # (memory: the context of a milestone's sentence only)
    for mid, doc, kind, name, code, start, surface, sent, ds, de, quote in zip(*mc.values()):
        doc, here = str(doc), {"places": [], "names": [], "codes": []}
        here = context.setdefault((doc, sent), here) if (doc, sent) in dated and sent is not None else here
        if kind == "place" and not str(surface or "").isupper() and not _abroad(str(code)):  # (not a dateline,
            places_at.setdefault(doc, {}).setdefault(sent, []).append((start, str(code)))  # not who speaks)
            here["places"].append(str(code))
        elif kind == "actor":
            here["names"].append(name)
            here["codes"].append(code)
        elif kind == "milestone" and ds is not None:
            if code == "operation" and sent is not None:
                operations.setdefault(doc, []).append((sent, ds, de or ds))
            milestones.append({"mention_id": mid, "name": name, "code": code, "start": start, "date_start": ds,
                               "date_end": de, "quote": quote, "doc_id": doc, "context": here,
                               "figures": figure_at.get((doc, sent), []) if sent is not None else []})
    for doc, figs in by_doc.items():
        annotate(figs, places_at.get(doc, {}), operations.get(doc, []))
    return sorted(by_doc.values(), key=lambda figs: figs[0].order), milestones


def derive(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None = None
           ) -> dict[str, pd.DataFrame]:
    """``{facts, events, timeline, places, actors}`` of a corpus from its documents, figures and mentions."""
    articles, milestones = _articles(documents, figures, mentions)
    facts = fact_rows(cluster(articles))
    facts.sort(key=lambda f: (f["date_start"] or -1, f["party"], f["measure"], f["fact_id"]))  # (undated first)
    events = [event_row(g) for g in group_events(facts)]
    events.sort(key=lambda e: (e["date_start"], e["event_id"]))
    fact_of_figure = {m.fid: f for f in facts for m in f["_members"]}
    timeline = timeline_rows(events, milestone_rows(milestones, events, fact_of_figure))
    return {"facts": _table(facts, FACTS), "events": _table(events, EVENTS), "timeline": _table(timeline, TIMELINE),
            "places": places_table(mentions), "actors": actors_table(mentions)}
