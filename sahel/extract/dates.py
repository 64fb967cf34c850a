"""Date expressions in a sentence, resolved against the publication date (``docs/codebook.md``, Dates).

A date of a statement ("said on Tuesday"), a deadline ("by mid-October") or another event ("which
began in 2014") is flagged (``DateMention.ignore``). What stays out: which date dates a figure (:mod:`.figures`).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from . import lexicon as lx
from .text import fold_case, prefix_tree

MONTHS = {w: int(v) for w, v in lx.table("month").items()}
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_M = rf"(?P<month>{_MONTH_NAMES})\.?"
_W = r"(?:" + "|".join(WEEKDAYS) + r")"
_Y = r"(?P<year>(?:19|20)\d\d)"
_PREP_WORDS = ("in", "during", "throughout", "since", "from", "by", "until", "on", "over")
_PREP = r"(?P<prep>" + "|".join(_PREP_WORDS) + ")"
_PART_DAYS = {"early": (1, 10), "beginning": (1, 10), "start": (1, 10), "mid": (11, 20), "middle": (11, 20)}
"""Days of a month's part (early, "the beginning of" …); "late" and "the end of": the 21st to the end."""
_D2 = r"(?:\s*(?:and|-|to)\s*(?P<day2>\d{1,2})(?:st|nd|rd|th)?)?"  # the last day of a range: "March 27 and 31"


def _starts(*words: tuple[str, ...] | list[str], digit: bool = False) -> str:
    """A look-ahead for the words (or a digit) a pattern can begin with: a cheap first test."""
    tree = prefix_tree(w for group in words for w in group)
    return rf"(?=\d|{tree})" if digit else rf"(?={tree})"


# (kind, pattern, the kinds of date word each of its matches contains: see _signals)
_PATTERNS: list[tuple[str, str, frozenset[str]]] = [
    ("day", _starts(_PREP_WORDS, WEEKDAYS, ["the"], digit=True)
     + rf"(?:{_PREP}\s+)?(?:{_W},?\s+)?(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_D2}\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?\b",
     frozenset({"month", "digit"})),
    ("day", _starts(_PREP_WORDS, WEEKDAYS, MONTHS)
     + rf"(?:{_PREP}\s+)?(?:{_W},?\s+)?{_M}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?{_D2}\b(?:,?\s+{_Y}\b)?",
     frozenset({"month", "digit"})),
    ("part", _starts(_PREP_WORDS, ["early", "mid", "late", "the"])
     + rf"(?:{_PREP}\s+)?(?P<part>early|mid|late|the\s+(?:end|beginning|start|middle)\s+of)[\s-]+{_M}(?:\s+{_Y})?\b",
     frozenset({"month", "part"})),
    ("months", _starts(_PREP_WORDS, MONTHS) + rf"(?:{_PREP}\s+)?{_M}\s+and\s+(?P<month2>{_MONTH_NAMES})\b(?:\s+{_Y}\b)?",
     frozenset({"months"})),
    ("month", _starts(_PREP_WORDS, MONTHS) + rf"(?:{_PREP}\s+)?{_M}\s+{_Y}\b", frozenset({"month", "year"})),
    ("month", _starts(_PREP_WORDS, MONTHS) + rf"(?:{_PREP}\s+)?{_M}\s+(?:of\s+)?(?P<lastyear>last\s+year)\b",
     frozenset({"month", "last"})),
    ("years", r"(?P<prep>between|from)\s+(?P<y1>(?:19|20)\d\d)\s+(?:and|to|until|through)\s+(?P<y2>(?:19|20)\d\d)\b",
     frozenset({"year", "range"})),
    ("month", _starts(_PREP_WORDS, ["last", "this"]) + rf"(?:{_PREP}|(?P<last>last|this))\s+(?:the\s+month\s+of\s+)?{_M}\b",
     frozenset({"month"})),
    ("year", _starts(_PREP_WORDS) + rf"{_PREP}\s+{_Y}\b", frozenset({"year"})),
    ("last", r"(?P<last>last|past|previous)\s+(?P<unit>week|month|year)\b", frozenset({"last"})),
    ("weekday", _starts(["on", "since", "last", "by", "until"], WEEKDAYS)
     + rf"(?:(?P<prep>on|since|last|by|until)\s+)?(?P<wd>{_W})\b", frozenset({"weekday"})),
    ("yesterday", r"(?P<wd>yesterday)\b", frozenset({"yesterday"})),
    ("dom", r"(?:on\s+)?the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)\b", frozenset({"ordinal"})),
    ("todate", r"(?=so|to)(?P<todate>so\s+far\s+this\s+year|to\s+date|so\s+far)\b", frozenset({"todate"})),
]
# The patterns are lower case and match the text folded by fold_case, case-sensitively: the
# same spans as ignoring case on the text itself, but with fast literal tests.
_REGEXES = [(kind, re.compile(r"\b" + pat), needs) for kind, pat, needs in _PATTERNS]
_DATE_WORDS = {**dict.fromkeys(MONTHS, "month"), **dict.fromkeys(WEEKDAYS, "weekday"),
               **dict.fromkeys(("last", "past", "previous"), "last"), "yesterday": "yesterday",
               "date": "todate", "far": "todate", "between": "range", "from": "range",
               **dict.fromkeys(("early", "mid", "late", "end", "beginning", "start", "middle"), "part")}
_ANY = re.compile(r"\b(?:" + prefix_tree(_DATE_WORDS) + r"|(?:19|20)\d\d|\d{1,2}(?:st|nd|rd|th))\b")
_DAY = re.compile(r"\b\d{1,2}(?!\d)")  # what a day of the month looks like


def _signals(low: str) -> set[str]:
    """The kinds of date word a folded text has (``_DATE_WORDS``, "year", "digit": a day, "months": two
    month names): a pattern of :data:`_PATTERNS` needing a kind the text lacks is not tried."""
    kinds = [_DATE_WORDS.get(w, "ordinal" if w[-1].isalpha() else "year") for w in _ANY.findall(low)]
    found = set(kinds)
    if kinds.count("month") > 1:
        found.add("months")
    if "month" in found and _DAY.search(low):  # (a day goes with a month)
        found.add("digit")
    return found


_SPEECH = re.compile(
    r"\b(?:said|says|say|announced|announces|told|reported|reports|added|stated|confirmed|declared|"
    r"explained|indicated|wrote|tweeted|acknowledged|admitted|claimed|insisted|warned|noted|"
    r"released|published|issued|presented|updated)"
    r"(?:\s+\w+){0,2}?\s*(?:on|late|early|earlier|this|last)?\s*$")  # (folded text, as below)
_OTHER_EVENT = re.compile(
    r"\b(?:which|that|who|when|since)\b[^,;.]{0,25}\b(?:began|begun|begin|launched|started|created|founded|established|set up|formed|ended|"
    r"took office|came to power|seized power|elected)\b[^,;.]{0,25}$")
_SUPERLATIVE = re.compile(r"\b(?:most|\w{3,}est)\b[^,;.]{0,60}$")
_PASSIVE_SPEECH = re.compile(r"\b(?:were|was|been|being|are|is)\s+\w+\s*$")
_WHEN = re.compile(r"\s*,\s*when\b")
_BOUND_WORDS = ("by", "until", "till", "before", "ahead of")  # a date bounding a period, not dating it
_BOUND = re.compile(r"\b(?:" + "|".join(_BOUND_WORDS) + r")\s*$")


@dataclass(frozen=True)
class DateMention:
    """One date expression: its span in the text and the period it means."""

    start: int
    end: int
    text: str
    date_start: date | None
    date_end: date | None
    precision: str
    ignore: str | None = None  # why it cannot date a figure: speech, bound, other-event


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _recent_month(m: int, pub: date) -> int:
    return pub.year if m <= pub.month else pub.year - 1


def _resolve(kind: str, g: dict[str, str | None], pub: date | None) -> tuple[date | None, date | None, str]:
    year = int(g["year"]) if g.get("year") else None
    month = MONTHS[g["month"].lower()] if g.get("month") else None
    since = (g.get("prep") or "").lower() == "since"

    def until_pub(start: date | None, end: date | None, precision: str):
        if since and start is not None and (pub is None or pub >= start):
            return start, pub, "period"
        return start, end, precision

    if kind == "todate":
        start = date(pub.year, 1, 1) if pub is not None and "year" in g["todate"].lower() else None
        return start, pub, "period"
    if kind == "months" and year is None and pub is not None:
        year = _recent_month(MONTHS[g["month2"].lower()], pub)
    if kind == "months" and year is not None:
        return date(year, month, 1), _month_end(year, MONTHS[g["month2"].lower()]), "period"
    if kind == "dom" and pub is not None:
        d = pub.replace(day=1) - timedelta(days=1) if int(g["day"]) > pub.day else pub
        try:
            return until_pub(d.replace(day=int(g["day"])), d.replace(day=int(g["day"])), "day")
        except ValueError:
            return None, None, "day"
    if kind == "day":  # (an impossible day: a ValueError, read by find_dates)
        day = int(g["day"])
        if year is None:
            if pub is None:
                return None, None, "day"
            year = pub.year - (date(pub.year, month, day) > pub)
        d = date(year, month, day)
        end = d.replace(day=int(g["day2"])) if g.get("day2") and int(g["day2"]) > day else d
        return until_pub(d, end, "day" if end == d else "period")
    if kind in ("part", "month"):
        if year is None and g.get("lastyear") and pub is not None:
            year = pub.year - 1  # "in August last year"
        if year is None:
            if pub is None:
                return None, None, kind
            year = _recent_month(month, pub)
            if (g.get("last") or "").lower() == "last" and year == pub.year and month == pub.month:
                year -= 1
        if kind == "part":
            part = g["part"].lower().split()  # "early", "mid", "late" or "the end of" …
            last = calendar.monthrange(year, month)[1]
            lo, hi = _PART_DAYS.get(part[1] if part[0] == "the" else part[0], (21, last))
            return until_pub(date(year, month, lo), date(year, month, hi), "period")
        return until_pub(date(year, month, 1), _month_end(year, month), "month")
    if kind == "year":
        return until_pub(date(year, 1, 1), date(year, 12, 31), "year")
    if kind == "years":
        return date(int(g["y1"]), 1, 1), date(int(g["y2"]), 12, 31), "period"
    if pub is None:
        return None, None, kind
    if kind == "last":
        unit = g["unit"].lower()
        if unit == "week":
            monday = pub - timedelta(days=pub.weekday())
            return monday - timedelta(days=7), monday - timedelta(days=1), "week"
        if unit == "month":
            end = pub.replace(day=1) - timedelta(days=1)
            return end.replace(day=1), end, "month"
        return date(pub.year - 1, 1, 1), date(pub.year - 1, 12, 31), "year"
    if kind == "yesterday":
        d = pub - timedelta(days=1)
        return d, d, "day"
    # weekday: the most recent such day strictly before publication
    delta = (pub.weekday() - WEEKDAYS[g["wd"].lower()]) % 7 or 7
    d = pub - timedelta(days=delta)
    return until_pub(d, d, "day")


def find_dates(text: str, published: date | None = None) -> list[DateMention]:
    """Every date expression in ``text``, left to right, without overlaps."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    low = fold_case(text)  # what the patterns match: offsets are the same as in text
    signals = _signals(low)
    for kind, rx, needs in _REGEXES:
        if not needs <= signals:
            continue
        for m in rx.finditer(low):
            a, b = m.span()
            if any(a < e and s < b for s, e in taken):
                continue
            g = {name: text[m.start(name):m.end(name)] if m.start(name) >= 0 else None for name in rx.groupindex}
            if g.get("month") and g["month"].lower() == "may" and not g["month"].istitle():
                continue  # the modal verb "may"
            if kind == "weekday" and not g["wd"][0].isupper():
                continue
            if kind == "dom" and text[b:b + 2].strip()[:1].isupper():
                continue  # "the 1st Marine Infantry Parachute Regiment"
            if (g.get("prep") or "").lower() == "since" and _WHEN.match(text, m.end()):
                g = {**g, "prep": "in"}  # "since January 2016, when 30 were killed": that month
            try:
                ds, de, precision = _resolve(kind, g, published)
            except (ValueError, OverflowError):
                ds, de, precision = None, None, kind
            before = low[max(0, a - 60):a]
            prep = (g.get("prep") or "").lower()
            ignore = None
            bound = before.rstrip().endswith(_BOUND_WORDS) and _BOUND.search(before)  # (a first test)
            if (prep in ("by", "until") or bound) and not (kind == "part" and "end" in m.group()):
                ignore = "bound"
            elif _SPEECH.search(before) and not _PASSIVE_SPEECH.search(before):
                ignore = "speech"
            elif _OTHER_EVENT.search(before) or (kind == "todate" and _SUPERLATIVE.search(before)):
                ignore = "other-event"  # "the most dangerous mission … so far" ranks, it does not date
            taken.append((a, b))
            found.append(DateMention(a, b, text[a:b], ds, de, precision, ignore))
    return sorted(found, key=lambda d: d.start)


def as_date(value: object, strict: bool = False) -> date | None:
    """A publication date from a ``date``, ``datetime``, Timestamp, ISO string or None (missing: None);
    text that is not an ISO date is None, or with ``strict`` a ValueError."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        if strict:
            raise ValueError(f"published: {value!r} is not an ISO date (YYYY-MM-DD)") from None
        return None
