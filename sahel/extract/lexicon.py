"""Words the extractor knows, read once from ``resources/lexicon.csv`` (``list, word, value, party``,
part of the extraction cache key). What stays out: logic (the rules of the other modules).

Lists with a meaning of their own: ``noun`` (counted noun → class and default party), ``plural``
(irregular plural → singular), ``canonical`` (synonym → the noun reported), ``adjective_noun`` ("14
wounded" → its measure), ``state`` and ``force`` (→ party), ``cue`` (word → measure), ``compatible``
(class → a measure its cues may give), ``qualifier_before`` / ``qualifier_after`` (phrase → qualifier,
the first that fits wins), ``modifier_stop`` (never between a number and its noun), ``domestic``
(forces serving at home), ``not_single`` ("a military"). Every other list serves one rule, named where
it is read (:func:`words`, :func:`table`).
"""
from __future__ import annotations

import csv

from .. import paths

LEXICON_CSV = paths.RESOURCES_DIR / "lexicon.csv"


def _read() -> dict[str, list[tuple[str, str, str]]]:
    lists: dict[str, list[tuple[str, str, str]]] = {}
    with open(LEXICON_CSV, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["list"], []).append((row["word"], row["value"], row["party"]))
    return lists


_LISTS = _read()
NOUNS: dict[str, tuple[str, str | None]] = {w: (cls, party or None) for w, cls, party in _LISTS["noun"]}
IRREGULAR_PLURALS, NOUN_CANONICAL, STATES, FORCES, CUES, ADJ_NOUNS = (
    {w: v for w, v, _ in _LISTS[name]} for name in ("plural", "canonical", "state", "force", "cue", "adjective_noun"))
STATE_PARTIES = set(STATES.values()) | {"UN", "EU", "G5S"}
COMPATIBLE: dict[str, set[str]] = {}
for _cls, _measure, _ in _LISTS["compatible"]:
    COMPATIBLE.setdefault(_cls, set()).update([_measure] if _measure else [])
QUALIFIERS_BEFORE, QUALIFIERS_AFTER = ([(w, v) for w, v, _ in _LISTS[n]] for n in ("qualifier_before", "qualifier_after"))


def words(name: str) -> list[str]:
    """The words of list ``name``, in file order."""
    return [w for w, _, _ in _LISTS[name]]


def table(name: str) -> dict[str, str]:
    """``word → value`` of list ``name``, in file order."""
    return {w: v for w, v, _ in _LISTS[name]}


MODIFIER_STOP, WEAK_CUES, MATERIEL_LOSS, BE, HAVE, INTRANSITIVE, NOT_SINGLE, DOMESTIC = (
    {w for w, _, _ in _LISTS[name]} for name in ("modifier_stop", "weak_cue", "materiel_loss", "be", "have", "intransitive",
                                                 "not_single", "domestic"))
