"""Places, actors and dated milestones named in one article.

:func:`extract_mentions` scans the text once per gazetteer (a single compiled
alternation each, see :mod:`sahel.places`) and each sentence once for
milestone cues ("launched", "coup", "summit", "to deploy 600 more" …) that a
date expression in the same sentence dates. Every mention keeps its character
span and sentence so it can be cited.
"""
from __future__ import annotations

import bisect
import re
from datetime import date, datetime

import pandas as pd

from . import actors as _actors
from . import places as _places
from .schema import MENTIONS, frame

#: milestone types in priority order, each with its cue (case-insensitive)
MILESTONES: list[tuple[str, str]] = [
    ("operation", r"\b(?:operations?|strikes?|air\s?strikes?|raids?|attacks?|ambush(?:es)?|assaults?|"
                  r"clash(?:es)?|offensive|fighting)\b[^.;]{0,40}?\b(?:took place|occurred|happened|"
                  r"(?:was|were) (?:carried out|conducted))\b"),
    ("first_operations", r"\bfirst (?:operations?|missions?|deployments?|combat)\b"),
    ("coup", r"\b(?:coup(?: d['’]état)?|ousted|overthrew|overthrown|toppled|seized power)\b"),
    ("launch", r"\b(?:launch(?:ed|es|ing)?|began|begun|started|kicked off|was created|was established|"
               r"were created|founded)\b"),
    ("withdrawal", r"\b(?:withdr[ae]w\w*|pull(?:ed|ing|s)? out|pullout|drawdown|draw down|ended|"
                   r"end(?:ing)? of (?:operation|the operation|the mission))\b"),
    ("summit", r"\b(?:summit|talks (?:with|in)|meeting (?:in|with|of)|conference (?:in|of))\b"),
    ("reinforcement", r"\b(?:reinforc\w+|pledg\w+|to send|deploy(?:ed|ing)? \S+ (?:more|additional)|"
                      r"more (?:soldiers|troops)|additional (?:soldiers|troops)|surge)\b"),
    ("deployment", r"\b(?:deployed|deployment of|sent (?:\S+ )?(?:troops|soldiers))\b"),
    ("mandate", r"\b(?:mandate|resolution)\b"),
    ("policy", r"\b(?:promised|announced|unveiled|ordered)\b[^.;]{0,30}\b(?:review|strategy|plan|reform)\b"),
    ("visit", r"\bvisit(?:ed|s)?\b"),
    ("election", r"\b(?:elections?|sworn in|inaugurat\w+)\b"),
]
LABELS = {
    "operation": "operation", "first_operations": "first operations", "coup": "coup",
    "launch": "launch", "withdrawal": "withdrawal", "summit": "summit", "reinforcement": "reinforcement",
    "deployment": "deployment", "mandate": "mandate", "policy": "policy announcement", "visit": "visit",
    "election": "election",
}
_CUES = [(kind, re.compile(rx, re.I)) for kind, rx in MILESTONES]
_NEGATION = re.compile(r"\b(?:no|not|never|without|failed to|refused to|nor)\b[^.;,]{0,25}$", re.I)
_ANAPHORA = re.compile(r"\b(?:these|those|this|that|the) (?:operations?|strikes?|raids?|attacks?|"
                       r"offensive|day|period)\b", re.I)
_OTHER = re.compile(r"\banother\b", re.I)
_ANAPHORIC_KINDS = ("operation", "first_operations", "withdrawal")
_PLACE_LABELLED = ("operation", "summit", "visit")
_LEAD_KINDS = ("operation", "task force", "UN mission", "EU mission", "G5 force", "jihadist group",
               "armed group", "mercenary", "state force")


def as_date(value: object) -> date | None:
    """A publication date from a ``date``, ``datetime``, Timestamp, ISO string or None."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _sentence_table(doc_id: str, text: str, sentences: pd.DataFrame | None) -> pd.DataFrame:
    if sentences is not None and len(sentences):
        s = sentences
        if "doc_id" in s.columns:
            s = s[s["doc_id"].astype("string") == doc_id] if (s["doc_id"] == doc_id).any() else s
        return s.sort_values("start").reset_index(drop=True)
    return pd.DataFrame({"doc_id": [doc_id], "sentence": [0], "paragraph": [0],
                         "start": [0], "end": [len(text)]})


def _milestone_date(sentence: str, cue: re.Match[str], published: date | None):
    """The (start, end, precision) a date expression of the sentence gives the cue, or None."""
    from .dates import find_dates

    usable = [d for d in find_dates(sentence, published)
              if d.date_start is not None and d.ignore not in ("speech", "bound")]
    if not usable:
        return None
    # the date nearest the cue; two day dates joined by "and"/"to" form one range
    usable.sort(key=lambda d: min(abs(d.start - cue.end()), abs(d.end - cue.start())))
    best = usable[0]
    ds, de, precision = best.date_start, best.date_end, best.precision
    for other in usable[1:]:
        lo, hi = sorted((best, other), key=lambda d: d.start)
        gap = sentence[lo.end:hi.start]
        if re.fullmatch(r"\s*(?:and|to|-|–|through|until)\s*", gap) and other.precision == best.precision:
            ds, de, precision = min(ds, other.date_start), max(de, other.date_end), "week" if best.precision == "day" else "period"
            break
    if precision == "period" and re.match(r"since\b", best.text, re.I):
        # "since 2013, when it launched …": the milestone is the start of the period
        ds, de, precision = date(ds.year, 1, 1), date(ds.year, 12, 31), "year"
    return ds, de, precision


def extract_mentions(doc_id: str, text: str, sentences: pd.DataFrame | None,
                     published: date | None) -> pd.DataFrame:
    """Place, actor and milestone mentions of one article as a :data:`MENTIONS` frame.

    ``sentences`` follows :data:`~sahel.schema.SENTENCES` (offsets into ``text``);
    milestones are only kept when a date in their sentence (or, for an anaphoric
    "these operations", the previous operation's date) says when they happened.
    """
    published = as_date(published)
    sents = _sentence_table(doc_id, text, sentences)
    starts = [int(x) for x in sents["start"]]
    ends = [int(x) for x in sents["end"]]
    numbers = [int(x) for x in sents["sentence"]]
    paras = [int(x) if pd.notna(x) else None for x in sents["paragraph"]]

    def locate(pos: int) -> int | None:
        i = bisect.bisect_right(starts, pos) - 1
        return i if i >= 0 and pos < ends[i] else None

    rows: list[dict[str, object]] = []

    def add(kind: str, name: str, code: str, a: int, b: int, i: int | None, ds=None, de=None, prec=None) -> None:
        rows.append({
            "mention_id": f"{doc_id}:{kind[0]}:{a}", "doc_id": doc_id, "kind": kind, "name": name, "code": code,
            "start": a, "end": b, "surface": text[a:b],
            "sentence": numbers[i] if i is not None else None,
            "sentence_start": starts[i] if i is not None else None,
            "sentence_end": ends[i] if i is not None else None,
            "paragraph": paras[i] if i is not None else None,
            "date_start": ds, "date_end": de, "date_precision": prec,
            "quote": text[starts[i]:ends[i]].strip() if i is not None else None,
        })

    place_table = _places.gazetteer().set_index("place_id")
    actor_table = _actors.gazetteer().set_index("actor_id")
    place_hits: dict[int, list[str]] = {}
    for m in _places.find_places(text):
        i = locate(m.start)
        add("place", str(place_table.at[m.key, "name"]), m.key, m.start, m.end, i)
        if i is not None:
            place_hits.setdefault(i, []).append(m.key)
    actor_hits: dict[int, list[tuple[int, str]]] = {}
    for m in _actors.find_actors(text):
        i = locate(m.start)
        add("actor", str(actor_table.at[m.key, "name"]), str(actor_table.at[m.key, "party"]), m.start, m.end, i)
        if i is not None:
            actor_hits.setdefault(i, []).append((m.start, m.key))

    last_operation: tuple[date, date, str] | None = None
    for i, (a, b) in enumerate(zip(starts, ends)):
        sentence = text[a:b]
        for kind, rx in _CUES:
            cue = rx.search(sentence)
            if cue is None or _NEGATION.search(sentence[:cue.start()]):
                continue
            when = _milestone_date(sentence, cue, published)
            if when is None and kind in _ANAPHORIC_KINDS and last_operation is not None \
                    and _ANAPHORA.search(sentence) and not _OTHER.search(sentence):
                when = last_operation
            if when is None:
                continue
            if kind == "operation":
                last_operation = when
            label = LABELS[kind]
            lead = _lead_actor(actor_hits.get(i, []), actor_table)
            if kind in _PLACE_LABELLED:
                lead = _lead_place(place_hits.get(i, []), place_table) or lead
            if lead:
                label = f"{label}: {lead}"
            add("milestone", label, kind, a + cue.start(), a + cue.end(), i, *when)
            break
    return frame(rows, MENTIONS)


def _lead_actor(hits: list[tuple[int, str]], table: pd.DataFrame) -> str | None:
    """The actor a milestone is about: an operation or force first, else the first actor named."""
    if not hits:
        return None
    hits = sorted(hits)
    for kinds in (_LEAD_KINDS, None):
        for _, key in hits:
            if kinds is None or table.at[key, "kind"] in kinds:
                return str(table.at[key, "name"])
    return None


def _lead_place(place_ids: list[str], table: pd.DataFrame) -> str | None:
    """The most specific place of a sentence, by name."""
    best = _places.most_specific(place_ids)
    return str(table.at[best, "name"]) if best else None
