"""One article's figures made ready for reconciliation: low/best/high (:func:`estimates`), how far two
reports of one quantity may differ (:func:`bounds`), a figure's kind, working date and basis, place,
claim and the parts it is stated as. What stays out: anything across articles. Dates are whole days
since 1970-01-01 (``int``), None when unknown.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ..extract import gazetteer as places

MEASURES = ("killed", "wounded", "captured", "deployed", "destroyed", "displaced")
STOCKS = ("deployed", "displaced")
BASES = ("sentence", "event", "published", "none")
DAY_NS = 86_400 * 10**9
EPOCH = date(1970, 1, 1).toordinal()

_REINFORCE_BEFORE = re.compile(r"\b(?:additional|extra|another|reinforcements? of)\s+(?:\w+\s+){0,2}$", re.I)
_REINFORCE_AFTER = re.compile(r"^[\d,.]+(?:-\w+)?\s+(?:\w+\s+)?(?:more|additional|extra|fresh|reinforc\w*)\b", re.I)
_CUMULATIVE = re.compile(r"\b(?:since|to date|so far|in total|total of|altogether|overall|cumulative\w*|"
                         r"in all|all told|over (?:the (?:past|last) )?(?:\w+ )?(?:years|decades?))\b", re.I)
_RUNNING = re.compile(r"\b(?:brings?|bringing|brought|total of|tally of)\s+(?:\w+\s+){0,2}$", re.I)
_ONE_EVENT = re.compile(r"\b(?:an?|the|one|single|that|this)\s+(?:[\w-]+\s+){0,3}(?:attack|assault|ambush|strike|"
                        r"air ?strike|raid|collision|crash|explosion|bombing|massacre|clash|battle)\b", re.I)
_BACK_PART = re.compile(r"\b(?:of (?:these|those|them|whom|which)|among (?:them|these|those|whom)|"
                        r"(?:of|among) the (?:[\d,.]+ )?(?:dead|victims|killed|wounded|casualties))\b", re.I)
_ATTACHED = re.compile(r"\S+(?:\s+(?:hundred|thousand|million|billion))?\s*")  # "31 of them": the number's own
_FLOW = re.compile(r"\b(?:since|(?:in|over|during) the (?:past|last))\b", re.I)
_FUTURE = re.compile(r"\b(?:expect\w*|would|will|plans?|planned|aims?|target\w*)\b", re.I)
_INCLUDING = re.compile(r"\binclud(?:ing|es|ed)\s+(?:\w+\s+){0,2}$", re.I)
_OF_THE = re.compile(r"^\s*(?:\w+\s+){0,2}of (?:the|its|their|those)\s+(?:\w+\s+){0,2}$", re.I)
_ANOTHER = re.compile(r"\banother\b", re.I)
_CLAIM = re.compile(r"\b(?:claim\w*|propaganda|according to (?:the )?(?:group|jihadists|militants|insurgents)|"
                    r"local (?:officials?|sources|residents|authorities|leaders|elected officials))\b", re.I)
_LATER = re.compile(r"\b(?:rose|risen|rising|climbed|increased|revised(?: \w+)?|now|updated|new toll|later)\s+"
                    r"(?:\w+\s+){0,3}$", re.I)
_EARLIER = re.compile(r"\b(?:initial(?:ly)?|first|earlier|previous(?:ly)?|from|had (?:said|reported))\s+"
                      r"(?:\w+\s+){0,3}$", re.I)
LINKED = re.compile(r"\b(?:rose|risen|climbed|revised|initial(?:ly)?|provisional|preliminary|final toll|"
                    r"first (?:toll|count|report)\w*|"
                    r"earlier (?:toll|count|report)\w*|up from|down from|claim\w*|contradict\w*|disputed|"
                    r"(?:put|gave|gives|puts|lowered|raised) the (?:death )?toll|(?:fewer|more) than the)\b", re.I)
"""Cues that two counts of one sentence or of adjacent sentences report one quantity (revisions, claims)."""


def estimates(value: float, value_high: float | None = None, qualifier: str | None = None
              ) -> tuple[float, float, float | None]:
    """``(low, best, high)`` one reported figure supports, the one rule used everywhere: its value;
    ``at_least`` leaves ``high`` open (None), ``at_most`` starts at 0, a range spans its two ends."""
    v = float(value)
    q = qualifier or "exact"
    if q == "at_least":
        return v, v, None
    if q == "at_most":
        return 0.0, v, v
    if q == "range" and value_high is not None and not pd.isna(value_high):
        return v, v, float(value_high)
    return v, v, v


_SLACK = {"approx": (0.8, 1.2, 0.985, 1.015), "at_least": (1, 1.5, 1, 1.05), "at_most": (0.5, 1, 0.95, 1)}


def bounds(value: float, value_high: float | None, qualifier: str | None, tight: bool = False
           ) -> tuple[float, float]:
    """The values a report is compatible with, for matching reports (never for reporting); ``tight``
    for levels and running totals, whose "about" is closer than an incident's first estimate."""
    if qualifier == "range" and value_high is not None:
        return value, value_high
    lo, hi = _SLACK.get(qualifier or "exact", (1, 1, 1, 1))[2 * tight:2 * tight + 2]
    return value * lo, value * hi


def precision(ds: int | None, de: int | None) -> str | None:
    """``day, week, month, year`` or ``period`` of a date range in days (None if undated)."""
    if ds is None or de is None:
        return None if ds is None and de is None else "period"
    if ds == de:
        return "day"
    a, b = date.fromordinal(EPOCH + ds), date.fromordinal(EPOCH + de)
    if a.day == 1 and (b + timedelta(days=1)).day == 1 and (a.year, a.month) == (b.year, b.month):
        return "month"
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year:
        return "year"
    return "week" if de - ds <= 10 else "period"


@dataclass(slots=True, eq=False)
class Fig:
    """A figure with what reconciliation needs of it (dates in days; None: unknown)."""

    fid: str
    doc: str
    order: int          # the article's place in report order (publication, then doc id)
    pub: int | None
    party: str
    measure: str
    noun: str | None
    value: float
    value_high: float | None
    qualifier: str
    ds: int | None
    de: int | None
    sentence: int
    pos: int            # where the figure starts in the article
    at: int             # where it starts in its quote (-1: unknown)
    quote: str
    date_text: str | None = None  # the date expression the extraction dated the figure by
    place: str | None = None
    kind: str = "incident"
    basis: str = "none"
    part_of: str | None = None
    claim: bool = False
    future: bool = False  # a level expected or planned ("expect the number to reach about 4,000")
    revision: int = 0   # 1: a revised count ("rose to"), -1: a first count ("initially"), 0: neither
    lo: float = 0.0     # bounds() of the figure
    hi: float = 0.0

    @property
    def precise(self) -> bool:
        return self.ds is not None and self.de is not None and self.de - self.ds <= 7 and self.basis != "published"


def figure_kind(f: Fig) -> str:
    """``incident``, ``cumulative`` or ``stock`` by the figure's sentence and dates: a deployment is
    an incident only when it adds to a force ("600 more soldiers", "a 600-strong reinforcement")."""
    before, quote = _before(f), f.quote
    if f.measure in STOCKS:
        sent = _REINFORCE_BEFORE.search(before) or _REINFORCE_AFTER.search(quote[f.at:f.at + 60] if f.at >= 0 else "")
        return "incident" if f.measure == "deployed" and sent else "stock"
    if f.ds is not None and f.de is not None:
        if f.de - f.ds <= 45 and not has(_THIS_YEAR, quote):
            return "incident"
        return "incident" if has(_ONE_EVENT, quote) and not _RUNNING.search(before) else "cumulative"
    return "cumulative" if f.ds is not None or f.de is not None or has(_CUMULATIVE, quote) else "incident"


def annotate(figs: list[Fig], places_at: dict[int, list[tuple[int, str]]],
             operations: list[tuple[int, int, int]]) -> None:
    """Kind, place, claim, revision, parts and working dates of one article's figures (in place);
    ``places_at``: sentence -> [(position, place_id)]; ``operations``: [(sentence, start, end)]."""
    for f in figs:
        _periods(f)
        f.kind = figure_kind(f)
        f.lo, f.hi = bounds(f.value, f.value_high, f.qualifier, tight=f.kind != "incident")
        f.basis = "sentence" if f.ds is not None or f.de is not None else "none"
        if f.kind == "incident" and (f.ds is None) != (f.de is None):  # a deployment "to date": as of then
            f.ds = f.de = f.de if f.ds is None else f.ds
        lo, hi = (f.pos - f.at + x for x in _around(f, _PART_BREAK))
        here = sorted((h for h in places_at.get(f.sentence, ()) if lo <= h[0] < hi),
                      key=lambda h: (h[0] > f.pos, abs(h[0] - f.pos)))
        local = [p for _, p in here if places.column("kind").get(p) in ("town", "village")]
        f.place = local[0] if local else places.most_specific([p for _, p in here])  # the nearest locality
        a, b = _around(f, _CLAUSE)  # a claim (of a party, of local sources) in the figure's clause
        f.claim = has(_CLAIM, f.quote) and bool(_CLAIM.search(f.quote[a:b]))
        f.future = f.kind == "stock" and bool(_FUTURE.search(f.quote[a:max(a, f.at)]))
        f.revision = 1 if _LATER.search(_before(f)) else -1 if _EARLIER.search(_before(f)) else 0
    find_parts(figs)
    for f in (f for f in figs if f.measure == "displaced" and f.part_of and has(_FLOW, f.quote)):
        f.kind = "cumulative"  # a flow stated inside a stock: "a million of those in the past year"
    _date_undated(figs, operations)


def has(rx: re.Pattern, quote: str) -> bool:
    """Whether ``rx`` occurs in a sentence."""
    return bool(_ends(rx.pattern, rx.flags, quote))


@functools.lru_cache(maxsize=32768)
def _ends(pattern: str, flags: int, quote: str) -> list[int]:
    """Where the matches of a pattern end in a sentence (remembered: a sentence holds several figures;
    by the pattern's text: hashing a compiled pattern is slow)."""
    return [m.end() for m in re.compile(pattern, flags).finditer(quote)]


_CLAUSE = re.compile(r"[,;:]|\b(?:while|whereas|but)\b", re.I)
_PART_BREAK = re.compile(r";|,\s+(?:and|while|whereas|but|after|before)\b|\band (?:on|in) |\band (?=\d)", re.I)
"""Where a part of a sentence ends: "71 were killed at Inates; on 9 January, 89 at …"."""


def _around(f: Fig, breaks: re.Pattern) -> tuple[int, int]:
    """Where the stretch of its sentence between two ``breaks`` a figure stands in starts and ends."""
    if f.at < 0:
        return 0, len(f.quote)
    cuts = _ends(breaks.pattern, breaks.flags, f.quote)
    k = bisect.bisect_right(cuts, f.at)
    return cuts[k - 1] if k else 0, cuts[k] if k < len(cuts) else len(f.quote)


_SINCE = re.compile(r"\bsince\b(?:\s+[\w-]+){0,6}?\s+(?:in\s+)?$", re.I)
_WHEN = re.compile(r"\b(?:when|where)\b", re.I)
_THIS_YEAR = re.compile(r"\b(?:so far|to date)\s+this year\b", re.I)


def _periods(f: Fig) -> None:
    """The codebook's running periods where the figure's date leaves them out: "since January 2013"
    runs to publication, "so far this year" from January 1 (a date the sentence gives only as a start)."""
    if f.pub is not None and f.ds is not None and f.de < f.pub and f.date_text and (
            at := f.quote.find(f.date_text)) > 0 and _SINCE.search(f.quote[max(0, at - 60):at]) and not (
            f.at > at and _WHEN.search(f.quote[at:f.at])):  # "since Koutougou in August 2019, when 24 died"
        f.de = f.pub
    elif f.pub is not None and f.ds is None and has(_THIS_YEAR, f.quote):
        f.ds, f.de = date(date.fromordinal(EPOCH + f.pub).year, 1, 1).toordinal() - EPOCH, f.pub


def _before(f: Fig, width: int = 40) -> str:
    return f.quote[max(0, f.at - width):f.at] if f.at >= 0 else ""


def find_parts(figs: list[Fig]) -> None:
    """Set ``part_of`` of figures stated as a subset of another of the article: "of these", "among
    them", "including": the nearest larger figure of the measure before (this sentence or the two
    before, its party first); "12 of the 30": the next figure; two to four figures of the next
    sentences (not a longer list) whose sum matches an aggregate of their party and measure."""
    order = sorted(figs, key=lambda f: (f.sentence, f.pos))
    by_sentence: dict[int, list[Fig]] = {}
    for f in order:
        by_sentence.setdefault(f.sentence, []).append(f)
    for k, f in enumerate(order):
        if k + 1 < len(order) and order[k + 1].sentence == f.sentence and _OF_THE.match(
                f.quote[f.at:order[k + 1].at].split(" ", 1)[-1] + " " if f.at >= 0 else ""):
            nxt = order[k + 1]
            if nxt.measure == f.measure and nxt.value > f.value:
                f.part_of = nxt.fid
                continue
        prior = [p for s in (f.sentence - 2, f.sentence - 1, f.sentence) for p in by_sentence.get(s, ())
                 if p.pos < f.pos and p.measure == f.measure and p.value > f.value and p.part_of is None
                 and p.party in (f.party, "UNKNOWN")]  # (an all-sides count holds any party)
        if prior and (_back_part(f, by_sentence[f.sentence]) or _INCLUDING.search(_before(f))):
            f.part_of = sorted(prior, key=lambda p: p.party == f.party)[-1].fid
    sentences = sorted(by_sentence)
    index = {s: k for k, s in enumerate(sentences)}
    for agg in order:
        if agg.part_of is not None or agg.kind == "stock":
            continue
        later = sentences[index[agg.sentence] + 1:index[agg.sentence] + 6]
        windows = [[s] for s in later] + [[a, b] for a, b in zip(later, later[1:]) if b - a == 1]
        pools = [[o for s in w for o in by_sentence[s] if o.part_of is None and o.party == agg.party
                  and o.measure == agg.measure and o.value < agg.value] for w in windows]
        combos = [c for pool in pools if len(pool) <= 4 for n in range(2, len(pool) + 1)  # (more: a list)
                  for c in itertools.combinations(pool, n)
                  if sum(x.lo for x in c) <= agg.hi and sum(x.hi for x in c) >= agg.lo]
        gaps = [abs(sum(x.value for x in c) - agg.value) / agg.value for c in combos]
        best = min(range(len(combos)), key=gaps.__getitem__, default=None)
        for part in combos[best] if best is not None and gaps[best] <= 0.15 else ():
            part.part_of = agg.fid


def _back_part(f: Fig, here: list[Fig]) -> bool:
    """Whether "of these", "among them" … makes ``f`` a part: right after its number ("31 of them"), or
    before it and not right after another number ("35 civilians, 31 of them women, along with seven soldiers")."""
    def own(g: Fig, m: re.Match) -> bool:
        return 0 <= g.at < m.start() and bool(_ATTACHED.fullmatch(f.quote, g.at, m.start()))
    return has(_BACK_PART, f.quote) and (f.at < 0 or any(own(f, m) or (m.end() <= f.at and not any(
        own(g, m) for g in here if g is not f)) for m in _BACK_PART.finditer(f.quote)))


def _date_undated(figs: list[Fig], operations: list[tuple[int, int, int]]) -> None:
    """Working dates of the figures without their own (codebook, "Dates of facts"): a part takes its
    aggregate's, an undated aggregate the span of its dated parts; an undated incident a dated
    incident's of its sentence or the one before, else the nearest dated operation's (not "another"
    one): basis ``event``; else some time before publication (no start, end = publication): ``published``."""
    by_id = {f.fid: f for f in figs}
    dated_in: dict[int, Fig] = {}
    parts: dict[str | None, list[Fig]] = {}
    for f in figs:
        if f.kind == "incident" and f.basis == "sentence" and f.ds is not None:
            dated_in.setdefault(f.sentence, f)
            parts.setdefault(f.part_of, []).append(f)
    for f in figs:  # an undated total of dated parts ("five in the days before": 3 on 28 Dec, 2 on 2 Jan)
        if f.basis == "none" and f.kind == "incident" and len(parts.get(f.fid, ())) > 1:
            f.ds, f.de, f.basis = min(p.ds for p in parts[f.fid]), max(p.de for p in parts[f.fid]), "event"
            f.kind = "cumulative" if f.de > f.ds else "incident"
            f.lo, f.hi = bounds(f.value, f.value_high, f.qualifier, tight=f.kind != "incident")
    for f in sorted(figs, key=lambda f: f.part_of is not None):
        agg = by_id.get(f.part_of) if f.part_of else None
        f.place = f.place or (agg.place if agg else None)  # where its aggregate is, unless its clause says
        if f.basis != "none":
            continue
        if agg is not None and agg.basis != "none":  # a part: its aggregate's kind and dates
            f.kind = agg.kind if agg.kind != "stock" else f.kind
            f.lo, f.hi = bounds(f.value, f.value_high, f.qualifier, tight=f.kind != "incident")
            f.ds, f.de, f.basis = agg.ds, agg.de, "event" if agg.basis in ("sentence", "event") else agg.basis
            continue
        event = next(((d.ds, d.de) for d in map(dated_in.get, (f.sentence, f.sentence - 1)) if d), None)
        if event is None and not has(_ANOTHER, f.quote):
            ops = [o for o in operations if f.pub is None or o[1] <= f.pub]
            event = min(ops, key=lambda o: (abs(o[0] - f.sentence), o[0]))[1:] if ops else None
        if event is not None and f.kind == "incident":
            (f.ds, f.de), f.basis = event, "event"
        elif f.pub is not None:
            f.ds, f.de, f.basis = None, f.pub, "published"
