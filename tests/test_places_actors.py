"""Gazetteers, mention extraction and the places/actors tables."""
from __future__ import annotations

import time
from datetime import date

import pandas as pd
import pytest
from seed_frames import seed_mentions, seed_texts, split_sentences

from sahel import reconcile
from sahel.extract import gazetteer as places
from sahel.extract import mentions
from sahel.schema import MENTIONS

PARTIES = {"FRA", "MLI", "BFA", "NER", "TCD", "MRT", "EST", "GBR", "USA", "BEL", "CZE", "DNK", "DEU", "SWE",
           "ITA", "RUS", "UN", "EU", "G5S", "JIHADIST", "ARMED_GROUP", "MERCENARY", "CIVILIAN", "UNKNOWN"}


def test_places_gazetteer_is_well_formed():
    g = places.gazetteer()
    assert g["place_id"].is_unique
    located = g[g["latitude"].notna()]
    assert located["latitude"].between(10, 50).all() and located["longitude"].between(-17, 20).all()
    for name in ["Gao", "Timbuktu", "Kidal", "Menaka", "Mopti", "Sevare", "Konna", "Bamako", "Tessalit",
                 "Aguelhok", "Inates", "Chinagodrar", "Tillaberi", "Niamey", "Ouagadougou", "Djibo", "Solhan",
                 "Boulikessi", "Indelimane", "Ogossagou", "Bounti", "Gourma", "Liptako", "Tongo Tongo",
                 "N'Djamena", "Nouakchott", "Adrar des Ifoghas", "northern Mali", "central Mali"]:
        assert places.find_places(f"It happened in {name} yesterday."), name
    assert set(g["precision"]) <= {"point", "region", "border", "country"}


def test_place_coordinates_are_real():
    g = places.gazetteer().set_index("place_id")
    assert abs(g.at["gao", "latitude"] - 16.27) < 0.1 and abs(g.at["gao", "longitude"] + 0.04) < 0.1
    assert abs(g.at["bamako", "latitude"] - 12.64) < 0.1 and abs(g.at["bamako", "longitude"] + 8.0) < 0.1
    assert g.at["niamey", "country"] == "NER" and g.at["ouagadougou", "country"] == "BFA"


def test_actor_gazetteer_is_well_formed():
    g = places.gazetteer(places.ACTORS_CSV)
    assert g["actor_id"].is_unique and g["name"].is_unique
    assert set(g["party"]) <= PARTIES
    names = set(g["name"])
    for n in ["Operation Serval", "Operation Barkhane", "Task Force Takuba", "MINUSMA", "EUTM Mali",
              "G5 Sahel Joint Force", "Ansarul Islam", "Wagner Group"]:
        assert n in names
    kinds = dict(zip(g["name"], g["kind"]))
    assert kinds["Wagner Group"] == "mercenary" and kinds["MINUSMA"] == "UN mission"


@pytest.mark.parametrize("text,expected", [
    ("clashes in northern Mali on Monday", ["northern-mali"]),
    ("in the \u201cthree borders\u201d area of Burkina Faso", ["three-border-area", "burkina-faso"]),
    ("in the \"three-border,quot; region", ["three-border-area"]),
    ("near the Mauritanian border", ["mauritanian-border"]),
    ("Attack in M\u00e9naka and Menaka", ["menaka", "menaka"]),
    ("The Malians and Nigeria", []),  # no partial words
])
def test_find_places(text, expected):
    assert [m.key for m in places.find_places(text)] == expected


@pytest.mark.parametrize("text,expected", [
    ("ISGS and the Islamic State in the Greater Sahara", ["isgs", "isgs"]),
    ("the UN's mission, MINUSMA", ["united-nations", "minusma"]),
    ("under the sun", []),  # acronyms are case-sensitive
    ("the G5 Sahel force and the G5", ["g5-sahel-force", "g5-sahel"]),
    ("Takuba Task Force and Barkhane", ["takuba", "barkhane"]),
    ("French and Malian forces", ["fama"]),
])
def test_find_actors(text, expected):
    assert [m.key for m in places.find_actors(text)] == expected


def test_mentions_schema_and_offsets():
    texts = seed_texts()
    ms = seed_mentions()
    assert list(ms.columns) == list(MENTIONS)
    assert set(ms["kind"]) == {"place", "actor", "milestone"}
    for m in ms.itertuples():
        text = texts[m.doc_id]
        assert text[m.start:m.end] == m.surface
        assert m.sentence_start <= m.start < m.sentence_end
        assert m.quote == text[m.sentence_start:m.sentence_end].strip()
    assert ms["mention_id"].is_unique


def test_milestones_need_a_date():
    ms = seed_mentions()
    mil = ms[ms["kind"] == "milestone"]
    assert mil["date_start"].notna().all() and mil["date_precision"].notna().all()
    # "no plans for a French pullout" is not a withdrawal
    assert "withdrawal" not in set(mil["code"])


def test_milestone_dates():
    text = "The junta ousted him in a military coup on August 18. Sunday, France said it would deploy 600 more soldiers."
    sents = split_sentences("x", text)
    ms = mentions.extract_mentions("x", text, sents, date(2020, 11, 4))
    mil = ms[ms["kind"] == "milestone"].set_index("code")
    assert mil.at["coup", "date_start"] == pd.Timestamp("2020-08-18")
    assert mil.at["reinforcement", "date_start"] == pd.Timestamp("2020-11-01")
    assert "France" in mil.at["reinforcement", "name"]


def test_mentions_without_sentences_or_date():
    ms = mentions.extract_mentions("x", "Fighting near Gao and Kidal in 2013, when Serval was launched.", None, None)
    assert list(ms[ms["kind"] == "place"]["code"]) == ["gao", "kidal"]
    launch = ms[ms["kind"] == "milestone"]
    assert len(launch) == 1 and launch.iloc[0]["date_start"] == pd.Timestamp("2013-01-01")
    assert "Serval" in launch.iloc[0]["name"]
    assert len(mentions.extract_mentions("x", "", None, None)) == 0


def test_mentions_are_fast():
    text = " ".join(seed_texts().values()) * 20
    sents = split_sentences("x", text)
    t0 = time.perf_counter()
    mentions.extract_mentions("x", text, sents, date(2020, 11, 4))
    assert time.perf_counter() - t0 < 5


def test_places_and_actors_tables_count_mentions():
    ms = seed_mentions()
    pl = reconcile.places_table(ms).set_index("place_id")
    assert pl.at["mali", "n_docs"] == 3
    assert pl.at["gourma", "n_mentions"] == 1 and pl.at["gourma", "doc_ids"] == "001_9bbc052057da1eea"
    assert pl.at["gao", "n_mentions"] == 0
    ac = reconcile.actors_table(ms).set_index("actor_id")
    assert ac.at["barkhane", "n_docs"] == 2 and ac.at["takuba", "n_docs"] == 1
    assert ac.at["ansarul-islam", "n_mentions"] == 2


def test_facts_and_events_are_located():
    from seed_frames import seed_documents, seed_figures

    out = reconcile.derive(seed_documents(), seed_figures(), seed_mentions())
    f = out["facts"].set_index("figure_ids")
    assert f.loc["001_9bbc052057da1eea:652", "place_id"] == "gourma"
    assert f.loc["001_9bbc052057da1eea:745", "place_id"] == "liptako"
    ev = out["events"]
    assert ev["latitude"].notna().all() and ev["country"].notna().all()
