"""Codebook version 2 figure rules (issue 19), each on a sentence of its own, with the rule that decides."""
from __future__ import annotations

import pandas as pd
import pytest

from sahel.extract import parse_text
from sahel.extract.dates import find_dates
from sahel.extract.parties import line_label, ranks
from sahel.extract.figures import code_sentence
from sahel.extract.parties import Context


def scored(text: str, published: str = "2021-06-07"):
    figs = parse_text(text, published=published).figures
    return figs[figs["measure"] != "other"]


def one(text: str, published: str = "2021-06-07"):
    figs = scored(text, published)
    assert len(figs) == 1, figs[["surface", "value", "party", "measure", "party_rule", "measure_rule"]]
    return figs.iloc[0]


@pytest.mark.parametrize("text, party, measure", [
    ("A French soldier was killed in the blast.", "FRA", "killed"),
    ("Gunmen shot dead a forest agent near the park.", None, "killed"),
    ("A villager was abducted on the road to Djibo.", "CIVILIAN", "captured"),
])
def test_one_person_is_a_figure_of_one(text: str, party: str | None, measure: str) -> None:
    row = one(text)
    assert (row.value, row.qualifier, row.measure) == (1, "exact", measure)
    assert party is None or row.party == party


@pytest.mark.parametrize("text", [
    "The officer died of his wounds.",  # definite
    "The military felt he had lost the ability to govern and ousted him in a military coup.",  # collective noun
    "31 soldiers killed in a terrorist attack in northern Mali",  # "a terrorist attack": a modifier
    "A soldier of the regiment was deployed to Gao.",  # one person counts only as a victim
])
def test_no_one_person_figure(text: str) -> None:
    assert (scored(text)["value"] == 1).sum() == 0


def test_lines_of_a_box_are_sentences_with_their_label() -> None:
    text = "Casualties and losses\n\nFrance 10 killed[8]\n1 Gazelle helicopter lost[9]\nMali 82 killed[10]\nAzawad 17 killed, 60 wounded[10]\n"
    figs = scored(text, "2020-01-01")
    got = {(r.value, r.party, r.measure, r.party_rule) for r in figs.itertuples()}
    assert (10, "FRA", "killed", "line_label") in got
    assert (82, "MLI", "killed", "line_label") in got
    assert (17, "ARMED_GROUP", "killed", "line_label") in got
    assert (60, "ARMED_GROUP", "wounded", "line_label") in got
    assert (1, "FRA", "destroyed", "context_recent") in got
    assert not any(v in (8, 9) for v in figs["value"])  # citation marks are not figures
    assert figs["quote"].str.contains("\n").sum() == 0


def test_line_label_not_a_dateline() -> None:
    s = code_sentence("BAMAKO - Four civilians were killed.", "bamako - four civilians were killed.", None, Context(), [])
    assert line_label(s) is None


@pytest.mark.parametrize("text, value, party, rule", [
    ("About 1,000 Wagner fighters are in the country.", 1000, "MERCENARY", "force_size"),
    ("Some 200 gunmen attacked the town of Djibo.", 200, "JIHADIST", "force_size"),
    ("• 1,000 fighters (AQIM)[7]", 1000, "JIHADIST", "force_size"),
])
def test_force_sizes_are_deployed(text: str, value: float, party: str, rule: str) -> None:
    row = one(text)
    assert (row.value, row.party, row.measure, row.measure_rule) == (value, party, "deployed", rule)


@pytest.mark.parametrize("text", [
    "Thirty soldiers are missing after the attack.",
    "Another 30 were still unaccounted for.",
    "The army said about 20 assailants had been neutralised.",
    "On average, 1,500 refugees from Mali arrive in the country every day.",
    "Over 2,000 IDP households have received food.",
    "Witnesses gave the names of 20 Dogon men.",
    "They seized 200 weapons.",
])
def test_not_scored(text: str) -> None:
    assert scored(text).empty, scored(text)[["surface", "party", "measure", "measure_rule"]]


@pytest.mark.parametrize("text, value, party, measure, rule", [
    ("Nigerien officials have confirmed the number dead at 71.", 71, None, "killed", "verb_killed"),
    ("Niger mourns after an attack that claimed 71 soldiers.", 71, "NER", "killed", "verb_killed"),
    ("The battle resulted in the destruction of at least 100 soldiers.", 100, None, "killed", "verb_killed"),
    ("Two of their fighters blew themselves up.", 2, "JIHADIST", "killed", "verb_killed"),
    ("Armed men massacred over 35 villagers.", 35, "CIVILIAN", "killed", "verb_killed"),
])
def test_measure_cues(text: str, value: float, party: str | None, measure: str, rule: str) -> None:
    row = one(text)
    assert (row.value, row.measure, row.measure_rule) == (value, measure, rule)
    assert party is None or row.party == party


def test_out_of_takes_the_noun_of_the_total() -> None:
    row = one("In July, 12,000 out of 14,000 inhabitants were displaced.", "2021-08-31")
    assert (row.value, row.party, row.measure) == (12000, "CIVILIAN", "displaced")


def test_victims_of_a_village_raid_are_civilians() -> None:
    text = "Gunmen raided the village of Solhan overnight. At least 100 people had died. The tally stood at 165."
    figs = scored(text)
    assert list(figs["party"]) == ["CIVILIAN", "CIVILIAN"]
    assert figs["party_rule"].iloc[0] == "civilian_article"


def test_mixed_toll_stays_unknown() -> None:
    text = "Gunmen raided the village of Solhan overnight. The attack on the gendarmerie post killed 53 people."
    assert one(text).party == "UNKNOWN"


def test_attackers_are_not_the_victims() -> None:
    text = ("An attack on an army camp in Niger left 71 military personnel dead. "
            "Hundreds of jihadists attacked the camp on Tuesday, killing 71, injuring 122.")
    figs = scored(text, "2019-12-12").dropna(subset=["value"])  # "Hundreds of jihadists" is vague
    assert set(figs["party"]) == {"NER"}


def test_ranks() -> None:
    row = one("The provisional toll is three wounded in the ranks of FAMa.")
    assert (row.party, row.measure, row.party_rule) == ("MLI", "wounded", "ranks")
    s = code_sentence("The Malian army deplored three wounded in its ranks.",
                      "the malian army deplored three wounded in its ranks.", None, Context(), [])
    assert ranks(s, s.figures[0]) == "MLI"


def test_a_source_is_not_the_actor() -> None:
    row = one("Sweden contributed a unit and, according to U.N. figures, 203 soldiers were deployed.")
    assert row.party == "SWE"


@pytest.mark.parametrize("phrase, published, start, end", [
    ("To date, 41 soldiers have died", "2020-02-08", None, "2020-02-08"),
    ("so far this year", "2020-02-08", "2020-01-01", "2020-02-08"),
    ("since April 2013", "2020-02-08", "2013-04-01", "2020-02-08"),
    ("between March 27 and 31", "2020-04-08", "2020-03-27", "2020-03-31"),
    ("on January 11th and 12th", "2013-01-15", "2013-01-11", "2013-01-12"),
    ("in May and July", "2020-08-08", "2020-05-01", "2020-07-31"),
    ("on the 7th in the town", "2022-08-11", "2022-08-07", "2022-08-07"),
    ("during the month of July", "2021-08-31", "2021-07-01", "2021-07-31"),
    ("By the end of August", "2019-08-29", "2019-08-21", "2019-08-31"),
])
def test_dates_of_periods(phrase: str, published: str, start: str | None, end: str) -> None:
    from datetime import date
    d = [x for x in find_dates(phrase, date.fromisoformat(published))][0]
    assert str(d.date_start) == str(start) if start else d.date_start is None
    assert str(d.date_end) == end


def test_date_range_end_is_not_a_figure() -> None:
    assert scored("Between March 27 and 31 the army killed 40 fighters.", "2020-04-08")["value"].tolist() == [40]


def test_no_ordinal_regiment_date() -> None:
    from datetime import date
    assert find_dates("a soldier of the 1st Marine Infantry Parachute Regiment", date(2013, 3, 20)) == []


@pytest.mark.parametrize("text, qualifier", [
    ("Officials said the toll could pass 20.", "at_least"),
    ("The toll could rise to 80, officials said.", "at_most"),
])
def test_could_qualifiers(text: str, qualifier: str) -> None:
    assert one(text).qualifier == qualifier


@pytest.mark.parametrize("text, value, party, measure", [
    ("Gunmen kill at least 160 in Burkina Faso's deadliest attack in years", 160, "UNKNOWN", "killed"),
    ("Gunmen raided the village of Solhan, killing 35.", 35, "CIVILIAN", "killed"),
])
def test_no_noun_after_a_kill_verb(text: str, value: float, party: str, measure: str) -> None:
    row = one(text)
    assert (row.value, row.party, row.measure, row.noun) == (value, party, measure, "person")


def test_list_members_share_the_verb() -> None:
    figs = scored("During the ambush, five Nigeriens, four Americans, and at least 21 ISGS militants were killed.",
                  "2017-10-10")
    assert list(figs["measure"]) == ["killed"] * 3


def test_head_noun_and_arrivals() -> None:
    assert one("Sweden deployed 12 staff officers to Gao.").noun == "officer"
    assert one("In Burkina Faso, 309 persons have arrived in camps in the north.").measure == "displaced"
    row = one("The group sent a hundred Fulani armed militiamen to protect the village.")
    assert (row.value, row.party, row.measure) == (100, "ARMED_GROUP", "deployed")


def test_coordinated_predicate_is_not_post_nominal() -> None:
    row = one("It claimed the destruction of at least 100 soldiers and wounded dozens others.")
    assert (row.value, row.measure) == (100, "killed")


@pytest.mark.parametrize("text", [
    "The victims, aged 21, 23 and 28, were buried on Sunday.",
    "He spoke in front of about 300 people in Gao.",
    "Chad keeps troops in Mali, making it one of the largest contributors to the force.",
])
def test_ages_onlookers_and_ranks_are_not_figures(text: str) -> None:
    assert scored(text).empty, scored(text)[["surface", "party", "measure"]]


def test_one_of_a_ranking_is_not_a_figure_but_one_of_the_soldiers_is() -> None:
    assert scored("It was one of the deadliest attacks on the force.").empty
    row = one("One of the soldiers was killed in the attack.")
    assert (row.value, row.measure) == (1, "killed")


def test_people_among_them_share_the_antecedents_measure() -> None:
    figs = scored("Nine people were wounded in the attack. "
                  "Two Swiss army experts working with the UN were among them and were flown home.", "2015-03-08")
    assert [(r.value, r.party, r.measure) for r in figs.itertuples()] == [(9, "UNKNOWN", "wounded"),
                                                                          (2, "CHE", "wounded")]
    assert one("Two French soldiers were among the dead, the army said.").measure == "killed"


def test_our_soldiers_are_the_speakers() -> None:
    text = "Chad's army issued a statement on Monday. It said 13 of our soldiers were killed."
    row = one(text)
    assert (row.value, row.party, row.measure) == (13, "TCD", "killed")


def test_gendarmes_serve_in_the_country_reported() -> None:
    text = ("A French convoy was blocked in Niger on Saturday. "
            "Anger has been building since the attack on the Inata gendarmerie post in northern Burkina Faso. "
            "Jihadists killed 53 people there. Of the dead, 49 were gendarmes and four were civilians.")
    figs = scored(text, "2021-11-28")
    got = {(r.value, r.party, r.party_rule) for r in figs.itertuples()}
    assert (49, "BFA", "context_place") in got


def test_a_breakdown_with_soldiers_revises_civilian_victims() -> None:
    text = ("Gunmen opened fire on bathers and hotel terraces, killing 19 people. "
            "Of those, 16 were civilians and three were Ivorian soldiers.")
    figs = scored(text, "2016-03-20")
    row = figs[figs["value"] == 19].iloc[0]
    assert (row.party, row.party_rule) == ("UNKNOWN", "mixed_sides")


def test_each_number_takes_the_qualifier_in_front_of_it() -> None:
    figs = scored("The fighting displaced up to 300,000 people in Mali and 407,000 in Burkina Faso.", "2020-01-01")
    assert list(zip(figs["value"], figs["qualifier"])) == [(300000, "at_most"), (407000, "exact")]


def test_the_army_of_no_named_state_is_the_reported_countrys():
    """'the army base' with no state named: the country the article reports, not the latest nationality."""
    text = ("Burkina Faso has become the centre of the insurgency.\n\n"
            "May 10, 2019 — Two French naval commandos are killed in a night raid in northern Burkina Faso.\n\n"
            "August 19, 2019 — Militants storm the army base at Koutougou, killing 24 soldiers.")
    figs = scored(text, "2022-10-05").set_index("value")
    assert figs.at[2.0, "party"] == "FRA" and figs.at[24.0, "party"] == "BFA"
    assert figs.at[24.0, "party_rule"] == "context_place"


def test_the_state_named_with_its_forces_is_the_recent_context():
    text = ("In March, militants struck the French embassy and the general staff of Burkina Faso's armed forces. "
            "Eight soldiers were killed, according to the government.")
    row = one(text, "2018-07-05")
    assert (row.value, row.party, row.party_rule) == (8, "BFA", "context_recent")


@pytest.mark.parametrize("text, value, party, measure", [
    ("Of the dead, 19 were gendarmes and one was a civilian, the minister said.", 1, "CIVILIAN", "killed"),
    ("Violence has driven nearly 290,000 people from their homes in Burkina Faso.", 290_000, "CIVILIAN", "displaced"),
    ("Malian soldiers and foreign personnel killed at least 500 people in Moura, a village in the Mopti region.",
     500, "CIVILIAN", "killed"),
])
def test_predicates_homes_and_killers(text: str, value: float, party: str, measure: str) -> None:
    figs = scored(text)
    row = figs[figs["value"] == value].iloc[0]
    assert (row.party, row.measure) == (party, measure)


def test_growing_from_one_level_to_another_is_two_levels():
    figs = scored("France is sending reinforcements. Barkhane is growing from 4,500 to 5,100 soldiers.", "2020-03-02")
    assert figs[["value", "value_high", "party", "measure"]].astype(object).values.tolist() == [
        [4500.0, pd.NA, "FRA", "deployed"], [5100.0, pd.NA, "FRA", "deployed"]]
