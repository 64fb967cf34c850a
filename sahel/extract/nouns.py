"""The counted noun of a figure, whether it refers back, and the qualifier words around it.

:func:`code_nouns` looks right of each number for a noun of the lexicon ("13 French soldiers",
"a 1,200-strong force"), else at a predicate ("49 were gendarmes") or left in the clause ("the toll
rose to 89"), or marks the figure elliptical ("20 more", "three of them"). :func:`qualifier` reads
the words around a number ("at least", "or more"): exact, at_least, at_most, approx. What stays
out: party (:mod:`.parties`), measure (:mod:`.measures`), resolving ellipsis (:mod:`.figures`).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from . import lexicon as lx
from .sentences import Figure, Sentence

_QUALIFIERS_BEFORE = dict(reversed(lx.QUALIFIERS_BEFORE))  # phrase -> qualifier (the first entry wins)
_QUALIFIERS_AFTER = tuple(phrase for phrase, _ in lx.QUALIFIERS_AFTER)  # a first test: one begins the text after
QUALIFIER_WORDS = {w for q, _ in lx.QUALIFIERS_BEFORE for w in q.split()}
"""Every word of a qualifier phrase (skipped when looking left of a number)."""
STRENGTH_SUFFIX = set(lx.words("strength_suffix"))
_SOFT_MODS = set(lx.words("soft_modifier"))
_CHANGE_BEFORE = set(lx.words("change_before"))
_PASSED = {"passed", "surpassed", "exceeded", "topped"}
_COMPARE = re.compile(r"\b(?:up|down)\s+from\s*$|\bcompared\s+(?:with|to)\s*$|\bagainst\s*$|\bversus\s*$|"
                      r"\bthan\s*$|\bfrom\s*$", re.I)
_ANAPHOR_NOUNS = {"total", "number", "figure", "tally", "count", "sum", "toll"}
_PARTICIPLES = set(lx.words("participle"))
_FORCE_BEFORE = set(lx.words("force_before"))
_ELLIPSIS_START = re.compile(r"^\W*(?:of\s+(?:these|those|them|whom|which)|among\s+(?:them|those|these))\b", re.I)
_OF_THE_DEAD = re.compile(r"^\W*of\s+the\s+(dead|wounded|injured|victims)\b", re.I)
_STRONG = re.compile(r"-?\s*strong\b", re.I)
_FIGHTER_JETS = ("fighter jet", "fighter jets", "fighter plane", "fighter planes", "fighter aircraft", "fighter bombers")
_INVARIANT_DEMONYMS = {"burkinabe": "BFA", "burkinabè": "BFA"}


def qualifier(before: str, after: str) -> str:
    """The qualifier the text just ``before`` and just ``after`` a number gives it."""
    after_l = after.lower()
    for phrase, q in lx.QUALIFIERS_AFTER if after_l.startswith(_QUALIFIERS_AFTER) else ():
        if after_l.startswith(phrase) and (not phrase[-1].isalpha() or not after_l[len(phrase):len(phrase) + 1].isalpha()):
            return q
    words = before.lower().split()[-3:]
    for k in range(len(words), 0, -1):  # the longest phrase first
        q = _QUALIFIERS_BEFORE.get(" ".join(words[-k:]))
        if q:
            return q
    return "exact"


def unqualified(before: str) -> str:
    """The words of ``before`` without the qualifier words that end it, joined by one space."""
    words = before.split()
    while words and words[-1].lower() in QUALIFIER_WORDS:
        words.pop()
    return " ".join(words)


def after_noun(s: Sentence, fig: Figure) -> str:
    """The qualifier of a phrase after the figure's noun ("some 50 soldiers or more"), else its own."""
    if fig.qualifier not in ("range", "vague") and fig.cls and fig.tok1 < fig.noun_tok < len(s.words):
        after = qualifier("", s.text[s.tok_end(fig.noun_tok):][:12].lstrip())
        if after != "exact":
            return after
    return fig.qualifier


@lru_cache(maxsize=8192)
def singular(word: str) -> str | None:
    """The counted noun (singular, as in the lexicon) that ``word`` is a form of, or None."""
    w = word.lower().strip(".'")
    if " " in w:
        head, last = w.rsplit(" ", 1)
        last = lx.IRREGULAR_PLURALS.get(last, last)
        return next((c for c in (f"{head} {last}", f"{head} {last[:-1]}" if last.endswith("s") else None)
                     if c and c in lx.NOUNS), None)
    if w in lx.IRREGULAR_PLURALS:
        return lx.IRREGULAR_PLURALS[w]
    if w in lx.NOUNS:
        return w
    return next((w[: -len(cut)] + add for cut, add in (("ies", "y"), ("es", ""), ("s", ""))
                 if w.endswith(cut) and w[: -len(cut)] + add in lx.NOUNS), None)


@lru_cache(maxsize=8192)
def demonym(word: str) -> str | None:
    """'Malians' → 'MLI': a nationality used as a plural noun."""
    w = word.lower()
    if w in _INVARIANT_DEMONYMS:
        return _INVARIANT_DEMONYMS[w]
    if w.endswith("s") and w[:-1] in lx.STATES and w[:-1][:1].isalpha() and w[:-1].endswith(("an", "ian", "ien")):
        return lx.STATES[w[:-1]]
    return None


def noun_follows(s: Sentence, end: int) -> bool:
    """Whether a counted noun (not of class "other") is among the three tokens after offset ``end``."""
    i = bisect_left(s.starts, end)
    for w in s.lower[i:i + 3]:
        sing = singular(w)
        if sing is not None:
            return lx.NOUNS[sing][0] != "other"
    return False


def code_nouns(s: Sentence) -> None:
    """Set the tokens, noun and class of every figure of ``s`` (or mark it elliptical)."""
    for fig in s.figures:
        fig.tok0 = bisect_left(s.starts, fig.start)
        fig.tok1 = max(fig.tok0, bisect_left(s.starts, fig.end) - 1)
        s.starts_of[fig.tok0] = fig
    for fig in s.figures:
        _noun(s, fig)
        fig.qualifier = after_noun(s, fig)


def set_noun(s: Sentence, fig: Figure, noun: str, idx: int, mods: list[str]) -> None:
    """Give ``fig`` the lexicon noun ``noun`` (or a demonym) found at token ``idx``."""
    if noun in lx.NOUNS and lx.NOUNS[noun][0] == "other" and _STRONG.search(s.text[fig.end:fig.end + 10]):
        noun = "troop"  # "a 1,200-strong battalion"
    if demonym(noun):
        fig.cls, fig.noun = "person", noun.rstrip("s")
    else:
        fig.cls = lx.NOUNS[noun][0]
        fig.noun = lx.NOUN_CANONICAL.get(noun, noun)
        if fig.noun == "force":
            fig.noun = "troop"
    fig.noun_tok = idx
    fig.modifiers = mods + [noun]
    fig.noun_key = noun


def _elliptical(fig: Figure, mode: str) -> None:
    fig.elliptical, fig.mode = True, mode


def _noun(s: Sentence, fig: Figure) -> None:
    words, low = s.words, s.lower
    i = fig.tok1 + 1
    n = len(words)
    mods: list[str] = []
    strength = False
    steps = 0
    while i < n and steps < 7:
        w = low[i]
        nxt = low[i + 1] if i + 1 < n else ""
        two = f"{w} {nxt}" if nxt else ""
        if (w in ("-", '"', "'") and nxt) or (w == ":" and i == fig.tok1 + 1 and nxt):
            i += 1  # "5,100: French soldiers deployed …"
            continue
        if w in ("strong", "odd", "plus") or (w in STRENGTH_SUFFIX and low[i - 1] == "-"):
            strength = strength or w not in ("odd", "plus")
            i += 1
            continue
        if two in _FIGHTER_JETS:
            return set_noun(s, fig, "jet", i + 1, mods)
        sing2 = singular(two) if two else None
        if sing2:
            return set_noun(s, fig, sing2, i + 1, mods)
        if w == "the" and low[i:i + 3] == ["the", "number", "of"]:
            i += 3
            continue
        if w == "of":
            if nxt in ("these", "those", "them", "whom", "which", "us"):
                return _partitive(s, fig, i)
            if nxt in ("the", "its", "their", "his", "her", "our") or nxt.endswith("'s"):
                i += 2
                continue
            if fig.qualifier == "vague":
                i += 1
                continue
            break
        if two == "out of" and i + 2 in s.starts_of and fig.value is not None:  # "12,000 out of 14,000 inhabitants"
            total = s.starts_of[i + 2]
            total.forced, total.forced_rule = "other", "out_of"
            i = total.tok1 + 1
            continue
        if w in ("and", "or") and i + 1 in s.starts_of and fig.value is not None:
            fig.mod_end = fig.mod_end or s.starts[i]  # "four US and four Nigerien soldiers"
            i = s.starts_of[i + 1].tok1 + 1
            continue
        sing = singular(w)
        if sing is not None:
            if sing == "fighter" and singular(nxt) in ("jet", "plane", "aircraft"):
                return set_noun(s, fig, singular(nxt), i + 1, mods)
            if sing in lx.ADJ_NOUNS:  # "14 wounded", "20 dead": whose? the antecedent's
                fig.forced, fig.forced_rule = lx.ADJ_NOUNS[sing], "adjective"
                if _predicate(s, fig, i + 1):  # "Three of the dead were armed men"
                    return
                _elliptical(fig, "adjective")
                fig.tok1 = i
                return
            skip = 2 if nxt in _SOFT_MODS and i + 2 < n else 1  # "Fulani armed militiamen"
            head = singular(low[i + skip]) if i + skip < n else None
            classes = (lx.NOUNS[sing][0], lx.NOUNS[head][0]) if head else ()
            if (head is not None and head not in lx.ADJ_NOUNS
                    and (classes[1] == "other" or (sing not in ("displaced", "idp") and (
                        classes[0] == classes[1] or (classes[1] == "force" and w not in _SOFT_MODS))))):
                sing, i = head, i + skip  # "Mirage jets", "staff officers", "militant attacks": the head noun
            return set_noun(s, fig, sing, i, mods)
        if demonym(w):
            return set_noun(s, fig, w, i, mods)
        if w in _SOFT_MODS:
            if w in ("more", "others", "other") and (not nxt or not words[i + 1][:1].isalpha()
                                                      or nxt in lx.MODIFIER_STOP | lx.BE | lx.HAVE):
                return _elliptical(fig, "more")
        elif w in lx.MODIFIER_STOP or not words[i][:1].isalpha():
            break
        mods.append(w)
        i += 1
        steps += 1
    if strength:
        return set_noun(s, fig, "troop", fig.tok1, mods)
    _noun_before(s, fig)


def _partitive(s: Sentence, fig: Figure, i: int) -> None:
    """'three of them', 'two of these soldiers' (``i``: the token "of")."""
    low, n = s.lower, len(s.lower)
    for k in range(i + 2, min(i + 6, n)):
        sing = singular(low[k])
        if sing is not None and lx.NOUNS[sing][0] in ("force", "person"):
            head = singular(low[k + 1]) if k + 1 < n else None
            if head is not None and lx.NOUNS[head][0] == lx.NOUNS[sing][0]:
                sing, k = head, k + 1
            set_noun(s, fig, sing, k, [])
            fig.forced, fig.forced_rule = "from-antecedent", "antecedent"
            return
        if low[k] in lx.MODIFIER_STOP or low[k] in (",", ".", ";"):
            break
    _elliptical(fig, "partitive")


def _noun_before(s: Sentence, fig: Figure) -> None:
    """No noun after the number: look left, at a predicate, or refer back."""
    low, n = s.lower, len(s.lower)
    text = s.text
    if _predicate(s, fig, fig.tok1 + 1):  # a predicate noun: "Of the dead, 49 were gendarmes"
        head = _OF_THE_DEAD.match(text)
        if head:
            fig.forced, fig.forced_rule = lx.ADJ_NOUNS.get(head.group(1).lower(), "killed"), "among_the"
        elif _ELLIPSIS_START.match(text):
            fig.forced, fig.forced_rule = "from-antecedent", "antecedent"
        return
    left_start = fig.tok0  # look left within the clause
    while left_start > 0 and fig.tok0 - left_start < 25 and low[left_start - 1] not in (";",):
        left_start -= 1
    left = list(range(left_start, fig.tok0))
    core = [i for i in left if low[i] not in QUALIFIER_WORDS]
    last = low[core[-1]] if core else ""
    if last == ":":
        for i in reversed(core[:-1]):
            sing = singular(low[i])
            if sing is not None and lx.NOUNS[sing][0] != "other":
                set_noun(s, fig, sing, i, [])
                fig.noun_tok = fig.tok1
                return
    near = {low[i] for i in core[-4:]} | ({low[i] for i in left[-4:]} & _PASSED)
    if near & _CHANGE_BEFORE or any(low[i] in _ANAPHOR_NOUNS for i in core[-5:]):
        commas = [i for i in core if low[i] == ","]
        clause = [i for i in core if not commas or i > commas[-1]]
        for scan in (clause, core):
            if _subject(s, fig, scan):
                return
    if _COMPARE.search(unqualified(text[:fig.start]) + " "):
        return _elliptical(fig, "compare")
    if any(w in _FORCE_BEFORE for w in low[max(0, fig.tok0 - 5):fig.tok0]) and \
            any(w in ("of", "to", "at", "numbering", "number") for w in low[max(0, fig.tok0 - 2):fig.tok0]):
        return set_noun(s, fig, "troop", fig.tok0, [])
    nxt = low[fig.tok1 + 1] if fig.tok1 + 1 < n else ""
    if _ELLIPSIS_START.match(text) or nxt in lx.BE | lx.HAVE | lx.INTRANSITIVE | _PARTICIPLES:
        _elliptical(fig, "verb")
    elif (not nxt or nxt in (".", ",", ";", ")", "and", "while", "but", "in", "on", "for", "to", "at",
                             "under", "with", "by", "from", "into")) and fig.value not in (None, 1):
        _elliptical(fig, "bare")


def _subject(s: Sentence, fig: Figure, scan: list[int]) -> bool:
    """The subject of 'X rose to N', 'raised the toll to N', 'put X at N'."""
    low, n = s.lower, len(s.lower)
    for i in scan:
        w = low[i]
        if w == "toll" or (i + 1 < n and low[i + 1] == "toll" and w in ("death", "casualty")):
            fig.forced, fig.forced_rule = "killed", "toll"
            _elliptical(fig, "toll")
            return True
        if w in _ANAPHOR_NOUNS and not (i + 1 < n and low[i + 1] == "of"):
            _elliptical(fig, "anaphor")
            return True
        if w in ("displacement", "displacements"):
            set_noun(s, fig, "displaced", fig.tok1, [])
            return True
        if in_other_np(s, i, fig):
            continue
        sing = singular(w)
        if sing is not None and lx.NOUNS[sing][0] in ("force", "person", "materiel"):
            set_noun(s, fig, sing, i, [])
            fig.noun_tok = fig.tok1
            return True
    return False


def _predicate(s: Sentence, fig: Figure, j: int) -> bool:
    """'N were gendarmes', 'N of the dead were armed men': the noun after the verb."""
    low, n = s.lower, len(s.lower)
    if not (j < n and low[j] in lx.BE):
        return False
    for k in range(j + 1, min(j + 4, n)):
        sing = (singular(f"{low[k]} {low[k + 1]}") if k + 1 < n else None) or singular(low[k])
        if sing is not None and sing not in lx.ADJ_NOUNS and lx.NOUNS[sing][0] != "other":
            set_noun(s, fig, sing, k + (1 if " " in sing else 0), [])
            return True
        if low[k] in lx.MODIFIER_STOP and not (k == j + 1 and fig.value == 1 and low[k] in ("a", "an")):
            break  # ("one was a civilian": its noun)
    return False


def in_other_np(s: Sentence, tok: int, fig: Figure) -> bool:
    """Whether token ``tok`` lies in the number-and-noun phrase of another figure."""
    return any(o is not fig and o.cls is not None and o.tok0 <= tok <= max(o.noun_tok, o.tok1)
               for o in s.figures)
