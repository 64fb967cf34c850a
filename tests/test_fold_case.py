"""fold_case: lower-case patterns matched case-sensitively on folded text match as ignoring case."""
from __future__ import annotations

import re
import sys

from sahel.extract.text import fold_case, prefix_tree


def _pattern_chars() -> list[str]:
    """The characters a lower-case pattern may use (those prefix_tree accepts)."""
    return [chr(i) for i in range(0x250)
            if chr(i) == chr(i).lower() and (i < 0x80 or (i >= 0xC0 and chr(i) not in "\u0131\u017f"))]


def test_fold_case_folds_exactly_what_ignorecase_equates() -> None:
    chars = _pattern_chars()
    known = set(chars)
    any_char = re.compile("[" + "".join(re.escape(c) for c in chars) + "]", re.I)
    classes = [re.compile(p) for p in (r"\w", r"\d", r"\s")]
    for i in range(sys.maxunicode + 1):
        c = chr(i)
        folded = fold_case(c)
        if folded == c and c not in known and not any_char.fullmatch(c):
            continue  # unchanged and equal to no pattern character
        assert len(folded) == 1, hex(i)
        for rx in classes:
            assert bool(rx.match(c)) == bool(rx.match(folded)), hex(i)
        if any_char.fullmatch(c):
            equal = {p for p in chars if re.fullmatch(re.escape(p), c, re.I)}
            assert equal == {folded}, hex(i)
        else:
            assert folded not in known or folded == c, hex(i)


def test_fold_case_keeps_length_and_offsets() -> None:
    text = "İSTANBUL, ſeven KELVIN \u212a, ΣΟΦΟΣ, Élysée: 13 SOLDIERS"
    folded = fold_case(text)
    assert len(folded) == len(text)
    assert folded.startswith("istanbul, seven kelvin k,") and folded.endswith("élysée: 13 soldiers")


def test_prefix_tree_matches_like_the_longest_first_alternation() -> None:
    words = ["burkina", "burkina faso", "mali", "malian", "us", "u.s.", "niger", "nigeria", "nigerien"]
    tree = re.compile(r"(?<![\w-])(?:" + prefix_tree(words) + r")(?:'s|s)?(?!\w)", re.I)
    flat = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                      + r")(?:'s|s)?(?!\w)", re.I)
    text = ("Burkina Faso's army, Burkina Fasos, the Malians and Mali's US and U.S. allies; Nigeria, "
            "Nigeriens, Nigers, burkina-faso, NIGERIA")
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in flat.finditer(text)]
