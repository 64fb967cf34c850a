"""From figures to facts, events and totals without double counting.

* A **fact** is one real-world quantity: figures of one or more articles that
  state the same thing (same party and measure, same kind, compatible dates,
  values and places) merged into one row with ``low/best/high``, the narrowest
  date the sources support, ``n_sources`` and a ``disputed`` flag.
* Each figure gets a **kind** by general cues: ``strength`` for troop levels,
  ``cumulative`` for running or period totals ("since 2013", "to date",
  "brings to", a dated span longer than a month-and-a-half), ``incident`` for
  the rest. Undated incidents take the date of the article's sentence saying
  when the operation took place (a ``milestone`` mention of type
  ``operation``), else the month before publication.
* **Parts** never count twice: "Of these, 10 …", "A million of those …", and
  figures whose sum matches an aggregate of the same party and measure stated
  elsewhere in the article ("about 20 … 10 more" under "more than 30") get
  ``part_of`` = the aggregate's fact.
* An **event** groups the incident facts of one occurrence (same sentence, or
  the same article and the same day or week).

:func:`total` adds facts up: a cumulative fact lying inside the window is used
instead of the incidents it covers; strength takes the latest level.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from . import actors as _actors
from . import places as _places
from .schema import ACTORS, EVENTS, FACTS, MEASURES, PLACES, TIMELINE, conform, frame

VIOLENT = ("killed", "wounded", "captured", "destroyed")
BASIS_RANK = {"sentence": 0, "context": 1, "aggregate": 2, "published": 3, "none": 4}
CONTEXT_DAYS = 30  # an undated incident with no context date: the month before publication

_REINFORCE = re.compile(
    r"\b(?:more|additional|extra|reinforc\w*|pledg\w*|(?:to|will|would|plans? to) (?:send|deploy)|sending|"
    r"dispatch\w*|ongoing|involv\w*|took part|taking part|mobili[sz]\w*|surge)\b", re.I)
_RUNNING = re.compile(r"\b(?:brings?|bringing|brought|rais\w*|rose|risen|climbed|total of|toll (?:of|to|at)|"
                      r"tally (?:of|to))\s*(?:to\s*)?(?:over|more than|at least|some|about)?\s*$", re.I)
_CUMULATIVE = re.compile(r"\b(?:since|to date|so far|in total|altogether|overall|cumulative\w*|"
                         r"in all|all told|over the (?:past|last) (?:\w+ )?(?:years|decade))\b", re.I)
_ONE_EVENT = re.compile(r"\b(?:an?|the|one|single) (?:attack|assault|ambush|strike|air ?strike|raid|"
                        r"collision|crash|explosion|bombing|massacre|clash|battle)\b", re.I)
_PART_OF = re.compile(r"\b(?:of (?:these|those|them|whom|which)|among (?:them|these|those))\b", re.I)
_ANOTHER = re.compile(r"\banother\b", re.I)


# --- per-figure attributes -----------------------------------------------------------

def bounds(value: float, high: float | None, qualifier: str | None) -> tuple[float, float]:
    """The interval a figure is compatible with (for matching, not for reporting)."""
    q = qualifier or "exact"
    if q == "approx":
        return value * 0.8, value * 1.2
    if q == "at_least":
        return value, value * 1.5
    if q == "at_most":
        return value * 0.5, value
    if q == "range" and high is not None and not pd.isna(high):
        return value, float(high)
    return value, value


def estimates(value: float, high: float | None, qualifier: str | None) -> tuple[float, float, float | None]:
    """``(low, best, high)`` a single figure supports (high None = unbounded)."""
    q = qualifier or "exact"
    if q == "approx":
        return round(value * 0.9), value, round(value * 1.1)
    if q == "at_least":
        return value, value, None
    if q == "at_most":
        return 0.0, value, value
    if q == "range" and high is not None and not pd.isna(high):
        return value, value, float(high)
    return value, value, value


def precision(start: pd.Timestamp, end: pd.Timestamp) -> str | None:
    """``day, week, month, year`` or ``period`` for a date range (None if undated)."""
    if pd.isna(start) or pd.isna(end):
        return "period" if not (pd.isna(start) and pd.isna(end)) else None
    if start == end:
        return "day"
    if start.day == 1 and end == start + pd.offsets.MonthEnd(0):
        return "month"
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        return "year"
    if (end - start).days <= 10:
        return "week"
    return "period"


def _span_days(start: pd.Timestamp, end: pd.Timestamp) -> int | None:
    if pd.isna(start) or pd.isna(end):
        return None
    return (end - start).days


def figure_kind(row: dict) -> str:
    """``incident``, ``cumulative`` or ``strength`` by the figure's sentence and date."""
    quote = str(row.get("quote") or "")
    off = int(row["start"]) - int(row["sentence_start"]) if pd.notna(row.get("start")) and \
        pd.notna(row.get("sentence_start")) else -1
    before = quote[max(0, off - 40):off] if off >= 0 else ""
    if row["measure"] == "deployed":
        return "incident" if _REINFORCE.search(quote) else "strength"
    if before and _RUNNING.search(before):
        return "cumulative"
    span = _span_days(row["date_start"], row["date_end"])
    if span is not None:
        if span <= 45 or _ONE_EVENT.search(quote):
            return "incident"
        return "cumulative"
    if pd.notna(row["date_start"]) or pd.notna(row["date_end"]):
        return "cumulative"
    if _CUMULATIVE.search(quote) or row["measure"] == "displaced":
        return "cumulative"
    return "incident"


def _place_index(mentions: pd.DataFrame) -> dict[tuple[str, int], list[tuple[int, str]]]:
    out: dict[tuple[str, int], list[tuple[int, str]]] = {}
    if mentions is None or not len(mentions):
        return out
    places = mentions[(mentions["kind"] == "place") & mentions["sentence"].notna()].sort_values(["doc_id", "start"])
    for doc, sent, pos, code in zip(places["doc_id"], places["sentence"], places["start"], places["code"]):
        out.setdefault((str(doc), int(sent)), []).append((int(pos), str(code)))
    return out


def _operation_dates(mentions: pd.DataFrame) -> dict[str, list[tuple[int, pd.Timestamp, pd.Timestamp]]]:
    out: dict[str, list[tuple[int, pd.Timestamp, pd.Timestamp]]] = {}
    if mentions is None or not len(mentions):
        return out
    ops = mentions[(mentions["kind"] == "milestone") & (mentions["code"] == "operation")
                   & mentions["date_start"].notna() & mentions["sentence"].notna()]
    for doc, sent, ds, de in zip(ops["doc_id"], ops["sentence"], ops["date_start"], ops["date_end"]):
        out.setdefault(str(doc), []).append((int(sent), ds, de))
    return out


def annotate(figures: pd.DataFrame, documents: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Figures with kind, working dates, date basis, place, estimates and ``part_of`` figure ids."""
    figs = figures[figures["value"].notna() & figures["measure"].isin(MEASURES)].copy()
    figs = figs.reset_index(drop=True)
    pub = dict(zip(documents["doc_id"].astype(str), pd.to_datetime(documents["published"])))
    places = _place_index(mentions)
    ops = _operation_dates(mentions)
    rows = figs.to_dict("records")
    for r in rows:
        r["published"] = pub.get(str(r["doc_id"]), pd.NaT)
        r["kind"] = figure_kind(r)
        r["basis"] = "sentence" if pd.notna(r["date_start"]) else None
        if pd.isna(r["date_end"]) and pd.notna(r["date_start"]):
            r["date_end"] = r["date_start"]
        r["low"], r["best"], r["high"] = estimates(float(r["value"]), r["value_high"], r["qualifier"])
        r["lo"], r["hi"] = bounds(float(r["value"]), r["value_high"], r["qualifier"])
        sent = int(r["sentence"]) if pd.notna(r["sentence"]) else -1
        # the most specific place of the sentence; on ties the nearest one before the figure
        here = sorted(places.get((str(r["doc_id"]), sent), []),
                      key=lambda h: (h[0] > int(r["start"]), abs(h[0] - int(r["start"]))))
        r["place_id"] = _places.most_specific([code for _, code in here])
        r["part_of"] = None
    for r in rows:  # a working date for every figure, so parts are matched within one period
        if r["basis"] is None:
            _date_alone(r, ops)
    _find_parts(rows)
    by_id = {r["figure_id"]: r for r in rows}
    for r in rows:  # a part shares its aggregate's kind, date (unless its own) and place
        agg = by_id.get(r["part_of"]) if r["part_of"] else None
        if agg is None:
            continue
        if agg["kind"] != "strength":
            r["kind"] = agg["kind"]
        if r["basis"] != "sentence":
            r["date_start"], r["date_end"], r["basis"] = agg["date_start"], agg["date_end"], "aggregate"
        if r["place_id"] is None:
            r["place_id"] = agg["place_id"]
    out = pd.DataFrame(rows)
    out["precision"] = [precision(s, e) for s, e in zip(out["date_start"], out["date_end"])] if len(out) else []
    return out


def _date_alone(r: dict, ops: dict) -> None:
    """Date an undated figure from its article (context) or its publication date."""
    pubd = r["published"]
    if r["kind"] == "strength":
        r["date_start"] = r["date_end"] = pubd
        r["basis"] = "published" if pd.notna(pubd) else "none"
        return
    if r["kind"] == "cumulative":
        r["date_start"], r["date_end"] = pd.NaT, pubd
        r["basis"] = "published" if pd.notna(pubd) else "none"
        return
    sent = int(r["sentence"]) if pd.notna(r["sentence"]) else 0
    candidates = [] if _ANOTHER.search(str(r.get("quote") or "")) else ops.get(str(r["doc_id"]), [])
    candidates = [c for c in candidates if pd.isna(pubd) or c[1] <= pubd]
    if candidates:
        _, ds, de = min(candidates, key=lambda c: (abs(c[0] - sent), c[0]))
        r["date_start"], r["date_end"], r["basis"] = ds, de, "context"
    elif pd.notna(pubd):
        r["date_start"], r["date_end"], r["basis"] = pubd - pd.Timedelta(days=CONTEXT_DAYS), pubd, "published"
    else:
        r["basis"] = "none"


def _overlap(a0, a1, b0, b1) -> bool:
    """Do two date ranges overlap (NaT = open)?"""
    lo = max([x for x in (a0, b0) if pd.notna(x)], default=None)
    hi = min([x for x in (a1, b1) if pd.notna(x)], default=None)
    return lo is None or hi is None or lo <= hi


def _find_parts(rows: list[dict]) -> None:
    """Mark figures that are parts of an aggregate stated in the same article."""
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(str(r["doc_id"]), []).append(r)
    for doc_rows in by_doc.values():
        doc_rows.sort(key=lambda r: (r["sentence"] if pd.notna(r["sentence"]) else -1, r["start"]))
        # "Of these, 10 …", "A million of those …": a part of the nearest larger figure before it
        for i, r in enumerate(doc_rows):
            if not _PART_OF.search(str(r.get("quote") or "")):
                continue
            prior = [p for p in doc_rows[:i] if p["party"] == r["party"] and p["measure"] == r["measure"]
                     and float(p["value"]) > float(r["value"]) and pd.notna(p["sentence"])
                     and 0 <= int(r["sentence"]) - int(p["sentence"]) <= 2 and p["part_of"] is None]
            if prior:
                r["part_of"] = prior[-1]["figure_id"]
        # parts that add up to an aggregate stated in another sentence of the article
        groups: dict[tuple[str, str], list[dict]] = {}
        for r in doc_rows:
            if r["kind"] == "incident" and r["part_of"] is None:
                groups.setdefault((str(r["party"]), str(r["measure"])), []).append(r)
        for members in groups.values():
            while len(members) >= 3:
                best = None
                for agg in members:
                    if agg["part_of"] is not None:
                        continue
                    others = [m for m in members if m is not agg and m["part_of"] is None
                              and m["sentence"] != agg["sentence"] and float(m["value"]) < float(agg["value"])
                              and _overlap(m["date_start"], m["date_end"], agg["date_start"], agg["date_end"])]
                    found = _summing_subset(agg, others)
                    if found and (best is None or found[0] < best[0]):
                        best = (found[0], agg, found[1])
                if best is None:
                    break
                _, agg, parts = best
                for p in parts:
                    p["part_of"] = agg["figure_id"]
                members = [m for m in members if m["part_of"] is None]


def _summing_subset(agg: dict, others: list[dict]) -> tuple[float, list[dict]] | None:
    """Two to four figures of one or two adjacent sentences whose sum matches ``agg``.

    Returns the relative gap between their sum and the aggregate (smaller is
    better) and the figures, or None.
    """
    sents = sorted({int(o["sentence"]) for o in others if pd.notna(o["sentence"])})
    windows = [[s] for s in sents] + [[a, b] for a, b in zip(sents, sents[1:]) if b - a == 1]
    best: tuple[float, list[dict]] | None = None
    value = float(agg["value"])
    for window in windows:
        pool = [o for o in others if pd.notna(o["sentence"]) and int(o["sentence"]) in window][:8]
        for k in range(2, min(4, len(pool)) + 1):
            for combo in itertools.combinations(pool, k):
                lo = sum(c["lo"] for c in combo)
                hi = sum(c["hi"] for c in combo)
                gap = abs(sum(float(c["value"]) for c in combo) - value) / value
                if lo <= agg["hi"] and hi >= agg["lo"] and gap <= 0.15 and (best is None or gap < best[0]):
                    best = (gap, list(combo))
    return best


# --- merging figures into facts ---------------------------------------------------------

def _place_conflict(a: str | None, b: str | None) -> bool:
    if not a or not b or a == b:
        return False
    kinds = _places.gazetteer().set_index("place_id")["kind"]
    broad = ("country", "region")
    # two distinct named localities (towns, areas, borders, regions) are two places;
    # a country or a broad region is compatible with anything inside it
    ka, kb = kinds.get(a), kinds.get(b)
    if ka == "country" or kb == "country":
        return False
    return not (ka in broad and kb in broad and ka != kb)


def compatible(a: dict, b: dict) -> tuple[bool, bool]:
    """Whether two annotated figures state the same quantity, and whether they disagree."""
    if (a["party"], a["measure"], a["kind"]) != (b["party"], b["measure"], b["kind"]):
        return False, False
    if a["figure_id"] == b["figure_id"]:
        return True, False
    if _place_conflict(a["place_id"], b["place_id"]):
        return False, False
    agree = a["lo"] <= b["hi"] and b["lo"] <= a["hi"]
    same_doc = a["doc_id"] == b["doc_id"]
    if same_doc and not (float(a["value"]) == float(b["value"]) and a["qualifier"] == b["qualifier"]):
        return False, False
    if a["kind"] == "incident":
        if not _overlap(a["date_start"], a["date_end"], b["date_start"], b["date_end"]):
            return False, False
        if agree:
            return True, False
        precise = all(_span_days(x["date_start"], x["date_end"]) is not None
                      and _span_days(x["date_start"], x["date_end"]) <= 7
                      and x["basis"] in ("sentence", "context") for x in (a, b))
        ratio = max(a["best"], b["best"]) / max(min(a["best"], b["best"]), 1)
        return (precise and ratio <= 2), True
    if not agree:
        return False, False
    if a["kind"] == "strength":
        ok = pd.isna(a["date_end"]) or pd.isna(b["date_end"]) or abs((a["date_end"] - b["date_end"]).days) <= 180
        return ok, False
    # cumulative: same running total as of nearby dates, compatible starts
    ends_ok = pd.isna(a["date_end"]) or pd.isna(b["date_end"]) or abs((a["date_end"] - b["date_end"]).days) <= 400
    starts_ok = pd.isna(a["date_start"]) or pd.isna(b["date_start"]) or abs((a["date_start"] - b["date_start"]).days) <= 366
    return ends_ok and starts_ok, False


def _cluster(rows: list[dict]) -> list[list[dict]]:
    """Greedy complete-linkage clustering of annotated figures into facts."""
    order = sorted(rows, key=lambda r: (BASIS_RANK.get(r["basis"] or "none", 4),
                                        _span_days(r["date_start"], r["date_end"]) or 0, r["figure_id"]))
    clusters: list[list[dict]] = []
    for r in order:
        for c in clusters:
            if all(compatible(r, m)[0] for m in c):
                c.append(r)
                break
        else:
            clusters.append([r])
    return clusters


def _fmt(v: float | None) -> str:
    return "" if v is None or pd.isna(v) else (f"{int(v):,}" if float(v).is_integer() else f"{v:,}")


def _fact_row(members: list[dict]) -> dict:
    members = sorted(members, key=lambda m: (BASIS_RANK.get(m["basis"] or "none", 4), m["figure_id"]))
    head = members[0]
    disputed = any(compatible(a, b)[1] for a, b in itertools.combinations(members, 2))
    lows = [m["low"] for m in members]
    bests = [m["best"] for m in members]
    highs = [m["high"] for m in members]
    if disputed:
        low, best = min(lows), min(bests)
        high = None if any(h is None for h in highs) else max(highs)
    else:
        low = max(lows)
        known = [h for h in highs if h is not None]
        high = min(known) if known else None
        best = max(low, min(bests))
        if high is not None:
            best = min(best, high)
            low = min(low, high)
    quals = {m["qualifier"] for m in members}
    if high is not None and low == high:
        qualifier = "exact"
    elif high is None:
        qualifier = "at_least"
    elif "approx" in quals:
        qualifier = "approx"
    elif quals == {"at_most"}:
        qualifier = "at_most"
    else:
        qualifier = "range"
    kind = head["kind"]
    if kind == "incident":
        starts = [m["date_start"] for m in members if pd.notna(m["date_start"])]
        ends = [m["date_end"] for m in members if pd.notna(m["date_end"])]
        ds, de = (max(starts) if starts else pd.NaT), (min(ends) if ends else pd.NaT)
        if pd.notna(ds) and pd.notna(de) and ds > de:  # disputed dates: the union
            ds, de = min(starts), max(ends)
    else:
        starts = [m["date_start"] for m in members if pd.notna(m["date_start"])]
        ends = [m["date_end"] for m in members if pd.notna(m["date_end"])]
        ds, de = (min(starts) if starts else pd.NaT), (max(ends) if ends else pd.NaT)
    docs = sorted({str(m["doc_id"]) for m in members})
    place = _places.most_specific([m["place_id"] for m in members if m["place_id"]])
    names = _places.gazetteer().set_index("place_id")["name"]
    values = "; ".join(f"{_fmt(m['value'])} ({m['doc_id']})" for m in members) if disputed else None
    return {
        "fact_id": "f-" + min(m["figure_id"] for m in members),
        "party": head["party"], "measure": head["measure"], "kind": kind,
        "low": low, "best": best, "high": high, "qualifier": qualifier,
        "date_start": ds, "date_end": de, "date_precision": precision(ds, de),
        "date_basis": head["basis"] or "none",
        "n_sources": len(docs), "doc_ids": ";".join(docs),
        "figure_ids": ";".join(sorted(m["figure_id"] for m in members)),
        "disputed": disputed, "values": values, "part_of": None, "event_id": None,
        "place_id": place, "place": names.get(place) if place else None,
        "noun": head["noun"], "quote": head["quote"],
        "_parts_of": {m["part_of"] for m in members if m["part_of"]},
        "_members": members,
    }


def facts_from(annotated: pd.DataFrame) -> pd.DataFrame:
    """Merge annotated figures (see :func:`annotate`) into a :data:`FACTS` frame."""
    rows = annotated.to_dict("records") if len(annotated) else []
    for r in rows:
        r["high"] = None if r["high"] is None or pd.isna(r["high"]) else r["high"]
        r["place_id"] = r["place_id"] if isinstance(r["place_id"], str) else None
        r["part_of"] = r["part_of"] if isinstance(r["part_of"], str) else None
        r["basis"] = r["basis"] if isinstance(r["basis"], str) else None
    facts = [_fact_row(c) for c in _cluster(rows)]
    fact_of = {m["figure_id"]: f["fact_id"] for f in facts for m in f["_members"]}
    for f in facts:
        parents = sorted({fact_of[p] for p in f["_parts_of"] if p in fact_of} - {f["fact_id"]})
        f["part_of"] = parents[0] if parents else None
    facts.sort(key=lambda f: (f["date_start"] if pd.notna(f["date_start"]) else pd.Timestamp.min,
                              f["party"], f["measure"], f["fact_id"]))
    out = frame([{k: v for k, v in f.items() if not k.startswith("_")} for f in facts], FACTS)
    return out


# --- events -----------------------------------------------------------------------------

def events_from(facts: pd.DataFrame, sentence_of: dict[str, tuple[str, int]] | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group incident facts into events; return ``(events, facts with event_id)``.

    Facts are grouped when figures of theirs share a sentence (``sentence_of``:
    figure_id → (doc_id, sentence)), when they come from one article with the
    same date of a week or less, and when one is a part of the other.
    """
    sentence_of = sentence_of or {}
    facts = facts.copy()
    cand = facts[(facts["kind"] == "incident") & facts["measure"].isin(VIOLENT) & facts["date_start"].notna()]
    idx = list(cand.index)
    parent = {i: i for i in idx}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_id = {facts.at[i, "fact_id"]: i for i in idx}
    sents = {i: {sentence_of[f] for f in str(facts.at[i, "figure_ids"]).split(";") if f in sentence_of}
             for i in idx}
    for a, b in itertools.combinations(idx, 2):
        fa, fb = facts.loc[a], facts.loc[b]
        docs_a, docs_b = set(str(fa["doc_ids"]).split(";")), set(str(fb["doc_ids"]).split(";"))
        same_date = fa["date_start"] == fb["date_start"] and fa["date_end"] == fb["date_end"]
        short = (fa["date_end"] - fa["date_start"]).days <= 7
        if sents[a] & sents[b] and _overlap(fa["date_start"], fa["date_end"], fb["date_start"], fb["date_end"]):
            parent[find(a)] = find(b)
        elif (docs_a & docs_b) and same_date and short and not _place_conflict(
                fa["place_id"] if pd.notna(fa["place_id"]) else None,
                fb["place_id"] if pd.notna(fb["place_id"]) else None):
            parent[find(a)] = find(b)
    for i in idx:
        p = facts.at[i, "part_of"]
        if pd.notna(p) and p in by_id:
            parent[find(i)] = find(by_id[p])
    groups: dict[int, list[int]] = {}
    for i in idx:
        groups.setdefault(find(i), []).append(i)
    gaz = _places.gazetteer().set_index("place_id")
    rows = []
    for members in groups.values():
        g = facts.loc[members]
        counted = g[g["part_of"].isna() | ~g["part_of"].isin(g["fact_id"])]
        event_id = "e-" + min(str(f).split(";")[0] for f in g["figure_ids"])
        facts.loc[members, "event_id"] = event_id
        ds, de = g["date_start"].min(), g["date_end"].max()
        place = (_places.most_specific(list(counted["place_id"].dropna()))
                 or _places.most_specific(list(g["place_id"].dropna())))
        killed = counted[counted["measure"] == "killed"]
        by_party = killed.groupby("party", sort=True)["best"].sum()
        high = None if killed["high"].isna().any() else killed["high"].sum()
        lead = (killed if len(killed) else counted).sort_values("best", ascending=False).iloc[0]
        docs = sorted({d for ds_ in g["doc_ids"] for d in str(ds_).split(";")})
        rows.append({
            "event_id": event_id, "date_start": ds, "date_end": de, "date_precision": precision(ds, de),
            "place_id": place, "place": gaz.at[place, "name"] if place else None,
            "country": gaz.at[place, "country"] if place else None,
            "latitude": gaz.at[place, "latitude"] if place else None,
            "longitude": gaz.at[place, "longitude"] if place else None,
            "killed_low": killed["low"].sum() if len(killed) else 0.0,
            "killed_best": killed["best"].sum() if len(killed) else 0.0,
            "killed_high": (high if high is not None else None) if len(killed) else 0.0,
            "deaths_by_party": ";".join(f"{p}={_fmt(v).replace(',', '')}" for p, v in by_party.items()),
            "summary": "; ".join(f"{r.measure} {r.party} {_qual(r.qualifier)}{_fmt(r.best)} {r.noun}"
                                 for r in counted.itertuples()),
            "parties": ";".join(sorted(set(g["party"].dropna()))),
            "n_sources": len(docs), "doc_ids": ";".join(docs),
            "fact_ids": ";".join(sorted(g["fact_id"])),
            "figure_ids": ";".join(sorted(f for fs in g["figure_ids"] for f in str(fs).split(";"))),
            "description": _one_line(str(lead["quote"])),
        })
    rows.sort(key=lambda r: (r["date_start"], r["event_id"]))
    return frame(rows, EVENTS), conform(facts, FACTS)


def _qual(q: str | None) -> str:
    return {"at_least": "≥", "at_most": "≤", "approx": "~"}.get(str(q), "")


def _one_line(text: str, limit: int = 200) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# --- timeline -----------------------------------------------------------------------------

def timeline_from(events: pd.DataFrame, facts: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Events plus milestone mentions (merged across articles), in date order."""
    rows: list[dict] = []
    for e in events.itertuples():
        rows.append({
            "item_id": e.event_id, "kind": "event", "type": "incident",
            "date_start": e.date_start, "date_end": e.date_end, "date_precision": e.date_precision,
            "label": e.summary, "description": e.description, "place_id": e.place_id, "place": e.place,
            "actors": None, "parties": e.parties, "best": e.killed_best, "n_sources": e.n_sources,
            "doc_ids": e.doc_ids, "refs": e.figure_ids, "event_id": e.event_id, "fact_ids": e.fact_ids,
        })
    if mentions is not None and len(mentions):
        ms = mentions[(mentions["kind"] == "milestone") & mentions["date_start"].notna()]
        by_sentence: dict[tuple[str, int], pd.DataFrame] = {
            (str(d), int(s)): g for (d, s), g in mentions[mentions["sentence"].notna()].groupby(["doc_id", "sentence"])}
        fig_sent: dict[tuple[str, int], list[str]] = {}
        for f in facts.itertuples():
            for fid in str(f.figure_ids).split(";"):
                fig_sent.setdefault(fid, []).append(f.fact_id)
        groups: list[list[dict]] = []
        for m in ms.sort_values(["date_start", "doc_id", "start"]).to_dict("records"):
            if m["code"] == "operation" and _covered_by_event(m, events):
                continue
            for g in groups:
                h = g[0]
                if h["name"] == m["name"] and h["code"] == m["code"] and _overlap(
                        h["date_start"], h["date_end"], m["date_start"], m["date_end"]):
                    g.append(m)
                    break
            else:
                groups.append([m])
        for g in groups:
            h = g[0]
            ctx = [by_sentence.get((str(m["doc_id"]), int(m["sentence"]))) for m in g if pd.notna(m["sentence"])]
            ctx = pd.concat([c for c in ctx if c is not None]) if any(c is not None for c in ctx) else None
            place_ids = list(ctx[ctx["kind"] == "place"]["code"]) if ctx is not None else []
            place = _places.most_specific(place_ids)
            acts = ctx[ctx["kind"] == "actor"] if ctx is not None else None
            fact_ids = sorted({fid for m in g for key, fids in fig_sent.items()
                               if key.split(":")[0] == m["doc_id"] for fid in fids
                               if _in_sentence(key, m)})
            docs = sorted({str(m["doc_id"]) for m in g})
            best = None
            if fact_ids:
                sel = facts[facts["fact_id"].isin(fact_ids)]
                best = sel["best"].max() if len(sel) else None
            rows.append({
                "item_id": "m-" + min(str(m["mention_id"]) for m in g), "kind": "milestone", "type": h["code"],
                "date_start": max(m["date_start"] for m in g), "date_end": min(m["date_end"] for m in g),
                "date_precision": None, "label": h["name"], "description": _one_line(str(h["quote"])),
                "place_id": place, "place": _places.gazetteer().set_index("place_id")["name"].get(place) if place else None,
                "actors": ";".join(dict.fromkeys(acts["name"])) if acts is not None and len(acts) else None,
                "parties": ";".join(sorted(set(acts["code"]))) if acts is not None and len(acts) else None,
                "best": best, "n_sources": len(docs), "doc_ids": ";".join(docs),
                "refs": ";".join(sorted(str(m["mention_id"]) for m in g)), "event_id": None,
                "fact_ids": ";".join(fact_ids) or None,
            })
    for r in rows:
        if r["date_start"] > r["date_end"]:
            r["date_start"], r["date_end"] = r["date_end"], r["date_start"]
        r["date_precision"] = precision(r["date_start"], r["date_end"])
    rows.sort(key=lambda r: (r["date_start"], r["date_end"], r["item_id"]))
    return frame(rows, TIMELINE)


def _in_sentence(figure_id: str, mention: dict) -> bool:
    pos = int(figure_id.rsplit(":", 1)[1])
    return int(mention["sentence_start"]) <= pos < int(mention["sentence_end"])


def _covered_by_event(m: dict, events: pd.DataFrame) -> bool:
    for e in events.itertuples():
        if str(m["doc_id"]) in str(e.doc_ids).split(";") and _overlap(
                e.date_start, e.date_end, m["date_start"], m["date_end"]):
            return True
    return False


# --- gazetteer tables ---------------------------------------------------------------------

def _counts(table: pd.DataFrame, key: str, hits: pd.DataFrame, hit_key: str) -> pd.DataFrame:
    out = table.copy()
    if hits is None or not len(hits):
        out["n_mentions"], out["n_docs"], out["doc_ids"] = 0, 0, None
        return out
    grouped = hits.groupby(hit_key)
    n = grouped.size()
    docs = grouped["doc_id"].agg(lambda s: ";".join(sorted(set(map(str, s)))))
    out["n_mentions"] = out[key].map(n).fillna(0).astype("int64")
    out["doc_ids"] = out[key].map(docs)
    out["n_docs"] = [len(str(d).split(";")) if isinstance(d, str) else 0 for d in out["doc_ids"]]
    return out


def places_table(mentions: pd.DataFrame) -> pd.DataFrame:
    """The place gazetteer with mention counts and the articles naming each place."""
    hits = mentions[mentions["kind"] == "place"] if mentions is not None and len(mentions) else None
    return conform(_counts(_places.gazetteer(), "place_id", hits, "code"), PLACES)


def actors_table(mentions: pd.DataFrame) -> pd.DataFrame:
    """The actor gazetteer with mention counts and the articles naming each actor."""
    gaz = _actors.gazetteer()
    hits = None
    if mentions is not None and len(mentions):
        hits = mentions[mentions["kind"] == "actor"].copy()
        ids = dict(zip(gaz["name"], gaz["actor_id"]))
        hits["actor_id"] = hits["name"].map(ids)
    return conform(_counts(gaz, "actor_id", hits, "actor_id"), ACTORS)


def read_derived(folder) -> dict[str, pd.DataFrame]:
    """The derived tables present in a data folder, with their dtypes."""
    from pathlib import Path

    from .schema import DERIVED
    from .tables import read_table

    out = {}
    for name, schema in DERIVED.items():
        path = Path(folder) / f"{name}.csv"
        if not path.exists():
            continue
        out[name] = read_table(path, schema)
    return out


# --- the whole layer ----------------------------------------------------------------------

def derive(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """``{facts, events, timeline, places, actors}`` from the parsed tables of a corpus."""
    from .schema import MENTIONS

    mentions = conform(mentions if mentions is not None else frame([], MENTIONS), MENTIONS)
    annotated = annotate(figures, documents, mentions)
    facts = facts_from(annotated)
    sentence_of = {str(f): (str(d), int(n)) for f, d, n in zip(
        annotated.get("figure_id", []), annotated.get("doc_id", []), annotated.get("sentence", []))
        if pd.notna(n)}
    events, facts = events_from(facts, sentence_of)
    return {
        "facts": facts,
        "events": events,
        "timeline": timeline_from(events, facts, mentions),
        "places": places_table(mentions),
        "actors": actors_table(mentions),
    }


# --- totals -------------------------------------------------------------------------------

@dataclass
class Total:
    """How many, from facts without double counting: ``low``, ``best``, ``high`` and the facts used.

    ``high`` is None when a fact used has no upper bound ("more than 50").
    """

    measure: str
    party: str | None
    low: float
    best: float
    high: float | None
    facts: pd.DataFrame = field(repr=False)

    def __str__(self) -> str:
        who = f" {self.party}" if self.party else ""
        high = _fmt(self.high) if self.high is not None else "open"
        return f"{self.measure}{who}: best {_fmt(self.best)} (low {_fmt(self.low)}, high {high}; {len(self.facts)} facts)"


def _ts(x) -> pd.Timestamp | None:
    if x is None:
        return None
    t = pd.Timestamp(x)
    return None if pd.isna(t) else t


def total(facts: pd.DataFrame, measure: str, party: str | None = None, start=None, end=None) -> Total:
    """Add up the facts of ``measure`` (and ``party``) dated within ``[start, end]``.

    Parts of an aggregate are never added; a cumulative fact lying inside the
    window replaces the incidents of its party (or of every party, for an
    ``UNKNOWN`` toll) it covers, and overlapping cumulatives are not added to
    each other (the largest wins). For ``deployed``, a party's latest strength
    in the window is used instead of adding snapshots or deployments.
    """
    ws, we = _ts(start), _ts(end)
    if ws is not None and we is not None and we < ws:
        raise ValueError(f"end {we.date()} is before start {ws.date()}")
    f = facts[(facts["measure"] == measure) & facts["part_of"].isna()]
    if party is not None:
        f = f[f["party"] == party]

    def inside(ds, de) -> bool:  # the fact's period lies within the window
        if ws is not None and (pd.isna(ds) or ds < ws):
            return False
        return not (we is not None and (pd.isna(de) or de > we))

    def touches(ds, de) -> bool:
        if ws is None and we is None:
            return True
        if pd.isna(ds) and pd.isna(de):
            return False
        return _overlap(ds, de, ws, we)

    used: list[int] = []
    strength = f[f["kind"] == "strength"]
    strength = strength[_mask(strength, touches)]
    strength_parties = set()
    for p, g in strength.groupby("party"):
        used.append(g.sort_values(["date_end", "best"]).index[-1])
        strength_parties.add(p)
    cum = f[(f["kind"] == "cumulative") & ~f["party"].isin(strength_parties)]
    cum = cum[_mask(cum, inside)]
    chosen: list[pd.Series] = []
    for i, c in cum.sort_values(["best", "date_end"], ascending=False).iterrows():
        if any(_scopes_overlap(c, o) for o in chosen):
            continue
        chosen.append(c)
        used.append(i)
    inc = f[(f["kind"] == "incident") & ~f["party"].isin(strength_parties)]
    for i, r in inc.iterrows():
        if not touches(r["date_start"], r["date_end"]):
            continue
        if any((c["party"] == r["party"] or c["party"] == "UNKNOWN")
               and _within(r["date_start"], r["date_end"], c["date_start"], c["date_end"]) for c in chosen):
            continue
        used.append(i)
    sel = f.loc[sorted(set(used))].sort_values(["date_start", "fact_id"])
    high = None if sel["high"].isna().any() else float(sel["high"].sum())
    return Total(measure, party, float(sel["low"].sum()), float(sel["best"].sum()), high, sel.reset_index(drop=True))


def _mask(df: pd.DataFrame, test) -> pd.Series:
    return pd.Series([bool(test(s, e)) for s, e in zip(df["date_start"], df["date_end"])],
                     index=df.index, dtype=bool)


def _within(ds, de, cs, ce) -> bool:
    """Is ``[ds, de]`` inside the cumulative period ``[cs, ce]`` (open start = since ever)?"""
    if pd.isna(ds):
        return False
    return (pd.isna(cs) or ds >= cs) and (pd.isna(ce) or (de if pd.notna(de) else ds) <= ce)


def _scopes_overlap(a: pd.Series, b: pd.Series) -> bool:
    parties = a["party"] == b["party"] or "UNKNOWN" in (a["party"], b["party"])
    return parties and _overlap(a["date_start"], a["date_end"], b["date_start"], b["date_end"])


def as_of(value: date | str | None) -> pd.Timestamp | None:
    """A window bound as a Timestamp (None stays None)."""
    return _ts(value)
