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

Two steps. :func:`prepare` takes one article's rows of the figures and
mentions tables (and its publication date) and does everything that stays
within the article: kinds, working dates, places, parts, the dated milestones
with their sentence's places, actors and figures, the place and actor counts.
Its :class:`Prepared` is small (packed strings and arrays) and cheap to
pickle, so it is computed in worker processes and cached per article.
:func:`derive_prepared` does the corpus-wide part from all of them: facts,
events, timeline, places and actors. :func:`derive` chains the two on whole
tables.

Scale: :func:`derive_prepared` stays near-linear in the number of figures and
keeps little in memory. Figures are clustered one block (party, measure,
kind) at a time, since only those can merge, and are only compared with
clusters whose first figure's dates and values are near theirs (day and
value buckets, see ``_Block``); each cluster is tested against summaries of
its members (``_Cluster``); events compare only facts sharing an article,
milestones only groups of the same name and type with nearby dates. Each
shortcut decides exactly what the pairwise rule (:func:`compatible`, the
event and milestone rules) decides (``tests/test_reconcile_scale.py``).
Above :data:`PARALLEL_FIGURES` figures to cluster, the blocks are clustered in two
processes (:func:`_run_blocks`), with the same result as one
(``tests/test_reconcile_parallel.py``); garbage collection is paused
while :func:`iter_derived` works. With a :class:`BlockMemo` of an earlier
run, unchanged blocks are taken from it and the blocks a change touches are
clustered by replaying their last clustering (:mod:`sahel.replay`).
"""
from __future__ import annotations

import bisect
import gc
import hashlib
import itertools
import math
import operator
import os
import pickle
import re
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .extract import gazetteer as _places
from . import replay
from .forks import Forked, can_fork
from .schema import ACTORS, DATE, EVENTS, FACTS, MEASURES, PLACES, TIMELINE, conform

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


_PRECISIONS: dict[tuple, str | None] = {}


def _precision(ds: int | None, de: int | None) -> str | None:
    """:func:`precision` of a range in nanoseconds (None = NaT), remembered."""
    key = (ds, de)
    if key not in _PRECISIONS:
        if len(_PRECISIONS) > 100_000:
            _PRECISIONS.clear()
        _PRECISIONS[key] = precision(pd.Timestamp(ds) if ds is not None else pd.NaT,
                                     pd.Timestamp(de) if de is not None else pd.NaT)
    return _PRECISIONS[key]


_DAY = 86_400 * 10**9  # nanoseconds
_NAT = -2**63  # NaT as int64 nanoseconds (numpy's)


def _ns(ts) -> int | None:
    """A date as integer nanoseconds (None for none/NaT), so that dates compare and subtract as ints."""
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).value


def _days(a: int, b: int) -> int:
    """``(a - b).days`` of two nanosecond timestamps."""
    return (a - b) // _DAY


def _span(ds: int | None, de: int | None) -> int | None:
    """Days from start to end (None if either is unknown)."""
    return None if ds is None or de is None else (de - ds) // _DAY


def figure_kind(quote: str | None, offset: int, measure: str, ds: int | None, de: int | None) -> str:
    """``incident``, ``cumulative`` or ``strength`` by the figure's sentence and stated dates.

    ``offset``: where the figure starts in ``quote`` (-1: unknown); dates in nanoseconds (None: none).
    """
    quote = str(quote or "")
    before = quote[max(0, offset - 40):offset] if offset >= 0 else ""
    if measure == "deployed":
        return "incident" if _REINFORCE.search(quote) else "strength"
    if before and _RUNNING.search(before):
        return "cumulative"
    span = _span(ds, de)
    if span is not None:
        if span <= 45 or _ONE_EVENT.search(quote):
            return "incident"
        return "cumulative"
    if ds is not None or de is not None:
        return "cumulative"
    if _CUMULATIVE.search(quote) or measure == "displaced":
        return "cumulative"
    return "incident"


def _overlap(a0, a1, b0, b1) -> bool:
    """Do two date ranges overlap (NaT = open)?"""
    lo = max([x for x in (a0, b0) if type(x) is pd.Timestamp or pd.notna(x)], default=None)
    hi = min([x for x in (a1, b1) if type(x) is pd.Timestamp or pd.notna(x)], default=None)
    return lo is None or hi is None or lo <= hi


def _overlap_ns(a0: int | None, a1: int | None, b0: int | None, b1: int | None) -> bool:
    """:func:`_overlap` of ranges in nanoseconds (None = open)."""
    lo = a0 if b0 is None else b0 if a0 is None else max(a0, b0)
    hi = a1 if b1 is None else b1 if a1 is None else min(a1, b1)
    return lo is None or hi is None or lo <= hi


# --- one article: prepare -----------------------------------------------------------------

class Prepared(NamedTuple):
    """What :func:`derive_prepared` needs of one article (see :func:`prepare`): compact, cheap to pickle.

    ``strings`` holds the article's distinct short texts (ids, codes, names) back to back, ``texts``
    its distinct quotes and one-line descriptions the same way (UTF-8, zlib). ``ints`` (int16 when
    they all fit) is a header (:data:`_HEADER`), where each string and text ends, :data:`_FIG` fields
    per annotated figure, the dated milestones and the place and actor mention counts;
    ``dates`` holds the figures' working dates, then the milestones' (ns, :data:`_NAT` for none);
    ``values`` each figure's value and upper value.
    """

    doc_id: str
    published: int | None  # ns
    strings: str
    texts: bytes
    ints: array
    dates: array
    values: array


KINDS = ("incident", "cumulative", "strength")
BASES = tuple(BASIS_RANK)
_HEADER = ("strings", "texts", "figures", "milestones", "milestone_ints", "places", "actors")
# the ints of one figure: indices into the strings (-1: none) but measure, kind, basis (indices in
# MEASURES, KINDS, BASES), part_of (the aggregate's figure index, -1: none), sentence (-1: none) and
# quote (index into the texts)
_FIG = ("figure_id", "party", "measure", "noun", "qualifier", "place_id", "kind", "basis", "part_of",
        "sentence", "quote")
_F = len(_FIG)
# a milestone: mention_id, name, code, start, sentence, sentence_start, sentence_end, place_id,
# description (a text), then counted lists: actor names and party codes of its sentence, and the
# figures (indices) of its sentence whose figure_id names this article
_MILESTONE = 9
_NONE = -1
_LAST = 2**31 - 1  # an unknown start sorts last

_FIGURE_COLUMNS = ("figure_id", "value", "value_high", "qualifier", "party", "measure", "noun", "date_start",
                   "date_end", "start", "sentence", "sentence_start", "quote")
_MENTION_COLUMNS = ("mention_id", "kind", "name", "code", "start", "sentence", "sentence_start", "sentence_end",
                    "date_start", "date_end", "quote")
_DATE_COLUMNS = ("date_start", "date_end")


def prepare(doc_id: str, published: date | None, figures: pd.DataFrame,
            mentions: pd.DataFrame | None) -> Prepared:
    """Everything :func:`derive_prepared` needs of one article, from its rows of the figures and
    mentions tables and its publication date: the figures with kind, working dates and basis, place
    and parts (see the module rules), the dated milestones with their sentence's places, actors and
    figures, and the article's place and actor mention counts."""
    return _prepare(str(doc_id), _ns(published), _columns(figures, _FIGURE_COLUMNS),
                    _columns(mentions, _MENTION_COLUMNS))


def _columns(df: pd.DataFrame | None, names: tuple[str, ...]) -> dict[str, list]:
    """Columns of ``df`` as lists of plain values (None for missing, dates as ns)."""
    n = 0 if df is None else len(df)
    out: dict[str, list] = {}
    for c in names:
        if df is None or c not in df.columns:
            out[c] = [None] * n
            continue
        s = df[c]
        if c in _DATE_COLUMNS:
            if pd.api.types.is_datetime64_dtype(s.dtype):
                out[c] = [None if v == _NAT else v for v in s.to_numpy("datetime64[ns]").view("i8").tolist()]
            else:
                out[c] = [_ns(v) for v in s.tolist()]
        elif s.dtype == object:
            out[c] = [None if _missing(v) else v for v in s.tolist()]
        else:
            out[c] = [None if v is pd.NA or v != v else v for v in s.tolist()]
    return out


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _prepare(doc_id: str, pub: int | None, fc: dict[str, list], mc: dict[str, list]) -> Prepared:
    mkind, msent, mcode = mc["kind"], mc["sentence"], mc["code"]
    located: dict[int, list[int]] = {}  # sentence -> its mentions, in table order
    places: dict[int, list[tuple[int, str]]] = {}  # sentence -> (position, place_id), in position order
    ops: list[tuple[int, int, int | None]] = []  # (sentence, start, end) of the dated operations
    for j, (kind, sent) in enumerate(zip(mkind, msent)):
        if sent is None:
            continue
        located.setdefault(sent, []).append(j)
        if kind == "place":
            places.setdefault(sent, []).append((mc["start"][j], str(mcode[j])))
        elif kind == "milestone" and mcode[j] == "operation" and mc["date_start"][j] is not None:
            ops.append((sent, mc["date_start"][j], mc["date_end"][j]))
    for here in places.values():
        here.sort(key=lambda h: h[0])
    rows = _annotate(pub, fc, places, ops)

    strings: dict[str | None, int] = {None: _NONE}
    texts: dict[str | None, int] = {None: _NONE}

    def sid(s, table=strings) -> int:
        return table.setdefault(s, len(table) - 1)

    figure_ints: list[int] = []
    dates: list[int] = []
    values: list[float] = []
    position = {r["figure_id"]: k for k, r in enumerate(rows)}
    for r in rows:
        figure_ints += (sid(r["figure_id"]), sid(r["party"]), MEASURES.index(r["measure"]), sid(r["noun"]),
                        sid(r["qualifier"]), sid(r["place_id"]), KINDS.index(r["kind"]), BASES.index(r["basis"]),
                        position[r["part_of"]] if r["part_of"] else _NONE,
                        _NONE if r["sentence"] is None else r["sentence"], sid(r["quote"], texts))
        dates += (_NAT if r["date_start"] is None else r["date_start"], _NAT if r["date_end"] is None else r["date_end"])
        values += (r["value"], math.nan if r["value_high"] is None else float(r["value_high"]))
    milestone_ints: list[int] = []
    n_milestones = 0
    for j, kind in enumerate(mkind):
        if kind != "milestone" or mc["date_start"][j] is None:
            continue
        n_milestones += 1
        sent, s0, s1 = msent[j], mc["sentence_start"][j], mc["sentence_end"][j]
        ctx = located.get(sent, ()) if sent is not None else ()
        place = _places.most_specific([mcode[k] for k in ctx if mkind[k] == "place"])
        actors = [k for k in ctx if mkind[k] == "actor"]
        names = list(dict.fromkeys(mc["name"][k] for k in actors))
        codes = list(dict.fromkeys(mcode[k] for k in actors))
        in_sentence = [k for k, r in enumerate(rows) if s0 is not None and s1 is not None
                       and r["figure_id"].split(":")[0] == doc_id and s0 <= _position(r["figure_id"]) < s1]
        milestone_ints += (sid(mc["mention_id"][j]), sid(mc["name"][j]), sid(mcode[j]),
                           _LAST if mc["start"][j] is None else mc["start"][j], _NONE if sent is None else sent,
                           _NONE if s0 is None else s0, _NONE if s1 is None else s1, sid(place),
                           sid(_one_line(str(mc["quote"][j])), texts))
        for items in ([sid(n) for n in names], [sid(c) for c in codes], in_sentence):
            milestone_ints.append(len(items))
            milestone_ints += items
        de = mc["date_end"][j]
        dates += (mc["date_start"][j], _NAT if de is None else de)
    counts = []
    for kind, key in (("place", mcode), ("actor", mc["name"])):
        n: dict[str, int] = {}
        for k, v in zip(mkind, key):
            if k == kind and v is not None:
                n[v] = n.get(v, 0) + 1
        counts.append([x for v, c in n.items() for x in (sid(v), c)])
    del strings[None], texts[None]
    header = (len(strings), len(texts), len(rows), n_milestones, len(milestone_ints),
              len(counts[0]) // 2, len(counts[1]) // 2)
    ints = [*header, *itertools.accumulate(len(s) for s in strings), *itertools.accumulate(len(s) for s in texts),
            *figure_ints, *milestone_ints, *counts[0], *counts[1]]
    small = all(-2**15 <= x < 2**15 for x in ints)  # most articles: 2 bytes an int
    return Prepared(doc_id, pub, "".join(strings), zlib.compress("".join(texts).encode("utf-8")),
                    array("h" if small else "i", ints), array("q", dates), array("d", values))


def _position(figure_id: str) -> int:
    """Where a figure starts in its article (the part of its id after the last ':')."""
    return int(figure_id.rsplit(":", 1)[1])


def _annotate(pub: int | None, fc: dict[str, list], places: dict, ops: list) -> list[dict]:
    """The article's figures of a scored measure with kind, working dates, basis, bounds, place, parts."""
    rows = []
    for i, (value, measure) in enumerate(zip(fc["value"], fc["measure"])):
        if value is None or measure not in MEASURES:
            continue
        ds, de, start, s0, quote = (fc[c][i] for c in ("date_start", "date_end", "start", "sentence_start", "quote"))
        value = float(value)
        lo, hi = bounds(value, fc["value_high"][i], fc["qualifier"][i])
        sent = fc["sentence"][i]
        # the most specific place of the sentence; on ties the nearest one before the figure
        here = sorted(places.get(sent if sent is not None else -1, ()),
                      key=lambda h: (h[0] > start, abs(h[0] - start)))
        rows.append({
            "figure_id": fc["figure_id"][i], "party": fc["party"][i], "measure": measure, "noun": fc["noun"][i],
            "qualifier": fc["qualifier"][i], "quote": quote, "value": value, "value_high": fc["value_high"][i],
            "sentence": sent, "start": start,
            "kind": figure_kind(quote, start - s0 if start is not None and s0 is not None else -1, measure, ds, de),
            "basis": "sentence" if ds is not None else None,
            "date_start": ds, "date_end": de if de is not None else ds, "lo": lo, "hi": hi,
            "place_id": _places.most_specific([code for _, code in here]), "part_of": None,
        })
    for r in rows:  # a working date for every figure, so parts are matched within one period
        if r["basis"] is None:
            _date_alone(r, ops, pub)
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
    return rows


def _date_alone(r: dict, ops: list, pub: int | None) -> None:
    """Date an undated figure from its article (context) or its publication date."""
    if r["kind"] == "strength":
        r["date_start"] = r["date_end"] = pub
        r["basis"] = "published" if pub is not None else "none"
        return
    if r["kind"] == "cumulative":
        r["date_start"], r["date_end"] = None, pub
        r["basis"] = "published" if pub is not None else "none"
        return
    sent = r["sentence"] if r["sentence"] is not None else 0
    candidates = [] if _ANOTHER.search(str(r["quote"] or "")) else ops
    candidates = [c for c in candidates if pub is None or c[1] <= pub]
    if candidates:
        _, ds, de = min(candidates, key=lambda c: (abs(c[0] - sent), c[0]))
        r["date_start"], r["date_end"], r["basis"] = ds, de, "context"
    elif pub is not None:
        r["date_start"], r["date_end"], r["basis"] = pub - CONTEXT_DAYS * _DAY, pub, "published"
    else:
        r["basis"] = "none"


def _find_parts(rows: list[dict]) -> None:
    """Mark figures that are parts of an aggregate stated in the same article."""
    rows = sorted(rows, key=lambda r: (r["sentence"] if r["sentence"] is not None else -1, r["start"]))
    # "Of these, 10 …", "A million of those …": a part of the nearest larger figure before it
    for i, r in enumerate(rows):
        if not _PART_OF.search(str(r["quote"] or "")) or r["sentence"] is None:
            continue
        prior = [p for p in rows[:i] if p["party"] == r["party"] and p["measure"] == r["measure"]
                 and p["value"] > r["value"] and p["sentence"] is not None
                 and 0 <= r["sentence"] - p["sentence"] <= 2 and p["part_of"] is None]
        if prior:
            r["part_of"] = prior[-1]["figure_id"]
    # parts that add up to an aggregate stated in another sentence of the article
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if r["kind"] == "incident" and r["part_of"] is None:
            groups.setdefault((str(r["party"]), str(r["measure"])), []).append(r)
    for members in groups.values():
        while len(members) >= 3:
            best = None
            for agg in members:
                if agg["part_of"] is not None:
                    continue
                others = [m for m in members if m is not agg and m["part_of"] is None
                          and m["sentence"] != agg["sentence"] and m["value"] < agg["value"]
                          and _overlap_ns(m["date_start"], m["date_end"], agg["date_start"], agg["date_end"])]
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
    sents = sorted({o["sentence"] for o in others if o["sentence"] is not None})
    windows = [[s] for s in sents] + [[a, b] for a, b in zip(sents, sents[1:]) if b - a == 1]
    best: tuple[float, list[dict]] | None = None
    value = agg["value"]
    for window in windows:
        pool = [o for o in others if o["sentence"] is not None and o["sentence"] in window][:8]
        for k in range(2, min(4, len(pool)) + 1):
            for combo in itertools.combinations(pool, k):
                lo = sum(c["lo"] for c in combo)
                hi = sum(c["hi"] for c in combo)
                gap = abs(sum(c["value"] for c in combo) - value) / value
                if lo <= agg["hi"] and hi >= agg["lo"] and gap <= 0.15 and (best is None or gap < best[0]):
                    best = (gap, list(combo))
    return best


# --- reading prepared articles ------------------------------------------------------------

class _Article:
    """Where the sections of a :class:`Prepared` start in its ``ints``, and reading its strings."""

    __slots__ = ("p", "doc", "n_figures", "n_milestones", "strings", "texts", "figures", "milestones",
                 "places", "actors", "n_places", "n_actors")

    def __init__(self, p: Prepared) -> None:
        ints = p.ints
        n_strings, n_texts, self.n_figures, self.n_milestones, n_milestone_ints, self.n_places, \
            self.n_actors = ints[:len(_HEADER)]
        self.p, self.doc = p, p.doc_id
        self.strings = len(_HEADER)
        self.texts = self.strings + n_strings
        self.figures = self.texts + n_texts
        self.milestones = self.figures + _F * self.n_figures
        self.places = self.milestones + n_milestone_ints
        self.actors = self.places + 2 * self.n_places

    def string(self, k: int) -> str | None:
        if k < 0:
            return None
        ends = self.p.ints
        return self.p.strings[ends[self.strings + k - 1] if k else 0:ends[self.strings + k]]

    def texts_list(self) -> list[str]:
        """The article's texts (quotes, descriptions), decompressed."""
        text = zlib.decompress(self.p.texts).decode("utf-8")
        ends = self.p.ints[self.texts:self.figures].tolist()
        return [text[a:b] for a, b in zip([0] + ends, ends)]

    def counts(self, start: int, n: int) -> list[tuple[str | None, int]]:
        ints, strings, at = self.p.ints, self.p.strings, self.strings  # (string() inlined: many calls)
        return [(None if k < 0 else strings[ints[at + k - 1] if k else 0:ints[at + k]], v)
                for k, v in zip(ints[start:start + 2 * n:2], ints[start + 1:start + 2 * n:2])]


# --- merging figures into facts ---------------------------------------------------------

def _place_conflict(a: str | None, b: str | None) -> bool:
    if not a or not b or a == b:
        return False
    key = (a, b)
    if key not in _CONFLICTS:
        _CONFLICTS[key] = _kinds_conflict(a, b)
    return _CONFLICTS[key]


_CONFLICTS: dict[tuple[str, str], bool] = {}  # within one derive_prepared (the gazetteer may change)


def _kinds_conflict(a: str, b: str) -> bool:
    kinds = _places.column("kind")
    broad = ("country", "region")
    # two distinct named localities (towns, areas, borders, regions) are two places;
    # a country or a broad region is compatible with anything inside it
    ka, kb = kinds.get(a), kinds.get(b)
    if ka == "country" or kb == "country":
        return False
    return not (ka in broad and kb in broad and ka != kb)


class _Fig:
    """An annotated figure as plain Python values (dates in nanoseconds, None = none)."""

    __slots__ = ("figure_id", "doc", "party", "measure", "kind", "basis", "place", "noun", "qualifier",
                 "value", "lo", "hi", "low", "best", "high", "ds", "de", "span", "precise", "sentence",
                 "article", "index", "part_of", "quote")

    def __init__(self, art: _Article, n: int, i: int, offset: int, intern: dict) -> None:
        """Figure ``i`` of ``art``, the ``n``-th article, whose first figure is the ``offset``-th
        (``intern``: one object for equal strings)."""
        p = art.p
        base = art.figures + _F * i
        fid, party, measure, noun, qual, place, kind, basis, part_of, sentence, quote = p.ints[base:base + _F]
        string = art.string
        self.figure_id = string(fid)
        self.doc = art.doc
        self.party = intern.setdefault(party := string(party), party)
        self.measure = MEASURES[measure]
        self.noun = intern.setdefault(noun := string(noun), noun)
        self.qualifier = intern.setdefault(qual := string(qual), qual)
        self.place = intern.setdefault(place := string(place), place)
        self.kind = KINDS[kind]
        self.basis = BASES[basis]
        self.article, self.index = n, offset + i
        self.part_of = offset + part_of if part_of >= 0 else None
        self.sentence = sentence if sentence >= 0 else None
        self.quote = quote
        value, high = p.values[2 * i], p.values[2 * i + 1]
        high = None if high != high else high
        self.value = value
        self.lo, self.hi = bounds(value, high, self.qualifier)
        self.low, self.best, self.high = estimates(value, high, self.qualifier)
        ds, de = p.dates[2 * i], p.dates[2 * i + 1]
        self.ds = None if ds == _NAT else ds
        self.de = None if de == _NAT else de
        self.span = span = _span(self.ds, self.de)
        self.precise = span is not None and span <= 7 and self.basis in ("sentence", "context")


def compatible(a: _Fig, b: _Fig) -> tuple[bool, bool]:
    """Whether two annotated figures state the same quantity, and whether they disagree."""
    if (a.party, a.measure, a.kind) != (b.party, b.measure, b.kind):
        return False, False
    if a.figure_id == b.figure_id:
        return True, False
    if _place_conflict(a.place, b.place):
        return False, False
    agree = a.lo <= b.hi and b.lo <= a.hi
    same_doc = a.doc == b.doc
    if same_doc and not (a.value == b.value and a.qualifier == b.qualifier):
        return False, False
    if a.kind == "incident":
        if not _overlap_ns(a.ds, a.de, b.ds, b.de):
            return False, False
        if agree:
            return True, False
        precise = all(_span(x.ds, x.de) is not None and _span(x.ds, x.de) <= 7
                      and x.basis in ("sentence", "context") for x in (a, b))
        ratio = max(a.best, b.best) / max(min(a.best, b.best), 1)
        return (precise and ratio <= 2), True
    if not agree:
        return False, False
    if a.kind == "strength":
        ok = a.de is None or b.de is None or abs(_days(a.de, b.de)) <= 180
        return ok, False
    # cumulative: same running total as of nearby dates, compatible starts
    ends_ok = a.de is None or b.de is None or abs(_days(a.de, b.de)) <= 400
    starts_ok = a.ds is None or b.ds is None or abs(_days(a.ds, b.ds)) <= 366
    return ends_ok and starts_ok, False


def _cluster(figures: list[_Fig]) -> list[list[_Fig]]:
    """Greedy complete-linkage clustering of annotated figures into facts.

    Figures are taken best-dated first; each joins the first cluster (in the
    order clusters were opened) all of whose members it is :func:`compatible`
    with, else opens a cluster. Only clusters of the same party, measure and
    kind whose first member's dates are near the figure's can qualify (see
    :class:`_Block`), and each is tested against summaries of its members
    (:class:`_Cluster`) rather than member by member.
    """
    return [c.members for c in _greedy(figures)[0]]


def order_key(f: _Fig) -> tuple[int, int, str]:
    """The order :func:`_cluster` takes figures in (best-dated first; positions break ties)."""
    return BASIS_RANK.get(f.basis, 4), f.span or 0, f.figure_id


def _greedy(figures: list[_Fig]) -> tuple[list[_Cluster], list[int], list[int]]:
    """:func:`_cluster`'s clusters, the figures (positions in ``figures``) in the order they were taken,
    and the cluster (in opening order) each of them joined."""
    order = sorted(range(len(figures)), key=lambda j: order_key(figures[j]))
    clusters: list[_Cluster] = []
    choice: list[int] = []
    blocks: dict[tuple, _Block] = {}
    for j in order:
        f = figures[j]
        key = (f.party, f.measure, f.kind)
        block = blocks.get(key)
        if block is None:
            block = blocks[key] = _Block(f.kind)
        for cid in block.candidates(f):
            if clusters[cid].accepts(f):
                clusters[cid].add(f)
                choice.append(cid)
                break
        else:
            choice.append(len(clusters))
            block.add(len(clusters), f)
            clusters.append(_Cluster(f))
    return clusters, order, choice


def _pair(a: _Fig, b: _Fig) -> bool:
    """``compatible(a, b)[0]`` on figures (same party, measure and kind)."""
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
        self.grid: dict[int, dict[int, list[int]]] = {}  # both spans known: date -> value -> clusters
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
                row = self.grid.setdefault(b, {})
                for v in range(values[0], values[1] + 1):
                    row.setdefault(v, []).append(cid)
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
            _gather(found, self.by_value, values)
        elif values is None:
            found.update(self.wide_dates)
            _gather(found, self.by_date, dates)
        else:
            found.update(self.wide)
            _gather(found, self.date_only, dates)
            for b in range(dates[0], dates[1] + 1):
                row = self.grid.get(b)
                if row:
                    _gather(found, row, values)
            _gather(found, self.value_only, values)
        return sorted(found)


def _gather(found: set[int], table: dict[int, list[int]], span: tuple[int, int]) -> None:
    """Add to ``found`` the items filed under the keys ``span[0]…span[1]`` of ``table``."""
    lo, hi = span
    if not table:
        return
    if len(table) <= hi - lo:
        for key, items in table.items():
            if lo <= key <= hi:
                found.update(items)
    else:
        for key in range(lo, hi + 1):
            items = table.get(key)
            if items:
                found.update(items)


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



class _Fact:
    """One fact: a :data:`FACTS` row (dates in nanoseconds) and what events and the timeline read."""

    __slots__ = ("fact_id", "party", "measure", "kind", "low", "best", "high", "qualifier", "ds", "de",
                 "basis", "docs", "figure_ids", "disputed", "values", "part_of", "event_id", "place", "noun",
                 "quote", "head", "parts", "sentences", "kept")

    def __init__(self, members: list[_Fig]) -> None:
        members = sorted(members, key=lambda m: (BASIS_RANK.get(m.basis, 4), m.figure_id))
        head = members[0]
        disputed = _disputed(members)
        lows = [m.low for m in members]
        bests = [m.best for m in members]
        highs = [m.high for m in members]
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
        quals = {m.qualifier for m in members}
        if high is not None and low == high:
            self.qualifier = "exact"
        elif high is None:
            self.qualifier = "at_least"
        elif "approx" in quals:
            self.qualifier = "approx"
        elif quals == {"at_most"}:
            self.qualifier = "at_most"
        else:
            self.qualifier = "range"
        starts = [m.ds for m in members if m.ds is not None]
        ends = [m.de for m in members if m.de is not None]
        if head.kind == "incident":
            ds, de = (max(starts) if starts else None), (min(ends) if ends else None)
            if ds is not None and de is not None and ds > de:  # disputed dates: the union
                ds, de = min(starts), max(ends)
        else:
            ds, de = (min(starts) if starts else None), (max(ends) if ends else None)
        self.fact_id = "f-" + min(m.figure_id for m in members)
        self.party, self.measure, self.kind, self.noun = head.party, head.measure, head.kind, head.noun
        self.low, self.best = float(low), float(best)
        self.high = None if high is None else float(high)
        self.ds, self.de, self.basis = ds, de, head.basis
        self.docs = tuple(sorted({m.doc for m in members}))
        self.figure_ids = ";".join(sorted(m.figure_id for m in members))
        self.disputed = disputed
        self.values = "; ".join(f"{_fmt(m.value)} ({m.doc})" for m in members) if disputed else None
        self.place = _places.most_specific([m.place for m in members if m.place])
        self.part_of = self.event_id = None
        self.quote, self.head = None, (head.article, head.quote)
        self.parts = {m.part_of for m in members if m.part_of is not None} or None  # aggregates' figures
        self.kept = False  # made in this run (True: taken as it was in the last run, see BlockMemo)
        # (article, sentence) of the members, for the incidents that can form events
        self.sentences = None
        if self.kind == "incident" and self.measure in VIOLENT and ds is not None:
            self.sentences = tuple(dict.fromkeys((m.doc, m.sentence) for m in members if m.sentence is not None))

    def __getstate__(self) -> tuple:  # a tuple, not a dict of slots: memo entries load twice as fast
        return tuple([getattr(self, name) for name in _Fact.__slots__])

    def __setstate__(self, state: tuple) -> None:
        for name, value in zip(_Fact.__slots__, state, strict=True):
            setattr(self, name, value)


def _fmt(v: float | None) -> str:
    return "" if v is None or pd.isna(v) else (f"{int(v):,}" if float(v).is_integer() else f"{v:,}")


def _disputed(members: list[_Fig]) -> bool:
    """Whether two members of a fact disagree: ``compatible(a, b)[1]`` for a pair.

    Members of a cluster are pairwise compatible, so for incidents a pair is
    disputed exactly when their value bounds do not overlap (``a.lo > b.hi``);
    other kinds never are.
    """
    if len(members) < 2 or members[0].kind != "incident":
        return False
    top = max(range(len(members)), key=lambda i: members[i].lo)  # the largest lo
    low = max(members[i].lo for i in range(len(members)) if i != top)
    below = min(members[i].hi for i in range(len(members)) if i != top)
    return below < members[top].lo or low > members[top].hi


def _figures(arts: list[_Article]) -> list[_Fig]:
    """Every figure of the articles, in order (what the blocks of :func:`_facts` hold, for tests)."""
    offsets = itertools.accumulate((a.n_figures for a in arts), initial=0)
    intern: dict = {}
    return [_Fig(art, n, i, offset, intern) for n, (art, offset) in enumerate(zip(arts, offsets))
            for i in range(art.n_figures)]


class Grouped:
    """Articles (as :class:`_Article`) and the blocks of their figures (party, measure, kind → article and
    figure numbers), grouped as the articles come: :func:`iter_derived` takes them ``ahead``."""

    def __init__(self) -> None:
        self.arts: list[_Article] = []
        self.blocks: dict[tuple, tuple[array, array]] = {}

    def add(self, prepared: Iterable[Prepared]) -> None:
        """Add articles (after those already added)."""
        self.extend(_Article(p) for p in prepared)

    def extend(self, arts: Iterable[_Article]) -> None:
        """:meth:`add` articles already made :class:`_Article`."""
        blocks = self.blocks
        party, measure, kind = (_FIG.index(x) for x in ("party", "measure", "kind"))
        for art in arts:
            n = len(self.arts)
            self.arts.append(art)
            ints, parties, start, end = art.p.ints, {}, art.figures, art.figures + _F * art.n_figures
            for i, (k, m, kd) in enumerate(zip(ints[start + party:end:_F], ints[start + measure:end:_F],
                                               ints[start + kind:end:_F])):
                name = parties.get(k)
                if name is None:
                    name = parties[k] = (art.string(k),)
                key = (name[0], m, kd)
                where = blocks.get(key)
                if where is None:
                    where = blocks[key] = (array("i"), array("i"))
                where[0].append(n)
                where[1].append(i)


def _facts(arts: list[_Article], memo: BlockMemo | None = None, digests: list[bytes] | None = None,
           blocks: dict[tuple, tuple[array, array]] | None = None
           ) -> tuple[list[_Fact], array, dict[str, list[tuple[str, int]]]]:
    """The facts of every figure in :data:`FACTS` order, with ``part_of`` and quotes; the fact (its
    position) of each figure (by number); figures whose id names another article, by that article.

    Figures are clustered block by block (one party, measure and kind), each block's working objects
    dropped before the next; large corpora split the blocks between two processes (:func:`_run_blocks`).
    Blocks found in ``memo`` are not clustered again. ``blocks``: the blocks of ``arts``, if grouped
    already (:class:`Grouped`).
    """
    offsets = list(itertools.accumulate((a.n_figures for a in arts), initial=0))
    if blocks is None:
        grouped = Grouped()
        grouped.extend(arts)
        blocks = grouped.blocks
        del grouped
    facts: list[_Fact] = []
    owner: list[_Fact | None] = [None] * offsets[-1]
    odd: dict[str, list[tuple[str, _Fact]]] = {}
    for block in _block_results(arts, offsets, blocks, memo, digests):
        for fact, members, others in block:
            facts.append(fact)
            for m in members:
                owner[m] = fact
            for named, figure_id in others:
                odd.setdefault(named, []).append((figure_id, fact))
    del blocks
    for f in facts:
        if f.parts:
            parents = sorted({owner[p].fact_id for p in f.parts} - {f.fact_id})
            f.part_of = parents[0] if parents else None
            f.parts = None
    facts.sort(key=lambda f: (f.ds if f.ds is not None else _NAT, f.party, f.measure, f.fact_id))
    row = {id(f): k for k, f in enumerate(facts)}
    fact_of = array("i", map(row.__getitem__, map(id, owner)))
    odd_rows = {doc: [(fid, row[id(f)]) for fid, f in items] for doc, items in odd.items()}
    del owner, odd, row
    _fill_quotes(arts, facts)
    return facts, fact_of, odd_rows


def _fill_quotes(arts: list[_Article], facts: Iterable[_Fact]) -> None:
    """Set the quote of the facts that still have a ``head`` (their first member's article and quote)."""
    heads: dict[int, list[_Fact]] = {}
    for f in facts:
        if f.head is not None:
            heads.setdefault(f.head[0], []).append(f)
    for n, group in heads.items():
        texts = arts[n].texts_list()
        for f in group:
            f.quote = texts[f.head[1]] if f.head[1] >= 0 else None
            f.head = None


def _block_results(arts: list[_Article], offsets: list[int], blocks: dict[tuple, tuple[array, array]],
                   memo: BlockMemo | None, digests: list[bytes] | None = None) -> list[_BlockFacts]:
    """:func:`_block_facts` of every block, in order: from ``memo`` where it has the block; else, where
    it has the block's last clustering, replayed (:mod:`sahel.replay`); else clustered. The memo gets
    the blocks of this run."""
    if memo is None:
        return [facts for facts, _ in _run_blocks(arts, offsets, list(blocks.values()), None)]
    if digests is None:
        digests = [digest(a.p) for a in arts]
    keys = [memo.key(key, numbers, figures, digests) for key, (numbers, figures) in blocks.items()]
    results: list[_BlockFacts | None] = [None] * len(keys)
    for k, ((numbers, figures), key) in enumerate(zip(blocks.values(), keys)):
        try:
            found = memo.get(key)
            if found is not None:
                results[k] = _localize(found, numbers, figures, offsets)
        except Exception:  # a damaged entry: cluster again
            pass
    names, values = list(blocks), list(blocks.values())
    missing = [k for k, r in enumerate(results) if r is None]
    # a re-run (some blocks unchanged) stores the others' facts once the tables are written
    later = len(missing) < len(keys)
    docs = [a.doc for a in arts]
    before, memo.now = memo.digests, dict(zip(docs, digests))
    number: dict[str, int] = {}
    todo = []
    stored: list[tuple[int, Callable[[], tuple[bytes, bytes]]]] = []  # what the memo gets of each block
    intern: dict = {}
    for k in missing:
        replayed = None
        last = memo.last(names[k])
        if last is not None:
            if not number:
                number = {a.doc: n for n, a in enumerate(arts)}
            try:
                replayed = _replayed(last, arts, offsets, *values[k], KINDS[names[k][2]], number, digests,
                                     before, intern)
            except Exception:  # a damaged entry: cluster again
                replayed = None
        if replayed is None:
            todo.append(k)
        else:
            results[k] = replayed[0]
            stored.append((k, _stored_later(replayed[0], values[k], offsets, replayed[1], docs)))
    for k, (facts, trace) in zip(todo, _run_blocks(arts, offsets, [values[k] for k in todo], docs)):
        _fill_quotes(arts, (fact for fact, _, _ in facts))
        results[k] = facts
        stored.append((k, _stored_later(facts, values[k], offsets, trace, docs)))
    for k, make in stored:
        if later:
            memo.put_later(keys[k], make)
        else:
            memo.put(keys[k], *make())
    for name, key in zip(names, keys):
        memo.keep(name, key)
    memo.finish()
    return results  # type: ignore[return-value]


def _stored_later(facts: _BlockFacts, block: tuple[array, array], offsets: list[int],
                  trace: replay.Trace | bytes | None, docs: list[str]) -> Callable[[], tuple[bytes, bytes]]:
    """What :meth:`BlockMemo.put` takes for a block (its facts as they are now, and its trace), made when
    called: at once, or once the tables are written (:meth:`BlockMemo.put_later`), when the facts have
    their ``part_of`` and ``event_id``, which are set back to None while they are pickled (and the
    ``parts`` they had now)."""
    parts = [fact.parts for fact, _, _ in facts]

    def make() -> tuple[bytes, bytes]:
        links = [(fact.part_of, fact.event_id, fact.parts) for fact, _, _ in facts]
        try:
            for (fact, _, _), p in zip(facts, parts):
                fact.part_of = fact.event_id = None
                fact.parts = p
            stored = _portable(facts, *block, offsets)
        finally:
            for (fact, _, _), (part_of, event_id, p) in zip(facts, links):
                fact.part_of, fact.event_id, fact.parts = part_of, event_id, p
        if isinstance(trace, replay.Trace):
            return stored, _trace(trace, docs, *block)
        return stored, trace  # type: ignore[return-value]

    return make


def _replayed(data: tuple[list, bytes], arts: list[_Article], offsets: list[int], numbers: array,
              figures: array, kind: str, number: dict[str, int], digests: list[bytes], before: dict[str, bytes],
              intern: dict) -> tuple[_BlockFacts, replay.Trace] | None:
    """A block's facts and trace by :func:`sahel.replay.replay` of its last clustering (a memo entry's facts
    and trace, :meth:`BlockMemo.last`), or None where that does not apply."""
    last, t = data[0], replay.Trace.restore(pickle.loads(data[1]))
    got = replay.replay(t, last, arts, offsets, numbers, figures, kind, number, digests, before, intern)
    if got is None:
        return None
    clusters, trace = got
    out: _BlockFacts = []
    made = []
    for members, old in clusters:
        index = array("i", [offsets[numbers[j]] + figures[j] for j in members])
        if old >= 0:  # the same members as last time: the same fact
            fact, _, others = last[old]
            fact.kept = True
            if fact.parts:
                fact.parts = {offsets[numbers[members[m]]] + g for m, g in fact.parts}
            out.append((fact, index, others))
        else:
            figs = [_Fig(arts[numbers[j]], numbers[j], figures[j], offsets[numbers[j]], intern) for j in members]
            out.append((_Fact(figs), index, _others(figs)))
            made.append(out[-1][0])
    _fill_quotes(arts, made)
    return out, trace


def digest(p: Prepared) -> bytes:
    """A hash of everything of one prepared article (what the corpus-wide tables read of it)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{p.doc_id}\0{p.published}\0".encode("utf-8", "surrogatepass"))
    h.update(p.strings.encode("utf-8", "surrogatepass") + b"\0")
    h.update(p.texts)
    for a in (p.ints, p.dates, p.values):
        h.update(a.typecode.encode() + len(a).to_bytes(8, "little"))
        h.update(a)
    return h.digest()


def _trace(trace: replay.Trace, docs: list[str], numbers: array, figures: array) -> bytes:
    """A block's :class:`~sahel.replay.Trace`, its articles named by ``docs`` (the doc id of each
    article), pickled: what a :class:`BlockMemo` stores beside the facts."""
    return pickle.dumps(replay.portable(replay.named(trace, docs, numbers, figures)), protocol=pickle.HIGHEST_PROTOCOL)


def _portable(facts: _BlockFacts, numbers: array, figures: array, offsets: list[int]) -> bytes:
    """A block's facts (quotes filled, parts not yet resolved), with figures named by their position in
    the block, not their number in the corpus, pickled: what a :class:`BlockMemo` stores."""
    position = {offsets[n] + i: j for j, (n, i) in enumerate(zip(numbers, figures))}
    parts = [fact.parts for fact, _, _ in facts]
    try:
        for fact, members, _ in facts:
            if fact.parts:  # aggregates (in a member's article): (a member, by its rank, figure in its article)
                first: dict[int, int] = {}
                for rank, m in enumerate(members):
                    first.setdefault(numbers[position[m]], rank)
                fact.parts = [(first[n], g - offsets[n]) for g in fact.parts
                              for n in (bisect.bisect_right(offsets, g) - 1,)]
        return pickle.dumps([(fact, array("i", [position[m] for m in members]), others)
                             for fact, members, others in facts], protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for (fact, _, _), p in zip(facts, parts):
            fact.parts = p


def _localize(stored: list, numbers: array, figures: array, offsets: list[int]) -> _BlockFacts:
    """:func:`_portable` undone (``stored``: as :meth:`BlockMemo.get` gives it) for the block's figures in
    this corpus."""
    out = []
    for fact, positions, others in stored:
        if fact.parts:
            fact.parts = {offsets[numbers[positions[m]]] + i for m, i in fact.parts}
        fact.kept = True
        out.append((fact, array("i", [offsets[numbers[j]] + figures[j] for j in positions]), others))
    return out


class BlockMemo:
    """The facts of each block of figures of an earlier :func:`derive_prepared`, by the block's content.

    A block (one party, measure and kind) is keyed by a hash of its figures: the prepared articles
    they come from (:func:`digest`) and their numbers in those articles, so a block is found only
    when every input of its clustering is the same. ``sahel parse`` keeps the blocks of its last run
    on a corpus folder in the cache (:func:`sahel.cache.load_memo`): a re-run after adding an article
    takes the other blocks as they were, and replays the last clustering of those it touches
    (:mod:`sahel.replay`; ``names`` gives the key each block had last, ``digests`` the :func:`digest` of
    each article, by doc id). Entries are pickled (compressed or not), with checksums; :meth:`preload`
    reads the facts of the last run's blocks ahead (while a re-run waits for its new articles).
    """

    def __init__(self, blocks: dict[bytes, bytes] | None = None,
                 on_finish: Callable[[BlockMemo], None] | None = None,
                 names: dict[tuple, bytes] | None = None, digests: dict[str, bytes] | None = None,
                 token: bytes = b"") -> None:
        self.blocks = dict(blocks or {})
        self.names = dict(names or {})
        self.digests = dict(digests or {})
        self.token = token  # new whenever the memo changes: names the run whose facts it holds
        self.now: dict[str, bytes] | None = None  # this run's digests
        self.used: dict[bytes, bytes] = {}
        self.named: dict[tuple, bytes] = {}
        self.changed = False
        self.on_finish = on_finish
        self.loaded: dict[bytes, list] = {}  # facts read ahead (preload), each taken once
        self.pending: dict[bytes, Callable[[], tuple[bytes, bytes]]] = {}  # put_later, until store
        self.storing: Forked[None] | None = None  # a child storing the memo
        # the rows of the events of the run whose facts have token events_token (see _events)
        self.events: dict[tuple, list | None] = {}
        self.events_token = b""
        self.on_events: Callable[[BlockMemo], None] | None = None

    @staticmethod
    def key(block: tuple, numbers: array, figures: array, digests: list[bytes]) -> bytes:
        h = hashlib.blake2b(repr(block).encode("utf-8", "surrogatepass"), digest_size=16)
        h.update(b"".join([digests[n] for n in numbers]))
        h.update(figures.tobytes())
        return h.digest()

    def preload(self) -> None:
        """Read the facts of every block of the last run now, so that :meth:`get` and :meth:`last` need
        not (an entry that cannot be read is left to them)."""
        for key in self.names.values():
            if key not in self.loaded:
                try:
                    got = self._read(key, trace=False)
                    if got is not None:
                        self.loaded[key] = pickle.loads(got[0])
                except Exception:  # damaged: get and last fail on it as they would have
                    pass

    def get(self, key: bytes) -> list | None:
        """The stored facts of a block (what :func:`_portable` pickled), or None."""
        loaded = self.loaded.pop(key, None)
        if loaded is not None:
            return loaded
        got = self._read(key, trace=False)
        return pickle.loads(got[0]) if got is not None else None

    def last(self, block: tuple) -> tuple[list, bytes] | None:
        """The facts and trace (pickled :class:`~sahel.replay.Trace`) of the block named ``block`` (party,
        measure, kind) in the last run, or None."""
        key = self.names.get(block)
        if key is None:
            return None
        got = self._read(key, trace=True)
        if got is None:
            return None
        loaded = self.loaded.pop(key, None)
        return (loaded if loaded is not None else pickle.loads(got[0])), got[1]  # type: ignore[return-value]

    def _read(self, key: bytes, trace: bool) -> tuple[bytes, bytes | None] | None:
        data = self.blocks.get(key)
        if data is None:
            return None
        # the length of the facts, the CRC-32 of the facts and of the trace, whether they are compressed,
        # the facts, the trace
        n = int.from_bytes(data[:8], "little")
        facts, rest = data[17:17 + n], data[17 + n:] if trace else None
        if (len(data) < 17 + n or zlib.crc32(facts) != int.from_bytes(data[8:12], "little")
                or (rest is not None and zlib.crc32(rest) != int.from_bytes(data[12:16], "little"))):
            self.blocks.pop(key, None)  # a damaged entry: cluster again
            return None
        if not data[16]:
            return facts, rest
        try:
            return zlib.decompress(facts), zlib.decompress(rest) if rest is not None else None
        except zlib.error:  # (checksums right, contents not: written so)
            self.blocks.pop(key, None)
            return None

    def put(self, key: bytes, facts: bytes, trace: bytes, compress: bool = True) -> None:
        """Store a block's facts (:func:`_portable`) and its trace (:func:`_trace`), compressed (a first run:
        a third of the memory while the memo is made) or not (:meth:`store` for a re-run's few blocks:
        compressing would take longer than the rest of storing them)."""
        if compress:
            facts, trace = zlib.compress(facts, 1), zlib.compress(trace, 1)
        self.blocks[key] = b"".join((len(facts).to_bytes(8, "little"), zlib.crc32(facts).to_bytes(4, "little"),
                                     zlib.crc32(trace).to_bytes(4, "little"), bytes([compress]), facts, trace))
        self.changed = True

    def put_later(self, key: bytes, make: Callable[[], tuple[bytes, bytes]]) -> None:
        """:meth:`put` what ``make()`` gives, when :meth:`store` is called."""
        self.pending[key] = make
        self.changed = True

    def keep(self, name: tuple, key: bytes) -> None:
        """Mark block ``name`` with ``key`` as part of this run."""
        if key in self.blocks or key in self.pending:
            self.used[key] = self.blocks.get(key, b"")
            self.named[name] = key

    def known_events(self) -> dict[tuple, list | None] | None:
        """The last run's events (:func:`_events`' ``known``: rows and CSV lines), if they belong to the
        facts this memo holds."""
        return self.events if self.events and self.token and self.events_token == self.token else None

    def keep_events(self, made: dict[tuple, list | None]) -> None:
        """This run's event rows (once :meth:`finish` has made its facts the memo's): kept, and given to
        ``on_events`` (to store them)."""
        self.events, self.events_token = made, self.token
        if self.on_events is not None:
            self.on_events(self)

    def finish(self) -> None:
        """Every block of the run is known: the blocks of this run become the memo (the others are
        dropped), and if that changed anything, ``on_finish`` is called (to store it), unless blocks
        are to be put later: then :meth:`store` does."""
        now = self.now if self.now is not None else self.digests
        changed = self.changed or len(self.used) != len(self.blocks) or self.named != self.names or now != self.digests
        self.blocks, self.used, self.changed = self.used, {}, False
        self.loaded = {}
        self.names, self.named, self.digests, self.now = self.named, {}, now, None
        if changed:
            self.token = os.urandom(16)
        if changed and self.on_finish is not None and not self.pending:
            self.on_finish(self)

    def store(self, background: bool = False) -> None:
        """Put the blocks to be put later (:meth:`put_later`), then call ``on_finish`` (to store the memo).

        ``background`` (for a memo kept in a file, with ``on_finish``): done by a forked child while this
        process goes on (:class:`~sahel.forks.Forked`); :meth:`wait` waits for it."""
        if not self.pending:
            return
        pending, self.pending = self.pending, {}

        def put() -> None:
            for key, make in pending.items():
                self.put(key, *make(), compress=False)
            if self.on_finish is not None:
                self.on_finish(self)

        if background and self.on_finish is not None:
            self.storing = Forked(put)
        else:
            put()

    def wait(self) -> None:
        """Wait until the memo is stored (:meth:`store`)."""
        storing, self.storing = self.storing, None
        if storing is not None:
            storing.result()


_BlockFacts = list[tuple[_Fact, array, list[tuple[str, str]]]]
"""A block's facts, each with its members (figure numbers) and the ids of those naming another article
(``(article, figure_id)``)."""


def _others(members: list[_Fig]) -> list[tuple[str, str]]:
    """The members whose figure id names another article than their own: ``(article, figure_id)``."""
    others = []
    for m in members:
        named = m.figure_id.split(":", 1)[0]
        if named != m.doc:
            others.append((named, m.figure_id))
    return others


def _block_facts(arts: list[_Article], offsets: list[int], numbers: array, figures: array,
                 intern: dict, docs: list[str] | None) -> tuple[_BlockFacts, bytes | None]:
    """Cluster one block (its figures by article and figure number) into facts; and, given ``docs``
    (the doc id of each article), its trace (:func:`_trace`)."""
    figs = [_Fig(arts[n], n, i, offsets[n], intern) for n, i in zip(numbers, figures)]
    clusters, order, choice = _greedy(figs)
    groups = [c.members for c in clusters]
    del clusters  # before the facts are made: they take the clusters' memory, not more
    trace = None if docs is None else _trace(replay.trace(figs, figs[0].kind, order, choice), docs, numbers, figures)
    del order, choice
    return [(_Fact(g), array("i", [m.index for m in g]), _others(g)) for g in groups], trace


PARALLEL_FIGURES = 20_000
"""Blocks to cluster holding more figures than this are shared between two processes (where fork is safe)."""


def _run_blocks(arts: list[_Article], offsets: list[int], blocks: list[tuple[array, array]],
                docs: list[str] | None) -> list[tuple[_BlockFacts, bytes | None]]:
    """:func:`_block_facts` of every block, in order.

    Above :data:`PARALLEL_FIGURES` figures to cluster, on Linux with two cores or more and no other thread
    running, a forked child clusters about half the figures (the largest blocks spread between the
    two) and sends its facts back (:class:`sahel.forks.Forked`: if it fails, this process clusters
    its blocks too).
    """
    intern: dict = {}
    if sum(len(b[0]) for b in blocks) <= PARALLEL_FIGURES or not can_fork():
        return [_block_facts(arts, offsets, *b, intern, docs) for b in blocks]
    load = [0, 0]
    side = []
    for k in sorted(range(len(blocks)), key=lambda k: -len(blocks[k][0])):
        s = 0 if load[0] <= load[1] else 1
        load[s] += len(blocks[k][0])
        side.append((k, s))
    theirs = sorted(k for k, s in side if s == 1)
    mine = sorted(k for k, s in side if s == 0)
    child = Forked(lambda: [_block_facts(arts, offsets, *blocks[k], intern, docs) for k in theirs])
    try:
        results = {k: _block_facts(arts, offsets, *blocks[k], intern, docs) for k in mine}
    except BaseException:
        child.close()
        raise
    results.update(zip(theirs, child.result()))
    return [results[k] for k in range(len(blocks))]


class _Rows:
    """A table's rows collected column by column (no dict per row); :meth:`sorted` orders them."""

    def __init__(self, schema: dict[str, str]) -> None:
        self.columns: dict[str, list] = {c: [] for c in schema}
        self.entries: list[list] = []  # of events made with a memo (see _events)

    def add(self, **values) -> None:
        for c, v in values.items():
            self.columns[c].append(v)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def sorted(self, *keys: str) -> _Rows:
        cols = self.columns
        if len(self) < 2:
            return self
        order = sorted(range(len(self)), key=list(zip(*(cols[k] for k in keys))).__getitem__)
        take = operator.itemgetter(*order)
        self.columns = {c: list(take(v)) for c, v in cols.items()}
        return self


# --- events -----------------------------------------------------------------------------

def _events(facts: list[_Fact], known: dict[tuple, list | None] | None = None,
            made: dict[tuple, list | None] | None = None) -> _Rows:
    """Group incident facts into events (setting their ``event_id``); the :data:`EVENTS` rows, in order.

    Facts are grouped when figures of theirs share a sentence, when they come
    from one article with the same date of a week or less, and when one is a
    part of the other.

    An event's row depends only on its facts. ``known``: the last run's events by their facts'
    ``fact_id`` and ``part_of`` (in turn: :attr:`BlockMemo.events`), taken for events whose facts are
    all ``kept`` (the last run's, unchanged); ``made`` gets this run's. Each is an entry ``[row, events
    line, timeline line]`` (the CSV lines None until :func:`_render_lines`); given ``made``, the rows'
    entries are ``rows.entries``, in order.
    """
    cand = [f for f in facts if f.sentences is not None]
    kept = _unchanged_events(cand, known) if known is not None else None
    if kept is None:
        groups = _group_events(cand)
    else:
        groups = _group_events([f for f in cand if id(f) not in kept[1]])
        groups.extend(kept[0])
    del cand, kept
    place_name = _places.column("name")
    place_country = _places.column("country")
    place_lat = _places.column("latitude")
    place_lon = _places.column("longitude")
    rows = _Rows(EVENTS)
    values: list[tuple] = []
    entries: list[list] = []
    for g in groups:
        key = tuple([x for f in g for x in (f.fact_id, f.part_of)]) if known is not None or made is not None else ()
        entry = known.get(key) if known is not None and all(f.kept for f in g) else None
        if entry is None:
            entry = [_event_row(g, place_name, place_country, place_lat, place_lon), None, None]
        row = entry[0]
        for f in g:
            f.event_id = row[0]  # the first column
        values.append(row)
        if made is not None:
            made[key] = None if key in made else entry  # (two facts of one id: never taken)
            entries.append(entry)
    if values:
        rows.columns = {c: list(v) for c, v in zip(rows.columns, zip(*values))}
    del values
    if made is None:
        return rows.sorted("date_start", "event_id")
    rows.columns["_entry"] = entries
    rows.sorted("date_start", "event_id")
    rows.entries = rows.columns.pop("_entry")
    return rows


def _group_events(cand: list[_Fact]) -> list[list[_Fact]]:
    """The incident facts ``cand`` (in order) grouped into events (see :func:`_events`): each group's
    facts in order."""
    parent = list(range(len(cand)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # facts are joined when they share a sentence (and overlap in time), or an article and the same
    # dates of a week or less (and no conflicting places): only facts filed under one sentence, or
    # under one article and dates, are compared
    by_sentence: dict[tuple, list[int]] = {}
    by_dates: dict[tuple, list[int]] = {}
    for i, f in enumerate(cand):
        for key in f.sentences:
            by_sentence.setdefault(key, []).append(i)
        if f.de is not None and _days(f.de, f.ds) <= 7:
            for d in f.docs:
                by_dates.setdefault((d, f.ds, f.de), []).append(i)
    for members in by_sentence.values():
        for x, a in enumerate(members):
            fa = cand[a]
            for b in members[x + 1:]:
                if find(a) != find(b):
                    fb = cand[b]
                    if _overlap_ns(fa.ds, fa.de, fb.ds, fb.de):
                        parent[find(a)] = find(b)
    for members in by_dates.values():
        for x, a in enumerate(members):
            for b in members[x + 1:]:
                if find(a) != find(b) and not _place_conflict(cand[a].place, cand[b].place):
                    parent[find(a)] = find(b)
    by_id = {f.fact_id: i for i, f in enumerate(cand)}
    for i, f in enumerate(cand):
        if f.part_of is not None and f.part_of in by_id:
            parent[find(i)] = find(by_id[f.part_of])
    groups: dict[int, list[_Fact]] = {}
    for i, f in enumerate(cand):
        groups.setdefault(find(i), []).append(f)
    return list(groups.values())


def _unchanged_events(cand: list[_Fact], known: dict[tuple, list | None]
                      ) -> tuple[list[list[_Fact]], set[int]] | None:
    """The events of the last run (``known``, see :func:`_events`) that are events again with the same
    facts, and the facts (``id``) in them; None where that cannot be told (a fact id twice).

    Facts are joined only through an article they share (a sentence, an article and dates) or as a
    part of another, so the grouping of the last run stands for every event none of whose facts
    changed (not ``kept``, or another ``part_of``) or went, none of whose articles is an article of a
    fact that changed, and none of whose facts is a part of a changed fact, or the fact one is a part of.
    """
    group_of: dict[str, tuple] = {}
    part_of: dict[str, str | None] = {}
    for key in known:
        for k in range(0, len(key), 2):
            if key[k] in group_of:
                return None
            group_of[key[k]], part_of[key[k]] = key, key[k + 1]
    touched: set[tuple] = set()
    docs: set[str] = set()  # the articles of changed facts
    changed: set[str] = set()  # their ids, and the ids they are a part of
    present: dict[tuple, int] = {}
    seen: set[str] = set()
    for f in cand:
        fid = f.fact_id
        if fid in seen:
            return None
        seen.add(fid)
        key = group_of.get(fid)
        if key is None or not f.kept or part_of[fid] != f.part_of:
            docs.update(f.docs)
            changed.add(fid)
            if f.part_of is not None:
                changed.add(f.part_of)
            if key is not None:
                touched.add(key)
        else:
            present[key] = present.get(key, 0) + 1
    touched.update(group_of[fid] for fid in changed if fid in group_of)
    groups: dict[tuple, list[_Fact]] = {}
    for f in cand:
        key = group_of.get(f.fact_id)
        if key is None or key in touched or present.get(key, 0) * 2 != len(key) or known[key] is None:
            continue
        if f.part_of in changed or not docs.isdisjoint(f.docs):
            touched.add(key)
            groups.pop(key, None)
            continue
        groups.setdefault(key, []).append(f)
    out = [g for key, g in groups.items() if key not in touched]
    return out, {id(f) for g in out for f in g}


RENDER_SOON = 2000
"""Up to this many events' CSV lines to make, a run makes them before writing the facts (else after)."""


def _render_lines(events: _Rows, chunk: int = 2000) -> None:
    """Fill in the CSV lines of the entries (:func:`_events`) that have none: the event's row of the
    events table and of the timeline."""
    from .tables import csv_row_list

    todo = [k for k, entry in enumerate(events.entries) if entry[1] is None]
    for at in range(0, len(todo), chunk):  # (a few frames at a time: memory)
        some = todo[at:at + chunk]
        sub = {c: [v[k] for k in some] for c, v in events.columns.items()}
        timeline = _timeline_events(sub)
        _normalized(timeline)
        for k, line, tl in zip(some, csv_row_list(_table(sub, EVENTS), EVENTS),
                               csv_row_list(_table(timeline.columns, TIMELINE), TIMELINE)):
            events.entries[k][1:] = [line, tl]


def _event_row(g: list[_Fact], place_name: dict, place_country: dict, place_lat: dict, place_lon: dict) -> tuple:
    """The :data:`EVENTS` row (values in order) of the event of facts ``g``."""
    ids = {f.fact_id for f in g}
    counted = [f for f in g if f.part_of is None or f.part_of not in ids]
    event_id = "e-" + min(f.figure_ids.split(";")[0] for f in g)
    ds = min(f.ds for f in g)
    ends = [f.de for f in g if f.de is not None]
    de = max(ends) if ends else None
    place = (_places.most_specific([f.place for f in counted if f.place is not None])
             or _places.most_specific([f.place for f in g if f.place is not None]))
    killed = [f for f in counted if f.measure == "killed"]
    by_party: dict[str, list[float]] = {}
    for f in killed:
        if f.party is not None:
            by_party.setdefault(f.party, []).append(f.best)
    lead_from = killed if killed else counted
    lead = lead_from[_first_largest([f.best for f in lead_from])]
    doc_ids = sorted({d for f in g for d in f.docs})
    return _ordered(
        EVENTS, event_id=event_id, date_start=ds, date_end=de, date_precision=_precision(ds, de),
        place_id=place, place=place_name[place] if place else None,
        country=place_country[place] if place else None,
        latitude=place_lat[place] if place else None,
        longitude=place_lon[place] if place else None,
        killed_low=_sum([f.low for f in killed]) if killed else 0.0,
        killed_best=_sum([f.best for f in killed]) if killed else 0.0,
        killed_high=(None if any(f.high is None for f in killed)
                     else _sum([f.high for f in killed])) if killed else 0.0,
        deaths_by_party=";".join(f"{p}={_fmt(_sum(v)).replace(',', '')}" for p, v in sorted(by_party.items())),
        summary="; ".join(f"{f.measure} {f.party} {_qual(f.qualifier)}{_fmt(f.best)} {f.noun}"
                          for f in counted),
        parties=";".join(sorted({f.party for f in g if f.party is not None})),
        n_sources=len(doc_ids), doc_ids=";".join(doc_ids),
        fact_ids=";".join(sorted(f.fact_id for f in g)),
        figure_ids=";".join(sorted(x for f in g for x in f.figure_ids.split(";"))),
        description=_one_line(str(lead.quote)),
    )


def _ordered(schema: dict[str, str], **values) -> tuple:
    """``values`` as a row of ``schema`` (in its column order), numpy scalars as Python values (they
    pickle, as memo entries, at a fraction of the cost)."""
    return tuple([v.item() if isinstance(v, np.generic) else v for v in (values[c] for c in schema)])


def _sum(values: list) -> float:
    """The sum pandas gives a Float64 column of ``values`` (missing values skipped)."""
    if all(type(v) is float and v.is_integer() and abs(v) < 2**52 for v in values):
        return float(sum(values))  # whole numbers: every order of addition is exact
    return pd.array(values, dtype="Float64").sum()


def _first_largest(values: list) -> int:
    """Position of the row ``sort_values("best", ascending=False).iloc[0]`` picks (pandas' tie order)."""
    if all(type(v) is float and v == v for v in values):  # no missing value
        top = max(values)
        if values.count(top) == 1:
            return values.index(top)
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
    text = " ".join(text.split())  # runs of whitespace as one space
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# --- timeline -----------------------------------------------------------------------------

class _Milestone:
    """A dated milestone mention of a prepared article."""

    __slots__ = ("article", "doc", "mention_id", "name", "code", "start", "sentence", "s0", "s1", "place",
                 "description", "names", "codes", "figures", "ds", "de")

    def __init__(self, art: _Article, n: int, k: int, at: int, offset: int, intern: dict) -> None:
        """The ``k``-th milestone of ``art`` (the ``n``-th article), whose ints start at ``at``."""
        ints, string = art.p.ints, art.string
        mention_id, name, code, self.start, sentence, s0, s1, place, self.description = ints[at:at + _MILESTONE]
        self.article, self.doc = n, art.doc
        self.mention_id = string(mention_id)
        self.name = intern.setdefault(name := string(name), name)
        self.code = intern.setdefault(code := string(code), code)
        self.place = intern.setdefault(place := string(place), place)
        self.sentence = None if sentence < 0 else sentence
        self.s0 = None if s0 < 0 else s0
        self.s1 = None if s1 < 0 else s1
        at += _MILESTONE
        end = at + 1 + ints[at]
        self.names = tuple([intern.setdefault(x := string(i), x) for i in ints[at + 1:end]])
        at, end = end, end + 1 + ints[end]
        self.codes = tuple([intern.setdefault(x := string(i), x) for i in ints[at + 1:end]])
        at, end = end, end + 1 + ints[end]
        self.figures = tuple([offset + i for i in ints[at + 1:end]])
        d = 2 * (art.n_figures + k)
        self.ds, self.de = art.p.dates[d], art.p.dates[d + 1]
        self.de = None if self.de == _NAT else self.de

    @staticmethod
    def all_of(art: _Article, n: int, offset: int, intern: dict) -> list[_Milestone]:
        out, at = [], art.milestones
        for k in range(art.n_milestones):
            out.append(_Milestone(art, n, k, at, offset, intern))
            ints = art.p.ints
            at += _MILESTONE
            for _ in range(3):
                at += 1 + ints[at]
        return out


def _milestones(arts: list[_Article]) -> list[_Milestone]:
    """Every dated milestone of the articles, in the order the timeline groups them."""
    offsets = itertools.accumulate((a.n_figures for a in arts), initial=0)
    intern: dict = {}
    ms = [m for n, (art, offset) in enumerate(zip(arts, offsets)) for m in _Milestone.all_of(art, n, offset, intern)]
    ms.sort(key=lambda m: (m.ds, m.doc, m.start))
    return ms


def _spooled(arts: list[_Article], received: Callable[[], tuple], folder: Path) -> dict[str, Path]:
    """Write the CSV rows (no header) of the timeline, places and actors tables to files in ``folder``
    (``{name: path}``): the milestones are read, those that no event can cover grouped, and the places
    and actors tables made first; then the events and facts are waited for (``received()``: the events'
    ``event_id``, ``doc_ids``, ``date_start`` and ``date_end``, their timeline lines
    (:func:`_render_lines`), fact ids, bests, ``fact_of``, ``odd``) and the timeline made."""
    from .tables import csv_row_list, csv_rows

    out = {name: folder / f"{name}.rows" for name in ("timeline", "places", "actors")}
    ms = _milestones(arts)
    groups = _group_milestones([(i, m) for i, m in enumerate(ms) if m.code != "operation"], None)
    for name, table, schema in zip(("places", "actors"), _gazetteer_tables(arts), (PLACES, ACTORS)):
        out[name].write_text(csv_rows(table, schema), encoding="utf-8", newline="")
    e, lines, fact_ids, bests, fact_of, odd = received()
    groups += _group_milestones([(i, m) for i, m in enumerate(ms) if m.code == "operation"], _coverage(e))
    del ms
    rows = _Rows(TIMELINE)
    _milestone_rows(rows, arts, [g for _, g in groups], fact_ids, bests, fact_of, odd)
    _normalized(rows)
    m = rows.columns
    order = _timeline_order((e["event_id"], e["date_start"], e["date_end"]),
                            (m["item_id"], m["date_start"], m["date_end"]), groups)
    del groups
    lines = lines + csv_row_list(_table(rows.columns, TIMELINE), TIMELINE)
    del rows, m
    out["timeline"].write_text("".join([lines[k] for k in order]), encoding="utf-8", newline="")
    return out


def _timeline(arts: list[_Article], events: _Rows, fact_ids: list[str], bests: list[float],
              fact_of: array, odd: dict[str, list[tuple[str, int]]], ms: list[_Milestone] | None = None) -> _Rows:
    """Events plus milestone mentions (merged across articles), in date order: the :data:`TIMELINE` rows.

    ``fact_ids``, ``bests``: of the facts in order; ``fact_of``: the fact of each figure (by number);
    ``odd``: ``{doc_id: [(figure_id, fact)]}`` of figures whose id names another article than their own;
    ``ms``: :func:`_milestones` of ``arts``, if already read.
    """
    e = events.columns
    rows = _timeline_events(e)
    if ms is None:
        ms = _milestones(arts)
    groups = _group_milestones(list(enumerate(ms)), _coverage(e))
    del ms
    _milestone_rows(rows, arts, [g for _, g in groups], fact_ids, bests, fact_of, odd)
    _normalized(rows)
    n = len(e["event_id"])
    cols = rows.columns
    order = _timeline_order(tuple(cols[c][:n] for c in ("item_id", "date_start", "date_end")),
                            tuple(cols[c][n:] for c in ("item_id", "date_start", "date_end")), groups)
    rows.columns = {c: [v[k] for k in order] for c, v in cols.items()}
    return rows


def _timeline_events(e: dict[str, list]) -> _Rows:
    """The timeline rows of events (``e``: columns of :data:`EVENTS` rows), before :func:`_normalized`."""
    rows = _Rows(TIMELINE)
    n = len(e["event_id"])
    rows.columns.update(
        item_id=list(e["event_id"]), kind=["event"] * n, type=["incident"] * n,
        date_start=list(e["date_start"]), date_end=list(e["date_end"]), date_precision=list(e["date_precision"]),
        label=list(e["summary"]), description=list(e["description"]), place_id=list(e["place_id"]),
        place=list(e["place"]), actors=[None] * n, parties=list(e["parties"]),
        best=list(e["killed_best"]), n_sources=list(e["n_sources"]), doc_ids=list(e["doc_ids"]),
        refs=list(e["figure_ids"]), event_id=list(e["event_id"]), fact_ids=list(e["fact_ids"]))
    return rows


def _coverage(e: dict[str, list]) -> dict[str, list[tuple[int, int]]]:
    """The dates of the events (``e``: their ``doc_ids``, ``date_start``, ``date_end``) of each article."""
    event_dates: dict[str, list[tuple[int, int]]] = {}
    for doc_ids, ds, de in zip(e["doc_ids"], e["date_start"], e["date_end"]):
        for d in dict.fromkeys(doc_ids.split(";")):
            event_dates.setdefault(d, []).append((ds, de))
    return event_dates


def _group_milestones(ms: list[tuple[int, _Milestone]], covered: dict[str, list[tuple[int, int]]] | None
                      ) -> list[tuple[int, list[_Milestone]]]:
    """Group milestones (each with its position in :func:`_milestones`' order, in that order): a
    milestone joins the first group (in the order they were opened) of the same name and type whose
    first milestone's dates overlap its own. Operations covered by an event of their article (its
    dates in ``covered``, see :func:`_coverage`) are left out. Each group with its first milestone's
    position. Groups of different names or types never meet: they can be grouped apart."""
    groups: list[tuple[int, list[_Milestone]]] = []
    open_groups: dict[tuple, _Dated] = {}
    for i, m in ms:
        if (m.code == "operation" and covered is not None
                and any(_overlap_ns(ds, de, m.ds, m.de) for ds, de in covered.get(m.doc, ()))):
            continue  # covered by an event of its article
        same = open_groups.setdefault((m.name, m.code), _Dated())
        for gid in same.candidates(m.ds, m.de):
            h = groups[gid][1][0]
            if _overlap_ns(h.ds, h.de, m.ds, m.de):
                groups[gid][1].append(m)
                break
        else:
            same.add(len(groups), m.ds, m.de)
            groups.append((i, [m]))
    return groups


def _milestone_rows(rows: _Rows, arts: list[_Article], groups: list[list[_Milestone]], fact_ids: list[str],
                    bests: list[float], fact_of: array, odd: dict[str, list[tuple[str, int]]]) -> None:
    """Add the timeline row of each group of milestones to ``rows`` (see :func:`_timeline`)."""
    place_name = _places.column("name")
    heads: dict[int, list[tuple[int, int]]] = {}  # article -> (row, text) of the description
    for g in groups:
        h = g[0]
        place = _places.most_specific([m.place for m in g if m.place is not None])
        names = [x for m in g for x in m.names]
        facts = {fact_of[i] for m in g for i in m.figures}
        facts.update(f for m in g for fid, f in odd.get(m.doc, ())
                     if m.s0 is not None and m.s0 <= _position(fid) < m.s1)
        ids = sorted(fact_ids[f] for f in facts)
        docs = sorted({m.doc for m in g})
        best = None
        if facts:
            known = [bests[f] for f in facts if bests[f] is not None]
            best = max(known) if known else pd.NA
        ends = [m.de for m in g if m.de is not None]
        heads.setdefault(h.article, []).append((len(rows), h.description))
        rows.add(
            item_id="m-" + min(m.mention_id for m in g), kind="milestone", type=h.code,
            date_start=max(m.ds for m in g), date_end=min(ends) if ends else None,
            date_precision=None, label=h.name, description=None,
            place_id=place, place=place_name.get(place) if place else None,
            actors=";".join(dict.fromkeys(names)) if names else None,
            parties=";".join(sorted({c for m in g for c in m.codes})) if names else None,
            best=best, n_sources=len(docs), doc_ids=";".join(docs),
            refs=";".join(sorted(m.mention_id for m in g)), event_id=None, fact_ids=";".join(ids) or None,
        )
    description = rows.columns["description"]
    for n, items in heads.items():
        texts = arts[n].texts_list()
        for row, k in items:
            description[row] = texts[k]


def _normalized(rows: _Rows) -> None:
    """Put the dates of timeline rows in order (a start after the end: swapped) and set their precision."""
    cols = rows.columns
    starts, ends = cols["date_start"], cols["date_end"]
    for i, (ds, de) in enumerate(zip(starts, ends)):
        if ds is not None and de is not None and ds > de:
            starts[i], ends[i] = de, ds
    cols["date_precision"] = [_precision(ds, de) for ds, de in zip(starts, ends)]


def _timeline_order(events: tuple[list, list, list], milestones: tuple[list, list, list],
                    groups: list[tuple[int, list[_Milestone]]]) -> list[int]:
    """The order of timeline rows (events', then milestone groups', each as ids, starts and ends; the
    groups of :func:`_group_milestones`): dates in order (missing first), id, events before milestones,
    then events' order and groups' opening order."""
    keys = []
    for part, (ids, starts, ends), seqs in ((0, events, range(len(events[0]))),
                                            (1, milestones, [i for i, _ in groups])):
        for item, ds, de, seq in zip(ids, starts, ends, seqs):
            if ds is not None and de is not None and ds > de:
                ds, de = de, ds
            keys.append((_NAT if ds is None else ds, _NAT if de is None else de, item, part, seq))
    return sorted(range(len(keys)), key=keys.__getitem__)


class _Dated:
    """Items filed by the 32-day buckets their date range (ns) reaches (open or long ranges: ``wide``).

    Two ranges that overlap (:func:`_overlap_ns`) reach a common bucket, so
    :meth:`candidates` (in the order items were added) holds every item
    overlapping a range.
    """

    WIDTH, MAX_BUCKETS = 32, 64

    def __init__(self) -> None:
        self.all: list[int] = []
        self.wide: list[int] = []
        self.buckets: dict[int, list[int]] = {}

    def _span(self, start: int | None, end: int | None) -> tuple[int, int] | None:
        if start is None or end is None:
            return None
        a, b = start // _DAY // self.WIDTH, end // _DAY // self.WIDTH
        lo, hi = min(a, b), max(a, b)
        return (lo, hi) if hi - lo <= self.MAX_BUCKETS else None

    def add(self, item: int, start: int | None, end: int | None) -> None:
        self.all.append(item)
        span = self._span(start, end)
        if span is None:
            self.wide.append(item)
            return
        for b in range(span[0], span[1] + 1):
            self.buckets.setdefault(b, []).append(item)

    def candidates(self, start: int | None, end: int | None) -> list[int]:
        span = self._span(start, end)
        if span is None:
            return self.all
        found = set(self.wide)
        for b in range(span[0], span[1] + 1):
            found.update(self.buckets.get(b, ()))
        return sorted(found)


# --- gazetteer tables ---------------------------------------------------------------------

def _with_counts(table: pd.DataFrame, key: str, counts: dict[str, int], docs: dict[str, list[str]],
                 schema: dict[str, str]) -> pd.DataFrame:
    """A gazetteer with ``n_mentions``, ``n_docs`` and ``doc_ids`` per row."""
    out = table.copy()
    keys = out[key].tolist()
    doc_ids = [";".join(sorted(set(docs[k]))) if k in docs else None for k in keys]
    out["n_mentions"] = pd.array([counts.get(k, 0) for k in keys], dtype="int64")
    out["doc_ids"] = doc_ids
    out["n_docs"] = [len(d.split(";")) if isinstance(d, str) else 0 for d in doc_ids]
    return conform(out, schema)


def _mention_counts(mentions: pd.DataFrame | None, kind: str, column: str) -> tuple[dict, dict]:
    """``{key: n}`` and ``{key: doc ids}`` of the mentions of a kind, by a column (missing keys skipped)."""
    counts: dict[str, int] = {}
    docs: dict[str, list[str]] = {}
    if mentions is None or not len(mentions):
        return counts, docs
    for k, key, doc in zip(mentions["kind"].tolist(), mentions[column].tolist(), mentions["doc_id"].tolist()):
        if k == kind and not _missing(key):
            counts[key] = counts.get(key, 0) + 1
            docs.setdefault(key, []).append(str(doc))
    return counts, docs


def places_table(mentions: pd.DataFrame | None) -> pd.DataFrame:
    """The place gazetteer with mention counts and the articles naming each place."""
    return _places_table(*_mention_counts(mentions, "place", "code"))


def actors_table(mentions: pd.DataFrame | None) -> pd.DataFrame:
    """The actor gazetteer with mention counts and the articles naming each actor."""
    return _actors_table(*_mention_counts(mentions, "actor", "name"))


def _places_table(counts: dict[str, int], docs: dict[str, list[str]]) -> pd.DataFrame:
    return _with_counts(_places.gazetteer(), "place_id", counts, docs, PLACES)


def _actors_table(counts: dict[str, int], docs: dict[str, list[str]]) -> pd.DataFrame:
    """From counts by actor name (names not in the gazetteer are left out)."""
    gaz = _places.gazetteer(_places.ACTORS_CSV)
    ids = dict(zip(gaz["name"], gaz["actor_id"]))
    by_id: dict[str, int] = {}
    docs_by_id: dict[str, list[str]] = {}
    for name, n in counts.items():
        actor = ids.get(name)
        if actor is not None and not _missing(actor):
            by_id[actor] = by_id.get(actor, 0) + n
            docs_by_id.setdefault(actor, []).extend(docs[name])
    return _with_counts(gaz, "actor_id", by_id, docs_by_id, ACTORS)


# --- the whole layer ----------------------------------------------------------------------

def derive_prepared(prepared: Iterable[Prepared], memo: BlockMemo | None = None) -> dict[str, pd.DataFrame]:
    """``{facts, events, timeline, places, actors}`` from the prepared articles of a corpus (in the
    documents' order). ``memo``: facts of blocks of figures clustered before (used and updated)."""
    return dict(iter_derived(prepared, memo))


def iter_derived(prepared: Iterable[Prepared], memo: BlockMemo | None = None,
                 digests: list[bytes] | None = None, spool: Path | None = None, ahead: Grouped | None = None
                 ) -> Iterator[tuple[str, pd.DataFrame | Path | FactRows | list[str]]]:
    """The tables of :func:`derive_prepared` as ``(name, frame)``, each as soon as it is complete, so that
    it can be written while the next is derived. Garbage collection is paused while they are derived
    (many small objects, no reference cycles: collections would only cost time). ``digests``: the
    :func:`digest` of each prepared article, if already computed (the memo's keys use them). ``spool``:
    a folder where a forked child writes the CSV rows (:func:`sahel.tables.csv_rows`) of the timeline,
    places and actors while the facts and events are derived (it reads the milestones and makes places and
    actors first, then waits for the events); those tables then come as the paths of the files, the
    facts as :class:`FactRows` and the events as their CSV lines (a list: the lines of events kept
    from the last run's memo are not made again); and ``memo`` may then be stored by a child when the
    tables are done (:meth:`BlockMemo.store`): call its :meth:`~BlockMemo.wait`. ``ahead``: the first
    articles, grouped already (:class:`Grouped`: while the others were parsed)."""
    steps = _derive(prepared, memo, digests, spool, ahead)
    while True:
        enabled = gc.isenabled()
        gc.disable()
        try:
            item = next(steps, None)
        finally:
            if enabled:
                gc.enable()
        if item is None:
            return
        yield item


def _derive(prepared: Iterable[Prepared], memo: BlockMemo | None,
            digests: list[bytes] | None, spool: Path | None = None, ahead: Grouped | None = None
            ) -> Iterator[tuple[str, pd.DataFrame | Path | FactRows | list[str]]]:
    _CONFLICTS.clear()
    prepared = list(prepared)
    if ahead is None or any(a.p is not p for a, p in zip(ahead.arts, prepared)):
        ahead = Grouped()  # (not the first articles: grouped again)
    ahead.add(prepared[len(ahead.arts):])
    arts, blocks = ahead.arts, ahead.blocks
    del prepared, ahead
    later = gazetteers = None
    if spool is not None:  # timeline, places and actors in one child, whose wait for the events is short
        later = Forked(lambda received: _spooled(arts, received, spool), fed=True)
    try:
        known = memo.known_events() if memo is not None else None  # before _facts renews the token
        facts, fact_of, odd = _facts(arts, memo, digests, blocks)
        del blocks
        if later is None:
            gazetteers = Forked(lambda: _gazetteer_tables(arts))  # in a child while events and timeline are derived
        made: dict[tuple, list | None] | None = {} if memo is not None or later is not None else None
        events = _events(facts, known, made)
        del known
        fact_ids, bests = [f.fact_id for f in facts], [f.best for f in facts]

        def send() -> None:  # the CSV lines of events (those of the last run's kept) for both tables
            _render_lines(events)
            e = events.columns
            later.send(({c: e[c] for c in ("event_id", "doc_ids", "date_start", "date_end")},  # type: ignore[union-attr]
                        [entry[2] for entry in events.entries], fact_ids, bests, fact_of, odd))

        # a few lines to make (a re-run): at once, for the child; many (a first run): once the facts are
        # written, in the memory they took
        soon = later is not None and sum(entry[1] is None for entry in events.entries) <= RENDER_SOON
        if soon:
            send()
        table = FactRows(facts) if later is not None else _table(_fact_columns(facts), FACTS)
        del facts
        yield "facts", table  # (FactRows: written by the caller, which may copy rows of the last run)
        del table
        if later is not None:
            if not soon:
                send()
            yield "events", [entry[1] for entry in events.entries]
        else:
            yield "events", _table(dict(events.columns), EVENTS)
        if later is not None:
            del fact_ids, bests, fact_of, odd, events
        if memo is not None and made is not None:
            memo.keep_events(made)  # while the timeline is made; before a child shares the rows' memory
            del made
        if memo is not None:  # blocks put later (a re-run's): now that the facts are written; by a child
            memo.store(background=spool is not None)  # with a spool (sahel parse, which waits for it)
        if later is not None:
            spooled = later.result()
            for name in ("timeline", "places", "actors"):
                yield name, spooled[name]
            return
        timeline = _timeline(arts, events, fact_ids, bests, fact_of, odd)
        del fact_ids, bests, fact_of, odd, events
        yield "timeline", _table(timeline.columns, TIMELINE)
        del timeline
        places, actors = gazetteers.result()  # type: ignore[union-attr]
    finally:
        for child in (later, gazetteers):
            if child is not None:
                child.close(kill=True)
    yield "places", places
    yield "actors", actors


class FactRows(NamedTuple):
    """The facts of a run in table order, as :func:`iter_derived` gives them with ``spool``: each has
    ``fact_id``, ``part_of``, ``event_id`` and ``kept`` (True if it is a fact of the last run's
    :class:`BlockMemo`, unchanged but maybe for those two links); :meth:`frame` makes their table."""

    facts: list[_Fact]

    @staticmethod
    def frame(facts: list[_Fact]) -> pd.DataFrame:
        """The :data:`FACTS` table of ``facts``."""
        return _table(_fact_columns(facts), FACTS)


def _gazetteer_tables(arts: list[_Article]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The places and actors tables: the gazetteers with the articles' mention counts."""
    out = []
    for start, n, make in (("places", "n_places", _places_table), ("actors", "n_actors", _actors_table)):
        counts: dict[str, int] = {}
        docs: dict[str, list[str]] = {}
        for art in arts:
            for key, k in art.counts(getattr(art, start), getattr(art, n)):
                counts[key] = counts.get(key, 0) + k
                docs.setdefault(key, []).append(art.doc)
        out.append(make(counts, docs))
    return out[0], out[1]


def _fact_columns(facts: list[_Fact]) -> dict[str, list]:
    def get(name: str) -> list:
        return [getattr(f, name) for f in facts]

    names = _places.column("name")
    docs = get("docs")
    return {
        "fact_id": get("fact_id"), "party": get("party"), "measure": get("measure"), "kind": get("kind"),
        "low": get("low"), "best": get("best"), "high": get("high"), "qualifier": get("qualifier"),
        "date_start": get("ds"), "date_end": get("de"), "date_precision": [_precision(f.ds, f.de) for f in facts],
        "date_basis": get("basis"), "n_sources": [len(d) for d in docs], "doc_ids": [";".join(d) for d in docs],
        "figure_ids": get("figure_ids"), "disputed": get("disputed"), "values": get("values"),
        "part_of": get("part_of"), "event_id": get("event_id"), "place_id": get("place"),
        "place": [names.get(p) if p else None for p in get("place")], "noun": get("noun"), "quote": get("quote"),
    }


def _table(columns: dict[str, list], schema: dict[str, str]) -> pd.DataFrame:
    """A frame of ``schema`` from column lists (dates in nanoseconds, None for missing values)."""
    out = {}
    for col, dtype in schema.items():
        values = columns.pop(col)
        if dtype == DATE:
            out[col] = np.array([_NAT if v is None else v for v in values], dtype="int64").view(DATE)
        else:
            out[col] = pd.array(values, dtype=dtype)
    return pd.DataFrame(out, index=pd.RangeIndex(len(next(iter(out.values()), ()))), copy=False)


def derive(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """``{facts, events, timeline, places, actors}`` from the parsed tables of a corpus: each article's
    rows through :func:`prepare`, then :func:`derive_prepared`."""
    return derive_prepared(_prepare_all(documents, figures, mentions))


def _prepare_all(documents: pd.DataFrame, figures: pd.DataFrame, mentions: pd.DataFrame | None) -> list[Prepared]:
    """:func:`prepare` of every article of the tables (those of ``documents`` first, in order)."""
    published = dict(zip(documents["doc_id"].astype(str), pd.to_datetime(documents["published"])))
    fc = _columns(figures, _FIGURE_COLUMNS + ("doc_id",))
    mc = _columns(mentions, _MENTION_COLUMNS + ("doc_id",))
    rows: dict[str, tuple[list[int], list[int]]] = {d: ([], []) for d in published}
    for table, cols in enumerate((fc, mc)):
        for i, d in enumerate(cols.pop("doc_id")):
            rows.setdefault(str(d), ([], []))[table].append(i)
    return [_prepare(d, _ns(published.get(d)), {c: [v[i] for i in f] for c, v in fc.items()},
                     {c: [v[i] for i in m] for c, v in mc.items()}) for d, (f, m) in rows.items()]


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
