"""Facts, events, timeline and totals: merging, keeping apart, no double counting.

The seeds are read through the gold figures (tests/fixtures/seeds-figures.csv)
so these tests hold whatever the extractor does; synthetic frames test the
rules one at a time.
"""
from __future__ import annotations

import pandas as pd
import pytest
from seed_frames import seed_documents, seed_figures, seed_mentions

from sahel import reconcile
from sahel.schema import DOCUMENTS, EVENTS, FACTS, FIGURES, MENTIONS, PLACES, ACTORS, TIMELINE, frame


@pytest.fixture(scope="module")
def seeds() -> dict[str, pd.DataFrame]:
    return reconcile.derive(seed_documents(), seed_figures(), seed_mentions())


# --- synthetic frames ------------------------------------------------------------------

def docs(*rows: tuple[str, str]) -> pd.DataFrame:
    return frame([{"doc_id": d, "published": p} for d, p in rows], DOCUMENTS)


def fig(doc: str, value: float, party: str, measure: str, quote: str, *, qualifier: str = "exact",
        ds: str | None = None, de: str | None = None, sentence: int = 0, at: int | None = None,
        noun: str = "soldier") -> dict:
    start = quote.index(str(int(value))) if at is None else at
    base = sentence * 1000
    return {"figure_id": f"{doc}:{base + start}", "doc_id": doc, "value": value, "qualifier": qualifier,
            "party": party, "measure": measure, "noun": noun, "date_start": ds, "date_end": de or ds,
            "start": base + start, "end": base + start + len(str(int(value))), "sentence": sentence,
            "sentence_start": base, "sentence_end": base + len(quote), "paragraph": sentence, "quote": quote}


def derive(documents: pd.DataFrame, *figures: dict, mentions: pd.DataFrame | None = None) -> dict:
    return reconcile.derive(documents, frame(figures, FIGURES), mentions if mentions is not None
                            else frame([], MENTIONS))


# --- schemas ----------------------------------------------------------------------------

def test_tables_follow_their_schemas(seeds):
    for name, schema in [("facts", FACTS), ("events", EVENTS), ("timeline", TIMELINE),
                         ("places", PLACES), ("actors", ACTORS)]:
        df = seeds[name]
        assert list(df.columns)[: len(schema)] == list(schema), name
        for col, dtype in schema.items():
            assert str(df[col].dtype) == dtype, (name, col, df[col].dtype)


def test_every_fact_traces_to_figures(seeds):
    figs = set(seed_figures()["figure_id"])
    used = [f for ids in seeds["facts"]["figure_ids"] for f in ids.split(";")]
    assert set(used) == figs and len(used) == len(figs)  # each figure in exactly one fact
    for f in seeds["facts"].itertuples():
        assert f.n_sources == len(f.doc_ids.split(";"))
        assert f.low <= f.best and (pd.isna(f.high) or f.best <= f.high)


# --- the acceptance numbers on the seeds ------------------------------------------

def test_helicopter_collision_is_one_event_with_two_sources(seeds):
    ev = seeds["events"]
    day = ev[ev["date_start"] == "2019-11-25"]
    assert len(day) == 1
    e = day.iloc[0]
    assert e["date_end"] == pd.Timestamp("2019-11-25") and e["date_precision"] == "day"
    assert e["n_sources"] == 2 and e["deaths_by_party"] == "FRA=13"
    facts = seeds["facts"][seeds["facts"]["event_id"] == e["event_id"]]
    assert set(zip(facts["measure"], facts["best"])) == {("killed", 13), ("destroyed", 2)}
    assert e["country"] == "MLI" and e["place_id"] == "northern-mali"
    assert "collision" in e["description"]


def test_french_deaths_since_2013_one_cumulative_fact(seeds):
    f = seeds["facts"]
    cum = f[(f["party"] == "FRA") & (f["measure"] == "killed") & (f["kind"] == "cumulative") & f["part_of"].isna()]
    assert len(cum) == 1
    assert cum.iloc[0]["best"] == 41 and cum.iloc[0]["n_sources"] == 2
    assert cum.iloc[0]["date_start"] == pd.Timestamp("2013-01-01")


@pytest.mark.parametrize("party,value", [("FRA", 4500), ("UN", 13000)])
def test_troop_strength_two_sources(seeds, party, value):
    f = seeds["facts"]
    s = f[(f["party"] == party) & (f["measure"] == "deployed") & (f["kind"] == "stock") & (f["best"] == value)]
    assert len(s) == 1 and s.iloc[0]["n_sources"] == 2


def test_strikes_are_separate_events(seeds):
    ev = seeds["events"].set_index("date_start")
    dec = ev.loc[pd.Timestamp("2019-12-01")]
    assert dec["date_precision"] == "month" and dec["deaths_by_party"] == "JIHADIST=33"
    octo = ev.loc[pd.Timestamp("2020-10-30")]
    assert octo["date_precision"] == "day" and octo["deaths_by_party"] == "JIHADIST=50"
    assert octo["killed_high"] is pd.NA or pd.isna(octo["killed_high"])  # "more than 50"
    assert octo["event_id"] != dec["event_id"]


def test_february_operations_count_thirty_not_sixty(seeds):
    ev = seeds["events"]
    feb = ev[(ev["date_start"] >= "2020-02-01") & (ev["date_end"] <= "2020-02-29")]
    assert len(feb) == 1 and feb.iloc[0]["killed_best"] == 30
    f = seeds["facts"]
    parts = f[f["part_of"].notna() & (f["party"] == "JIHADIST")]
    assert sorted(parts["best"]) == [10, 20]
    agg = f.set_index("fact_id").loc[parts["part_of"].unique()]
    assert list(agg["best"]) == [30]


@pytest.mark.parametrize("measure,party,best,low", [
    ("killed", "JIHADIST", 113, 113),
    ("killed", "FRA", 41, 41),
    ("killed", "UN", 200, 200),
    ("displaced", None, 4_200_000, 4_200_000),
    ("deployed", "FRA", 3000, 3000),  # the latest level: the 3,000 of an operation "ongoing" in November 2020
])
def test_totals(seeds, measure, party, best, low):
    t = reconcile.total(seeds["facts"], measure, party)
    assert (t.best, t.low) == (best, low)


def test_total_jihadists_is_not_the_naive_sum(seeds):
    figs = seed_figures()
    naive = figs[(figs["party"] == "JIHADIST") & (figs["measure"] == "killed")]["value"].sum()
    t = reconcile.total(seeds["facts"], "killed", "JIHADIST")
    assert naive == 143 and t.best == 113 and t.high is None
    f = seeds["facts"].set_index("fact_id")
    assert sorted(f.loc[list(t.facts), "best"]) == [30, 33, 50]


def test_total_at_least_is_open_ended(seeds):
    assert reconcile.total(seeds["facts"], "killed", "UN").high is None
    assert reconcile.total(seeds["facts"], "displaced").high is None


def test_total_window(seeds):
    f = seeds["facts"]
    assert reconcile.total(f, "killed", "JIHADIST", "2020-01-01", "2020-12-31").best == 80
    assert reconcile.total(f, "killed", "JIHADIST", end="2019-12-31").best == 33
    # a window inside the cumulative period: the incidents inside it are added up
    assert reconcile.total(f, "killed", "FRA", "2019-11-01", "2019-11-30").best == 13
    with pytest.raises(ValueError):
        reconcile.total(f, "killed", start="2020-01-01", end="2019-01-01")


def test_cumulative_is_used_instead_of_its_incidents(seeds):
    t = reconcile.total(seeds["facts"], "killed", "FRA")
    assert list(seeds["facts"].set_index("fact_id").loc[list(t.facts), "kind"]) == ["cumulative"]


def test_timeline_has_milestones_and_events(seeds):
    tl = seeds["timeline"]
    assert tl["date_start"].is_monotonic_increasing
    types = set(tl[tl["kind"] == "milestone"]["type"])
    assert {"launch", "coup", "summit", "reinforcement", "first_operations"} <= types
    coup = tl[tl["type"] == "coup"].iloc[0]
    assert coup["date_start"] == pd.Timestamp("2020-08-18") and coup["date_precision"] == "day"
    takuba = tl[tl["type"] == "first_operations"].iloc[0]
    assert "Takuba" in takuba["label"] and takuba["date_start"] == pd.Timestamp("2020-10-30")
    barkhane = tl[(tl["type"] == "launch") & tl["label"].str.contains("Barkhane")].iloc[0]
    assert barkhane["date_start"].year == 2014
    assert (tl["kind"] == "event").sum() == len(seeds["events"])


# --- merging and keeping apart (synthetic) ---------------------------------------------------

D = docs(("a", "2019-11-26"), ("b", "2019-11-28"), ("c", "2020-02-08"))


def test_same_incident_two_articles_merge_with_narrowest_date():
    out = derive(D,
                 fig("a", 13, "FRA", "killed", "13 French soldiers died on Monday.", ds="2019-11-25"),
                 fig("b", 13, "FRA", "killed", "13 French soldiers died in November.",
                     ds="2019-11-01", de="2019-11-30"))
    f = out["facts"]
    assert len(f) == 1
    assert f.iloc[0]["n_sources"] == 2 and f.iloc[0]["date_precision"] == "day"
    assert f.iloc[0]["date_start"] == pd.Timestamp("2019-11-25")


def test_same_number_different_party_kept_apart():
    out = derive(D,
                 fig("a", 24, "MLI", "killed", "Mali lost 24 soldiers last week.", ds="2019-11-18", de="2019-11-24"),
                 fig("b", 24, "BFA", "killed", "Burkina Faso lost 24 soldiers last week.",
                     ds="2019-11-18", de="2019-11-24"))
    assert len(out["facts"]) == 2 and set(out["facts"]["n_sources"]) == {1}


def test_same_number_different_period_kept_apart():
    out = derive(D,
                 fig("a", 24, "MLI", "killed", "In August, Mali lost 24 soldiers.", ds="2019-08-01", de="2019-08-31"),
                 fig("b", 24, "MLI", "killed", "Mali lost 24 soldiers last week.", ds="2019-11-18", de="2019-11-24"))
    assert len(out["facts"]) == 2
    assert reconcile.total(out["facts"], "killed", "MLI").best == 48


def test_same_number_different_measure_kept_apart():
    out = derive(D,
                 fig("a", 13, "FRA", "killed", "13 French soldiers were killed on Monday.", ds="2019-11-25"),
                 fig("b", 13, "FRA", "wounded", "13 French soldiers were wounded on Monday.", ds="2019-11-25"))
    assert len(out["facts"]) == 2


def test_incident_never_merges_with_cumulative():
    out = derive(D,
                 fig("a", 41, "FRA", "killed", "This brings to 41 the French troops killed since 2013.",
                     ds="2013-01-01", de="2019-11-26"),
                 fig("b", 41, "FRA", "killed", "41 French soldiers were killed on Monday.", ds="2019-11-25"))
    f = out["facts"].set_index("kind")
    assert len(out["facts"]) == 2 and set(f.index) == {"cumulative", "incident"}


def test_a_first_count_and_a_later_one_are_one_fact_whose_best_is_the_latest():
    out = derive(D,
                 fig("a", 30, "JIHADIST", "killed", "More than 30 fighters were killed on Monday.",
                     qualifier="at_least", ds="2019-11-25", noun="fighter"),
                 fig("b", 33, "JIHADIST", "killed", "33 fighters were killed on Monday.", ds="2019-11-25",
                     noun="fighter"))
    f = out["facts"].iloc[0]
    assert len(out["facts"]) == 1 and f["disputed"] and f["n_figures"] == 2
    assert (f["low"], f["best"], f["high"], f["qualifier"]) == (30, 33, 33, "range")  # the reports' spread
    assert f["values"] == "30 (a:10); 33 (b:0)"


def test_contradicting_sources_are_disputed_and_conservative():
    out = derive(D,
                 fig("a", 13, "FRA", "killed", "13 French soldiers died on Monday.", ds="2019-11-25"),
                 fig("b", 14, "FRA", "killed", "14 French soldiers died on Monday.", ds="2019-11-25"))
    f = out["facts"]
    assert len(f) == 1
    row = f.iloc[0]
    assert row["disputed"] and (row["low"], row["best"], row["high"]) == (13, 14, 14)  # best: the latest report
    assert row["values"] == "13 (a:0); 14 (b:0)"


def test_wildly_different_values_do_not_merge():
    out = derive(D,
                 fig("a", 13, "FRA", "killed", "13 French soldiers died on Monday.", ds="2019-11-25"),
                 fig("b", 130, "FRA", "killed", "130 French soldiers died on Monday.", ds="2019-11-25"))
    assert len(out["facts"]) == 2


def test_running_totals_at_different_values_are_not_merged():
    out = derive(D,
                 fig("a", 41, "FRA", "killed", "To date, 41 French soldiers have died."),
                 fig("c", 43, "FRA", "killed", "To date, 43 French soldiers have died."))
    f = out["facts"]
    assert set(f["kind"]) == {"cumulative"} and len(f) == 2
    # overlapping running totals of one party are never added to each other
    assert reconcile.total(f, "killed", "FRA").best == 43


def test_parts_of_an_aggregate_count_once():
    agg = "French soldiers killed more than 30 fighters in two days."
    parts = "In Gourma they killed about 20 fighters, while in Liptako 10 more were killed."
    out = derive(docs(("a", "2020-02-08")),
                 fig("a", 30, "JIHADIST", "killed", agg, qualifier="at_least", noun="fighter", ds="2020-02-06",
                     de="2020-02-07"),
                 fig("a", 20, "JIHADIST", "killed", parts, qualifier="approx", sentence=2, noun="fighter"),
                 fig("a", 10, "JIHADIST", "killed", parts, sentence=2, at=parts.index("10"), noun="fighter"))
    f = out["facts"]
    assert f["part_of"].notna().sum() == 2
    assert reconcile.total(f, "killed", "JIHADIST").best == 30
    assert len(out["events"]) == 1 and out["events"].iloc[0]["killed_best"] == 30


def test_numbers_that_do_not_add_up_are_not_parts():
    out = derive(docs(("a", "2020-02-08")),
                 fig("a", 30, "JIHADIST", "killed", "More than 30 fighters were killed.", qualifier="at_least"),
                 fig("a", 50, "JIHADIST", "killed", "50 were killed here and 12 there.", sentence=2),
                 fig("a", 12, "JIHADIST", "killed", "50 were killed here and 12 there.", sentence=2,
                     at=len("50 were killed here and ")))
    assert out["facts"]["part_of"].isna().all()


def test_of_those_is_a_part():
    q1 = "More than 4.2 million people have been displaced."
    q2 = "A million of those, just in the past year."
    out = derive(docs(("a", "2020-11-04")),
                 fig("a", 4_200_000, "CIVILIAN", "displaced", q1, qualifier="at_least", at=10, noun="person"),
                 fig("a", 1_000_000, "CIVILIAN", "displaced", q2, sentence=1, at=0, noun="person"))
    f = out["facts"]
    assert f["part_of"].notna().sum() == 1
    assert f.loc[f["part_of"].notna(), "kind"].tolist() == ["cumulative"]  # a flow stated inside a stock
    assert reconcile.total(f, "displaced").best == 4_200_000


def test_strength_is_not_summed_over_time():
    out = derive(D,
                 fig("a", 4500, "FRA", "deployed", "France has 4500 troops in the region.", noun="troop"),
                 fig("c", 5100, "FRA", "deployed", "France has 5100 troops in the region.", noun="troop"),
                 fig("c", 600, "FRA", "deployed", "France will send 600 more soldiers.", sentence=1))
    f = out["facts"]
    assert set(f["kind"]) == {"stock", "incident"}
    assert reconcile.total(f, "deployed", "FRA").best == 5100
    assert reconcile.total(f, "deployed", "FRA", end="2019-12-31").best == 4500


def test_undated_incident_takes_the_articles_operation_date():
    text_op = "The operation took place on October 30."
    mentions = frame([{"mention_id": "a:m:0", "doc_id": "a", "kind": "milestone", "name": "operation",
                       "code": "operation", "start": 2000, "end": 2020, "sentence": 2,
                       "sentence_start": 2000, "sentence_end": 2000 + len(text_op),
                       "date_start": "2020-10-30", "date_end": "2020-10-30", "date_precision": "day",
                       "quote": text_op}], MENTIONS)
    out = derive(docs(("a", "2020-11-04")),
                 fig("a", 50, "JIHADIST", "killed", "Airstrikes killed more than 50 jihadists.", qualifier="at_least"),
                 fig("a", 30, "JIHADIST", "destroyed", "30 motorcycles were destroyed.", sentence=4, noun="motorcycle"),
                 mentions=mentions)
    f = out["facts"]
    assert (f["date_start"] == pd.Timestamp("2020-10-30")).all() and set(f["date_basis"]) == {"event"}
    assert len(out["events"]) == 1


def test_empty_input():
    out = reconcile.derive(frame([], DOCUMENTS), frame([], FIGURES), frame([], MENTIONS))
    assert all(len(out[k]) == 0 for k in ("facts", "events", "timeline"))
    assert len(out["places"]) > 0 and out["places"]["n_mentions"].eq(0).all()
    t = reconcile.total(out["facts"], "killed")
    assert (t.low, t.best, t.high) == (0, 0, 0)


def test_of_them_belongs_to_its_own_number():
    """'35 civilians are killed, 31 of them women, along with seven soldiers': only the 31 is a part."""
    q0 = "Militants stormed the army base, killing 24 soldiers."
    q1 = "In assaults on the town, 35 civilians are killed, 31 of them women, along with seven soldiers."
    out = derive(docs(("a", "2019-12-30")),
                 fig("a", 24, "BFA", "killed", q0, ds="2019-08-19"),
                 fig("a", 35, "CIVILIAN", "killed", q1, ds="2019-12-24", sentence=1, noun="civilian"),
                 fig("a", 31, "CIVILIAN", "killed", q1, ds="2019-12-24", sentence=1, noun="woman"),
                 fig("a", 7, "BFA", "killed", q1, ds="2019-12-24", sentence=1, at=q1.index("seven")))
    f = out["facts"].set_index("best")
    assert pd.isna(f.at[7.0, "part_of"]) and f.at[31.0, "part_of"] == f.at[35.0, "fact_id"]
    assert reconcile.total(out["facts"], "killed", "BFA").best == 31


def test_an_undated_total_of_dated_parts_spans_them_and_a_running_total_covers_it():
    q0 = "France had lost five soldiers in the days just before the strike."
    q1 = "Three soldiers were killed near Hombori on 28 December, and two more died near Menaka on 2 January."
    q2 = "Since 2013, 53 French soldiers have died in the Sahel."
    out = derive(docs(("a", "2021-04-02"), ("b", "2022-02-19")),
                 fig("a", 5, "FRA", "killed", q0, at=q0.index("five")),
                 fig("a", 3, "FRA", "killed", q1, ds="2020-12-28", sentence=1, at=0),
                 fig("a", 2, "FRA", "killed", q1, ds="2021-01-02", sentence=1, at=q1.index("two")),
                 fig("b", 53, "FRA", "killed", q2, ds="2013-01-01", de="2022-02-19"))
    f = out["facts"].set_index("best")
    assert f.at[5.0, "kind"] == "cumulative" and f.at[5.0, "date_basis"] == "event"
    assert (f.at[5.0, "date_start"], f.at[5.0, "date_end"]) == (pd.Timestamp("2020-12-28"), pd.Timestamp("2021-01-02"))
    assert reconcile.total(out["facts"], "killed", "FRA", end="2022-06-30").best == 53
    assert reconcile.total(out["facts"], "killed", "FRA", "2020-12-01", "2021-01-31").best == 5


def test_an_expected_level_is_not_the_level_when_it_is_reported():
    q = "France now has 2,900 soldiers in Mali, and officials expect the number to reach about 4,000."
    out = derive(docs(("a", "2013-01-29"), ("b", "2013-03-20")),
                 fig("a", 2900, "FRA", "deployed", q, at=q.index("2,900")),
                 fig("a", 4000, "FRA", "deployed", q, qualifier="approx", at=q.index("4,000")),
                 fig("b", 4000, "FRA", "deployed", "Within weeks some 4,000 French troops were on the ground.",
                     qualifier="approx", at=len("Within weeks some ")))
    assert reconcile.total(out["facts"], "deployed", "FRA", end="2013-01-31").best == 2900
    assert reconcile.total(out["facts"], "deployed", "FRA", end="2013-03-31").best == 4000


def test_a_count_over_years_is_a_running_total():
    q = "More than 50 French soldiers died in the Sahel over nine years."
    out = derive(docs(("a", "2022-08-17")), fig("a", 50, "FRA", "killed", q, qualifier="at_least"))
    assert out["facts"]["kind"].tolist() == ["cumulative"]
