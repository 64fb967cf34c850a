"""Elliptical figures: "20 more", "three of them", "14 wounded", "the toll rose to 89".

:func:`resolve_ellipsis` gives such a figure the noun, class and party of the
figure it refers back to (in the sentence or the two before), and its own
measure where the wording has one; "Sweden committed 150 and the Czech
Republic up to 60" takes the party named in the gap. With nothing to refer
to, a toll counts deaths and other bare numbers count nothing. What stays
out: recognising the ellipsis (:mod:`.nouns`).
"""
from __future__ import annotations

from . import lexicon as lx
from .measures import measure
from .nouns import set_noun
from .parties import CONTRIBUTED_TO, civilian_context, usable
from .qualifiers import WORDS as QUALIFIER_WORDS
from .sentences import Figure, Sentence


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
        if fig.mode == "compare":
            pool = same or pool
        if fig.forced == "killed":
            pool = [f for f in pool if f.measure == "killed"] or ([] if fig.mode == "toll" else pool)
        if pool:
            _inherit(s, fig, pool[-1])
        elif fig.mode in ("bare", "more", "partitive", "anaphor", "compare") and not _victims(s, fig):
            fig.cls = None  # a bare number that counts nothing we know
        else:
            set_noun(s, fig, "death" if fig.mode == "toll" else "person", fig.tok1, [])
            fig.noun_tok = fig.tok1
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
        anchor = 0
        if ante in s.figures:
            anchor = s.tok_end(min(max(ante.noun_tok, ante.tok1), len(s.words) - 1))
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
