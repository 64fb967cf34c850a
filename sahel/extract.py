"""Figure extraction: numbers that count people or materiel, with provenance.

:func:`parse_text` cleans an article (:mod:`sahel.text`), splits it into
sentences with spaCy's blank English pipeline, finds every number phrase
(:mod:`sahel.numbers`), sets aside the numbers that are not figures (years,
dates, ages, durations, money, labels), and codes each figure by the codebook:
the counted noun, its party, the measure, the qualifier and the date
(:mod:`sahel.dates`). Every figure keeps its character span and sentence.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import pandas as pd

from . import lexicon as lx
from .dates import DateMention, find_dates
from .numbers import NUMBER, NUMBER_START, VAGUE, parse_number
from .schema import FIGURES, NUMBERS, SENTENCES, frame
from .text import Cleaned, clean, fold_case, prefix_tree

# ---------------------------------------------------------------------------
# patterns ("on folded text": matched case-sensitively on the sentence folded by fold_case,
# which finds what re.I finds on the sentence itself, with faster literal tests)

_NUM_RE = re.compile(
    rf"(?<![\w.,:])(?<![A-Za-z]-)(?!\d{{1,2}}:\d\d)(?=(?:between|from)\s|{NUMBER_START})"
    rf"(?:(?P<pre>between|from)\s+)?(?P<n1>{NUMBER})"
    rf"(?:\s*(?P<sep>-|to|and|or)\s*(?P<n2>{NUMBER}))?(?![\w])"
)  # on folded text
_VAGUE_RE = re.compile(r"\b(?:" + prefix_tree(VAGUE) + r")\b(?:\s+of)?")  # on folded text
_TOKEN_RE = re.compile(r"\d[\d,.]*\d|\d|[A-Za-z][\w'.]*[A-Za-z]|[A-Za-z]|\S")
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DURATION = re.compile(r"^\s*-?\s*(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|decades?|"
                       r"nights?|long\b|year-long|month-long|day-long|week-long)\b", re.I)
_AGE_AFTER = re.compile(r"^\s*-?\s*years?[- ]old\b|^\s*-?\s*year-old", re.I)
_AGE_BEFORE = re.compile(r"\baged\s*$")  # on folded text, as the other *_BEFORE patterns
_PERCENT = re.compile(r"^\s*(?:%|percent\b|per\s+cent\b|percentage\b)", re.I)
_MONEY_BEFORE = re.compile(r"(?:[$€£]|\bus\$|\busd|\beur|\bcfa)\s*$")
_MONEY_AFTER = re.compile(
    r"^\s*(?:(?:million|billion|thousand|bn|m|k)\s+)?(?:(?:us\s+)?dollars?|euros?|(?:cfa\s+)?francs?|"
    r"pounds?|usd|eur|cfa)\b", re.I)
_LABEL_BEFORE = re.compile(
    r"\b(?:resolution|article|page|paragraph|chapter|section|no\.|number|flight|route|highway|"
    r"mirage|su|mq|covid|room|channel|phase|sector|zone|km|point|level|grade|class|"
    r"tiger|reaper|rafale|a400m|c-130|model|version|line|district|camp|kilometre|kilometer)\s*$")
_LABEL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b|^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|hours\s+gmt)", re.I)
_STRENGTH_SUFFIX = {"strong", "man", "member", "soldier", "troop", "men", "person", "personnel"}
_DATE_NEAR = re.compile(rf"(?:^\s*(?:st|nd|rd|th)?\s*(?:of\s+)?{_MONTHS}\b)", re.I)
_MONTH_BEFORE = re.compile(rf"\b{_MONTHS}\s*$")
_ELLIPSIS_START = re.compile(r"^\W*(?:of\s+(?:these|those|them|whom|which)|among\s+(?:them|those|these))\b", re.I)
_FORCE_BEFORE = {"force", "forces", "contingent", "deployment", "strength", "garrison", "troops",
                 "mission", "operation", "presence", "army"}
_LOCATIVE = re.compile(
    r"\b(?:in|near|at|into|across|throughout|outside|inside|around|within|toward|towards|"
    r"to|over|from|via|through|on|(?:border|borders|frontier)\s+with)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|north-east|"
    r"north-eastern|northeastern|north-west|northwestern|south-west|south-east|neighbouring|"
    r"neighboring)\s+)?$")  # on folded text, as _NEAR
_NEAR = re.compile(r"\b(?:near|toward|towards|to|from|via|over|(?:border|borders|frontier)\s+with)\s+"
                   r"(?:the\s+)?$")
_AFTER_LOCATIVE = re.compile(r"^\s*(?:border|borders|frontier|region|side|capital|territory)\b"
                             r"|^'s\s+(?:[A-Z]\w+\s+)?(?:park|reserve|region|province|border|capital|north|south|"
                             r"east|west|centre|center|territory|city|town|village|desert)\b", re.I)


def _party_regex() -> re.Pattern[str]:
    keys = set(lx.STATES) | set(lx.FORCES)
    return re.compile(r"(?<![\w-])(?:" + prefix_tree(keys) + r")(?:'s|s)?(?!\w)")  # on folded text


_PARTY_RE = _party_regex()
_UPPER_ONLY = {"us", "un", "eu", "uk", "cma", "vdp", "isgs", "jnim", "gsim", "aqim", "isis", "isil"}


# ---------------------------------------------------------------------------
# spaCy pipeline (imported lazily: ``import sahel`` stays light)

@lru_cache(maxsize=1)
def nlp():
    """spaCy's blank English pipeline: the tokenizer (sentences: :func:`_sentence_starts`)."""
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def _sentence_enders() -> frozenset[str]:
    """The characters that end a sentence for spaCy's sentencizer."""
    from spacy.pipeline import Sentencizer

    return frozenset(Sentencizer.default_punct_chars)


_ENDER_CANDIDATE = re.compile("[.!?\u0080-\U0010ffff]")  # a large character class is slow to match


def _sentence_starts(doc, text: str) -> list[int]:
    """Character offsets in ``text`` of the sentences of ``doc`` (its tokens).

    spaCy's sentencizer rule: the first token after a sentence-ending
    character that is neither punctuation nor such a character starts a
    sentence. Then line breaks: a blank line always ends a sentence; a single
    line break ends one after closing punctuation, after the first line (a
    headline), before a bullet, or between a line that does not end in a
    lower-case word and one that starts with a capital; any other single line
    break does not. Only the tokens next to a sentence-ending character or a
    line break are looked at.
    """
    from spacy.attrs import IDX, LENGTH

    n = len(doc)
    if n == 0:
        return []
    arr = doc.to_array([IDX, LENGTH])
    starts, lengths = arr[:, 0].tolist(), arr[:, 1].tolist()
    enders = _sentence_enders()
    ender_toks = set()
    for m in _ENDER_CANDIDATE.finditer(text):
        i = bisect_right(starts, m.start()) - 1
        if m.group() in enders and starts[i] == m.start() and lengths[i] == 1:
            ender_toks.add(i)
    is_start = {0}
    for i in sorted(ender_toks):
        j = i + 1
        while j < n and (j in ender_toks or doc[j].is_punct):
            j += 1
        if j < n:
            is_start.add(j)
    pos = text.find("\n")
    while pos >= 0:
        p = bisect_right(starts, pos) - 1
        i = p + 1
        end = starts[p] + lengths[p]
        if pos < end and i < n and doc[p].is_space and not doc[i].is_space:
            prev = text[starts[p]:end]
            line_start = text.rfind("\n", 0, starts[p]) + 1
            before = text[line_start:starts[p]].rstrip()
            last = before.rsplit(None, 1)[-1] if before else ""
            first = text[starts[i]]
            if (prev.count("\n") > 1 or not before or before[-1] in ".!?:;\"')"
                    or line_start == 0 or first in "-*\u2022"
                    or (first.isupper() and not last[:1].islower())):
                is_start.add(i)
            else:
                is_start.discard(i)
        pos = text.find("\n", max(end, pos + 1))
    return [starts[i] for i in sorted(is_start)]


# ---------------------------------------------------------------------------
# data classes

class Document:
    """A parsed article: its text, sentences, every number and the figures.

    The tables are built on first access from the extractor's rows.
    """

    def __init__(self, doc_id: str, text: str, published: date | None,
                 rows: dict[str, list[dict[str, object]]]) -> None:
        self.doc_id, self.text, self.published = doc_id, text, published
        self._rows = rows
        self._frames: dict[str, pd.DataFrame] = {}

    def _frame(self, name: str, schema: dict[str, str]) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = frame(self._rows[name], schema)
        return self._frames[name]

    @property
    def figures(self) -> pd.DataFrame:
        """One row per figure (:data:`sahel.schema.FIGURES`)."""
        return self._frame("figures", FIGURES)

    @property
    def numbers(self) -> pd.DataFrame:
        """Every number in the text and whether it is a figure (:data:`sahel.schema.NUMBERS`)."""
        return self._frame("numbers", NUMBERS)

    @property
    def sentences(self) -> pd.DataFrame:
        """Sentence spans and paragraph numbers (:data:`sahel.schema.SENTENCES`)."""
        return self._frame("sentences", SENTENCES)

    @property
    def mentions(self) -> pd.DataFrame:
        """Places, actors and dated milestones named in the text (:mod:`sahel.mentions`)."""
        if "mentions" not in self._frames:
            from .mentions import extract_mentions

            self._frames["mentions"] = extract_mentions(self.doc_id, self.text, self.sentences, self.published)
        return self._frames["mentions"]

    def __repr__(self) -> str:
        return f"Document({self.doc_id!r}, {len(self.text)} chars, {len(self._rows['figures'])} figures)"


@dataclass
class _Mention:
    start: int
    end: int
    party: str
    locative: str  # "" (an actor), "in" (inside the place) or "near"
    possessive: bool
    state: bool = True  # a country (not a force, mission or group)


@dataclass
class _Fig:
    start: int
    end: int
    value: float | None
    value_high: float | None
    qualifier: str
    noun: str | None = None
    cls: str | None = None
    party: str | None = None
    measure: str | None = None
    date: DateMention | None = None
    tok0: int = 0
    tok1: int = 0
    noun_tok: int = 0
    elliptical: bool = False
    modifiers: list[str] = field(default_factory=list)
    mod_end: int | None = None
    forced: str | None = None
    mode: str | None = None


# ---------------------------------------------------------------------------
# helpers

def _coerce_date(value: object) -> date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"published: {value!r} is not an ISO date (YYYY-MM-DD)") from None


@lru_cache(maxsize=8192)
def _singular(word: str) -> str | None:
    """The counted noun (singular, as in the lexicon) that ``word`` is a form of, or None."""
    w = word.lower().strip(".'")
    if " " in w:
        head, last = w.rsplit(" ", 1)
        last = lx.IRREGULAR_PLURALS.get(last, last)
        for cand in (f"{head} {last}", f"{head} {last[:-1]}" if last.endswith("s") else None):
            if cand and cand in lx.NOUNS:
                return cand
        return None
    if w in lx.IRREGULAR_PLURALS:
        return lx.IRREGULAR_PLURALS[w]
    if w in lx.NOUNS:
        return w
    for cut, add in (("ies", "y"), ("es", ""), ("s", "")):
        if w.endswith(cut) and w[: -len(cut)] + add in lx.NOUNS:
            return w[: -len(cut)] + add
    return None


def _tokens(sentence: str) -> tuple[list[str], list[int]]:
    """The tokens of ``sentence`` and their offsets."""
    words = _TOKEN_RE.findall(sentence)
    starts = []
    pos = 0
    for w in words:  # only white space lies between two tokens
        pos = sentence.find(w, pos)
        starts.append(pos)
        pos += len(w)
    return words, starts


def _party_mentions(sentence: str, folded: str) -> list[_Mention]:
    """Parties named in ``sentence`` (``folded``: the sentence folded by fold_case)."""
    out = []
    for m in _PARTY_RE.finditer(folded):
        surface = sentence[m.start():m.end()]
        key = surface.lower().removesuffix("'s")
        if key not in lx.STATES and key not in lx.FORCES:
            key = key[:-1]  # "Chadians"
        if key in _UPPER_ONLY and not surface[:2].isupper():
            continue
        if key == "legion" and not surface[0].isupper():
            continue
        party = lx.STATES.get(key) or lx.FORCES.get(key)
        before = folded[max(0, m.start() - 40):m.start()]
        if key not in lx.STATES:  # organisations and groups are actors, never places
            locative = ""
        elif _AFTER_LOCATIVE.match(sentence[m.end():m.end() + 15]) or _NEAR.search(before):
            locative = "near"
        elif _LOCATIVE.search(before):
            locative = "in"
        else:
            locative = ""
        out.append(_Mention(m.start(), m.end(), party, locative, surface.lower().endswith("'s"),
                            key in lx.STATES))
    return out


_QUALIFIERS_BEFORE = dict(reversed(lx.QUALIFIERS_BEFORE))  # phrase -> qualifier (the first entry wins)


def _qualifier(before: str, after: str) -> str:
    after_l = after.lower()
    for phrase, q in lx.QUALIFIERS_AFTER:
        if after_l.startswith(phrase) and (not phrase[-1].isalpha() or not after_l[len(phrase):len(phrase) + 1].isalpha()):
            return q
    words = before.lower().split()[-3:]
    for k in range(len(words), 0, -1):  # the longest phrase first
        q = _QUALIFIERS_BEFORE.get(" ".join(words[-k:]))
        if q:
            return q
    return "exact"


# ---------------------------------------------------------------------------
# the extractor

_BE = {"were", "was", "been", "be", "being", "are", "is"}
_HAVE = {"have", "has", "had"}
_INTRANSITIVE = {"died", "die", "dies", "dying", "dead", "perished", "fled", "flee", "fleeing", "missing",
                 "crashed", "collided", "exploded"}
_POST_NOMINAL = {"hostage", "hostages", "captive", "captives", "prisoner", "prisoners", "dead",
                 "wounded", "injured", "refugees", "refugee", "displaced"}
_ADJ_NOUNS = {"dead": "killed", "wounded": "wounded", "injured": "wounded"}
_SOFT_MODS = {"more", "other", "others", "additional", "extra", "further", "new", "fresh", "armed",
              "foreign", "elite", "regular", "local", "suspected", "alleged", "heavily", "unarmed",
              "international", "european", "african", "western", "special", "government", "army",
              "military", "state", "french-led", "un-led", "internally", "newly", "civilian"}
_CHANGE_BEFORE = {"rose", "risen", "rise", "rising", "climbed", "grew", "grown", "increased", "raised",
                  "raising", "jumped", "fell", "fallen", "dropped", "cut", "reduce", "reduced", "brought",
                  "bring", "brings", "bringing", "put", "puts", "stood", "stands", "at", "reached",
                  "reaching", "to", "totalled", "totaled", "totalling", "counted", "counts", "numbered",
                  "numbering", "number", "swelled", "reaches", "hit", "passed", "surpassed", "exceeded",
                  "topped", "crossed", "past"}
_COMPARE = re.compile(r"\b(?:up|down)\s+from\s*$|\bcompared\s+(?:with|to)\s*$|\bagainst\s*$|\bversus\s*$|"
                      r"\bthan\s*$|\bfrom\s*$", re.I)
_ANAPHOR_NOUNS = {"total", "number", "figure", "tally", "count", "sum", "toll"}
_MILITARY_AFTER = re.compile(r"^\s*(?:'s\s+)?(?:army|armed\s+forces|forces|military|troops|soldiers|base|"
                             r"camp|headquarters|post|garrison|gendarmerie|contingent|defence|defense)\b", re.I)
_AMONG = re.compile(r"\b(?:among|of)\s+the\s+(dead|wounded|injured|victims)\b[^.;]*$")  # on folded text
_AMONG_THEM = re.compile(r"\bamong\s+(?:them|those|whom)\s*,?\s*$")  # on folded text
_ALONG = re.compile(r"\b(?:along\s+with|together\s+with|as\s+well\s+as|in\s+addition\s+to)\s+"
                    r"(?:(?:some|about|around|at\s+least|more\s+than|nearly)\s+)?$")  # on folded text
_CLAUSE_BREAK = re.compile(r";|,\s*(?:while|though|although|but|whereas|as|and)\b|\s-\s", re.I)
_CLAUSE_COMMA = re.compile(r",\s+(?!(?:and\s+|or\s+)?[A-Z])")
_RELATIVE = re.compile(r",\s*(?:which|who|whose|where)\b[^,;]*(?:,|$)"
                       r"|,\s*(?:set\s+up|created|formed|launched|founded|established|made\s+up|composed)\b[^;]*?,"
                       r"(?=\s+(?:was|is|has|had|were|are|will|would)\b)"
                       r"|,(?<=[A-Za-z],)\s+(?:the|a|an)\s+[^,;]{3,50},(?=\s+(?:has|have|had|is|was|will|said|lost|sent|keeps|deployed)\b)",
                       re.I)  # every branch begins with the comma: a fast first-character scan
_RATIO_AFTER = re.compile(r"^\s+in\s+(?:\d{1,3}|ten|two|three|four|five|six|seven|eight|nine|a hundred)\b", re.I)
_RATIO_BEFORE = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine)\s+in\s*$")  # on folded text
_ATTACKERS = {"attacker", "assailant", "gunman", "fighter", "combatant", "armed man", "man", "suspect",
              "accomplice"}
_PARTICIPLES = {"killed", "wounded", "injured", "arrested", "captured", "detained", "abducted",
                "kidnapped", "displaced", "deployed", "destroyed", "missing"}
_MIXED = re.compile(r"^\s*,\s*(?:(?:roughly|about|around|nearly|almost|some|just\s+over|just\s+under|more\s+than)\s+)?"
                    r"(?:half|most|many|a\s+third|a\s+quarter|two\s+thirds|some|\d+)\s+of\s+(?:them|whom)\s+\w+", re.I)
_PASSED = {"passed", "surpassed", "exceeded", "topped"}
_QUALIFIER_WORDS = {w for q, _ in lx.QUALIFIERS_BEFORE for w in q.split()}
# the tokens that can be a measure cue: the cue words and those that are one with the next word
# ("shot down", "taken hostage", "forced out", "took part", "lost their lives")
_CUE_TOKENS = frozenset(lx.CUES) | {"shot", "brought", "taken", "forced", "driven", "took", "lost", "lose", "losing",
                                    "loses"}

_CHANGE_VERB = re.compile(
    r"\b(?:rose|rise|risen|rising|increased?|increasing|grew|grow|grown|boost(?:ed)?|"
    r"raised?|reduced?|reducing|cut|dropped|fell|fall|brought|bring|swell(?:ed)?|"
    r"expanded?|went|gone|climbed|jumped)\s+(?:\w+\s+)?$", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")
_NAME_COMMA = re.compile(r"[A-Z][a-zà-ÿ]+,\s*$")
_COMMA = re.compile(r"^\s*,")
_HYPHEN_WORD = re.compile(r"^-([A-Za-z]+)")
_OF_THE_DEAD = re.compile(r"^\W*of\s+the\s+(dead|wounded|injured|victims)\b", re.I)
_STRONG = re.compile(r"-?\s*strong\b", re.I)
_OF_ITS = re.compile(r"^\s+of\s+(?:its|their)\b", re.I)
_POSSESSOR = re.compile(r"(?:(\S+(?:\s\S+)?)'s|\b(its|their))(?:\s+\w+)?$", re.I)
_ITS_START = re.compile(r"^\W*(?:its|their)\b", re.I)
_FROM_OF = re.compile(r"^\s*(?:from|of)\s+(?:the\s+)?([A-Za-z' -]{2,30})")
_AT = re.compile(r"\bat\s+(?:the\s+)?$")
_SOLDIERS = re.compile(r"\b(?:soldiers?|troops?|servicem[ae]n|military|army|commandos?)\b", re.I)
_CIVILIAN_WORDS = re.compile(r"\b(?:civilians?|villagers?|wedding|market|worshippers|"
                             r"displaced|refugees?|fled|homes|residents|inhabitants|herders|"
                             r"farmers|massacre)\b", re.I)
_CONTRIBUTED_TO = re.compile(r"\b(?:to|for|with|in|under|into)\s+(?:the\s+)?(?:operation\s+|task\s+force\s+)?$",
                             re.I)
_ACCIDENT = re.compile(r"\b(?:collision|collided|crash|crashed|lost)\b", re.I)
_ACTIVE_VERB_AFTER = re.compile(
    r"^[\w\s-]{0,30}?\b(?:destroyed|killed|shot down|downed|hit|struck|targeted|bombed|attacked)\b", re.I)
_PASSIVE_AFTER = re.compile(r"^[\w\s-]{0,30}?\b(?:were|was|been)\s", re.I)
_BY_AGENT = re.compile(r"\b(?:destroyed|killed|shot\s+down|downed|hit|struck|targeted|bombed|attacked)"
                       r"\s+by\s+(?:the\s+)?$", re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class _Sentence:
    """Figures of one sentence, coded with the help of the document context."""

    def __init__(self, text: str, published: date | None, context: "_Context", folded: str | None = None) -> None:
        self.text = text
        self.folded = fold_case(text) if folded is None else folded  # see fold_case
        self.words, self.starts = _tokens(text)  # the tokens and their offsets
        self.lower = list(map(str.lower, self.words))
        self.published = published
        self.context = context
        self.mentions = _party_mentions(text, self.folded)
        self.relative = [m.span() for m in _RELATIVE.finditer(text)]
        self.dates = find_dates(text, published)
        self.numbers: list[tuple[int, int, float | None, str]] = []  # start, end, value, status
        self.figures: list[_Fig] = []
        self.starts_of: dict[int, _Fig] = {}
        self.antecedents: list[_Fig] = []

    # -- number phrases -------------------------------------------------
    def find(self) -> None:
        text = self.text
        for m in _NUM_RE.finditer(self.folded):
            n1s, n1e = m.span("n1")
            v1 = parse_number(text[n1s:n1e])
            if v1 is None:
                continue
            n2 = text[m.start("n2"):m.end("n2")] if m.start("n2") >= 0 else None
            v2 = parse_number(n2) if n2 else None
            sep = text[m.start("sep"):m.end("sep")].lower()  # "" when not matched
            pre = text[m.start("pre"):m.end("pre")].lower()
            pairs = [(n1s, n1e, v1)]
            high = None
            if n2 and v2 is not None:
                change = pre == "from" and _CHANGE_VERB.search(text[:m.start()])
                is_range = (
                    (sep == "and" and pre == "between")
                    or (sep in ("-", "to") and v2 > v1 and not change)
                    or (sep == "or" and v2 > v1)
                )
                if is_range:
                    v1, high = min(v1, v2), max(v1, v2)
                    pairs = [(n1s, n1e, v1)]
                    n1e = m.end("n2")
                elif sep == "-" and self._is_year(text[n1s:m.end("n1")]) and self._is_year(n2):
                    self.numbers.append((m.start("n1"), m.end("n2"), v1, "year"))
                    continue
                else:  # not a range: two numbers ("2019 - Two French commandos")
                    pairs.append((m.start("n2"), m.end("n2"), v2))
            for k, (s, e, v) in enumerate(pairs):
                end = n1e if k == 0 else e
                status = self._status(s, end, text[m.start("n1"):m.end("n1")] if k == 0 else n2, v)
                if status != "figure":
                    self.numbers.append((s, end, v, status))
                    continue
                before = text[max(0, s - 30):s]
                if pre and k == 0 and high is not None:
                    before = text[max(0, m.start() - 30):m.start()]
                qualifier = "range" if (k == 0 and high is not None) else _qualifier(before, text[end:end + 12])
                self.figures.append(_Fig(s, end, v, high if k == 0 else None, qualifier))
        for m in _VAGUE_RE.finditer(self.folded):
            if any(f.start <= m.start() < f.end for f in self.figures):
                continue
            self.figures.append(_Fig(m.start(), m.end(), None, None, "vague"))
        self.figures.sort(key=lambda f: f.start)

    @staticmethod
    def _is_year(s: str) -> bool:
        return bool(_YEAR.fullmatch(s.strip()))

    def _status(self, s: int, e: int, surface: str, value: float) -> str:
        text = self.text
        before, after = text[max(0, s - 25):s], text[e:e + 30]
        low_before = self.folded[max(0, s - 25):s]
        if any(d.start <= s and e <= d.end for d in self.dates):
            return "date" if not self._is_year(surface) else "year"
        if self._is_year(surface) and not self._noun_follows(e):
            return "year"
        if _DATE_NEAR.match(after) or (_MONTH_BEFORE.search(low_before) and value <= 31):
            return "date"
        if _AGE_AFTER.match(after) or _AGE_BEFORE.search(low_before) or (
                value < 120 and _NAME_COMMA.search(before) and _COMMA.match(after)
                and not self._noun_follows(e)):
            return "age"
        if _DURATION.match(after):
            return "duration"
        if _PERCENT.match(after):
            return "percent"
        if _RATIO_AFTER.match(after) or _RATIO_BEFORE.search(low_before):
            return "ratio"
        if _MONEY_BEFORE.search(low_before) or _MONEY_AFTER.match(after):
            return "money"
        if _LABEL_BEFORE.search(low_before) or _LABEL_AFTER.match(after):
            return "label"
        hyphen = _HYPHEN_WORD.match(after)
        if hyphen and hyphen.group(1).lower() not in _STRENGTH_SUFFIX and _singular(hyphen.group(1)) is None:
            return "label"
        return "figure"

    def _tok_end(self, i: int) -> int:
        """Where token ``i`` ends in the sentence."""
        return self.starts[i] + len(self.words[i])

    def _noun_follows(self, end: int) -> bool:
        i = bisect_left(self.starts, end)
        for w in self.lower[i:i + 3]:
            sing = _singular(w)
            if sing is not None:
                return lx.NOUNS[sing][0] != "other"
        return False

    # -- nouns ----------------------------------------------------------
    def code_nouns(self) -> None:
        for fig in self.figures:
            fig.tok0 = bisect_left(self.starts, fig.start)
            fig.tok1 = max(fig.tok0, bisect_left(self.starts, fig.end) - 1)
            fig.mod_end = None
            fig.forced = None
            fig.mode = None
            self.starts_of[fig.tok0] = fig
        for fig in self.figures:
            self._noun(fig)
            if fig.qualifier not in ("range", "vague") and fig.cls and fig.tok1 < fig.noun_tok < len(self.words):
                # "some 50 soldiers or more"
                after = _qualifier("", self.text[self._tok_end(fig.noun_tok):][:12].lstrip())
                if after != "exact":
                    fig.qualifier = after

    def _noun(self, fig: _Fig) -> None:
        words, low = self.words, self.lower
        i = fig.tok1 + 1
        n = len(words)
        mods: list[str] = []
        strength = False
        steps = 0
        while i < n and steps < 7:
            w = low[i]
            nxt = low[i + 1] if i + 1 < n else ""
            two = f"{w} {nxt}" if nxt else ""
            if w in ("-", '"', "'") and nxt:
                i += 1
                continue
            if w == ":" and i == fig.tok1 + 1 and nxt:  # "5,100: French soldiers deployed …"
                i += 1
                continue
            if w in ("strong", "odd", "plus") or (w in _STRENGTH_SUFFIX and low[i - 1] == "-"):
                strength = strength or w not in ("odd", "plus")
                i += 1
                continue
            if two in ("fighter jet", "fighter jets", "fighter plane", "fighter planes",
                       "fighter aircraft", "fighter bombers"):
                self._set_noun(fig, "jet", i + 1, mods)
                return
            sing2 = _singular(two) if two else None
            if sing2:
                self._set_noun(fig, sing2, i + 1, mods)
                return
            if w == "the" and low[i:i + 3] == ["the", "number", "of"]:
                i += 3
                continue
            if w == "of":
                if nxt in ("these", "those", "them", "whom", "which", "us"):
                    for k in range(i + 2, min(i + 6, n)):
                        sing = _singular(low[k])
                        if sing is not None and lx.NOUNS[sing][0] in ("force", "person"):
                            head = _singular(low[k + 1]) if k + 1 < n else None
                            if head is not None and lx.NOUNS[head][0] == lx.NOUNS[sing][0]:
                                sing, k = head, k + 1
                            self._set_noun(fig, sing, k, [])
                            fig.forced = "from-antecedent"
                            return
                        if low[k] in lx.MODIFIER_STOP or low[k] in (",", ".", ";"):
                            break
                    fig.elliptical, fig.mode = True, "partitive"
                    return
                if nxt in ("the", "its", "their", "his", "her", "our"):
                    i += 2
                    continue
                if fig.qualifier == "vague":
                    i += 1
                    continue
                break
            if w in ("and", "or") and i + 1 in self.starts_of and fig.value is not None:
                fig.mod_end = fig.mod_end or self.starts[i]  # "four US and four Nigerien soldiers"
                i = self.starts_of[i + 1].tok1 + 1
                continue
            sing = _singular(w)
            if sing is not None:
                if sing == "fighter" and _singular(nxt) in ("jet", "plane", "aircraft"):
                    self._set_noun(fig, _singular(nxt), i + 1, mods)
                    return
                if sing in _ADJ_NOUNS:  # "14 wounded", "20 dead": whose? the antecedent's
                    fig.forced = _ADJ_NOUNS[sing]
                    if self._predicate(fig, i + 1):  # "Three of the dead were armed men"
                        return
                    fig.elliptical, fig.mode = True, "adjective"
                    fig.tok1 = i
                    return
                head = _singular(nxt) if nxt else None
                if (head is not None and head not in _ADJ_NOUNS and sing not in ("displaced", "idp")
                        and lx.NOUNS[head][0] == lx.NOUNS[sing][0]):
                    sing, i = head, i + 1  # "Mirage jets", "army soldiers": the head noun
                self._set_noun(fig, sing, i, mods)
                return
            if _demonym(w):
                self._set_noun(fig, w, i, mods)
                return
            if w in _SOFT_MODS:
                if w in ("more", "others", "other") and (not nxt or not words[i + 1][:1].isalpha()
                                                          or nxt in lx.MODIFIER_STOP | _BE | _HAVE):
                    fig.elliptical, fig.mode = True, "more"
                    return
                mods.append(w)
                i += 1
                steps += 1
                continue
            if w in lx.MODIFIER_STOP or not words[i][:1].isalpha():
                break
            mods.append(w)
            i += 1
            steps += 1
        if strength:
            self._set_noun(fig, "troop", fig.tok1, mods)
            return
        self._noun_before(fig)

    def _noun_before(self, fig: _Fig) -> None:
        """No noun after the number: look left, at a predicate, or refer back."""
        low, n = self.lower, len(self.lower)
        text = self.text
        # a predicate noun: "Of the dead, 49 were gendarmes"
        if self._predicate(fig, fig.tok1 + 1):
            head = _OF_THE_DEAD.match(text)
            if head:
                fig.forced = _ADJ_NOUNS.get(head.group(1).lower(), "killed")
            elif _ELLIPSIS_START.match(text):
                fig.forced = "from-antecedent"
            return
        # look left within the clause
        left_start = fig.tok0
        while left_start > 0 and fig.tok0 - left_start < 25 and low[left_start - 1] not in (";",):
            left_start -= 1
        left = list(range(left_start, fig.tok0))
        core = [i for i in left if low[i] not in _QUALIFIER_WORDS]
        last = low[core[-1]] if core else ""
        if last == ":":
            for i in reversed(core[:-1]):
                sing = _singular(low[i])
                if sing is not None and lx.NOUNS[sing][0] != "other":
                    self._set_noun(fig, sing, i, [])
                    fig.noun_tok = fig.tok1
                    return
        near = {low[i] for i in core[-4:]} | ({low[i] for i in left[-4:]} & _PASSED)
        if near & _CHANGE_BEFORE or any(low[i] in _ANAPHOR_NOUNS for i in core[-5:]):
            commas = [i for i in core if low[i] == ","]
            clause = [i for i in core if not commas or i > commas[-1]]
            for scan in (clause, core):
                if self._subject(fig, scan):
                    return
        words = text[:fig.start].split()
        while words and words[-1].lower() in _QUALIFIER_WORDS:
            words.pop()
        if _COMPARE.search(" ".join(words) + " "):
            fig.elliptical, fig.mode = True, "compare"
            return
        if any(w in _FORCE_BEFORE for w in low[max(0, fig.tok0 - 5):fig.tok0]) and \
                any(w in ("of", "to", "at", "numbering", "number") for w in low[max(0, fig.tok0 - 2):fig.tok0]):
            self._set_noun(fig, "troop", fig.tok0, [])
            return
        nxt = low[fig.tok1 + 1] if fig.tok1 + 1 < n else ""
        if _ELLIPSIS_START.match(text) or nxt in _BE | _HAVE | _INTRANSITIVE | _PARTICIPLES:
            fig.elliptical, fig.mode = True, "verb"
        elif (not nxt or nxt in (".", ",", ";", ")", "and", "while", "but", "in", "on", "for", "to", "at",
                                 "under", "with", "by", "from", "into")) and fig.value not in (None, 1):
            fig.elliptical, fig.mode = True, "bare"

    def _subject(self, fig: _Fig, scan: list[int]) -> bool:
        """The subject of 'X rose to N', 'raised the toll to N', 'put X at N'."""
        low, n = self.lower, len(self.lower)
        for i in scan:
            w = low[i]
            if w == "toll" or (i + 1 < n and low[i + 1] == "toll" and w in ("death", "casualty")):
                fig.elliptical, fig.forced, fig.mode = True, "killed", "toll"
                return True
            if w in _ANAPHOR_NOUNS and not (i + 1 < n and low[i + 1] == "of"):
                fig.elliptical, fig.mode = True, "anaphor"
                return True
            if w in ("displacement", "displacements"):
                self._set_noun(fig, "displaced", fig.tok1, [])
                return True
            if self._in_other_np(i, fig):
                continue
            sing = _singular(w)
            if sing is not None and lx.NOUNS[sing][0] in ("force", "person", "materiel"):
                self._set_noun(fig, sing, i, [])
                fig.noun_tok = fig.tok1
                return True
        return False

    def _predicate(self, fig: _Fig, j: int) -> bool:
        """'N were gendarmes', 'N of the dead were armed men': the noun after the verb."""
        low, n = self.lower, len(self.lower)
        if not (j < n and low[j] in _BE):
            return False
        for k in range(j + 1, min(j + 4, n)):
            sing = (_singular(f"{low[k]} {low[k + 1]}") if k + 1 < n else None) or _singular(low[k])
            if sing is not None and sing not in _ADJ_NOUNS and lx.NOUNS[sing][0] != "other":
                self._set_noun(fig, sing, k + (1 if " " in sing else 0), [])
                return True
            if low[k] in lx.MODIFIER_STOP:
                break
        return False

    def _in_other_np(self, tok: int, fig: _Fig) -> bool:
        return any(o is not fig and o.cls is not None and o.tok0 <= tok <= max(o.noun_tok, o.tok1)
                   for o in self.figures)

    def _set_noun(self, fig: _Fig, noun: str, idx: int, mods: list[str]) -> None:
        if noun in lx.NOUNS and lx.NOUNS[noun][0] == "other" and _STRONG.search(self.text[fig.end:fig.end + 10]):
            noun = "troop"  # "a 1,200-strong battalion"
        demonym = _demonym(noun)
        if demonym:
            cls, key = "person", noun
            fig.noun = noun.rstrip("s")
        else:
            cls = lx.NOUNS[noun][0]
            key = noun
            fig.noun = lx.NOUN_CANONICAL.get(noun, noun)
            if fig.noun == "force":
                fig.noun = "troop"
        fig.cls = cls
        fig.noun_tok = idx
        fig.modifiers = mods + [noun]
        fig._noun_key = key  # type: ignore[attr-defined]

    # -- party ----------------------------------------------------------
    def _party_in(self, span: str) -> str | None:
        found = None
        for m in _PARTY_RE.finditer(fold_case(span)):
            surface = span[m.start():m.end()]
            key = surface.lower().removesuffix("'s")
            if key in _UPPER_ONLY and not surface[:2].isupper():
                continue
            found = lx.STATES.get(key) or lx.FORCES.get(key)
        return found

    def _mods_party(self, fig: _Fig) -> str | None:
        if fig.noun_tok >= len(self.words) or fig.noun_tok <= fig.tok1:
            return None
        end = fig.mod_end or self.starts[fig.noun_tok]
        return self._party_in(self.text[fig.end:end])

    def _possessor(self, fig: _Fig) -> str | None:
        if _OF_ITS.match(self.text[fig.end:fig.end + 12]):
            owners = [f for f in self.figures if f.end <= fig.start and f.party and f.cls in ("force", "person")]
            if owners:  # "killed 50 fighters and destroyed 30 of their motorcycles"
                return owners[-1].party
            prior = [x for x in self.mentions if x.end <= fig.start and not x.locative]
            return prior[-1].party if prior else self.context.recent_any()
        before = self.text[max(0, fig.start - 40):fig.start]
        words = before.split()
        while words and words[-1].lower() in _QUALIFIER_WORDS:
            words.pop()
        before = " ".join(words)
        m = _POSSESSOR.search(before)
        if not m:
            return None
        if m.group(2):
            prior = [x for x in self.mentions if x.end <= fig.start and x.party in lx.STATE_PARTIES
                     and not x.locative]
            return prior[-1].party if prior else self.context.recent_any()
        owner = m.group(1).lower()
        for key in (owner, owner.split()[-1]):
            p = lx.STATES.get(key) or lx.FORCES.get(key)
            if p:
                return p
        return None

    def _after_noun(self, fig: _Fig) -> str:
        if fig.noun_tok >= len(self.words):
            return ""
        end = self._tok_end(fig.noun_tok)
        return self.text[end:end + 60]

    def _subject_possessive(self, fig: _Fig) -> str | None:
        """'Its five member states promised to field 5,000 troops': its = the previous subject."""
        if _ITS_START.match(self.text) and not any(
                m.end <= fig.start and not m.locative and m.party in lx.STATE_PARTIES for m in self.mentions):
            return self.context.recent_any()
        return None

    def _after_from(self, fig: _Fig) -> str | None:
        if fig.noun_tok >= len(self.words):
            return None
        end = self._tok_end(fig.noun_tok)
        tail = self.text[end:end + 40]
        m = _FROM_OF.match(tail)
        if m:
            p = self._party_in(m.group(1))
            if p in lx.STATE_PARTIES:
                return p
        return None

    def _usable(self, m: _Mention, fig: _Fig | None = None) -> bool:
        if any(a <= m.start < b for a, b in self.relative):
            return False
        if fig is not None:
            for o in self.figures:
                if o is not fig and o.cls is not None and o.noun_tok < len(self.words):
                    if o.start <= m.start < self._tok_end(max(o.noun_tok, o.tok1)):
                        return False
        return True

    def _haver(self, fig: _Fig, before_pos: int | None = None, located: str = "") -> str | None:
        pos = fig.start if before_pos is None else before_pos
        cands = [m for m in self.mentions if (m.party in lx.STATE_PARTIES or m.party == "MERCENARY")
                 and self._usable(m, fig)]
        if located:
            located_cands = [m for m in cands if m.locative == located and m.party not in ("UN", "EU", "G5S")]
            if located in ("at", "place"):
                located_cands = [m for m in self._places() if located == "place" or m.locative == "at"]
            return min(located_cands, key=lambda m: abs(m.start - fig.start)).party if located_cands else None
        before = [m for m in cands if m.end <= pos and not m.locative]
        if before:
            military = [m for m in before if _MILITARY_AFTER.match(self.text[m.end:m.end + 25])]
            return (military[-1] if len(before) > 1 and military else before[-1]).party
        if before_pos is not None:
            return None
        after = [m for m in cands if m.start >= fig.end and not m.locative
                 and not _CLAUSE_BREAK.search(self.text[fig.end:m.start])]
        return after[0].party if after else None

    def _places(self) -> list[_Mention]:
        """Towns and regions of the gazetteer named in the sentence, as the country they lie in."""
        if not hasattr(self, "_place_mentions"):
            from .places import column, find_places

            countries, kinds = column("country"), column("kind")
            self._place_mentions = []
            for m in find_places(self.text):
                country, kind = countries[m.key], kinds[m.key]
                if isinstance(country, str) and "|" not in country and kind not in ("country", "border"):
                    at = _AT.search(self.text[max(0, m.start - 10):m.start])
                    self._place_mentions.append(_Mention(m.start, m.end, country, "at" if at else "in", False))
        return self._place_mentions

    def _group(self, fig: _Fig) -> str:
        groups = [m for m in self.mentions if m.party in ("JIHADIST", "ARMED_GROUP", "MERCENARY")]
        if groups:
            return min(groups, key=lambda m: abs(m.start - fig.start)).party
        return self.context.recent_group() or "JIHADIST"

    def code_parties(self) -> None:
        for fig in self.figures:
            if fig.elliptical or fig.cls is None:
                continue
            fig.party = self._party(fig)

    def _party(self, fig: _Fig) -> str | None:
        key = getattr(fig, "_noun_key", fig.noun)
        if _demonym(key):  # "two Nigeriens": civilians, unless soldiers are the subject
            military = _SOLDIERS.search(self.text)
            return _demonym(key) if military else "CIVILIAN"
        default = lx.NOUNS[key][1]
        mods = self._mods_party(fig)
        if fig.cls == "force":
            if _MIXED.match(self._after_noun(fig)):
                return "UNKNOWN"  # several sides together
            if mods:  # "13 French soldiers", "44 Boko Haram members", "Wagner men"
                return mods
            if default and key not in ("peacekeeper", "peacekeeping", "blue helmet"):
                return default
            return (self._possessor(fig) or self._after_from(fig) or default or self._subject_possessive(fig)
                    or self._haver(fig)
                    or self._haver(fig, located="in") or self._haver(fig, located="at")
                    or self.context.recent_party()
                    or self._haver(fig, located="place") or self._haver(fig, located="near")
                    or self.context.dominant())
        if fig.cls == "person":
            party = default
            if mods and mods not in lx.STATE_PARTIES:
                if default in ("UNKNOWN", "JIHADIST", "ARMED_GROUP"):
                    party = mods
            elif mods and default == "UNKNOWN":
                party = mods
            elif key in _ATTACKERS and not mods:
                party = self._group(fig) if key != "man" or "armed" in fig.modifiers else party
            if party == "UNKNOWN" and self._civilian_context():
                party = "CIVILIAN"
            return party
        if fig.cls == "materiel":
            return mods or self._possessor(fig) or None
        return mods or None

    def _civilian_context(self) -> bool:
        if any(f.noun == "civilian" for f in self.figures):
            return False  # the civilians are counted on their own
        return bool(_CIVILIAN_WORDS.search(self.text))

    # -- measures -------------------------------------------------------
    def code_measures(self) -> None:
        cues = []
        low = self.lower
        for i in [i for i, w in enumerate(low) if w in _CUE_TOKENS]:
            w = low[i]
            measure = lx.CUES.get(w)
            nxt = low[i + 1] if i + 1 < len(low) else ""
            if w in ("shot", "brought") and nxt == "down":
                measure = "destroyed"
            elif w == "taken" and nxt in ("hostage", "prisoner", "captive"):
                measure = "captured"
            elif w in ("forced", "driven") and nxt in ("from", "to", "out"):
                measure = "displaced"
            elif measure == "wounded" and i and low[i - 1] in ("fatally", "mortally"):
                measure = "killed"
            elif w == "taken" and nxt in ("alive", "captive"):
                measure = "captured"
            elif w == "took" and nxt == "part":
                measure = "other"
            elif w in ("lost", "lose", "losing", "loses") and low[i + 1:i + 3] in (["their", "lives"], ["his", "life"], ["her", "life"]):
                cues.append((i, "died", "killed"))  # "lost their lives": intransitive
                continue
            if measure:
                cues.append((i, w, measure))
        self.cues = cues
        previous = None
        for fig in self.figures:
            if fig.cls is None:
                continue
            before = self.folded[:fig.start]
            head = _AMONG.search(before)
            if fig.forced == "from-antecedent" or (previous and (_ALONG.search(before) or _AMONG_THEM.search(before))):
                own = self._measure(fig)
                ante = previous or (self.antecedents[-1] if self.antecedents else None)
                fig.measure = ante.measure if ante and own in ("other", "deployed") else own
            elif head:
                fig.measure = _ADJ_NOUNS.get(self.text[head.start(1):head.end(1)].lower(), "killed")
            else:
                fig.measure = fig.forced or self._measure(fig)
            if fig.measure == "displaced" and fig.cls == "person":
                fig.party = "CIVILIAN"
            previous = fig

    def _measure(self, fig: _Fig) -> str:
        key = getattr(fig, "_noun_key", fig.noun)
        inherent = {"death": "killed", "fatality": "killed", "casualty": "killed", "body": "killed",
                    "dead": "killed", "life": "killed", "wounded": "wounded", "injured": "wounded",
                    "displaced": "displaced", "refugee": "displaced", "idp": "displaced"}.get(key)
        if inherent:
            return inherent
        allowed = lx.COMPATIBLE.get(fig.cls or "other", set())
        if fig.cls == "other" or not allowed:
            return "other"
        end = max(fig.noun_tok, fig.tok1)
        best, best_score = None, 99.0
        low = self.lower
        others = [o.tok0 for o in self.figures if o is not fig and o.cls not in ("other",)
                  and (o.cls is not None or o.elliptical)]
        for i, w, measure in self.cues:
            if fig.tok0 <= i <= end:
                continue
            if fig.cls == "materiel" and w in lx.MATERIEL_LOSS:
                measure = "destroyed"
            if measure not in allowed or (measure == "deployed" and fig.cls != "force"):
                continue
            if i < fig.tok0:
                dist = fig.tok0 - i
                if ";" in low[i:fig.tok0]:
                    continue
                if w in _INTRANSITIVE and dist > 1:
                    continue  # "… died, and 20 …": the verb has its own subject
                if any(a in _BE for a in low[max(0, i - 2):i]) and any(o < i for o in others):
                    continue  # "42 were killed and 22 were wounded": a predicate of an earlier figure
            else:
                dist = i - end
                between = low[end + 1:i]
                if ";" in between or any(end < o < i and low[o - 1] not in ("and", "or") for o in others):
                    continue
                passive = any(a in _BE for a in between[-5:])
                ok = (passive or dist <= 1
                      or (w in _INTRANSITIVE and (dist <= 6 or any(a in _HAVE for a in between)))
                      or (w in _POST_NOMINAL and dist <= 3))
                if not ok:
                    continue
            score = dist + (6 if w in lx.WEAK_CUES else 0)
            if score < best_score:
                best, best_score = measure, score
        if best is None or best_score > 25:
            return "deployed" if fig.cls == "force" else "other"
        return best

    # -- ellipsis and dates ----------------------------------------------
    def resolve_ellipsis(self, antecedents: list[_Fig]) -> None:
        for fig in self.figures:
            if not fig.elliptical:
                continue
            if fig.value == 1 and fig.mode != "verb":  # "one of the largest contributors"
                fig.cls = None
                continue
            same = [f for f in self.figures if f.start < fig.start and f.cls in ("force", "person")
                    and f.party and not f.elliptical]
            pool = [f for f in antecedents if f.cls in ("force", "person") and f.party] + same
            if fig.mode == "compare":
                pool = same or pool
            if fig.forced == "killed":
                pool = [f for f in pool if f.measure == "killed"] or ([] if fig.mode == "toll" else pool)
            if not pool:
                if fig.mode in ("bare", "more", "partitive", "anaphor", "compare"):
                    fig.cls = None  # a bare number that counts nothing we know
                    continue
                self._set_noun(fig, "death" if fig.mode == "toll" else "person", fig.tok1, [])
                fig.noun_tok = fig.tok1
                fig.party = "CIVILIAN" if self._civilian_context() else "UNKNOWN"
                fig.measure = fig.forced or self._measure(fig)
                if fig.measure == "other" and fig.mode != "adjective":
                    fig.cls = None
                continue
            ante = pool[-1]
            fig.noun, fig.cls, fig.party = ante.noun, ante.cls, ante.party
            fig._noun_key = getattr(ante, "_noun_key", ante.noun)  # type: ignore[attr-defined]
            fig.noun_tok = fig.tok1
            if ante.cls == "force":  # gapping: "Sweden committed 150 and the Czech Republic up to 60"
                anchor = 0
                if ante in self.figures:
                    anchor = self._tok_end(min(max(ante.noun_tok, ante.tok1), len(self.words) - 1))
                gap = [m for m in self.mentions if anchor <= m.start and m.end <= fig.start
                       and m.party in lx.STATE_PARTIES and not m.locative and self._usable(m)]
                gap = [m for m in gap if m.state or not _CONTRIBUTED_TO.search(self.text[max(0, m.start - 30):m.start])]
                if gap:
                    fig.party = gap[0].party
            own = self._measure(fig)
            if fig.forced:
                fig.measure = fig.forced
            elif own not in ("other", "deployed") or ante.measure is None:
                fig.measure = own
            else:
                fig.measure = ante.measure
            fig.elliptical = False

    def code_materiel_parties(self) -> None:
        for fig in self.figures:
            if fig.cls != "materiel" or fig.party:
                continue
            fig.party = self._materiel_party(fig)

    def _materiel_party(self, fig: _Fig) -> str:
        siblings = [f for f in self.figures if f is not fig and f.cls == "force" and f.measure == "killed"
                    and f.party in lx.STATE_PARTIES]
        if siblings and _ACCIDENT.search(self.text):
            return siblings[0].party
        agents = self._agents()
        others = [m for m in self.mentions if not m.locative and id(m) not in agents]
        jihadist = [m for m in self.mentions if m.party == "JIHADIST" and id(m) not in agents]
        if fig.measure == "destroyed":
            if jihadist:
                return "JIHADIST"
            agent_parties = {m.party for m in self.mentions if id(m) in agents}
            if agent_parties & lx.STATE_PARTIES:
                return "JIHADIST"
            if "JIHADIST" in agent_parties:
                state = [m for m in others if m.party in lx.STATE_PARTIES]
                return state[0].party if state else self.context.recent_party() or "UNKNOWN"
        state = [m for m in others if m.party in lx.STATE_PARTIES]
        if state:
            return min(state, key=lambda m: abs(m.start - fig.start)).party
        return self.context.recent_party() or "UNKNOWN"

    def _agents(self) -> set[int]:
        """Mentions that act as the subject of an active destroy/kill verb."""
        agents = set()
        for m in self.mentions:
            after = self.text[m.end:m.end + 60]
            if _ACTIVE_VERB_AFTER.match(after) and not _PASSIVE_AFTER.match(after):
                agents.add(id(m))
            before = self.text[max(0, m.start - 40):m.start]
            if _BY_AGENT.search(before):
                agents.add(id(m))
        return agents

    def code_dates(self) -> None:
        figs = [f for f in self.figures if f.cls is not None]
        text = self.text
        for fig in figs:
            pool = [d for d in self.dates if d.ignore is None
                    or (d.ignore == "speech" and fig.measure == "deployed")]
            pool = [d for d in pool if not (d.start <= fig.start < d.end)]
            right = [d for d in pool if d.start >= fig.end and ";" not in text[fig.end:d.start]]
            left = [d for d in pool if d.end <= fig.start]
            clean_right = [d for d in right if not _CLAUSE_COMMA.search(text[fig.end:d.start])
                           and not any(fig.end <= o.start < d.start for o in figs if o is not fig)]
            if clean_right:
                fig.date = clean_right[0]
            elif left:
                fig.date = left[-1]
            elif right:
                fig.date = right[0]


_INVARIANT_DEMONYMS = {"burkinabe": "BFA", "burkinabè": "BFA"}


@lru_cache(maxsize=8192)
def _demonym(word: str) -> str | None:
    """'Malians' → 'MLI': a nationality used as a plural noun."""
    w = word.lower()
    if w in _INVARIANT_DEMONYMS:
        return _INVARIANT_DEMONYMS[w]
    if w.endswith("s") and w[:-1] in lx.STATES and w[:-1][:1].isalpha() and w[:-1].endswith(("an", "ian", "ien")):
        return lx.STATES[w[:-1]]
    return None


class _Context:
    """What earlier sentences of the document said: parties and figures."""

    def __init__(self) -> None:
        self.recent: list[tuple[int, str]] = []  # (sentence index, state party)
        self.counts: Counter[str] = Counter()
        self.groups: list[tuple[int, str]] = []
        self.any: list[tuple[int, str]] = []
        self.sentence = 0

    def add(self, sentence: _Sentence) -> None:
        for m in sentence.mentions:
            if m.locative != "near":
                self.any.append((self.sentence, m.party))
            if m.party in ("JIHADIST", "ARMED_GROUP", "MERCENARY"):
                self.groups.append((self.sentence, m.party))
            if m.party == "MERCENARY":
                self.recent.append((self.sentence, m.party))
            if m.party in lx.STATE_PARTIES and m.party not in ("UN", "EU", "G5S") and m.locative != "near":
                self.counts[m.party] += 1
                self.recent.append((self.sentence, m.party))
        for f in sentence.figures:
            if f.cls == "force" and f.party in lx.STATE_PARTIES and f.party not in ("UN", "EU", "G5S"):
                self.recent.append((self.sentence, f.party))
        self.sentence += 1

    def recent_party(self, window: int = 3) -> str | None:
        for idx, party in reversed(self.recent):
            if self.sentence - idx <= window:
                return party
            break
        return None

    def recent_any(self, window: int = 2) -> str | None:
        """The first party named as an actor in the latest sentence naming one (its subject)."""
        if not self.any or self.sentence - self.any[-1][0] > window:
            return None
        last = self.any[-1][0]
        return next(party for idx, party in self.any if idx == last)

    def recent_group(self, window: int = 2) -> str | None:
        for idx, party in reversed(self.groups):
            return party if self.sentence - idx <= window else None
        return None

    def dominant(self) -> str | None:
        return self.counts.most_common(1)[0][0] if self.counts else None


MAX_SENTENCE = 800
"""Characters a sentence may have before it is cut (keeps the extractor linear on scrapes)."""


def _sentence_spans(cleaned: Cleaned) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of each sentence, in cleaned-text offsets."""
    text = cleaned.text
    breaks = [m.end() for m in _BLANK_LINE.finditer(text)]
    doc = nlp().make_doc(text)
    starts = _sentence_starts(doc, text)
    spans = []
    for s, e in zip(starts, starts[1:] + [len(text)]):
        chunk = text[s:e]  # with the whitespace after the sentence, stripped below
        stripped = chunk.strip()
        if not stripped:
            continue
        s += len(chunk) - len(chunk.lstrip())
        e = s + len(stripped)
        para = bisect_right(breaks, s) + 1
        while e - s > MAX_SENTENCE:  # an unpunctuated scrape: cut at a space
            cut = text.rfind(" ", s + MAX_SENTENCE // 2, s + MAX_SENTENCE)
            cut = cut if cut > s else s + MAX_SENTENCE
            spans.append((s, cut, para))
            s = cut + (text[cut:cut + 1] == " ")
        spans.append((s, e, para))
    return spans


def parse_text(text: str, *, doc_id: str = "doc", published: date | str | None = None) -> Document:
    """Extract the figures of one article.

    ``published`` (a ``date``, an ISO string or None) resolves relative dates;
    without it they stay unresolved. Offsets in the result point into ``text``.
    """
    if not isinstance(text, str):
        raise TypeError(f"{doc_id}: text must be str, not {type(text).__name__}")
    pub = _coerce_date(published)
    cleaned = clean(text)
    spans = _sentence_spans(cleaned)
    folded = fold_case(cleaned.text)
    context = _Context()
    fig_rows, num_rows, sent_rows = [], [], []
    previous: list[_Fig] = []
    for k, (s, e, para) in enumerate(spans):
        os_, oe = cleaned.span(s, e)
        sent_rows.append({"doc_id": doc_id, "sentence": k, "paragraph": para, "start": os_, "end": oe})
        chunk, folded_chunk = cleaned.text[s:e], folded[s:e]
        if not _ANY_NUMBER.search(folded_chunk):
            context.sentence += 1
            previous = previous[-20:]
            continue
        sent = _Sentence(chunk, pub, context, folded_chunk)
        sent.antecedents = previous
        sent.find()
        sent.code_nouns()
        sent.code_parties()
        sent.code_measures()
        sent.resolve_ellipsis(previous)
        sent.code_materiel_parties()
        sent.code_dates()
        context.add(sent)
        quote = text[os_:oe]
        for fig in sent.figures:
            a, b = cleaned.span(s + fig.start, s + fig.end)
            fid = f"{doc_id}:{a}"
            if fig.cls is None:
                if fig.value is not None:
                    num_rows.append({"doc_id": doc_id, "start": a, "end": b, "surface": text[a:b],
                                     "value": fig.value, "status": "uncounted", "figure_id": None,
                                     "sentence": k})
                continue
            d = fig.date
            fig_rows.append({
                "figure_id": fid, "doc_id": doc_id, "value": fig.value, "value_high": fig.value_high,
                "qualifier": fig.qualifier, "party": fig.party or "UNKNOWN", "measure": fig.measure,
                "noun": fig.noun, "date_start": d.date_start if d else None,
                "date_end": d.date_end if d else None, "start": a, "end": b, "surface": text[a:b],
                "date_text": d.text if d else None, "sentence": k, "sentence_start": os_,
                "sentence_end": oe, "paragraph": para, "quote": quote,
            })
            if fig.value is not None:
                num_rows.append({"doc_id": doc_id, "start": a, "end": b, "surface": text[a:b],
                                 "value": fig.value, "status": "figure", "figure_id": fid, "sentence": k})
        for ns, ne, v, status in sent.numbers:
            a, b = cleaned.span(s + ns, s + ne)
            num_rows.append({"doc_id": doc_id, "start": a, "end": b, "surface": text[a:b], "value": v,
                             "status": status, "figure_id": None, "sentence": k})
        previous = (previous + [f for f in sent.figures if f.cls is not None])[-20:]
        # only figures of the last two sentences can be referred back to
        previous = [f for f in previous if getattr(f, "_sent", k) >= k - 1]
        for f in sent.figures:
            f._sent = k  # type: ignore[attr-defined]
    num_rows.sort(key=lambda r: r["start"])
    return Document(doc_id, text, pub, {"figures": fig_rows, "numbers": num_rows, "sentences": sent_rows})


_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                 "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand",
                 "million", "billion", "dozen", "dozens", "hundreds", "thousands", "millions", "scores", "several",
                 "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "few", "handful")
_ANY_NUMBER = re.compile(r"\d|\b(?:" + prefix_tree(_NUMBER_WORDS) + r")\b")  # on folded text
