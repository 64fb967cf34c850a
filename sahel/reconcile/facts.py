"""Figures to facts: one fact for every report of one real-world quantity (restatements, revised tolls,
claims and official counts of one incident, running totals and levels reported again), and the fact rows.
Scale: an article's groups of reports are matched against earlier facts through a dict of keys (party,
measure, kind and a week, place, value or quarter), the latest few of each key: no step compares all pairs.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

from ..extract import gazetteer as places
from .figures import BASES, LINKED, STOCKS, Fig, bounds, estimates, has, precision

WINDOW = {"cumulative": 400, "stock": 1000}  # days two reports of a running total / level may be apart
UNDATED_REACH = 400  # an undated incident can be the incident dated up to this many days before publication
DAY_SLIP = 1  # days two reports' dates of one incident may be apart ("on Monday" said on Tuesday)
SAME_PLACE_SLIP = 92  # ... when both give one value at one locality (a date misread from a nearby clause)
DEPLOYMENT_GAP = 62  # days between the announcement and the arrival of one reinforcement
RECENT = 4  # the facts of one key a report is compared with: the latest (linear in the corpus)
QUARTER = 91  # days of the time buckets undated reports are matched by


class Fact:
    """The figures of one fact and summaries that decide whether another report is the same quantity:
    incidents keep the common period of their dated reports, running totals and levels the span."""

    def __init__(self) -> None:
        self.members: list[Fig] = []
        self.docs: set[str] = set()
        self.places: set[str] = set()
        self.values: set[tuple] = set()  # (value, value_high) reported
        self.ds = self.de = None
        self.min_lo = self.min_hi = self.min_best = self.min_pub = math.inf
        self.max_lo = self.max_hi = self.max_best = self.max_pub = -math.inf
        self.precise = True  # every dated report within a week

    def add(self, f: Fig) -> None:
        self.members.append(f)
        self.docs.add(f.doc)
        self.values.add((f.value, f.value_high))
        if f.place:
            self.places.add(f.place)
        self.min_lo, self.max_hi = min(self.min_lo, f.lo), max(self.max_hi, f.hi)
        self.min_hi, self.max_lo = min(self.min_hi, f.hi), max(self.max_lo, f.lo)
        self.min_best, self.max_best = min(self.min_best, f.value), max(self.max_best, f.value)
        if f.pub is not None:
            self.min_pub, self.max_pub = min(self.min_pub, f.pub), max(self.max_pub, f.pub)
        if f.basis == "published" and f.kind == "incident":
            return
        self.precise = self.precise and f.precise
        if f.kind == "incident" and (self.ds is None or f.ds is None):
            self.ds, self.de = (self.ds, self.de) if f.ds is None else (f.ds, f.de)
        elif f.kind == "incident":  # the common period, else (dates that slipped) both
            ds, de = max(self.ds, f.ds), min(self.de, f.de)
            self.ds, self.de = (ds, de) if ds <= de else (min(self.ds, f.ds), max(self.de, f.de))
        elif (end := f.de if f.de is not None else f.ds) is not None:  # running totals, levels: the span
            self.ds, self.de = (end, end) if self.ds is None else (min(self.ds, end), max(self.de, end))

    def agrees(self, f: Fig) -> bool:
        """Whether ``f``'s value lies in the spread of an incident's reported values (revised tolls,
        claims), or agrees with every reported value of a running total or level."""
        if f.kind == "incident":
            return f.lo <= self.max_hi and self.min_lo <= f.hi
        return f.lo <= self.min_hi and self.max_lo <= f.hi

    def slip(self, f: Fig) -> int:
        """Days ``f``'s dates may be off: a day ("on Monday" said on Tuesday); at the same town or village a
        week, months for a value reported already (a date misread from a nearby clause)."""
        if f.place not in self.places or places.column("kind").get(f.place) not in ("town", "village"):
            return DAY_SLIP
        return SAME_PLACE_SLIP if (f.value, f.value_high) in self.values else 7

    def accepts(self, g: list[Fig]) -> bool:
        """Whether an article's group of reports ``g`` (one value) is this fact, reported again."""
        f = g[0]
        if f.doc in self.docs and (f.kind == "incident" or not self.agrees(f)):
            return False
        if f.kind != "incident":
            apart = max(abs(f.de - self.ds), abs(f.de - self.de)) if f.de is not None and self.ds is not None else 0
            return apart <= WINDOW[f.kind] and (self.agrees(f) or (  # or one level, disputed
                f.kind == "stock" and apart <= 31 and self.ratio(f) <= 1.1))
        if f.ds is None and f.pub is None:
            return False
        elif f.basis == "published":  # some time before publication: the same count of an earlier incident
            ok = self.agrees(f) and (0 <= f.pub - self.ds <= UNDATED_REACH if self.ds is not None
                                     else max(f.pub - self.min_pub, self.max_pub - f.pub) <= UNDATED_REACH)
        elif self.ds is None:  # reported before as undated: published after this incident, within reach
            ok = self.agrees(f) and 0 <= self.min_pub - f.ds and self.max_pub - f.ds <= UNDATED_REACH
        elif f.measure in STOCKS:  # a deployment: one value, announced and carried out weeks apart
            ok = self.agrees(f) and max(f.ds - self.de, self.ds - f.de) <= DEPLOYMENT_GAP
        elif (gap := max(f.ds - self.de, self.ds - f.de)) > DAY_SLIP and gap > self.slip(f):  # (slip >= a day)
            return False
        else:
            ok = self.agrees(f) or self.ratio(f) <= (4 if f.precise and self.precise else 1.25)
        return ok and not any(place_conflict(f.place, p) for p in self.places)

    def ratio(self, f: Fig) -> float:
        """How far apart the largest and smallest value are with ``f``'s."""
        return max(self.max_best, f.value) / max(min(self.min_best, f.value), 1)


def place_conflict(a: str | None, b: str | None) -> bool:
    """Two distinct towns or villages are two places; a country, region, area or border may hold either."""
    if not a or not b or a == b:
        return False
    kinds = places.column("kind")
    return kinds.get(a) in ("town", "village") and kinds.get(b) in ("town", "village")


def components(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The groups of ``n`` items joined by ``pairs`` (union-find), in order of their first items."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[find(a)] = find(b)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(find(i), []).append(i)
    return list(out.values())


def _overlap(a: Fig, b: Fig) -> bool:
    return a.ds is None or b.ds is None or not (a.ds > b.de or a.de < b.ds)


def group_article(figs: list[Fig]) -> list[list[Fig]]:
    """One article's figures in groups reporting one quantity: restatements of one value (dates, places
    compatible) and counts linked by a revision or claim (:data:`~.figures.LINKED`) in nearby sentences."""
    pairs = []
    same: dict[tuple, list[int]] = {}
    for i in sorted(range(len(figs)), key=lambda i: (figs[i].basis != "sentence", figs[i].pos)):
        f = figs[i]
        key = (f.party, f.measure, f.kind, f.value, f.value_high, f.part_of is None)
        for j in same.setdefault(key, [])[-8:]:  # (the last few dates of one value: linear in a long log)
            if ("published" in (f.basis, figs[j].basis) or _overlap(f, figs[j])) and not place_conflict(
                    f.place, figs[j].place) and f.sentence != figs[j].sentence:  # ("35 at A and 35 at B")
                pairs.append((i, j))
                break
        else:
            same[key].append(i)
    by_sentence: dict[tuple, list[int]] = {}
    for i, f in enumerate(figs):
        if f.kind == "incident" and f.part_of is None:
            by_sentence.setdefault((f.party, f.measure, f.sentence), []).append(i)
    for (party, measure, s), here in by_sentence.items():
        before = next((b for d in (1, 2, 3) if (b := by_sentence.get((party, measure, s - d)))), [])
        near = before + here + by_sentence.get((party, measure, s + 1), [])
        if len(near) > 1 and any(has(LINKED, figs[i].quote) for i in here):
            pairs += [(here[0], j) for j in near if _overlap(figs[here[0]], figs[j])]
    return [[figs[i] for i in g] for g in components(len(figs), pairs)]


def _keys(f: Fig, query: bool) -> Iterable[tuple]:
    block = (f.party, f.measure, f.kind)
    if f.kind != "incident":  # a value bucket (ratio 1.25) and the end date's bucket of the window
        b = round(math.log(max(f.value, 1), 1.25))
        t = f.de // WINDOW[f.kind] if f.de is not None else None
        if not query:
            return [(*block, b, t)]
        times = (t - 1, t, t + 1) if t is not None else (None,)
        return [(*block, v, w) for v in (b - 1, b, b + 1) for w in times]  # (tight bounds: within 1.25)
    if f.ds is None and f.pub is None:  # undated in an undated article: nothing to match it by
        return []
    values = (f.value,) if f.value_high is None else (f.value, f.value_high)  # (the two ends of a range)
    if f.basis == "published":  # an undated report: the same value, dated up to a year before publication
        q = f.pub // QUARTER
        if query:
            reach = range(q - UNDATED_REACH // QUARTER - 1, q + 1)
            return [(*block, t, v, m) for t in "vu" for v in values for m in reach]
        return [(*block, "u", v, q) for v in values]
    weeks = range(f.ds // 7, f.de // 7 + 1) if f.de - f.ds <= 70 else [("wide",)]
    keys = [(*block, w) for w in weeks]
    if f.place:  # at one locality: the same value, or a week either side
        near = range(f.ds // 7 - 1, f.de // 7 + 2) if query and f.de - f.ds <= 70 else weeks
        keys += [(*block, "p", f.place, v) for v in values] + [(*block, "p", f.place, w) for w in near]
    if not query:  # a dated incident can be the one an undated report refers to
        keys += [(*block, "v", v, m) for v in values for m in range(f.ds // QUARTER, f.de // QUARTER + 1)]
    else:  # and an undated report published after it can be this one; a long period holds it
        keys += [(*block, "u", v, m) for v in values
                 for m in range(f.ds // QUARTER, (f.de + UNDATED_REACH) // QUARTER + 1)]
        if f.de - f.ds > 70:  # ("a 600-strong reinforcement last year": the one dated in it)
            keys += [(*block, "v", v, m) for v in values
                     for m in range(f.ds // QUARTER, min(f.de, f.ds + 400) // QUARTER + 1)]
    return keys + ([(*block, ("wide",))] if query else [])


def cluster(articles: list[list[Fig]]) -> list[list[Fig]]:
    """The figures of each fact of the articles' annotated figures (articles in report order)."""
    facts: list[Fact] = []
    index: dict[tuple, list[Fact]] = {}  # facts by keys a report of the same quantity shares with them
    for figs in articles:
        fact_of: dict[str, Fact] = {}  # (parts and their aggregate: of one article)
        groups = group_article(figs)
        groups.sort(key=lambda g: (g[0].part_of is not None, g[0].basis == "published", min(f.pos for f in g)))
        for g in groups:
            g.sort(key=lambda f: (BASES.index(f.basis), f.pos))
            head = g[0]
            cands = {c for key in _keys(head, query=True) for c in index.get(key, ())[-RECENT:]}  # (min: one order)
            found = min((c for c in cands if c.accepts(g)), default=None, key=lambda c: (
                not c.agrees(head), abs(c.de - head.de) if c.ds is not None and head.de is not None else 0,
                c.members[0].fid))
            if found is None and head.kind == "cumulative" and head.basis == "sentence" and head.ds is not None:
                found = _incident_in(head, g, index)
            whole = fact_of.get(head.part_of) if head.part_of else None  # one part of one aggregate:
            part = (head.party, head.measure, "part", id(whole))  # "19 (later 49) of them were gendarmes"
            if found is None and whole is not None:
                found = next((c for c in index.get(part, ()) if head.doc not in c.docs), None)
            if found is None:
                found = Fact()
                facts.append(found)
            for f in g:
                found.add(f)
                fact_of[f.fid] = found
            for key in _keys(head, query=False) + ([part] if whole is not None else []):
                index.setdefault(key, []).append(found)
    return [fact.members for fact in facts]


def _incident_in(head: Fig, g: list[Fig], index: dict[tuple, list[Fact]]) -> Fact | None:
    """The dated incident a count over a period ("last year, six aid workers were killed") restates:
    one of the same value inside that period. The reports become reports of that incident."""
    months = range(head.ds // QUARTER, head.de // QUARTER + 1)
    for c in (c for m in months for c in index.get((head.party, head.measure, "incident", "v", head.value, m), ())):
        if head.doc not in c.docs and c.ds is not None and head.ds <= c.ds and c.de <= head.de:
            for f in g:
                f.kind, (f.lo, f.hi) = "incident", bounds(f.value, f.value_high, f.qualifier)
            return c
    return None


def fact_rows(facts: list[list[Fig]]) -> list[dict]:
    """The :data:`~sahel.schema.FACTS` rows of the facts (their figures; dates in days; event_id left empty)."""
    rows = []
    fact_of = {f.fid: k for k, fact in enumerate(facts) for f in fact}
    ids = ["f-" + min(m.fid for m in fact) for fact in facts]
    for fact in facts:
        ms = sorted(fact, key=lambda f: (f.order, f.revision, f.pos))
        lead = ([m for m in ms if not m.claim] or ms)[-1]  # the latest report that is not a claim
        est = [estimates(m.value, m.value_high, m.qualifier) for m in ms]
        low = min(e[0] for e in est)
        top = max(e[2] if e[2] is not None else e[1] for e in est)  # the spread of the reported values;
        high = None if lead.qualifier == "at_least" else top  # open if its best is "more than"
        disputed = len({(m.value, m.value_high) for m in ms}) > 1
        best = min(max(lead.value, low), high) if high is not None else max(lead.value, low)
        qual = "at_least" if high is None else ("range" if low != high else "exact") if disputed else lead.qualifier
        ds, de, basis = _dates(ms)
        parents = {ids[fact_of[m.part_of]] for m in ms if m.part_of in fact_of} - {ids[len(rows)]}
        place = places.most_specific([m.place for m in ms if m.place])
        docs = sorted({m.doc for m in ms})
        rows.append({
            "fact_id": ids[len(rows)], "kind": lead.kind, "party": lead.party, "measure": lead.measure,
            "noun": ms[0].noun, "low": low, "best": float(best), "high": high, "qualifier": qual,
            "date_start": ds, "date_end": de, "date_precision": precision(ds, de), "date_basis": basis,
            "n_sources": len(docs), "n_figures": len(ms), "doc_ids": ";".join(docs),
            "figure_ids": ";".join(sorted(m.fid for m in ms)), "disputed": disputed,
            "values": "; ".join(f"{_fmt(m.value, m.value_high)} ({m.fid})" for m in ms),
            "part_of": min(parents) if parents else None, "event_id": None, "place_id": place,
            "place": places.column("name").get(place) if place else None,
            "quote": min(ms, key=lambda m: (BASES.index(m.basis), m.order, m.pos)).quote,
            "_members": ms,
        })
    return break_part_cycles(rows)


def break_part_cycles(rows: list[dict]) -> list[dict]:
    """Facts that are parts of one another (a cycle of ``part_of``): the largest is the aggregate."""
    by_id = {r["fact_id"]: r for r in rows}
    for r in rows:
        seen: list[str] = []
        cur = r
        while cur is not None and cur["part_of"] and cur["fact_id"] not in seen:
            seen.append(cur["fact_id"])
            cur = by_id.get(cur["part_of"])
        if cur is not None and cur["fact_id"] in seen:
            cycle = [by_id[i] for i in seen[seen.index(cur["fact_id"]):]]
            max(cycle, key=lambda x: (x["best"], x["fact_id"]))["part_of"] = None
    return rows


def _dates(ms: list[Fig]) -> tuple[int | None, int | None, str]:
    """A fact's period and basis: incidents the period most dated reports share, running totals from the
    earliest start to the earliest end a source gives, levels their most precise dated report's."""
    basis = min((m.basis for m in ms), key=BASES.index)
    kind = ms[0].kind
    if kind == "incident":
        dated = [m for m in ms if m.basis != "published" and m.ds is not None]
        if not dated:
            pub = min((m.pub for m in ms if m.pub is not None), default=None)
            return None, pub, basis if pub is not None else "none"
        starts, ends = sorted(m.ds for m in dated), sorted(m.de for m in dated)
        # the report whose period most others share (then the narrowest): a misdated report is outvoted
        lead = min(dated, key=lambda m: (bisect.bisect_left(ends, m.ds) + len(starts) - bisect.bisect_right(
            starts, m.de), m.de - m.ds, m.order, m.pos))
        near = [m for m in dated if not (m.ds > lead.de or m.de < lead.ds)]
        ds, de = max(m.ds for m in near), min(m.de for m in near)
        return (ds, de, basis) if ds <= de else (lead.ds, lead.de, basis)
    if kind == "cumulative":
        ends = [m.de for m in ms if m.de is not None]
        return min((m.ds for m in ms if m.ds is not None), default=None), min(ends, default=None), basis
    # a level: as its most precise dated report dates it ("from 4,500 to 5,100": 4,500 is the level
    # before that date), else some time before its earliest report that is not an expected level
    dated = [m for m in ms if m.basis != "published" and m.de is not None and m.revision != -1]
    if dated:
        m = min(dated, key=lambda m: (m.de - (m.ds if m.ds is not None else m.de), m.order, m.pos))
        return (m.ds if m.ds is not None else m.de), m.de, "sentence"
    reported = [m for m in ms if not m.future] or ms
    pub = min((m.pub for m in reported if m.pub is not None), default=None)
    return None, pub, "published" if pub is not None else "none"


def _fmt(value: float, high: float | None) -> str:
    return "-".join(f"{v:.0f}" if float(v).is_integer() else f"{v:g}" for v in (value, high) if v is not None)
