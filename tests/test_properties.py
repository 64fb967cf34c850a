"""Property-based tests (hypothesis) of the number and date parsers and the extractor.

Invariants: no exception on any text; offsets always inside the text and
pointing at the surface text; the quoted sentence contains the number; values,
ranges and periods well ordered; the same input gives the same output.
Example counts are modest so the suite stays fast on two cores.
"""
from __future__ import annotations

import calendar
import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

numbers = pytest.importorskip("sahel.extract.numbers")
dates = pytest.importorskip("sahel.extract.dates")
pytest.importorskip("sahel.extract")

import sahel  # noqa: E402
from sahel.schema import FIGURES, MEASURES, QUALIFIERS  # noqa: E402

parse_number = numbers.parse_number
find_dates = dates.find_dates

FAST = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SLOW = settings(FAST, max_examples=60)  # the whole extractor

WEEKDAYS = list(calendar.day_name)
MONTHS = list(calendar.month_name)[1:]
UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

publication = st.dates(date(1950, 1, 1), date(2100, 12, 31))


def words(n: int) -> str:
    """1..99 in English words, as newspapers write them (``twenty-five``)."""
    if n < 20:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens] + (f"-{UNITS[unit]}" if unit else "")


# --- numbers --------------------------------------------------------------------------------

@FAST
@given(st.text())
def test_parse_number_never_raises(text: str) -> None:
    value = parse_number(text)
    assert value is None or (math.isfinite(value) and value >= 0)


@FAST
@given(st.integers(0, 10**12))
def test_parse_number_digits_with_and_without_separators(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@FAST
@given(st.integers(1, 99), st.sampled_from([None, *SCALE]), st.sampled_from([str, str.title, str.upper]),
       st.sampled_from(["", " ", "  \n"]))
def test_parse_number_words_and_scales(n: int, scale: str | None, case, pad: str) -> None:
    phrase = case(words(n) + (f" {scale}" if scale else ""))
    assert parse_number(f"{pad}{phrase}{pad}") == n * SCALE.get(scale or "", 1)


@FAST
@given(st.decimals(min_value="0.1", max_value="999.9", places=1), st.sampled_from(["million", "billion"]))
def test_parse_number_decimal_scales(d, scale: str) -> None:
    value = parse_number(f"{d} {scale}")
    assert value is not None and math.isclose(value, float(d) * SCALE[scale])


@pytest.mark.parametrize("phrase, value", [("a dozen", 12), ("half a dozen", 6), ("two dozen", 24),
                                           ("3 dozen", 36), ("half a million", 500_000), ("a million", 1e6),
                                           ("13,000", 13_000), ("4.2 million", 4_200_000)])
def test_parse_number_examples(phrase: str, value: float) -> None:
    assert parse_number(phrase) == value


@pytest.mark.parametrize("phrase", ["0 million", "0.0 million", "0 thousand"])
def test_parse_number_zero_scale(phrase: str) -> None:
    assert parse_number(phrase) == 0


# --- dates ------------------------------------------------------------------------------------

def check_mentions(text: str, mentions: list) -> None:
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= previous_end, "mentions overlap or are out of order"
        previous_end = m.end
        if m.date_start is not None and m.date_end is not None:
            assert m.date_start <= m.date_end, m


@FAST
@given(st.text(), st.one_of(st.none(), publication))
def test_find_dates_never_raises_and_offsets_hold(text: str, published: date | None) -> None:
    check_mentions(text, find_dates(text, published))


@FAST
@given(st.lists(st.sampled_from(["on", "in", "since", "last", "early", "mid", "late", "the end of", "week",
                                 "month", "year", "yesterday", *WEEKDAYS, *MONTHS, "2013", "2019", "30",
                                 "1st", ",", ".", "May", "may", "\n", "-", "said"]), max_size=30).map(" ".join),
       st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2100, 12, 31))))
def test_find_dates_on_date_like_text(text: str, published: date | None) -> None:
    check_mentions(text, find_dates(text, published))


@FAST
@given(publication, st.integers(0, 6))
def test_weekday_is_the_most_recent_before_publication(published: date, weekday: int) -> None:
    [m] = find_dates(f"Ten soldiers were killed on {WEEKDAYS[weekday]}.", published)
    assert m.date_start == m.date_end
    assert m.date_start.weekday() == weekday
    assert published - timedelta(days=7) <= m.date_start < published


@FAST
@given(publication, st.integers(1, 12), st.integers(1990, 2030), st.sampled_from([None, "early", "mid", "late"]))
def test_month_and_part_of_month(published: date, month: int, year: int, part: str | None) -> None:
    text = f"Ten soldiers were killed in {part + ' ' if part else ''}{MONTHS[month - 1]} {year}."
    [m] = find_dates(text, published)
    last = calendar.monthrange(year, month)[1]
    lo, hi = {None: (1, last), "early": (1, 10), "mid": (11, 20), "late": (21, last)}[part]
    assert (m.date_start, m.date_end) == (date(year, month, lo), date(year, month, hi))


@FAST
@given(publication, st.integers(1990, 2030))
def test_year(published: date, year: int) -> None:
    [m] = find_dates(f"Ten soldiers were killed in {year}.", published)
    assert (m.date_start, m.date_end) == (date(year, 1, 1), date(year, 12, 31))


@FAST
@given(publication)
def test_last_week_is_the_monday_to_sunday_before(published: date) -> None:
    [m] = find_dates("Ten soldiers were killed last week.", published)
    monday = published - timedelta(days=published.weekday())
    assert (m.date_start, m.date_end) == (monday - timedelta(days=7), monday - timedelta(days=1))


def test_since_a_year_after_publication_is_not_an_inverted_period() -> None:
    check_mentions("killed since 2013", find_dates("killed since 2013", date(2000, 1, 1)))


# --- the whole extractor ------------------------------------------------------------------

QUALIFIER = ["", "at least ", "about ", "more than ", "up to ", "some ", "nearly ", "between 2 and ",
             "an estimated "]
NUMBER = ["12", "1,500", "4.2 million", "a dozen", "twenty-five", "three", "13,000", "30", "2", "100"]
NATIONALITY = ["", "French ", "Malian ", "UN ", "Chadian ", "jihadist "]
NOUN = ["soldiers", "troops", "fighters", "civilians", "helicopters", "people", "militants", "peacekeepers",
        "motorcycles"]
VERB = ["were killed", "were wounded", "were captured", "were deployed", "were destroyed", "were displaced",
        "died", "fled"]
WHEN = ["", " on Monday", " last week", " in August", " since 2013", " in early September", " on October 30",
        " in 2019"]
NOISE = ["", " <b>", "</b> ", " &quot;", ",quot;", " “", "” ", " —", "\n", "\n\n", "\r\n", " (AFP)",
         " [link](javascript:x)", " `x`", " $y$", " <script>alert(1)</script>", "\u200b", "\xa0", " 💥"]
END = [".", ". ", ",", "", "!", "?", ".\n\n", ";"]

figure_sentence = st.builds(
    lambda z1, q, n, nat, noun, z2, verb, when, end: f"{z1}{q}{n} {nat}{noun}{z2} {verb}{when}{end}",
    *(st.sampled_from(x) for x in (NOISE, QUALIFIER, NUMBER, NATIONALITY, NOUN, NOISE, VERB, WHEN, END)))
article = st.lists(st.one_of(figure_sentence, figure_sentence,
                             st.sampled_from(["Of these, 10 more were killed.", "France lost 13 soldiers.",
                                              "The army said.", "A 24-year-old died in 2019."]),
                             st.text(max_size=8)),
                   min_size=1, max_size=6).map(" ".join)
published_arg = st.one_of(st.none(), st.dates(date(2014, 1, 1), date(2100, 12, 31)),
                          st.dates(date(2014, 1, 1), date(2100, 12, 31)).map(date.isoformat))


def check_document(text: str, doc) -> None:
    figs = doc.figures
    assert list(figs.columns[:len(FIGURES)]) == list(FIGURES)
    for r in figs.itertuples():
        assert 0 <= r.sentence_start <= r.start < r.end <= r.sentence_end <= len(text), r
        assert text[r.start:r.end] == r.surface, r
        assert r.surface in r.quote, r
        assert pd.isna(r.value) or (math.isfinite(r.value) and r.value >= 0), r
        assert pd.isna(r.value_high) or r.value_high >= r.value, r
        assert pd.isna(r.qualifier) or r.qualifier in QUALIFIERS, r
        assert r.measure in (*MEASURES, "other"), r
        assert pd.isna(r.date_start) or pd.isna(r.date_end) or r.date_start <= r.date_end, r
    for r in doc.numbers.itertuples():
        assert 0 <= r.start < r.end <= len(text) and text[r.start:r.end] == r.surface, r


@SLOW
@given(st.text(max_size=300), st.one_of(st.none(), publication))
def test_extractor_on_random_text(text: str, published: date | None) -> None:
    check_document(text, sahel.parse_text(text, doc_id="x", published=published))


@SLOW
@given(article, published_arg)
def test_extractor_on_figure_like_text(text: str, published) -> None:
    doc = sahel.parse_text(text, doc_id="x", published=published)
    check_document(text, doc)
    again = sahel.parse_text(text, doc_id="x", published=published)
    pd.testing.assert_frame_equal(doc.figures, again.figures)


def test_extractor_finds_figures_in_the_generated_text() -> None:
    """The generator above really exercises figures (not only empty results)."""
    doc = sahel.parse_text("At least 12 French soldiers <b>were killed</b> on Monday.\r\n\r\n"
                           "About 1,500 troops were deployed in August.", published="2020-02-08")
    check_document(doc.text, doc)
    assert {12, 1500} <= set(doc.figures["value"].dropna())


def test_quoted_noun_is_still_a_figure() -> None:
    doc = sahel.parse_text("French soldiers killed 12 “fighters” on Monday.", published="2020-02-08")
    assert list(doc.figures["value"]) == [12]


def test_descending_range_is_ordered() -> None:
    text = "Between 20 and 12 soldiers were killed."
    check_document(text, sahel.parse_text(text))
