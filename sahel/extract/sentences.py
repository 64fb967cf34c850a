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
_SPACE_RUN, _NON_SPACE_RUN = re.compile(r"\s*"), re.compile(r"\S*")


@lru_cache(maxsize=1)
def nlp():
    """spaCy's blank English pipeline: its tokenizer splits sentences (:func:`sentence_starts`)."""
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def _sentence_enders() -> frozenset[str]:
    """The characters that end a sentence for spaCy's sentencizer."""
    from spacy.pipeline import Sentencizer

    return frozenset(Sentencizer.default_punct_chars)


Pieces = tuple[tuple[int, bool, bool], ...]


def _pieces(run: str) -> Pieces:
    """spaCy's tokens of ``run`` (of non-space characters) as (start, ender, punct): an
    ender ends a sentence, the punctuation after it stays in that sentence."""
    return _short_pieces(run) if len(run) <= 100 else _tokenize(run)


def _tokenize(run: str) -> Pieces:
    enders = _sentence_enders()
    return tuple((t.idx, t.text in enders, t.is_punct or t.text in enders) for t in nlp().tokenizer(run))


_short_pieces = lru_cache(maxsize=100_000)(_tokenize)  # (spaCy's own cache keeps few words of a text)


def sentence_starts(text: str) -> list[int]:
    """Offsets in ``text`` of its sentences: spaCy's sentencizer rule on spaCy's tokens, then line
    breaks: a blank line ends a sentence; a single one after closing punctuation, the first line, before
    a bullet, or before a capital or digit when the line before is short or ends in no lower-case word.
    spaCy tokenizes each run of non-space characters on its own: only the runs with an ender are."""
    n = len(text)
    is_start = {0} if text else set()
    enders = _sentence_enders()
    done = 0  # the end of the last run whose enders were handled
    for m in _ENDER_CANDIDATE.finditer(text):
        s = m.start()
        if s < done or m.group() not in enders:
            continue
        while s > done and not text[s - 1].isspace():
            s -= 1
        done = _NON_SPACE_RUN.match(text, s).end()
        run = _pieces(text[s:done])
        for k, (_, ender, _) in enumerate(run):
            start = _after_punct(text, s, done, run[k + 1:]) if ender else None
            if start is not None:
                is_start.add(start)
    pos = text.find("\n")
    while pos >= 0:  # each run of space characters with a line break: one token (no affix of spaCy's is a space)
        s = pos
        while s > 0 and text[s - 1].isspace():
            s -= 1
        s += s > 0 and text[s] == " "  # (spaCy leaves out the space after a word)
        e = _SPACE_RUN.match(text, pos).end()
        if e < n:
            line_start = text.rfind("\n", 0, s) + 1
            before = text[line_start:s].rstrip()
            word = before.rsplit(None, 1)[-1] if before else ""
            first = text[e]
            if (text.count("\n", s, e) > 1 or not before or before[-1] in ".!?:;\"')]"
                    or line_start == 0 or first in "-*\u2022"
                    or ((first.isupper() or first.isdigit()) and (not word[:1].islower() or len(before) <= SHORT_LINE))):
                is_start.add(e)
            else:
                is_start.discard(e)
        pos = text.find("\n", e)
    return sorted(is_start)


def _after_punct(text: str, s: int, e: int, run: Pieces) -> int | None:
    """Where the first token that is not punctuation starts, from ``run`` (the tokens left of the run
    ``text[s:e]``) on; None at the end of the text."""
    while True:
        for a, _, punct in run:
            if not punct:
                return s + a
        s = e + (text[e:e + 1] == " ")  # (spaCy leaves out one space after a word)
        if s >= len(text) or text[s].isspace():  # the end, or a space token
            return s if s < len(text) else None
        e = _NON_SPACE_RUN.match(text, s).end()
        run = _pieces(text[s:e])


def sentence_spans(cleaned: Cleaned) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of each sentence, in cleaned-text offsets."""
    text = cleaned.text
    breaks = [m.end() for m in BLANK_LINE.finditer(text)]
    starts = sentence_starts(text)
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
