"""The qualifier of a figure: exact, at_least, at_most, approx (range and vague are set where found).

:func:`qualifier` reads the words just before a number ("at least", "some")
and just after it ("or more", "-odd"); :func:`after_noun` the words after the
counted noun ("50 soldiers or more"). The phrases are in :mod:`.lexicon`.
What stays out: finding the number (:mod:`.figures`) and its noun (:mod:`.nouns`).
"""
from __future__ import annotations

from . import lexicon as lx
from .sentences import Figure, Sentence

BEFORE = dict(reversed(lx.QUALIFIERS_BEFORE))  # phrase -> qualifier (the first entry wins)
_AFTER = tuple(phrase for phrase, _ in lx.QUALIFIERS_AFTER)  # a first test: one of them begins the text after
WORDS = {w for q, _ in lx.QUALIFIERS_BEFORE for w in q.split()}
"""Every word of a qualifier phrase (skipped when looking left of a number)."""


def qualifier(before: str, after: str) -> str:
    """The qualifier the text just ``before`` and just ``after`` a number gives it."""
    after_l = after.lower()
    for phrase, q in lx.QUALIFIERS_AFTER if after_l.startswith(_AFTER) else ():
        if after_l.startswith(phrase) and (not phrase[-1].isalpha() or not after_l[len(phrase):len(phrase) + 1].isalpha()):
            return q
    words = before.lower().split()[-3:]
    for k in range(len(words), 0, -1):  # the longest phrase first
        q = BEFORE.get(" ".join(words[-k:]))
        if q:
            return q
    return "exact"


def unqualified(before: str) -> str:
    """The words of ``before`` without the qualifier words that end it, joined by one space."""
    words = before.split()
    while words and words[-1].lower() in WORDS:
        words.pop()
    return " ".join(words)


def after_noun(s: Sentence, fig: Figure) -> str:
    """The qualifier of a phrase after the figure's noun ("some 50 soldiers or more"), else its own."""
    if fig.qualifier not in ("range", "vague") and fig.cls and fig.tok1 < fig.noun_tok < len(s.words):
        after = qualifier("", s.text[s.tok_end(fig.noun_tok):][:12].lstrip())
        if after != "exact":
            return after
    return fig.qualifier
