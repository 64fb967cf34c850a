"""Narrative text built from the data: escaping, honest wording, citations, windows."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbconvert.filters.markdown import markdown2html

from sahel import narrative as N
from sahel.params import validate

HOSTILE = [
    '<script>alert("x")</script> killed 12',
    "[click](javascript:alert(1)) and ![img](http://evil.example/x.png)",
    "`code` and ```fence``` and $x = 42$ and $$\\frac{1}{0}$$ cost $5",
    "<img src=x onerror=alert(2)> &lt;b&gt; & <b>bold</b> *em* __strong__ # not a heading",
    "www.evil.example and https://evil.example/a_b_c | a | table |",
    "{{ jinja }} {% raw %} ${jndi:ldap://evil} <!-- comment --> \\escaped\\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_renders_as_the_same_plain_text(text: str) -> None:
    html = markdown2html(f"Quote: {N.escape(text)} [000 §7]")
    soup = BeautifulSoup(html, "html.parser")
    tags = {t.name for t in soup.find_all(True)}
    assert tags <= {"p"}, (tags, html)
    assert soup.get_text().strip() == f"Quote: {' '.join(text.split())} [000 §7]"


def test_escape_blockquote_and_list_context() -> None:
    md = f"- \\[000 §1\\] article\n\n    > {N.escape('# <script>x</script> - [a](b)')}\n"
    soup = BeautifulSoup(markdown2html(md), "html.parser")
    assert not soup.find_all(["script", "a", "h1"])
    assert "# <script>x</script> - [a](b)" in soup.get_text()


def test_plain_keeps_dollars_out_of_mathtext() -> None:
    assert N.plain("costs $5 and $6\n more") == r"costs \$5 and \$6 more"


@pytest.mark.parametrize(("low", "best", "high", "approx", "words"), [
    (41, 41, 41, False, "41"),
    (200, 200, float("nan"), False, "at least 200"),
    (float("nan"), 50, 50, False, "at most 50"),
    (20, 25, 30, False, "20 to 30"),
    (4500, 4500, 4500, True, "about 4,500"),
    (float("nan"), float("nan"), float("nan"), False, "an unstated number of"),
])
def test_amount_is_worded_honestly(low, best, high, approx, words) -> None:
    assert N.amount(low, best, high, approx) == words


def test_figure_amount_keeps_the_qualifier() -> None:
    row = pd.Series({"value": 4200000.0, "value_high": None, "qualifier": "at_least"})
    assert N.figure_amount(row) == "at least 4,200,000"
    row = pd.Series({"value": 20.0, "value_high": 30.0, "qualifier": "range"})
    assert N.figure_amount(row) == "20 to 30"


def test_short_ids_are_unique() -> None:
    ids = ["000_59af", "001_9bbc", "h01_html", "x_1", "x_2"]
    short = N.short_ids(ids)
    assert short["000_59af"] == "000" and short["h01_html"] == "h01"
    assert short["x_1"] == "x_1" and short["x_2"] == "x_2"


def test_sentences_and_paragraphs_are_one_based() -> None:
    text = "First one. Second one.\n\nThird, in paragraph two."
    s = N.sentences(text)
    assert list(s["paragraph"]) == [1, 1, 2]
    assert list(s["text"]) == ["First one.", "Second one.", "Third, in paragraph two."]


@pytest.fixture(scope="module")
def full() -> N.Story:
    return N.story(validate())


@pytest.fixture(scope="module")
def french_2020() -> N.Story:
    return N.story(validate(start="2020-01-01", parties=["FRA"]))


CITE = re.compile(r"\[[^\]\[]+ §\d+(?:; [^\]\[]+ §\d+)*\]")


def test_every_cost_bullet_has_a_citation(full: N.Story) -> None:
    text = N.costs_story(full)
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert bullets
    for line in bullets:
        assert re.search(r"\d", line) and CITE.search(line), line


def test_costs_use_totals_without_double_counting(full: N.Story) -> None:
    summary = N.cost_summary(full)
    fra = summary[(summary["party"] == "FRA") & (summary["measure"] == "killed")].iloc[0]
    assert fra["best"] == 41  # the running total, not 41 + 41 + 13
    un = summary[(summary["party"] == "UN") & (summary["measure"] == "killed")].iloc[0]
    assert un["low"] == 200 and pd.isna(un["high"])  # "over 200" stays open-ended
    assert "at least 200" in N.costs_story(full)


def test_references_quote_every_citation(full: N.Story) -> None:
    N.costs_story(full)
    refs = N.references(full)
    for key in full.cited:
        assert f"\\[{N.escape(key)}\\]" in refs


def test_window_and_parties_filter_everything(french_2020: N.Story) -> None:
    s = french_2020
    assert set(s.facts["party"]) <= {"FRA"}
    assert (s.facts["date_start"] >= pd.Timestamp("2020-01-01")).all()
    tl = N.timeline(s)
    assert (tl["date"] >= pd.Timestamp("2020-01-01")).all()
    ph = N.phase_evidence(s)
    assert (ph["date_start"] >= pd.Timestamp("2020-01-01")).all()
    for text in (N.costs_story(s), N.strength_story(s), N.partners_story(s), N.timeline_story(s),
                 N.sourcing_story(s)):
        assert not re.search(r"\b(19\d\d|200\d|201\d)\b", text), text
        for other in ("Malian", "MLI", "UN", "jihadist", "JIHADIST", "civilian", "Estonian"):
            assert not re.search(rf"\b{other}\b", text), (other, text)
