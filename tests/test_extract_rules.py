"""Every figure names the rule that decided its party and its measure (issue 19)."""
from __future__ import annotations

import pytest

import sahel
from sahel import paths
from sahel.extract import measures, parties


def _rules(text: str) -> dict[float, tuple[str, str, str, str]]:
    figs = sahel.parse_text(text, published="2020-03-02").figures
    return {v: (p, pr, m, mr) for v, p, pr, m, mr in
            zip(figs["value"], figs["party"], figs["party_rule"], figs["measure"], figs["measure_rule"])}


@pytest.mark.parametrize("text, value, expected", [
    ("Thirteen French soldiers were killed on Monday.", 13, ("FRA", "noun_nationality", "killed", "verb_killed")),
    ("France has 5,100 soldiers in the Sahel.", 5100, ("FRA", "sentence_actor", "deployed", "force_default")),
    ("At least 20 civilians were wounded.", 20, ("CIVILIAN", "noun_default", "wounded", "verb_wounded")),
    ("The attack left 35 dead and 14 wounded among the soldiers of Niger.", 14,
     (None, None, "wounded", "adjective")),
    ("Mali lost 24 soldiers. The toll later rose to 30.", 30, ("MLI", "antecedent", "killed", "toll")),
    ("Sweden committed 150 soldiers and the Czech Republic up to 60.", 60,
     ("CZE", "gapping", "deployed", "antecedent")),
    ("The floods caused 12 deaths.", 12, ("UNKNOWN", "noun_default", "killed", "noun_death")),
])
def test_rule_columns_say_why(text: str, value: float, expected: tuple) -> None:
    got = _rules(text)[value]
    assert tuple(g if e is not None else None for g, e in zip(got, expected)) == expected, got


def test_every_rule_emitted_on_the_seeds_is_a_known_code() -> None:
    figs = sahel.parse_corpus(paths.SEEDS_DIR, jobs=1, cache=False).figures
    assert figs["party_rule"].notna().all() and figs["measure_rule"].notna().all()
    assert set(figs["party_rule"]) <= set(parties.RULES)
    assert set(figs["measure_rule"]) <= set(measures.RULES)
    assert len(set(figs["party_rule"])) >= 5 and len(set(figs["measure_rule"])) >= 4
