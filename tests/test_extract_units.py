"""The coding units of sahel.extract, each on its own: sentences, qualifiers, nouns, parties, measures."""
from __future__ import annotations

import pytest

from sahel.extract import figures, measures, nouns, parties, sentences
from sahel.extract.text import clean, fold_case


def _sentence(text: str, context: parties.Context | None = None) -> sentences.Sentence:
    """A sentence with its number candidates found and nouns coded (no party or measure yet)."""
    folded = fold_case(text)
    s = sentences.Sentence(text, folded, None, context or parties.Context(), parties.party_mentions(text, folded),
                           [m.span() for m in parties.RELATIVE.finditer(text)], [])
    figures.find_numbers(s)
    nouns.code_nouns(s)
    return s


def _fig(s: sentences.Sentence, surface: str) -> sentences.Figure:
    (fig,) = [f for f in s.figures if s.text[f.start:f.end] == surface]
    return fig


# -- sentences ------------------------------------------------------------------
def test_sentence_spans_split_at_blank_lines_and_headlines() -> None:
    text = "Mali: 12 killed\nGunmen attacked a camp. Twelve soldiers died.\n\nA new paragraph here."
    spans = sentences.sentence_spans(clean(text))
    assert [text[a:b] for a, b, _ in spans] == ["Mali: 12 killed", "Gunmen attacked a camp.", "Twelve soldiers died.",
                                                "A new paragraph here."]
    assert [p for _, _, p in spans] == [1, 1, 1, 2]


def test_a_line_break_inside_a_sentence_does_not_split_it() -> None:
    text = "Headline\nThe army said that the soldiers\nwere killed near Gao."
    assert len(sentences.sentence_spans(clean(text))) == 2


def test_an_unpunctuated_scrape_is_cut_into_bounded_sentences() -> None:
    text = " ".join(["word"] * 1000)
    spans = sentences.sentence_spans(clean(text))
    assert len(spans) > 1 and all(b - a <= sentences.MAX_SENTENCE for a, b, _ in spans)


def test_tokens_keep_offsets() -> None:
    text = "Some 5,100  French troops, Mali's."
    words, starts = sentences.tokens(text)
    assert words == ["Some", "5,100", "French", "troops", ",", "Mali's", "."]
    assert [text[a:a + len(w)] for w, a in zip(words, starts)] == words


# -- qualifiers -----------------------------------------------------------------
@pytest.mark.parametrize("before, after, expected", [
    ("killing at least ", " people", "at_least"), ("up to ", "", "at_most"), ("some ", "", "approx"),
    ("killing ", "or more", "at_least"), ("", "-odd", "approx"), ("the ", " soldiers", "exact"),
    ("no fewer than ", "", "at_least"), ("", "plusieurs", "exact"),
])
def test_qualifier(before: str, after: str, expected: str) -> None:
    assert nouns.qualifier(before, after) == expected


def test_a_qualifier_after_the_noun() -> None:
    s = _sentence("Some 50 soldiers or more were deployed.")
    assert _fig(s, "50").qualifier == "at_least"


# -- numbers that are not figures -------------------------------------------------
@pytest.mark.parametrize("text, surface, status", [
    ("He was 24 years old.", "24", "age"), ("It lasted 12 days.", "12", "duration"),
    ("Turnout was 40 percent.", "40", "percent"), ("It cost $300 million.", "300 million", "money"),
    ("Resolution 2100 was passed.", "2100", "label"), ("In 2019 they left.", "2019", "year"),
])
def test_numbers_that_are_not_figures_say_why(text: str, surface: str, status: str) -> None:
    s = _sentence(text)
    assert [(text[a:b], st) for a, b, _, st in s.numbers] == [(surface, status)]
    assert not s.figures


# -- nouns ----------------------------------------------------------------------
@pytest.mark.parametrize("word, noun", [
    ("soldiers", "soldier"), ("gunmen", "gunman"), ("casualties", "casualty"), ("armed men", "armed man"),
    ("Peacekeepers", "peacekeeper"), ("houses", None),
])
def test_singular(word: str, noun: str | None) -> None:
    assert nouns.singular(word) == noun


def test_demonym() -> None:
    assert nouns.demonym("Malians") == "MLI" and nouns.demonym("Burkinabe") == "BFA"
    assert nouns.demonym("Americas") is None and nouns.demonym("soldiers") is None


@pytest.mark.parametrize("text, surface, noun, elliptical", [
    ("Thirteen French soldiers died.", "Thirteen", "soldier", False),
    ("A 1,200-strong battalion arrived.", "1,200", "troop", False),
    ("Of the dead, 49 were policemen.", "49", "policeman", False),
    ("France sent 600 more.", "600", None, True),
    ("Three of them were wounded.", "Three", None, True),
])
def test_the_counted_noun(text: str, surface: str, noun: str | None, elliptical: bool) -> None:
    fig = _fig(_sentence(text), surface)
    assert (fig.noun, fig.elliptical) == (noun, elliptical)


# -- parties --------------------------------------------------------------------
def test_party_mentions_tell_actors_from_places() -> None:
    text = "Chad sent troops to Mali, near the Niger border, with Barkhane."
    found = [(text[m.start:m.end], m.party, m.locative) for m in parties.party_mentions(text, fold_case(text))]
    assert found == [("Chad", "TCD", ""), ("Mali", "MLI", "near"), ("Niger", "NER", "near"), ("Barkhane", "FRA", "")]


@pytest.mark.parametrize("text, surface, party, rule", [
    ("Thirteen French soldiers died.", "Thirteen", "FRA", "noun_nationality"),
    ("France's 5,100 soldiers stay.", "5,100", "FRA", "possessor"),
    ("Chad keeps 1,400 soldiers there.", "1,400", "TCD", "sentence_actor"),
    ("Fighting in Mali killed 20 soldiers.", "20", "MLI", "located_in"),
    ("About 300 jihadists attacked.", "300", "JIHADIST", "noun_default"),
    ("Five gunmen of JNIM were arrested.", "Five", "JIHADIST", "attacker_group"),
    ("At least 20 people were killed at a village market.", "20", "CIVILIAN", "civilian_context"),
    ("Two Nigeriens were abducted.", "Two", "CIVILIAN", "demonym_civilian"),
])
def test_party_and_its_rule(text: str, surface: str, party: str, rule: str) -> None:
    s = _sentence(text)
    assert parties.party(s, _fig(s, surface)) == (party, rule)


def test_party_from_the_context_of_earlier_sentences() -> None:
    context = parties.Context()
    context.add(_sentence("Burkina Faso's army was attacked on Monday."))
    s = _sentence("Ten soldiers were killed.", context)
    assert parties.party(s, _fig(s, "Ten")) == ("BFA", "context_recent")
    assert context.dominant() == "BFA" and context.recent_group() is None


# -- measures -------------------------------------------------------------------
def test_cues_include_two_word_cues() -> None:
    low = "two helicopters were shot down and 30 lost their lives".split()
    assert measures.find_cues(low) == [(3, "shot", "destroyed"), (7, "died", "killed"), (9, "lives", "killed")]


@pytest.mark.parametrize("text, surface, measure, rule", [
    ("Thirteen French soldiers were killed.", "Thirteen", "killed", "verb_killed"),
    ("Militants wounded 14 soldiers.", "14", "wounded", "verb_wounded"),
    ("The floods caused 12 deaths.", "12", "killed", "noun_death"),
    ("France has 5,100 soldiers in the Sahel.", "5,100", "deployed", "force_default"),
    ("42 were killed and 22 soldiers were wounded.", "22", "wounded", "verb_wounded"),
    ("Five countries joined.", "Five", "other", "noun_other"),
])
def test_measure_and_its_rule(text: str, surface: str, measure: str, rule: str) -> None:
    s = _sentence(text)
    s.cues = measures.find_cues(s.lower)
    assert measures.measure(s, _fig(s, surface)) == (measure, rule)


# -- the lexicon (resources/lexicon.csv) ----------------------------------------------
def test_lexicon_is_well_formed() -> None:
    from sahel.extract import lexicon as lx
    from sahel.schema import MEASURES, QUALIFIERS

    classes = {cls for cls, _ in lx.NOUNS.values()}
    assert classes == set(lx.COMPATIBLE) == {"force", "person", "materiel", "other"}
    parties_ = {p for _, p in lx.NOUNS.values() if p} | set(lx.FORCES.values())
    assert parties_ <= lx.STATE_PARTIES | {"JIHADIST", "ARMED_GROUP", "MERCENARY", "CIVILIAN", "UNKNOWN"}
    assert all(len(p) == 3 and p.isupper() for p in lx.STATES.values())
    assert set(lx.CUES.values()) | set(lx.ADJ_NOUNS.values()) <= set(MEASURES) | {"other"}
    assert {q for _, q in lx.QUALIFIERS_BEFORE + lx.QUALIFIERS_AFTER} <= set(QUALIFIERS)
    assert all(v in lx.NOUNS for v in lx.IRREGULAR_PLURALS.values())
    words = [w for table in (lx.NOUNS, lx.STATES, lx.FORCES, lx.CUES) for w in table]
    assert all(w == w.lower().strip() and w for w in words)


# -- the date of a figure -------------------------------------------------------------
@pytest.mark.parametrize("text, date_text", [
    ("In May, 12 soldiers were killed on Monday.", "on Monday"),  # the next date of its clause first
    ("On Monday, 12 soldiers were killed.", "On Monday"),  # else the last one before it
    ("12 soldiers were killed, the army said on Tuesday.", None),  # a statement's date dates nothing
])
def test_the_date_of_a_figure(text: str, date_text: str | None) -> None:
    from datetime import date

    s = figures.code_sentence(text, fold_case(text), date(2020, 6, 10), parties.Context(), [])
    (fig,) = [f for f in s.figures if f.cls is not None]
    assert (fig.date.text if fig.date else None) == date_text
