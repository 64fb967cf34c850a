"""The measure of a figure (killed, wounded, captured, deployed, destroyed, displaced, other) and its rule.

:func:`find_cues` lists a sentence's cue words; :func:`measure` picks the measure a figure's noun
implies (``noun_death``) or that of the nearest cue that can govern it (``verb_killed`` …);
:func:`code_measures` applies it with the rules of lists ("among them", "along with").
What stays out: the noun (:mod:`.nouns`) and the party (:mod:`.parties`).
"""
from __future__ import annotations

import re

from . import lexicon as lx
from .nouns import QUALIFIER_WORDS
from .numbers import TENS, UNITS
from .sentences import Figure, Sentence

NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | {"a", "about", "around", "at", "over", "more", "nearly", "some"}

_POST_NOMINAL = set(lx.words("post_nominal"))
_INHERENT = lx.table("inherent")  # noun -> the measure it implies
_INHERENT_RULE = {"killed": "noun_death", "wounded": "noun_wounded", "displaced": "noun_displaced"}
_PHRASE_CUES = {("shot", "down"): "destroyed", ("brought", "down"): "destroyed", ("took", "part"): "other",
                **{("blew", w): "killed" for w in ("themselves", "himself", "herself")},
                **{(w, nxt): "displaced" for w in ("forced", "driven") for nxt in ("from", "to", "out")}}
"""Cues of two words: (word, next word) → measure."""
_CUE_TOKENS = frozenset(lx.CUES) | {w for w, _ in _PHRASE_CUES} | {"claimed"}  # the tokens that can begin a cue
_VICTIM_NOUNS = ("dead", "wounded", "injured", "victims")
_AMONG = re.compile(r"\b(?:among|of)\s+the\s+(" + "|".join(_VICTIM_NOUNS) + r")\b[^.;]*$")  # on folded text
_AMONG_THEM = re.compile(r"\bamong\s+(?:them|those|whom)\s*,?\s*$")  # on folded text
_AMONG_AFTER = re.compile(r"[^.;]{0,80}?\b(?:were|was|are|is)\s+(?:also\s+)?among\s+"
                          r"(?:them|those|the\s+(" + "|".join(_VICTIM_NOUNS) + r"))\b")  # "N experts were among them"
_ALONG = re.compile(r"\b(?:along\s+with|together\s+with|as\s+well\s+as|in\s+addition\s+to)\s+"
                    r"(?:(?:some|about|around|at\s+least|more\s+than|nearly)\s+)?$")  # on folded text
RULES = ("noun_death", "noun_wounded", "noun_displaced", "noun_other", *(f"verb_{m}" for m in (
    "killed", "wounded", "captured", "deployed", "destroyed", "displaced", "other")),
    "adjective", "toll", "among_the", "out_of", "antecedent", "force_default", "force_size", "default")
"""The codes of FIGURES.measure_rule: which rule decided a figure's measure."""
FIGHTERS = ("JIHADIST", "ARMED_GROUP", "MERCENARY")
"""Parties whose people counted with no measure cue are the size of a force ("some 200 gunmen attacked")."""
MAX_SCORE = 25
"""A cue farther than this (tokens, plus 6 for a weak cue) decides nothing."""


def find_cues(low: list[str]) -> list[tuple[int, str, str]]:
    """``(token, word, measure)`` of every measure cue among the lower-case tokens ``low``."""
    cues = []
    for i in [i for i, w in enumerate(low) if w in _CUE_TOKENS]:
        w = low[i]
        nxt = low[i + 1] if i + 1 < len(low) else ""
        measure = _PHRASE_CUES.get((w, nxt)) or lx.CUES.get(w)  # ("taken hostage": "taken" alone is a capture)
        if w in ("forced", "driven") and "homes" in low[i + 2:i + 8]:
            measure = "displaced"
        elif measure == "wounded" and i and low[i - 1] in ("fatally", "mortally"):
            measure = "killed"
        elif w == "number" and nxt in lx.ADJ_NOUNS:  # "the number dead at 71"
            measure = lx.ADJ_NOUNS[nxt]
        elif w == "claimed" and (nxt[:1].isdigit() or nxt in NUMBER_WORDS):  # "an attack that claimed 71 soldiers"
            measure = "killed"
        elif w in ("lost", "lose", "losing", "loses") and low[i + 1:i + 3] in (["their", "lives"], ["his", "life"], ["her", "life"]):
            cues.append((i, "died", "killed"))  # "lost their lives": intransitive
            continue
        if measure:
            cues.append((i, w, measure))
    return cues


def _listed(low: list[str], o: int) -> bool:
    """Whether the figure at token ``o`` is a member of a list ("…, four Americans, and at least 21 …")."""
    k = o - 1
    while k > 0 and low[k] in QUALIFIER_WORDS:
        k -= 1
    return low[k] in ("and", "or", ",")


def code_measures(s: Sentence) -> None:
    """Set the measure (and rule) of every figure of ``s`` that has a noun."""
    s.cues = find_cues(s.lower)
    previous = None
    for fig in s.figures:
        if fig.cls is None:
            continue
        before = s.folded[:fig.start]
        head = any(w in before for w in _VICTIM_NOUNS) and _AMONG.search(before)  # (a first test)
        after = "among" in s.folded and _AMONG_AFTER.match(s.folded, fig.end)  # (a first test, as below)
        if after and after.group(1):
            head = after
        if fig.forced == "from-antecedent" or (previous and (_ALONG.search(before) or ("among" in before and _AMONG_THEM.search(before)))) \
                or (after and not after.group(1) and s.antecedents):
            own, rule = measure(s, fig)
            ante = previous or (s.antecedents[-1] if s.antecedents else None)
            if ante and own in ("other", "deployed"):
                fig.measure, fig.measure_rule = ante.measure, "antecedent"
            else:
                fig.measure, fig.measure_rule = own, rule
        elif head:
            fig.measure = lx.ADJ_NOUNS.get(s.text[head.start(1):head.end(1)].lower(), "killed")
            fig.measure_rule = "among_the"
        elif fig.forced:  # (not "from-antecedent": the first branch took it)
            fig.measure, fig.measure_rule = fig.forced, fig.forced_rule
        else:
            fig.measure, fig.measure_rule = measure(s, fig)
        if fig.measure == "displaced" and fig.cls == "person":
            fig.party, fig.party_rule = "CIVILIAN", "displaced"
        previous = fig


def measure(s: Sentence, fig: Figure) -> tuple[str, str]:
    """The measure of a figure from its noun or the nearest cue that governs it, and the rule."""
    inherent = _INHERENT.get(fig.key)
    if inherent:
        return inherent, _INHERENT_RULE[inherent]
    allowed = lx.COMPATIBLE.get(fig.cls or "other", set())
    if fig.cls == "other" or not allowed:
        return "other", "noun_other"
    end = max(fig.noun_tok, fig.tok1)
    best, best_score = None, 99.0
    low = s.lower
    others = [o.tok0 for o in s.figures if o is not fig and o.cls not in ("other",)
              and (o.cls is not None or o.elliptical)]
    for i, w, cue in s.cues:
        if fig.tok0 <= i <= end:
            continue
        if fig.cls == "materiel" and w in lx.MATERIEL_LOSS:
            cue = "destroyed"
        elif cue == "destroyed" and fig.cls in ("force", "person") and w in ("destruction", "destroyed"):
            cue = "killed"  # "the destruction of at least 100 soldiers"
        if cue not in allowed or (cue == "deployed" and fig.cls != "force"):
            if 0 < i - end <= 1 and fig.cls == "materiel":
                return "other", "verb_other"  # its own verb allows no measure: "200 weapons seized"
            continue
        if i < fig.tok0:
            dist = fig.tok0 - i
            if ";" in low[i:fig.tok0]:
                continue
            if w in lx.INTRANSITIVE and dist > 1:
                continue  # "… died, and 20 …": the verb has its own subject
            if any(a in lx.BE for a in low[max(0, i - 2):i]) and any(o < i for o in others):
                continue  # "42 were killed and 22 were wounded": a predicate of an earlier figure
        else:
            dist = i - end
            between = low[end + 1:i]
            if ";" in between or any(end < o < i and not _listed(low, o) for o in others):
                continue
            passive = any(a in lx.BE for a in between[-5:])
            ok = (passive or dist <= 1
                  or (w in lx.INTRANSITIVE and (dist <= 6 or any(a in lx.HAVE for a in between)))
                  or (w in _POST_NOMINAL and dist <= 3 and between[-1:] != ["and"]))
            if not ok:
                continue
        score = dist + (6 if w in lx.WEAK_CUES else 0)
        if score < best_score:
            best, best_score = cue, score
    if best is None or best_score > MAX_SCORE:
        if fig.cls == "force" or lx.NOUNS.get(fig.key or "", ("", None))[1] in FIGHTERS:
            return "deployed", "force_default" if fig.cls == "force" else "force_size"
        return "other", "default"
    return best, f"verb_{best}"
