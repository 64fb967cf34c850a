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

Scale: :func:`derive` stays near-linear in the number of figures. Figures are
only compared with clusters of the same party, measure and kind whose first
figure's dates and values are near theirs (day and value buckets, see
``_Block``), and each cluster is tested against summaries of its members
(``_Cluster``); events compare only facts sharing an article or a sentence,
milestones only groups of the same name and type with nearby dates. Each
shortcut decides exactly what the pairwise rule (:func:`compatible`, the
event and milestone rules) decides (``tests/test_reconcile_scale.py``).
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

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
    rows = _records(figs)
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
    lo = max([x for x in (a0, b0) if type(x) is pd.Timestamp or pd.notna(x)], default=None)
    hi = min([x for x in (a1, b1) if type(x) is pd.Timestamp or pd.notna(x)], default=None)
    return lo is None or hi is None or lo <= hi


def _records(df: pd.DataFrame) -> list[dict]:
    """``df.to_dict("records")`` (missing values as None), several times faster."""
    from pandas.core.dtypes.cast import maybe_box_native

    cols = df.columns.tolist()
    values = []
    for c in cols:
        col = df[c]
        if col.dtype == object:
            values.append([maybe_box_native(x) for x in col.tolist()])
        elif isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
            values.append([None if x is pd.NA else x for x in col.tolist()])
        else:
            values.append(col.tolist())
    return [dict(zip(cols, row)) for row in zip(*values)]


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
    kinds = _places.column("kind")
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
    """Greedy complete-linkage clustering of annotated figures into facts.

    Figures are taken best-dated first; each joins the first cluster (in the
    order clusters were opened) all of whose members it is :func:`compatible`
    with, else opens a cluster. Only clusters of the same party, measure and
    kind whose first member's dates are near the figure's can qualify (see
    :class:`_Block`), and each is tested against summaries of its members
    (:class:`_Cluster`) rather than member by member.
    """
    order = sorted(rows, key=lambda r: (BASIS_RANK.get(r["basis"] or "none", 4),
                                        _span_days(r["date_start"], r["date_end"]) or 0, r["figure_id"]))
    clusters: list[_Cluster] = []
    blocks: dict[tuple, _Block] = {}
    for r in order:
        f = _Fig(r)
        block = blocks.get(f.key)
        if block is None:
            block = blocks[f.key] = _Block(f.kind)
        for cid in block.candidates(f):
            if clusters[cid].accepts(f):
                clusters[cid].add(f)
                break
        else:
            block.add(len(clusters), f)
            clusters.append(_Cluster(f))
    return [[m.row for m in c.members] for c in clusters]


_DAY = 86_400 * 10**9  # nanoseconds


def _ns(ts) -> int | None:
    """A Timestamp as integer nanoseconds (None for NaT), so that dates compare as ints."""
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).value


class _Fig:
    """An annotated figure with what :func:`compatible` reads, as plain Python values."""

    __slots__ = ("row", "key", "kind", "figure_id", "place", "doc", "value", "qualifier", "lo", "hi", "best",
                 "ds", "de", "precise")

    def __init__(self, r: dict) -> None:
        self.row = r
        self.key = (r["party"], r["measure"], r["kind"])
        self.kind = r["kind"]
        self.figure_id = r["figure_id"]
        self.place = r["place_id"]
        self.doc = r["doc_id"]
        self.value = float(r["value"])
        self.qualifier = r["qualifier"]
        self.lo, self.hi, self.best = r["lo"], r["hi"], r["best"]
        self.ds, self.de = _ns(r["date_start"]), _ns(r["date_end"])
        span = None if self.ds is None or self.de is None else (self.de - self.ds) // _DAY
        self.precise = span is not None and span <= 7 and r["basis"] in ("sentence", "context")


def _days(a: int, b: int) -> int:
    """``(a - b).days`` of two nanosecond timestamps."""
    return (a - b) // _DAY


def _pair(a: _Fig, b: _Fig) -> bool:
    """``compatible(a.row, b.row)[0]`` on prepared figures (same party, measure and kind)."""
    if a.figure_id == b.figure_id:
        return True
    if _place_conflict(a.place, b.place):
        return False
    agree = a.lo <= b.hi and b.lo <= a.hi
    if a.doc == b.doc and not (a.value == b.value and a.qualifier == b.qualifier):
        return False
    if a.kind == "incident":
        starts = [x for x in (a.ds, b.ds) if x is not None]
        ends = [x for x in (a.de, b.de) if x is not None]
        if starts and ends and max(starts) > min(ends):
            return False
        if agree:
            return True
        ratio = max(a.best, b.best) / max(min(a.best, b.best), 1)
        return a.precise and b.precise and ratio <= 2
    if not agree:
        return False
    if a.kind == "strength":
        return a.de is None or b.de is None or abs(_days(a.de, b.de)) <= 180
    ends_ok = a.de is None or b.de is None or abs(_days(a.de, b.de)) <= 400
    starts_ok = a.ds is None or b.ds is None or abs(_days(a.ds, b.ds)) <= 366
    return ends_ok and starts_ok


class _Bounds:
    """Smallest ``hi`` and largest ``lo`` of some figures: does a figure agree with them all?"""

    __slots__ = ("min_hi", "max_lo")

    def __init__(self) -> None:
        self.min_hi = self.max_lo = None

    def add(self, f: _Fig) -> None:
        self.min_hi = f.hi if self.min_hi is None or f.hi < self.min_hi else self.min_hi
        self.max_lo = f.lo if self.max_lo is None or f.lo > self.max_lo else self.max_lo

    def agree(self, f: _Fig) -> bool:  # f.lo <= m.hi and m.lo <= f.hi for every m
        return self.min_hi is None or (f.lo <= self.min_hi and self.max_lo <= f.hi)


class _Cluster:
    """The members of one fact and summaries that decide :func:`_pair` with all of them at once.

    Dates: a figure overlaps every member iff it starts before the earliest
    end and ends after the latest start (intervals overlapping pairwise share
    a point). Values: it agrees with every member iff it agrees with the
    smallest ``hi`` and the largest ``lo``; the ratio of best values is
    largest at the smallest or the largest best. Places and same-article
    figures are checked against the few distinct places and the members of
    that article. Only when a precise incident neither agrees with nor is
    within a ratio of 2 of every precise member are the members tested one
    by one.
    """

    def __init__(self, f: _Fig) -> None:
        self.members: list[_Fig] = []
        self.kind = f.kind
        self.places: dict = {}
        self.by_doc: dict[object, list[_Fig]] = {}
        self.ids: set = set()
        self.min_de = self.max_de = self.min_ds = self.max_ds = None
        self.inverted = False  # a member ending before it starts overlaps nothing
        self.loose = _Bounds()  # incidents that are not precise: they must agree
        self.tight = _Bounds()  # precise incidents: agree, or within a ratio of 2
        self.low_best: _Fig | None = None
        self.high_best: _Fig | None = None
        self.add(f)

    def add(self, f: _Fig) -> None:
        self.members.append(f)
        self.places.setdefault(f.place, None)
        self.by_doc.setdefault(f.doc, []).append(f)
        self.ids.add(f.figure_id)
        if f.de is not None:
            self.min_de = f.de if self.min_de is None or f.de < self.min_de else self.min_de
            self.max_de = f.de if self.max_de is None or f.de > self.max_de else self.max_de
        if f.ds is not None:
            self.min_ds = f.ds if self.min_ds is None or f.ds < self.min_ds else self.min_ds
            self.max_ds = f.ds if self.max_ds is None or f.ds > self.max_ds else self.max_ds
        if f.ds is not None and f.de is not None and f.ds > f.de:
            self.inverted = True
        if f.precise and self.kind == "incident":
            self.tight.add(f)
            if self.low_best is None or f.best < self.low_best.best:
                self.low_best = f
            if self.high_best is None or f.best > self.high_best.best:
                self.high_best = f
        else:
            self.loose.add(f)

    def accepts(self, f: _Fig) -> bool:
        """``all(_pair(f, m) for m in members)``."""
        if f.figure_id in self.ids:  # the same figure again: compare one by one
            return all(_pair(f, m) for m in self.members)
        for place in self.places:
            if _place_conflict(f.place, place):
                return False
        for m in self.by_doc.get(f.doc, ()):
            if not (f.value == m.value and f.qualifier == m.qualifier):
                return False
        if self.kind == "incident":
            if self.inverted or (f.ds is not None and f.de is not None and f.ds > f.de):
                return False
            if f.ds is not None and self.min_de is not None and f.ds > self.min_de:
                return False
            if f.de is not None and self.max_ds is not None and self.max_ds > f.de:
                return False
            if not f.precise:
                return self.loose.agree(f) and self.tight.agree(f)
            if not self.loose.agree(f):
                return False
            if self.tight.agree(f):
                return True
            if all(max(f.best, m.best) / max(min(f.best, m.best), 1) <= 2
                   for m in (self.low_best, self.high_best)):
                return True
            return all(_pair(f, m) for m in self.members if m.precise)
        if not self.loose.agree(f):
            return False
        if f.de is not None and self.min_de is not None:
            window = 180 if self.kind == "strength" else 400
            if abs(_days(f.de, self.min_de)) > window or abs(_days(f.de, self.max_de)) > window:
                return False
        if self.kind != "strength" and f.ds is not None and self.min_ds is not None:
            if abs(_days(f.ds, self.min_ds)) > 366 or abs(_days(f.ds, self.max_ds)) > 366:
                return False
        return True


class _Block:
    """The clusters of one party, measure and kind, indexed by the dates and values of their first member.

    A figure can only join a cluster whose first member it is compatible
    with, which needs (see :func:`compatible`)

    * dates: for incidents overlapping date ranges, for strength and
      cumulative figures end dates within 180 or 400 days;
    * values: overlapping bounds ``lo…hi``, or for two precise incidents best
      values within a ratio of 2.

    Each cluster is filed under the day buckets its first member's dates
    reach and the value buckets its bounds reach (:func:`_value_span`), or as
    *wide* in a dimension where that member is open-ended or spread out;
    :meth:`candidates` returns the clusters filed where a figure reaches, in
    the order they were opened.
    """

    def __init__(self, kind: str) -> None:
        self.incident = kind == "incident"
        window = 180 if kind == "strength" else 400
        self.width = 16 if self.incident else window + 2
        self.all: list[int] = []
        self.grid: dict[tuple[int, int], list[int]] = {}  # both spans known
        self.by_date: dict[int, list[int]] = {}  # every cluster with a date span
        self.by_value: dict[int, list[int]] = {}  # every cluster with a value span
        self.date_only: dict[int, list[int]] = {}  # date span, wide values
        self.value_only: dict[int, list[int]] = {}  # value span, wide dates
        self.wide_dates: list[int] = []
        self.wide_values: list[int] = []
        self.wide: list[int] = []  # wide in both

    def _dates(self, f: _Fig) -> tuple[int, int] | None:
        if self.incident:
            if f.ds is None or f.de is None:
                return None
            lo, hi = min(f.ds, f.de) // _DAY // self.width, max(f.ds, f.de) // _DAY // self.width
            return (lo, hi) if hi - lo <= 64 else None
        if f.de is None:
            return None
        b = f.de // _DAY // self.width
        return b, b

    def _spans(self, f: _Fig, query: bool) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        return self._dates(f), _value_span(f, self.incident, query)

    def add(self, cid: int, head: _Fig) -> None:
        self.all.append(cid)
        dates, values = self._spans(head, query=False)
        for b in range(dates[0], dates[1] + 1) if dates else ():
            self.by_date.setdefault(b, []).append(cid)
        for v in range(values[0], values[1] + 1) if values else ():
            self.by_value.setdefault(v, []).append(cid)
        if dates and values:
            for b in range(dates[0], dates[1] + 1):
                for v in range(values[0], values[1] + 1):
                    self.grid.setdefault((b, v), []).append(cid)
        elif dates:
            self.wide_values.append(cid)
            for b in range(dates[0], dates[1] + 1):
                self.date_only.setdefault(b, []).append(cid)
        elif values:
            self.wide_dates.append(cid)
            for v in range(values[0], values[1] + 1):
                self.value_only.setdefault(v, []).append(cid)
        else:
            self.wide_dates.append(cid)
            self.wide_values.append(cid)
            self.wide.append(cid)

    def candidates(self, f: _Fig) -> list[int]:
        dates, values = self._spans(f, query=True)
        if dates is not None and not self.incident:  # end dates within the window: the next buckets too
            dates = (dates[0] - 1, dates[1] + 1)
        if dates is None and values is None:
            return self.all
        found: set[int] = set()
        if dates is None:
            found.update(self.wide_values)
            for v in range(values[0], values[1] + 1):
                found.update(self.by_value.get(v, ()))
        elif values is None:
            found.update(self.wide_dates)
            for b in range(dates[0], dates[1] + 1):
                found.update(self.by_date.get(b, ()))
        else:
            found.update(self.wide)
            for b in range(dates[0], dates[1] + 1):
                found.update(self.date_only.get(b, ()))
                for v in range(values[0], values[1] + 1):
                    found.update(self.grid.get((b, v), ()))
            for v in range(values[0], values[1] + 1):
                found.update(self.value_only.get(v, ()))
        return sorted(found)


_STEPS = 16  # value buckets per power of two


def _value_span(f: _Fig, incident: bool, query: bool) -> tuple[int, int] | None:
    """The value buckets (:func:`_bucket` of ``max(x, 1)``) a figure reaches, or None if too spread out.

    Two figures agree only if their bounds ``lo…hi`` overlap: with buckets
    non-decreasing in ``x``, their spans then share a bucket. Two precise
    incidents may also be within a ratio of 2 of best values
    (``max / max(min, 1)``), which keeps ``max(best, 1)`` within a factor of
    2, i.e. :data:`_STEPS` buckets: a figure looking for clusters
    (``query``) reaches that far around its best value.
    """
    try:
        lo, hi = _bucket(min(f.lo, f.hi)), _bucket(max(f.lo, f.hi))
        if incident and f.precise:
            b = _bucket(f.best)
            reach = _STEPS if query else 0
            lo, hi = min(lo, b - reach), max(hi, b + reach)
    except (OverflowError, ValueError, TypeError):
        return None
    return (lo, hi) if hi - lo <= 12 * _STEPS else None


def _bucket(x: float) -> int:
    """A value's bucket: exponent and the first bits of the mantissa of ``max(x, 1)`` (monotone in ``x``;
    halving a value lowers it by exactly :data:`_STEPS`)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(x)
    mantissa, exponent = math.frexp(max(x, 1.0))
    return exponent * _STEPS + int((mantissa - 0.5) * 2 * _STEPS)


def _fmt(v: float | None) -> str:
    return "" if v is None or pd.isna(v) else (f"{int(v):,}" if float(v).is_integer() else f"{v:,}")


def _fact_row(members: list[dict]) -> dict:
    members = sorted(members, key=lambda m: (BASIS_RANK.get(m["basis"] or "none", 4), m["figure_id"]))
    head = members[0]
    disputed = _disputed(members)
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
    names = _places.column("name")
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


def _disputed(members: list[dict]) -> bool:
    """Whether two members of a fact disagree: ``compatible(a, b)[1]`` for a pair.

    Members of a cluster are pairwise compatible, so for incidents a pair is
    disputed exactly when their value bounds do not overlap (``a.lo > b.hi``);
    other kinds never are.
    """
    if len(members) < 2 or members[0]["kind"] != "incident":
        return False
    top = max(range(len(members)), key=lambda i: members[i]["lo"])  # the largest lo
    low = max(members[i]["lo"] for i in range(len(members)) if i != top)
    below = min(members[i]["hi"] for i in range(len(members)) if i != top)
    return below < members[top]["lo"] or low > members[top]["hi"]


def facts_from(annotated: pd.DataFrame) -> pd.DataFrame:
    """Merge annotated figures (see :func:`annotate`) into a :data:`FACTS` frame."""
    rows = _records(annotated) if len(annotated) else []
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

    rec = dict(zip(idx, _records(cand)))
    by_id = {rec[i]["fact_id"]: i for i in idx}
    docs = {i: set(str(rec[i]["doc_ids"]).split(";")) for i in idx}
    sents = {i: {sentence_of[f] for f in str(rec[i]["figure_ids"]).split(";") if f in sentence_of} for i in idx}
    dates = {i: (rec[i]["date_start"], rec[i]["date_end"]) for i in idx}
    # facts are joined when they share a sentence, or an article and the same dates:
    # only facts sharing an article or a sentence are compared
    by_doc: dict[object, list[int]] = {}
    for i in idx:
        for d in docs[i]:
            by_doc.setdefault(("doc", d), []).append(i)
        for key in sents[i]:
            by_doc.setdefault(("sentence", key), []).append(i)
    for members in by_doc.values():
        for x, a in enumerate(members):
            for b in members[x + 1:]:
                if find(a) == find(b):
                    continue  # already one event
                (a0, a1), (b0, b1) = dates[a], dates[b]
                if sents[a] & sents[b] and _overlap(a0, a1, b0, b1):
                    parent[find(a)] = find(b)
                elif docs[a] & docs[b] and a0 == b0 and a1 == b1 and (a1 - a0).days <= 7 and not _place_conflict(
                        _str_or_none(rec[a]["place_id"]), _str_or_none(rec[b]["place_id"])):
                    parent[find(a)] = find(b)
    for i in idx:
        p = rec[i]["part_of"]
        if pd.notna(p) and p in by_id:
            parent[find(i)] = find(by_id[p])
    groups: dict[int, list[int]] = {}
    for i in idx:
        groups.setdefault(find(i), []).append(i)
    place_name = _places.column("name")
    place_country = _places.column("country")
    place_lat = _places.column("latitude")
    place_lon = _places.column("longitude")
    event_of: dict[object, str] = {}
    rows = []
    for members in groups.values():
        g = [rec[i] for i in members]
        ids = {f["fact_id"] for f in g}
        counted = [f for f in g if pd.isna(f["part_of"]) or f["part_of"] not in ids]
        event_id = "e-" + min(str(f["figure_ids"]).split(";")[0] for f in g)
        for i in members:
            event_of[i] = event_id
        starts = [f["date_start"] for f in g if pd.notna(f["date_start"])]
        ends = [f["date_end"] for f in g if pd.notna(f["date_end"])]
        ds, de = (min(starts) if starts else pd.NaT), (max(ends) if ends else pd.NaT)
        place = (_places.most_specific([f["place_id"] for f in counted if pd.notna(f["place_id"])])
                 or _places.most_specific([f["place_id"] for f in g if pd.notna(f["place_id"])]))
        killed = [f for f in counted if f["measure"] == "killed"]
        by_party: dict[str, list[float]] = {}
        for f in killed:
            if pd.notna(f["party"]):
                by_party.setdefault(f["party"], []).append(f["best"])
        lead_from = killed if killed else counted
        lead = lead_from[_first_largest([f["best"] for f in lead_from])]
        doc_ids = sorted({d for f in g for d in str(f["doc_ids"]).split(";")})
        rows.append({
            "event_id": event_id, "date_start": ds, "date_end": de, "date_precision": precision(ds, de),
            "place_id": place, "place": place_name[place] if place else None,
            "country": place_country[place] if place else None,
            "latitude": place_lat[place] if place else None,
            "longitude": place_lon[place] if place else None,
            "killed_low": _sum([f["low"] for f in killed]) if killed else 0.0,
            "killed_best": _sum([f["best"] for f in killed]) if killed else 0.0,
            "killed_high": (None if any(pd.isna(f["high"]) for f in killed)
                            else _sum([f["high"] for f in killed])) if killed else 0.0,
            "deaths_by_party": ";".join(f"{p}={_fmt(_sum(v)).replace(',', '')}"
                                        for p, v in sorted(by_party.items())),
            "summary": "; ".join(f"{f['measure']} {f['party']} {_qual(f['qualifier'])}{_fmt(f['best'])} {f['noun']}"
                                 for f in counted),
            "parties": ";".join(sorted({f["party"] for f in g if pd.notna(f["party"])})),
            "n_sources": len(doc_ids), "doc_ids": ";".join(doc_ids),
            "fact_ids": ";".join(sorted(f["fact_id"] for f in g)),
            "figure_ids": ";".join(sorted(x for f in g for x in str(f["figure_ids"]).split(";"))),
            "description": _one_line(str(lead["quote"])),
        })
    if event_of:
        facts["event_id"] = pd.array([event_of.get(i, e) for i, e in zip(facts.index, facts["event_id"])],
                                     dtype="string")
    rows.sort(key=lambda r: (r["date_start"], r["event_id"]))
    return frame(rows, EVENTS), conform(facts, FACTS)


def _str_or_none(x) -> str | None:
    return x if pd.notna(x) else None


def _sum(values: list) -> float:
    """The sum pandas gives a Float64 column of ``values`` (missing values skipped)."""
    if all(type(v) is float and v.is_integer() and abs(v) < 2**52 for v in values):
        return float(sum(values))  # whole numbers: every order of addition is exact
    return pd.array(values, dtype="Float64").sum()


def _first_largest(values: list) -> int:
    """Position of the row ``sort_values("best", ascending=False).iloc[0]`` picks (pandas' tie order)."""
    known = [v for v in values if v is not None and not pd.isna(v)]
    if known:
        top = max(known)
        if sum(1 for v in known if v == top) == 1:  # no tie: the largest
            return next(i for i, v in enumerate(values) if v is not None and not pd.isna(v) and v == top)
    from pandas.core.sorting import nargsort

    return int(nargsort(pd.array(values, dtype="Float64"), kind="quicksort", ascending=False)[0])


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
        # the place and actor mentions of each sentence, in table order
        by_sentence: dict[tuple[str, int], list[tuple[object, object, object]]] = {}
        located = mentions[mentions["sentence"].notna() & mentions["doc_id"].notna()]
        for d, n, kind, name, code in zip(located["doc_id"], located["sentence"], located["kind"],
                                          located["name"], located["code"]):
            by_sentence.setdefault((str(d), int(n)), []).append((kind, name, code))
        # figure ids by article (the part before the first ':'), with their facts
        fig_sent: dict[str, list[str]] = {}
        for fact_id, figure_ids in zip(facts["fact_id"], facts["figure_ids"]):
            for fid in str(figure_ids).split(";"):
                fig_sent.setdefault(fid, []).append(fact_id)
        figs_of_doc: dict[str, list[tuple[str, list[str]]]] = {}
        for key, fids in fig_sent.items():
            figs_of_doc.setdefault(key.split(":")[0], []).append((key, fids))
        best_of: dict[str, list] = {}
        for fact_id, best in zip(facts["fact_id"], facts["best"]):
            best_of.setdefault(fact_id, []).append(best)
        event_dates: dict[str, list[tuple[object, object]]] = {}
        for e in events.itertuples():
            for d in dict.fromkeys(str(e.doc_ids).split(";")):
                event_dates.setdefault(d, []).append((e.date_start, e.date_end))
        place_name = _places.column("name")
        groups: list[list[dict]] = []
        # a milestone joins the first group (in the order they were opened) of the same name
        # and type whose first milestone's dates overlap its own
        open_groups: dict[tuple, _Dated] = {}
        for m in _records(ms.sort_values(["date_start", "doc_id", "start"])):
            if m["code"] == "operation" and any(
                    _overlap(ds, de, m["date_start"], m["date_end"]) for ds, de in event_dates.get(str(m["doc_id"]), ())):
                continue  # covered by an event of its article
            same = open_groups.setdefault((m["name"], m["code"]), _Dated())
            for gid in same.candidates(m["date_start"], m["date_end"]):
                h = groups[gid][0]
                if _overlap(h["date_start"], h["date_end"], m["date_start"], m["date_end"]):
                    groups[gid].append(m)
                    break
            else:
                same.add(len(groups), m["date_start"], m["date_end"])
                groups.append([m])
        for g in groups:
            h = g[0]
            ctx = [by_sentence.get((str(m["doc_id"]), int(m["sentence"]))) for m in g if pd.notna(m["sentence"])]
            ctx_rows = [x for c in ctx if c is not None for x in c]
            place_ids = [code for kind, _, code in ctx_rows if kind == "place"]
            place = _places.most_specific(place_ids)
            acts = [(name, code) for kind, name, code in ctx_rows if kind == "actor"]
            fact_ids = sorted({fid for m in g for key, fids in figs_of_doc.get(m["doc_id"], ())
                               for fid in fids if _in_sentence(key, m)})
            docs = sorted({str(m["doc_id"]) for m in g})
            best = None
            if fact_ids:
                bests = [b for f in fact_ids for b in best_of.get(f, ())]
                if bests:
                    known = [b for b in bests if pd.notna(b)]
                    best = max(known) if known else pd.NA
            rows.append({
                "item_id": "m-" + min(str(m["mention_id"]) for m in g), "kind": "milestone", "type": h["code"],
                "date_start": max(m["date_start"] for m in g), "date_end": min(m["date_end"] for m in g),
                "date_precision": None, "label": h["name"], "description": _one_line(str(h["quote"])),
                "place_id": place, "place": place_name.get(place) if place else None,
                "actors": ";".join(dict.fromkeys(n for n, _ in acts)) if acts else None,
                "parties": ";".join(sorted({c for _, c in acts})) if acts else None,
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


class _Dated:
    """Items filed by the 32-day buckets their date range reaches (open or long ranges: ``wide``).

    Two ranges that overlap (:func:`_overlap`) reach a common bucket, so
    :meth:`candidates` (in the order items were added) holds every item
    overlapping a range.
    """

    WIDTH, MAX_BUCKETS = 32, 64

    def __init__(self) -> None:
        self.all: list[int] = []
        self.wide: list[int] = []
        self.buckets: dict[int, list[int]] = {}

    def _span(self, start, end) -> tuple[int, int] | None:
        if not (type(start) is pd.Timestamp and type(end) is pd.Timestamp):
            return None
        a, b = _ns(start) // _DAY // self.WIDTH, _ns(end) // _DAY // self.WIDTH
        lo, hi = min(a, b), max(a, b)
        return (lo, hi) if hi - lo <= self.MAX_BUCKETS else None

    def add(self, item: int, start, end) -> None:
        self.all.append(item)
        span = self._span(start, end)
        if span is None:
            self.wide.append(item)
            return
        for b in range(span[0], span[1] + 1):
            self.buckets.setdefault(b, []).append(item)

    def candidates(self, start, end) -> list[int]:
        span = self._span(start, end)
        if span is None:
            return self.all
        found = set(self.wide)
        for b in range(span[0], span[1] + 1):
            found.update(self.buckets.get(b, ()))
        return sorted(found)


def _in_sentence(figure_id: str, mention: dict) -> bool:
    pos = int(figure_id.rsplit(":", 1)[1])
    return int(mention["sentence_start"]) <= pos < int(mention["sentence_end"])


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


# --- per article, then corpus-wide ------------------------------------------------------

def prepare(doc_id: str, published, figures: pd.DataFrame, mentions: pd.DataFrame) -> dict:
    """What :func:`derive_prepared` needs of one article (here: its frames as they are)."""
    return {"doc": {"doc_id": doc_id, "published": published}, "figures": figures, "mentions": mentions}


def derive_prepared(prepared) -> dict[str, pd.DataFrame]:
    """:func:`derive` from the :func:`prepare` of every article, in the documents' order."""
    from .schema import DOCUMENTS, FIGURES, MENTIONS
    prepared = list(prepared)
    docs = frame([p["doc"] for p in prepared], DOCUMENTS)
    figs = pd.concat([p["figures"] for p in prepared], ignore_index=True) if prepared else frame([], FIGURES)
    ments = pd.concat([p["mentions"] for p in prepared], ignore_index=True) if prepared else frame([], MENTIONS)
    return derive(docs, conform(figs, FIGURES), conform(ments, MENTIONS))
