"""Totals by the codebook's flow and stock rules: no double counting, every total names its facts."""
from __future__ import annotations

import pytest
from test_reconcile import derive, docs, fig

from sahel.reconcile import Total, total

D = docs(("a", "2019-11-26"), ("b", "2020-01-10"), ("c", "2020-11-04"), ("z", "2022-06-01"))


@pytest.fixture(scope="module")
def facts():
    return derive(
        D,
        fig("a", 13, "FRA", "killed", "13 French soldiers died on Monday.", ds="2019-11-25"),
        fig("b", 4000, "UNKNOWN", "killed", "More than 4000 deaths were reported in 2019.", qualifier="at_least",
            ds="2019-01-01", de="2019-12-31", noun="death"),
        fig("b", 33, "JIHADIST", "killed", "In December, French forces killed 33 fighters.", ds="2019-12-01",
            de="2019-12-31", sentence=2, noun="fighter"),
        fig("c", 50, "JIHADIST", "killed", "Airstrikes killed 50 jihadists on Friday.", ds="2020-10-30",
            noun="jihadist"),
        fig("c", 4_200_000, "CIVILIAN", "displaced", "More than 4200000 people have been displaced.",
            qualifier="at_least", sentence=3, noun="person"),
        fig("z", 1_500_000, "CIVILIAN", "displaced", "1500000 people are displaced in Burkina Faso.", noun="person"),
    )["facts"]


def test_an_all_sides_running_total_covers_every_party_in_its_period(facts):
    t = total(facts, "killed", start="2019-01-01", end="2019-12-31")
    assert (t.low, t.best, t.high) == (4000, 4000, None)
    assert len(t.facts) == 1 and t.facts[0] in set(facts["fact_id"])


def test_one_party_is_counted_from_its_own_facts(facts):
    assert total(facts, "killed", "FRA", "2019-01-01", "2019-12-31").best == 13
    assert total(facts, "killed", "JIHADIST").best == 83


def test_incidents_outside_the_running_total_are_added(facts):
    t = total(facts, "killed")
    assert t.best == 4050 and t.high is None and len(t.facts) == 2


def test_stocks_are_never_summed_over_time(facts):
    assert total(facts, "displaced").best == 1_500_000  # the latest level, not 5.7 million
    assert total(facts, "displaced", end="2021-12-31").best == 4_200_000


def test_every_total_names_its_facts(facts):
    t = total(facts, "killed", "JIHADIST")
    assert isinstance(t, Total) and sum(facts.set_index("fact_id").loc[list(t.facts), "best"]) == t.best
    assert "83" in str(t)
