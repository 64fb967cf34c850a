"""Reconciliation by the codebook's "Facts and totals (version 2)": :mod:`.figures` (one article's figures),
:mod:`.facts` (one fact per quantity), :mod:`.events` (events, timeline), :mod:`.gazetteer` (places and
actors tables), :mod:`.totals` (:func:`total`); :func:`derive` runs them all. What stays out: extraction,
reading and writing tables, reports.
"""
from __future__ import annotations

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


def _table(rows: list[dict], schema: dict[str, str]) -> pd.DataFrame:
    out = {c: np.array([NAT if r.get(c) is None else r[c] * DAY_NS for r in rows], dtype="i8").view(DATE)
           if t == DATE else pd.array([r.get(c) for r in rows], dtype=t) for c, t in schema.items()}
    return pd.DataFrame(out, index=pd.RangeIndex(len(rows)))


def _objects(s: pd.Series, missing: object = None) -> list:
    """A column as a list of Python objects, ``missing`` where missing."""
    return s.astype(object).where(s.notna(), missing).tolist()


def _mentions(mentions: pd.DataFrame | None) -> tuple[dict, dict, list[dict]]:
    """``{doc: {sentence: [(start, place_id)]}}`` (not datelines nor places abroad), ``{doc: [(sentence, start,
    end)]}`` of dated operations, and the dated milestones with their sentence's places, actors (``context``)."""
    if mentions is None or not len(mentions):
        return {}, {}, []
    m, kind = mentions, mentions["kind"].astype(object)
    upper = [v for v in m["surface"].dropna().unique() if str(v).isupper()]  # a dateline, or who speaks
    country = places.column("country")  # places abroad: outside the gazetteer's countries
    theatre = {country[p] for p, k in places.column("kind").items() if k == "country"}
    abroad = [v for v in m["code"].dropna().unique() if isinstance(country.get(str(v)), str)
              and not any(c in theatre for c in country[str(v)].split("|"))]
    place = ((kind == "place") & ~m["surface"].isin(upper) & ~m["code"].isin(abroad)).to_numpy(bool)
    milestone, places_at = (kind == "milestone").to_numpy(bool), {}
    for doc, sent, start, c in zip(*(_objects(m.loc[place, c]) for c in ("doc_id", "sentence", "start", "code"))):
        places_at.setdefault(str(doc), {}).setdefault(sent, []).append((start, str(c)))
    # the places and actors of the sentences that hold a milestone, in the order of the mentions
    sent = m["sentence"].fillna(-1).to_numpy("int64")
    sentences = pd.factorize(m["doc_id"])[0] * (sent.max(initial=0) + 2) + sent + 1  # (doc, sentence) as a number
    dated = np.isin(sentences, sentences[milestone & (sent >= 0)])
    context: dict[tuple, dict] = {}
    near = m[dated & (place | (kind == "actor").to_numpy(bool))]
    for doc, sent, k, name, code in zip(*(_objects(near[c]) for c in ("doc_id", "sentence", "kind", "name", "code"))):
        here = context.setdefault((str(doc), sent), {"places": [], "names": [], "codes": [], "figures": []})
        if k == "place":
            here["places"].append(str(code))
        else:
            here["names"].append(name)
            here["codes"].append(code)
    operations: dict[str, list] = {}
    milestones = []
    ms = m[milestone & m["date_start"].notna().to_numpy(bool)]
    for mid, doc, name, code, start, sent, ds, de, quote in zip(
            *(_objects(ms[col]) for col in ("mention_id", "doc_id", "name", "code", "start", "sentence")),
            _days(ms["date_start"]), _days(ms["date_end"]), _objects(ms["quote"])):
        doc, empty = str(doc), {"places": [], "names": [], "codes": [], "figures": []}
        if code == "operation" and sent is not None:
            operations.setdefault(doc, []).append((sent, ds, de or ds))
        milestones.append({"mention_id": mid, "name": name, "code": code, "start": start, "date_start": ds,
                           "date_end": de, "quote": quote, "doc_id": doc, "sentence": sent,
                           "context": empty if sent is None else context.setdefault((doc, sent), empty)})
    return places_at, operations, milestones


def _articles(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None
              ) -> tuple[list[list[Fig]], list[dict]]:
    """Annotated figures by article in report order, and the dated milestones with the places, actors
    (``names``, ``codes``) and figures of their sentence (``context``)."""
    places_at, operations, milestones = _mentions(mentions)
    f = figures[(figures["value"].notna() & figures["measure"].isin(MEASURES)).to_numpy(bool)]
    docs = _objects(f["doc_id"])
    pubs = dict.fromkeys(docs) | dict(zip(documents["doc_id"].astype(str), _days(documents["published"])))
    order = {doc: k for k, doc in enumerate(sorted(pubs, key=lambda x: (pubs[x] is None, pubs[x] or 0, x)))}
    by_doc: dict[str, list[Fig]] = {}
    figure_at = {(m["doc_id"], m["sentence"]): m["context"]["figures"] for m in milestones}
    for fig in map(Fig, _objects(f["figure_id"]), docs, map(order.get, docs), map(pubs.get, docs),  # (its fields)
                   [p or "UNKNOWN" for p in _objects(f["party"])], _objects(f["measure"]), _objects(f["noun"]),
                   f["value"].to_numpy("float64").tolist(), _objects(f["value_high"]),
                   [q or "exact" for q in _objects(f["qualifier"])], _days(f["date_start"]),
                   _days(f["date_end"].fillna(f["date_start"])), _objects(f["sentence"], -1), _objects(f["start"], -1),
                   _objects(f["start"] - f["sentence_start"], -1), [q or "" for q in _objects(f["quote"])],
                   _objects(f["date_text"])):
        by_doc.setdefault(fig.doc, []).append(fig)
        figure_at.get((fig.doc, fig.sentence), []).append(fig.fid)  # (of the sentences of milestones)
    for doc, figs in by_doc.items():
        annotate(figs, places_at.get(doc, {}), operations.get(doc, []))
    return sorted(by_doc.values(), key=lambda figs: figs[0].order), milestones


def derive(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None = None
           ) -> dict[str, pd.DataFrame]:
    """``{facts, events, timeline, places, actors}`` of a corpus from its documents, figures and mentions."""
    tables = {"places": places_table(mentions), "actors": actors_table(mentions)}
    articles, milestones = _articles(documents, figures, mentions)
    facts = fact_rows(cluster(articles))
    del articles
    facts.sort(key=lambda f: (f["date_start"] or -1, f["party"], f["measure"], f["fact_id"]))  # (undated first)
    events = [event_row(g) for g in group_events(facts)]
    events.sort(key=lambda e: (e["date_start"], e["event_id"]))
    fact_of_figure = {m.fid: f for f in facts for m in f.pop("_members")}  # (the last use of the figures)
    timeline = timeline_rows(events, milestone_rows(milestones, events, fact_of_figure))
    return {"facts": _table(facts, FACTS), "events": _table(events, EVENTS), "timeline": _table(timeline, TIMELINE),
            **tables}
