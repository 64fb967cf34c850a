"""Sentences and paragraphs of an article, and the records a sentence's figures are coded on.

:func:`sentence_spans` splits cleaned text with spaCy's tokenizer (the sentencizer's rule, plus line
breaks); :func:`tokens` splits a sentence into words; :class:`Sentence`, :class:`Figure` and
:class:`Mention` are shared by the coding units. What stays out: every coding rule.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from .dates import DateMention
from .text import Cleaned

MAX_SENTENCE = 800
"""Characters a sentence may have before it is cut (keeps the extractor linear on scrapes)."""
SHORT_LINE = 50
"""A line this short (a table, list or box line) ends its sentence before a capital or a digit."""
BLANK_LINE = re.compile(r"\n[ \t]*\n")
_TOKEN_RE = re.compile(r"\d[\d,.]*\d|\d|[A-Za-z][\w'.]*[A-Za-z]|[A-Za-z]|\S")
_ENDER_CANDIDATE = re.compile("[.!?\u0080-\U0010ffff]")  # a large character class is slow to match


@lru_cache(maxsize=1)
def nlp():
    """spaCy's blank English pipeline: the tokenizer (sentences: :func:`sentence_starts`)."""
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def _sentence_enders() -> frozenset[str]:
    """The characters that end a sentence for spaCy's sentencizer."""
    from spacy.pipeline import Sentencizer

    return frozenset(Sentencizer.default_punct_chars)


def sentence_starts(doc, text: str) -> list[int]:
    """Offsets in ``text`` of the sentences of ``doc`` (its tokens): spaCy's sentencizer rule, then line
    breaks: a blank line ends a sentence; a single one after closing punctuation, the first line, before
    a bullet, or before a capital or digit when the line before is short or ends in no lower-case word."""
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
            if (prev.count("\n") > 1 or not before or before[-1] in ".!?:;\"')]"
                    or line_start == 0 or first in "-*\u2022"
                    or ((first.isupper() or first.isdigit()) and (not last[:1].islower() or len(before) <= SHORT_LINE))):
                is_start.add(i)
            else:
                is_start.discard(i)
        pos = text.find("\n", max(end, pos + 1))
    return [starts[i] for i in sorted(is_start)]


def sentence_spans(cleaned: Cleaned) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of each sentence, in cleaned-text offsets."""
    text = cleaned.text
    breaks = [m.end() for m in BLANK_LINE.finditer(text)]
    starts = sentence_starts(nlp().tokenizer(text), text)  # not make_doc: no 1,000,000-character limit (E088)
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


def tokens(sentence: str) -> tuple[list[str], list[int]]:
    """The tokens of ``sentence`` and their offsets."""
    found = list(_TOKEN_RE.finditer(sentence))
    return [m.group() for m in found], [m.start() for m in found]


@dataclass
class Mention:
    """A party named in a sentence (a country, force, mission or group) and how it is named."""

    start: int
    end: int
    party: str
    locative: str  # "" (an actor), "in" (inside the place), "near", "at"
    possessive: bool
    state: bool = True  # a country (not a force, mission or group)


@dataclass
class Figure:
    """A number phrase of a sentence and its coding so far (offsets into the sentence)."""

    start: int
    end: int
    value: float | None
    value_high: float | None
    qualifier: str
    noun: str | None = None
    cls: str | None = None  # the noun's class: force, person, materiel, other (None: not a figure)
    party: str | None = None
    measure: str | None = None
    date: DateMention | None = None
    tok0: int = 0  # first and last token of the number, token of the noun
    tok1: int = 0
    noun_tok: int = 0
    elliptical: bool = False  # its noun (and party) come from an earlier figure
    single: bool = False  # "a French soldier": one person, a figure only when killed, wounded or captured
    modifiers: list[str] = field(default_factory=list)
    mod_end: int | None = None
    forced: str | None = None  # a measure the wording fixes ("14 wounded"), or "from-antecedent"
    mode: str | None = None  # how an elliptical figure was recognised
    noun_key: str | None = field(default=None, compare=False)  # the lexicon key of the noun
    sentence: int | None = field(default=None, compare=False)
    party_rule: str | None = field(default=None, compare=False)
    measure_rule: str | None = field(default=None, compare=False)
    forced_rule: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str | None:
        """The lexicon key of the counted noun (its surface form for a demonym)."""
        return self.noun if self.noun_key is None else self.noun_key


@dataclass
class Sentence:
    """One sentence being coded: its text, tokens, parties and dates named, and its figures."""

    text: str
    folded: str  # the text folded by fold_case (same offsets)
    published: date | None
    context: Any  # the document so far (:class:`~.parties.Context`)
    mentions: list[Mention]
    relative: list[tuple[int, int]]  # spans of relative clauses
    dates: list[DateMention]
    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    lower: list[str] = field(default_factory=list)
    numbers: list[tuple[int, int, float | None, str]] = field(default_factory=list)  # start, end, value, status
    figures: list[Figure] = field(default_factory=list)
    starts_of: dict[int, Figure] = field(default_factory=dict)
    antecedents: list[Figure] = field(default_factory=list)
    cues: list[tuple[int, str, str]] = field(default_factory=list)  # token, word, measure
    places: list[Mention] | None = None  # towns and regions named, found on first use

    def __post_init__(self) -> None:
        self.words, self.starts = tokens(self.text)
        self.lower = list(map(str.lower, self.words))

    def tok_end(self, i: int) -> int:
        """Where token ``i`` ends in the sentence."""
        return self.starts[i] + len(self.words[i])
