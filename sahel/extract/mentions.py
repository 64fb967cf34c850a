"""Places, actors and dated milestones named in one article, each with its span and sentence.

Each gazetteer is one scan of the text (:mod:`.gazetteer`); a milestone cue ("launched", "coup",
"to deploy 600 more" …) counts only when a date of its sentence says when it happened.
What stays out: the gazetteers (:mod:`.gazetteer`) and the corpus-wide places and actors tables.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from ..schema import MENTIONS, frame
from . import gazetteer as gz
from . import lexicon as lx
from .dates import as_date, find_dates
from .text import fold_case as _folded

#: milestone types in priority order, each with its cue (case-insensitive)
MILESTONES: list[tuple[str, str]] = [(kind, rx) for rx, kind in lx.table("milestone").items()]
LABELS = {kind: kind.replace("_", " ") for kind, _ in MILESTONES} | {"policy": "policy announcement"}
_CUES = [(kind, re.compile(rx, re.I)) for kind, rx in MILESTONES]
#: words one of which every match of a cue contains: a sentence with none is not tried
CUE_WORDS: dict[str, tuple[str, ...]] = {kind: () for kind, _ in MILESTONES}
for _word, _kind in lx.table("milestone_word").items():
    CUE_WORDS[_kind] += (_word,)


def _cue_sentences(text: str, locate) -> dict[str, set[int]]:
    """For each milestone type, the sentences (by index) containing one of its :data:`CUE_WORDS`."""
    low = _folded(text)
    at: dict[str, set[int | None]] = {}
    for word in {w for words in CUE_WORDS.values() for w in words}:
        at[word], pos = set(), low.find(word)
        while pos >= 0:
            at[word].add(locate(pos))
            pos = low.find(word, pos + 1)
        at[word].discard(None)
    return {kind: set().union(*(at[w] for w in words)) for kind, words in CUE_WORDS.items()}


_NEGATION = re.compile(r"\b(?:no|not|never|without|failed to|refused to|nor)\b[^.;,]{0,25}$", re.I)
_ANAPHORA = re.compile(r"\b(?:these|those|this|that|the) (?:operations?|strikes?|raids?|attacks?|"
                       r"offensive|day|period)\b", re.I)
_OTHER = re.compile(r"\banother\b", re.I)
_ANAPHORIC_KINDS = ("operation", "first_operations", "withdrawal")
_PLACE_LABELLED = ("operation", "summit", "visit")
_LEAD_KINDS = ("operation", "task force", "UN mission", "EU mission", "G5 force", "jihadist group",
               "armed group", "mercenary", "state force")


def _sentence_table(doc_id: str, text: str, sentences: pd.DataFrame | Iterable[Mapping] | None
                    ) -> tuple[list[int], list[int], list[int], list[int | None]]:
    """``(starts, ends, numbers, paragraphs)`` of the article's sentences (of a table of several
    articles: this article's), in text order."""
    rows = list(sentences.to_dict("records") if isinstance(sentences, pd.DataFrame) else sentences or ())
    mine = [r for r in rows if r.get("doc_id", doc_id) is not pd.NA and r.get("doc_id", doc_id) == doc_id]
    rows = sorted(mine or rows, key=lambda r: r["start"])
    if not rows:
        return [0], [len(text)], [0], [0]
    starts, ends, numbers = ([int(r[c]) for r in rows] for c in ("start", "end", "sentence"))
    return starts, ends, numbers, [int(r["paragraph"]) if pd.notna(r["paragraph"]) else None for r in rows]


def _milestone_date(sentence: str, cue: re.Match[str], dates: list):
    """The (start, end, precision) one of the sentence's usable ``dates`` gives the cue, or None."""
    if not dates:
        return None
    # the date nearest the cue; two day dates joined by "and"/"to" form one range
    usable = sorted(dates, key=lambda d: min(abs(d.start - cue.end()), abs(d.end - cue.start())))
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


def extract_mentions(doc_id: str, text: str, sentences: pd.DataFrame | Iterable[Mapping] | None,
                     published: date | None) -> pd.DataFrame:
    """Place, actor and milestone mentions of one article (``sentences``: :data:`~sahel.schema.SENTENCES`)
    as a :data:`MENTIONS` frame (:func:`mention_rows`)."""
    return frame(mention_rows(doc_id, text, sentences, published), MENTIONS)


def mention_rows(doc_id: str, text: str, sentences: pd.DataFrame | Iterable[Mapping] | None,
                 published: date | None) -> list[dict[str, object]]:
    """The :data:`MENTIONS` rows of one article; an anaphoric milestone ("these operations") takes the
    last operation's date."""
    published = as_date(published)
    starts, ends, numbers, paras = _sentence_table(doc_id, text, sentences)

    def locate(pos: int) -> int | None:
        i = bisect.bisect_right(starts, pos) - 1
        return i if i >= 0 and pos < ends[i] else None

    quotes: dict[int, str] = {}
    rows: list[dict[str, object]] = []

    def add(kind: str, name: str, code: str, a: int, b: int, i: int | None, ds=None, de=None, prec=None) -> None:
        row = {"mention_id": f"{doc_id}:{kind[0]}:{a}", "doc_id": doc_id, "kind": kind, "name": name, "code": code,
               "start": a, "end": b, "surface": text[a:b], "date_start": ds, "date_end": de, "date_precision": prec}
        if i is not None:  # in sentence i (else its columns stay empty)
            if i not in quotes:
                quotes[i] = text[starts[i]:ends[i]].strip()
            row.update(sentence=numbers[i], sentence_start=starts[i], sentence_end=ends[i], paragraph=paras[i],
                       quote=quotes[i])
        rows.append(row)

    place_name = gz.column("name")
    actor_name, actor_party, actor_kind = (gz.column(c, gz.ACTORS_CSV) for c in ("name", "party", "kind"))
    hits: dict[str, dict[int, list[tuple[int, str]]]] = {"place": {}, "actor": {}}  # sentence -> (start, id)
    for kind, found, names, codes in (("place", gz.find_places(text), place_name, None),
                                      ("actor", gz.find_actors(text), actor_name, actor_party)):
        for m in found:  # the code: a place's id, an actor's party
            i = locate(m.start)
            add(kind, str(names[m.key]), m.key if codes is None else str(codes[m.key]), m.start, m.end, i)
            if i is not None:
                hits[kind].setdefault(i, []).append((m.start, m.key))

    last_operation: tuple[date, date, str] | None = None
    if any(e > s2 for e, s2 in zip(ends, starts[1:])):  # overlapping sentences: try every cue everywhere
        maybe = {kind: set(range(len(starts))) for kind in CUE_WORDS}
    else:
        maybe = _cue_sentences(text, locate)
    for i in sorted(set().union(*maybe.values())):  # sentences without any cue word name no milestone
        a, b = starts[i], ends[i]
        sentence = text[a:b]
        dates: list | None = None  # the sentence's usable dates, found once
        for kind, rx in _CUES:
            cue = rx.search(sentence) if i in maybe[kind] else None
            if cue is None or _NEGATION.search(sentence[:cue.start()]):
                continue
            if dates is None:
                dates = [d for d in find_dates(sentence, published)
                         if d.date_start is not None and d.ignore not in ("speech", "bound")]
            when = _milestone_date(sentence, cue, dates)
            if when is None and kind in _ANAPHORIC_KINDS and last_operation is not None \
                    and _ANAPHORA.search(sentence) and not _OTHER.search(sentence):
                when = last_operation
            if when is None:
                continue
            if kind == "operation":
                last_operation = when
            label = LABELS[kind]
            lead = _lead_actor(hits["actor"].get(i, []), actor_name, actor_kind)
            if kind in _PLACE_LABELLED:
                best = gz.most_specific([key for _, key in hits["place"].get(i, [])])  # the most specific place
                lead = (str(place_name[best]) if best else None) or lead
            if lead:
                label = f"{label}: {lead}"
            add("milestone", label, kind, a + cue.start(), a + cue.end(), i, *when)
            break
    return rows


def _lead_actor(hits: list[tuple[int, str]], names: dict, kinds: dict) -> str | None:
    """The actor a milestone is about: an operation or force first, else the first actor named."""
    hits = sorted(hits)
    lead = next((key for _, key in hits if kinds[key] in _LEAD_KINDS), hits[0][1] if hits else None)
    return None if lead is None else str(names[lead])
