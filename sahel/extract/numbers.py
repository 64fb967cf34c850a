"""Numbers written in news English: digits, words, scales and dozens.

:data:`NUMBER` matches one number phrase; :func:`parse_number` gives its value.
What stays out: whether a number is a figure (:mod:`.figures`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon as lx
from .text import prefix_tree

_VALUES = {w: int(v) for w, v in lx.table("number").items()}
UNITS = {w: v for w, v in _VALUES.items() if v < 20}
TENS = {w: v for w, v in _VALUES.items() if v >= 20}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
SUFFIX_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
VAGUE = ("dozens", "hundreds", "thousands", "millions", "scores", "several", "tens of thousands",
         "hundreds of thousands", "a few", "a handful")

_units = "|".join(sorted(UNITS, key=len, reverse=True))
_tens = "|".join(TENS)
_ones = "one|two|three|four|five|six|seven|eight|nine"
WORD = rf"(?:(?:{_tens})(?:[- ](?:{_ones}))?|{_units})"
DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_scale = r"(?:hundred|thousand|million|billion)"
NUMBER = (
    rf"(?:{DIGITS}(?:\s+{_scale}(?:\s+{_scale})?\b|(?:bn|mn|m|k)\b)?"
    rf"|half\s+a\s+(?:million|billion)"
    rf"|(?:a|one|{WORD})\s+{_scale}(?:\s+{_scale})?(?:\s+(?:and\s+)?{WORD})?"
    rf"|(?:half\s+a|a|{WORD}|\d+)\s+dozen"
    rf"|{WORD})"
)
"""One number phrase (match case-insensitively)."""
NUMBER_START = rf"(?:\d|(?:a|half)\s|{prefix_tree(set(UNITS) | set(TENS))})"
"""How every match of :data:`NUMBER` begins: a cheap first test before the whole pattern."""
_NUMBER_RE = re.compile(rf"^{NUMBER}$", re.I)
_SUFFIXED = re.compile(rf"({DIGITS})(bn|mn|m|k)")
_PARTS = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z]+")


def _word_value(tokens: list[str]) -> float | None:
    """The value of the tokens of a phrase :data:`NUMBER` matches, or None."""
    total, current = 0.0, 0.0
    has_count = False  # a count before a scale: "0 million" is 0, "a million" is 1
    for i, tok in enumerate(tokens):
        if tok == "and" or (tok in ("a", "an") and i and tokens[i - 1] == "half"):
            continue
        if tok in _VALUES:
            current += _VALUES[tok]
        elif tok in ("a", "an"):
            current += 1
        elif tok == "half":
            current += 0.5
        elif tok == "dozen":
            current = (current if has_count else 1) * 12
        elif tok in SCALES:
            scale = SCALES[tok]
            base = current if has_count else 1
            if scale == 100:
                current = base * 100
            else:
                total += base * scale
                current = 0
            has_count = scale == 100
            continue
        else:
            try:
                current += float(tok.replace(",", ""))
            except ValueError:
                return None
        has_count = True
    return total + current


@lru_cache(maxsize=4096)
def parse_number(text: str) -> float | None:
    """The value of one number phrase, or None if it is not one.

    >>> parse_number("4.2 million"), parse_number("a dozen"), parse_number("13,000")
    (4200000.0, 12.0, 13000.0)
    """
    s = " ".join(text.lower().split())
    if not s or not _NUMBER_RE.match(s):
        return None
    m = _SUFFIXED.fullmatch(s)
    if m:
        return float(m.group(1).replace(",", "")) * SUFFIX_SCALES[m.group(2)]
    value = _word_value(_PARTS.findall(s))
    return None if value is None else float(round(value, 6))
