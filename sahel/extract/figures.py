"""Figures of one sentence: number candidates, the coding steps in order, and the table rows.

:func:`find_numbers` finds number phrases and ranges and sets aside those that are not figures
(``docs/codebook.md``, Not figures); :func:`code_sentence` runs the coding units (nouns, parties,
measures, ellipsis, dates); :func:`rows` makes table rows. What stays out: the rules of each unit
(their modules) and the article-level loop (:func:`.parse_text`).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date

from . import lexicon as lx
from .dates import find_dates
from .measures import code_measures, measure
from .nouns import QUALIFIER_WORDS, STRENGTH_SUFFIX, code_nouns, noun_follows, qualifier, set_noun, singular
from .numbers import NUMBER, NUMBER_START, VAGUE, parse_number
from .parties import (CONTRIBUTED_TO, RELATIVE, Context, civilian_context, code_materiel_parties, code_parties,
                      party_mentions, revise_mixed, usable)
from .sentences import Figure, Sentence
from .text import Cleaned, prefix_tree

# patterns "on folded text" are matched case-sensitively on the sentence folded by fold_case,
# which finds what re.I finds on the sentence itself, with faster literal tests
_NUM_RE = re.compile(
    rf"(?<![\w.,:])(?<![A-Za-z]-)(?!\d{{1,2}}:\d\d)(?=(?:between|from)\s|{NUMBER_START})"
    rf"(?:(?P<pre>between|from)\s+)?(?P<n1>{NUMBER})"
    rf"(?:\s*(?P<sep>-|to|and|or)\s*(?P<n2>{NUMBER}))?(?![\w])"
)  # on folded text
_SINGLE_RE = re.compile(r"a(?<!\wa)(?:n(?:other)?)?(?:\s+single)?(?=\s)")  # on folded text (not after "of ", "-");
# (?<!\wa): the "a" begins a word, tested after the literal, which the regex engine finds fast
_VAGUE_RE = re.compile(r"\b(?:" + prefix_tree(VAGUE) + r")\b(?:\s+of)?")  # on folded text
_NUMBER_WORDS = lx.words("number_word")
_VICTIM_VERBS = r"(?:killed|wounded|injured|abducted|kidnapped|captured|arrested|shot\s+dead)"
ANY_NUMBER = re.compile(r"\d|\b(?:" + prefix_tree(_NUMBER_WORDS) + r")\b")
"""A first test (on folded text): a sentence without a match holds no number."""
ONE_VICTIM = re.compile(r"\b(?:was|were)\s+(?:\w+\s+)?" + _VICTIM_VERBS + r"\b|\b" + _VICTIM_VERBS + r"\s+an?\b")
"""The second test (on folded text): a sentence without a number may still count one person killed, wounded …"""
SINGLE_MEASURES = ("killed", "wounded", "captured")
"""The measures a single person ("a soldier", "an aid worker") is a figure of."""
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DURATION = re.compile(r"^\s*-?\s*(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|"
                       r"nights?|long\b|year-long|month-long|day-long|week-long)\b", re.I)
_AGE_AFTER = re.compile(r"^\s*-?\s*years?[- ]old\b|^\s*-?\s*year-old", re.I)
_AGE_BEFORE = re.compile(r"\b(?:aged|ages\s+of)\s+(?:\d+\s*(?:,|and|-|to)\s*)*$")  # on folded text, as the other *_BEFORE patterns
_PERCENT = re.compile(r"^\s*(?:%|percent\b|per\s+cent\b|percentage\b)", re.I)
_RARE = ("average", "daily", "weekly", "monthly", "every", "per ", "each ", "a day", "a week", "a month", "front of", "crowd",
         "watched", "addressed")  # the words of rates and audiences (on folded text)
_RANK_AFTER = re.compile(r"\s+of\s+(?:the|its|their)\s+(?:most|largest|biggest|greatest|deadliest|bloodiest|worst|"
                         r"best|highest|heaviest|longest|oldest|main|top|leading)\b")
"""After "one": a member of a ranking ("one of the largest contributors"), which counts nothing."""
_AUDIENCE = re.compile(r"\b(?:in\s+front\s+of|before\s+a\s+crowd\s+of|watched\s+by|addressed)\s+(?:the\s+)?"
                       r"(?:(?:about|around|some|nearly|almost|over|more\s+than|at\s+least)\s+)?$")  # on folded text
_RATE_BEFORE = re.compile(r"\b(?:an?|the)\s+average\s+of\s*$|\bon\s+average,?\s*$")  # on folded text
_RATE_AFTER = re.compile(r"^[^,;.]*?\b(?:every\s+(?:day|week|month)|daily|weekly|monthly|per\s+(?:day|week|month)|"
                         r"each\s+(?:day|week|month)|a\s+(?:day|week|month))\b(?=\s*(?:[,;.)]|$|(?:since|in|on|at|and|from|to|over)\b))")
_MONEY_BEFORE = re.compile(r"(?:[$€£]|\bus\$|\busd|\beur|\bcfa)\s*$")
_MONEY_AFTER = re.compile(
    r"^\s*(?:(?:million|billion|thousand|bn|m|k)\s+)?(?:(?:us\s+)?dollars?|euros?|(?:cfa\s+)?francs?|"
    r"pounds?|usd|eur|cfa)\b", re.I)
_LABEL_BEFORE = re.compile(
    r"\b(?:resolution|article|page|paragraph|chapter|section|no\.|number|flight|route|highway|"
    r"mirage|su|mq|covid|room|channel|phase|sector|zone|km|point|level|grade|class|"
    r"tiger|reaper|rafale|a400m|c-130|model|version|line|district|camp|kilometre|kilometer|names\s+of)\s*$")
_LABEL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b|^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|hours\s+gmt)", re.I)
_DATE_NEAR = re.compile(rf"(?:^\s*(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTHS}\b)", re.I)
_MONTH_BEFORE = re.compile(rf"\b{_MONTHS}\s*$")
_RATIO_AFTER = re.compile(r"^\s+in\s+(?:\d{1,3}|ten|two|three|four|five|six|seven|eight|nine|a hundred)\b", re.I)
_RATIO_BEFORE = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine)\s+in\s*$")  # on folded text
_CHANGE_VERB = re.compile(
    r"\b(?:rose|rise|risen|rising|increased?|increasing|grew|grow(?:n|s|ing)?|shr[aiu]nk(?:s|ing)?|boost(?:ed)?|"
    r"raised?|reduced?|reducing|cut|dropped|fell|fall|brought|bring|swell(?:ed)?|"
    r"expanded?|went|gone|climbed|jumped)\s+(?:\w+\s+)?$", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")
_TO_NEXT = re.compile(r"\s+to\s+(?:\w+\s+){0,2}")  # on folded text
_NAME_COMMA = re.compile(r"[A-Z][a-zà-ÿ]+,\s*$")
_COMMA = re.compile(r"^\s*,")
_HYPHEN_WORD = re.compile(r"^-([A-Za-z]+)")
_CLAUSE_COMMA = re.compile(r",\s+(?!(?:and\s+|or\s+)?[A-Z])")


def is_year(s: str) -> bool:
    """Whether ``s`` is a year from 1900 to 2099."""
    return bool(_YEAR.fullmatch(s.strip()))


def find_numbers(s: Sentence) -> None:
    """Fill ``s.figures`` with the number phrases that may be figures and ``s.numbers`` with the others."""
    text = s.text
    rare = any(w in s.folded for w in _RARE)
    for m in _NUM_RE.finditer(s.folded):
        n1s, n1e = m.span("n1")
        v1 = parse_number(text[n1s:n1e])
        if v1 is None:
            continue
        n2 = text[m.start("n2"):m.end("n2")] if m.start("n2") >= 0 else None
        v2 = parse_number(n2) if n2 else None
        sep = text[m.start("sep"):m.end("sep")].lower()  # "" when not matched
        pre = text[m.start("pre"):m.end("pre")].lower()
        pairs = [(n1s, n1e, v1, text[n1s:n1e])]  # (start, end, value, the number as written)
        high = None
        if n2 and v2 is not None:
            change = pre == "from" and _CHANGE_VERB.search(text[:m.start()])
            if ((sep == "and" and pre == "between") or (sep in ("-", "to") and v2 > v1 and not change)
                    or (sep == "or" and v2 > v1)):  # a range
                high = max(v1, v2)
                pairs = [(n1s, m.end("n2"), min(v1, v2), text[n1s:n1e])]
            elif sep == "-" and is_year(text[n1s:n1e]) and is_year(n2):
                s.numbers.append((n1s, m.end("n2"), v1, "year"))
                continue
            else:  # not a range: two numbers ("2019 - Two French commandos")
                pairs.append((m.start("n2"), m.end("n2"), v2, n2))
        for k, (a, end, v, surface) in enumerate(pairs):
            state = status(s, a, end, surface, v, rare)
            if state != "figure":
                s.numbers.append((a, end, v, state))
                continue
            q = "range" if (k == 0 and high is not None) else qualifier(text[max(0, a - 30):a], text[end:end + 12])
            s.figures.append(Figure(a, end, v, high if k == 0 else None, q))
    for m in _SINGLE_RE.finditer(s.folded):
        a = m.start()
        if (s.folded[max(0, a - 3):a] != "of " and s.folded[a - 1:a] != "-"
                and not any(f.start <= a < f.end for f in s.figures) and _single_noun(s.lower, m.end(), s.starts)):
            s.figures.append(Figure(m.start(), m.end(), 1.0, None, "exact", single=True))
    for m in _VAGUE_RE.finditer(s.folded) if any(w in s.folded for w in VAGUE) else ():  # (a first test)
        if not any(f.start <= m.start() < f.end for f in s.figures):
            s.figures.append(Figure(m.start(), m.end(), None, None, "vague"))
    s.figures.sort(key=lambda f: f.start)


def _single_noun(low: list[str], end: int, starts: list[int]) -> bool:
    """Whether a singular counted person or soldier follows offset ``end`` within four tokens."""
    i = bisect_left(starts, end)
    for j, w in enumerate(low[i:i + 4], start=i):
        sing = (singular(f"{w} {low[j + 1]}") if j + 1 < len(low) else None) or singular(w)
        if sing is not None:
            head = singular(low[j + 1]) if j + 1 < len(low) else None
            return (sing in (w, " ".join(low[j:j + 2])) and lx.NOUNS[sing][0] in ("person", "force") and sing not in lx.NOT_SINGLE
                    and (head is None or lx.NOUNS[head][0] != "other"))
        if w in lx.MODIFIER_STOP or not w[:1].isalpha():
            return False
    return False


def status(s: Sentence, a: int, e: int, surface: str, value: float, rare: bool = True) -> str:
    """What the number at ``[a, e)`` is: "figure", or why not (year, date, age, duration, percent …);
    ``rare``: whether the sentence may hold a rate or an audience (:data:`_RARE`, tested once a sentence)."""
    text = s.text
    before, after = text[max(0, a - 25):a], text[e:e + 30]
    low_before = s.folded[max(0, a - 25):a]
    year = is_year(surface)
    if any(d.start <= a and e <= d.end for d in s.dates):
        return "year" if year else "date"
    if year and not noun_follows(s, e):
        return "year"
    if _DATE_NEAR.match(after) or (value <= 31 and _MONTH_BEFORE.search(low_before)):
        return "date"
    # (the cheap tests first: a word the pattern needs, a match at one place)
    if _AGE_AFTER.match(after) or ("age" in low_before and _AGE_BEFORE.search(low_before)) or (
            value < 120 and _COMMA.match(after) and _NAME_COMMA.search(before)):
        return "age"
    if _DURATION.match(after):
        return "duration"
    if _PERCENT.match(after):
        return "percent"
    ends = low_before.rstrip()
    if _RATIO_AFTER.match(after) or (ends.endswith("in") and _RATIO_BEFORE.search(low_before)):
        return "ratio"
    if rare and _AUDIENCE.search(s.folded[max(0, a - 45):a]):
        return "audience"
    if value == 1 and _RANK_AFTER.match(s.folded, e):
        return "rank"
    if rare and (_RATE_BEFORE.search(low_before) or _RATE_AFTER.search(s.folded[e:e + 80])):
        return "rate"
    if (ends.endswith(("$", "€", "£", "usd", "eur", "cfa")) and _MONEY_BEFORE.search(low_before)) or _MONEY_AFTER.match(after):
        return "money"
    if _LABEL_BEFORE.search(low_before) or _LABEL_AFTER.match(after) or (before.endswith("[") and after[:1] == "]"):
        return "label"
    hyphen = _HYPHEN_WORD.match(after)
    if hyphen and hyphen.group(1).lower() not in STRENGTH_SUFFIX and singular(hyphen.group(1)) is None:
        return "label"
    return "figure"


def resolve_ellipsis(s: Sentence) -> None:
    """Code the elliptical figures of ``s`` from their antecedents (``s.antecedents`` and earlier figures of ``s``)."""
    for fig in s.figures:
        if not fig.elliptical:
            continue
        if fig.value == 1 and fig.mode != "verb":  # "one of the largest contributors"
            fig.cls = None
            continue
        same = [f for f in s.figures if f.start < fig.start and f.cls in ("force", "person")
                and f.party and not f.elliptical and not _agent(s, f, fig)]
        pool = [f for f in s.antecedents if f.cls in ("force", "person") and f.party] + same
        if fig.mode == "compare":  # "from 4,500 to 5,100 soldiers": the next figure's people
            pool = [f for f in s.figures if f.start >= fig.end and f.cls in ("force", "person") and f.party and
                    not f.elliptical and _TO_NEXT.fullmatch(s.folded, fig.end, f.start)][:1] or same or pool
        if fig.forced == "killed":
            pool = [f for f in pool if f.measure == "killed"] or ([] if fig.mode == "toll" else pool)
        if pool:
            _inherit(s, fig, pool[-1])
        elif fig.mode in ("bare", "more", "partitive", "anaphor", "compare") and not _victims(s, fig):
            fig.cls = None  # a bare number that counts nothing we know
        else:
            set_noun(s, fig, "death" if fig.mode == "toll" else "person", fig.tok1, [])
            civilian = civilian_context(s, fig)
            fig.party, fig.party_rule = ("CIVILIAN", civilian) if civilian else ("UNKNOWN", "default")
            fig.measure, fig.measure_rule = (fig.forced, fig.forced_rule) if fig.forced else measure(s, fig)
            if fig.measure == "other" and fig.mode != "adjective":
                fig.cls = None


def _victims(s: Sentence, fig: Figure) -> bool:
    """A number that a kill, wound or capture verb takes as object: "killing 5", "kill at least 160 in …"."""
    i = fig.tok0 - 1
    while i >= 0 and s.lower[i] in QUALIFIER_WORDS:
        i -= 1
    return fig.mode == "bare" and any(k == i and m in ("killed", "wounded", "captured") for k, _, m in s.cues)


def _agent(s: Sentence, ante: Figure, fig: Figure) -> bool:
    """Whether ``ante`` is the subject of a verb that acts on ``fig`` ("Hundreds of jihadists attacked …, killing 71")."""
    acts = [i for i, _, m in s.cues if m in ("killed", "wounded", "captured")]
    return (not any(i < ante.tok0 for i in acts)
            and any(max(ante.noun_tok, ante.tok1) < i < fig.tok0 and s.lower[i].endswith("ing") for i in acts))


def _inherit(s: Sentence, fig: Figure, ante: Figure) -> None:
    """Code ``fig`` from its antecedent ``ante``."""
    fig.noun, fig.cls, fig.party, fig.noun_key = ante.noun, ante.cls, ante.party, ante.key
    fig.party_rule = "antecedent"
    fig.noun_tok = fig.tok1
    if ante.cls == "force":  # gapping: "Sweden committed 150 and the Czech Republic up to 60"
        anchor = s.tok_end(min(max(ante.noun_tok, ante.tok1), len(s.words) - 1)) if ante in s.figures else 0
        gap = [m for m in s.mentions if anchor <= m.start and m.end <= fig.start
               and m.party in lx.STATE_PARTIES and not m.locative and usable(s, m)]
        gap = [m for m in gap if m.state or not CONTRIBUTED_TO.search(s.text[max(0, m.start - 30):m.start])]
        if gap:
            fig.party, fig.party_rule = gap[0].party, "gapping"
    own, rule = measure(s, fig)
    if fig.forced:
        fig.measure, fig.measure_rule = fig.forced, fig.forced_rule
    elif own not in ("other", "deployed") or ante.measure is None or (rule == "verb_other" and ante.measure != "deployed"):
        fig.measure, fig.measure_rule = own, rule
    else:
        fig.measure, fig.measure_rule = ante.measure, "antecedent"
    fig.elliptical = False


def code_dates(s: Sentence) -> None:
    """Date each figure: the next date of its clause, else the last before it, else the next one."""
    figs = [f for f in s.figures if f.cls is not None]
    text = s.text
    for fig in figs:
        pool = [d for d in s.dates if (d.ignore is None or (d.ignore == "speech" and fig.measure == "deployed"))
                and not (d.start <= fig.start < d.end)]
        right = [d for d in pool if d.start >= fig.end and ";" not in text[fig.end:d.start]]
        left = [d for d in pool if d.end <= fig.start]
        clean_right = [d for d in right if not _CLAUSE_COMMA.search(text[fig.end:d.start])
                       and not any(fig.end <= o.start < d.start for o in figs if o is not fig)]
        fig.date = (clean_right or left[-1:] or right or [None])[0]


def code_sentence(text: str, folded: str, published: date | None, context: Context,
                  antecedents: list[Figure]) -> Sentence:
    """Find and code the figures of one sentence (``antecedents``: figures an ellipsis may refer to)."""
    s = Sentence(text, folded, published, context, party_mentions(text, folded),
                 [m.span() for m in RELATIVE.finditer(text)], find_dates(text, published),
                 antecedents=antecedents)
    find_numbers(s)
    code_nouns(s)
    code_parties(s)
    code_measures(s)
    resolve_ellipsis(s)
    for fig in s.figures:  # one person counts only as a victim: "a French soldier was killed"
        if fig.single and not (fig.measure in SINGLE_MEASURES and (fig.measure_rule or "").startswith("verb_")):
            fig.cls = None
    code_materiel_parties(s)
    revise_mixed(s)
    code_dates(s)
    return s


def rows(s: Sentence, cleaned: Cleaned, offset: int, raw: str, doc_id: str, k: int,
         span: tuple[int, int], paragraph: int) -> tuple[list[dict], list[dict]]:
    """FIGURES and NUMBERS rows of sentence ``k`` (at ``offset`` in the cleaned text, ``span`` in ``raw``)."""
    os_, oe = span
    quote = raw[os_:oe]
    fig_rows, num_rows = [], []

    def number(a: int, b: int, value: float | None, state: str, fid: str | None = None) -> None:
        num_rows.append({"doc_id": doc_id, "start": a, "end": b, "surface": raw[a:b], "value": value,
                         "status": state, "figure_id": fid, "sentence": k})

    for fig in s.figures:
        a, b = cleaned.span(offset + fig.start, offset + fig.end)
        fid = f"{doc_id}:{a}"
        if fig.cls is None:
            if fig.value is not None:
                number(a, b, fig.value, "uncounted")
            continue
        d = fig.date
        fig_rows.append({
            "figure_id": fid, "doc_id": doc_id, "value": fig.value, "value_high": fig.value_high,
            "qualifier": fig.qualifier, "party": fig.party or "UNKNOWN", "measure": fig.measure,
            "noun": fig.noun, "date_start": d.date_start if d else None,
            "date_end": d.date_end if d else None, "start": a, "end": b, "surface": raw[a:b],
            "date_text": d.text if d else None, "sentence": k, "sentence_start": os_,
            "sentence_end": oe, "paragraph": paragraph, "quote": quote,
            "party_rule": fig.party_rule or "default", "measure_rule": fig.measure_rule or "default",
        })
        if fig.value is not None:
            number(a, b, fig.value, "figure", fid)
    for ns, ne, v, state in s.numbers:
        number(*cleaned.span(offset + ns, offset + ne), v, state)
    return fig_rows, num_rows
