"""Narrative text built from the data: escaping, honest wording, citations, windows."""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbconvert.filters.markdown import markdown2html

from sahel.report import costs as C
from sahel.report import narrative as N
from sahel.report import plots as P
from sahel.report import sources as S
from sahel.report import trajectory as T
from sahel.report.params import validate

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
    assert [p for p, _, _ in s] == [1, 1, 2]
    assert [t for _, _, t in s] == ["First one.", "Second one.", "Third, in paragraph two."]


@pytest.fixture(scope="module")
def full() -> N.Story:
    return N.story(validate())


@pytest.fixture(scope="module")
def french_2020() -> N.Story:
    return N.story(validate(start="2020-01-01", parties=["FRA"]))


CITE = re.compile(r"\[[^\]\[]+ §\d+(?:; [^\]\[]+ §\d+)*\]")


def test_every_cost_bullet_has_a_citation(full: N.Story) -> None:
    text = C.costs_story(full)
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert bullets
    for line in bullets:
        assert re.search(r"\d", line) and CITE.search(line), line


def test_costs_use_totals_without_double_counting(full: N.Story) -> None:
    summary = C.cost_summary(full)
    fra = summary[(summary["party"] == "FRA") & (summary["measure"] == "killed")].iloc[0]
    assert fra["best"] == 41  # the running total, not 41 + 41 + 13
    un = summary[(summary["party"] == "UN") & (summary["measure"] == "killed")].iloc[0]
    assert un["low"] == 200 and pd.isna(un["high"])  # "over 200" stays open-ended
    assert "at least 200" in C.costs_story(full)


def test_references_quote_every_citation(full: N.Story) -> None:
    C.costs_story(full)
    refs = N.references(full)
    for key in full.cited:
        assert f"[{html.escape(key)}]" in refs


def test_window_and_parties_filter_everything(french_2020: N.Story) -> None:
    s = french_2020
    assert set(s.facts["party"]) <= {"FRA"}
    inside = s.facts[s.facts["kind"] != "cumulative"]
    assert (inside["date_start"] >= pd.Timestamp("2020-01-01")).all()
    assert (s.facts["date_end"] >= pd.Timestamp("2020-01-01")).all() or (
        s.facts.loc[s.facts["date_end"] < pd.Timestamp("2020-01-01"), "as_of"] >= pd.Timestamp("2020-01-01")).all()
    assert (s.figures["as_of"] >= pd.Timestamp("2020-01-01")).all()  # only the reports made in the window
    assert "41 as of 2020-02-08, since 2013" in C.cumulative_story(s)  # a running total stays shown
    assert set(C.killed_by_year(s)["year"]) <= {2020} and set(C.triangulation(s)["year"]) == {2020}
    tl = T.timeline(s)
    assert (tl["date"] >= pd.Timestamp("2020-01-01")).all()
    ph = T.phase_evidence(s)
    assert len(ph) and (ph["date_start"].dropna() >= pd.Timestamp("2020-01-01")).all()
    assert (ph.loc[ph["date_start"].isna(), "published"] >= pd.Timestamp("2020-01-01")).all()
    for text in (C.costs_story(s), T.strength_story(s), T.partners_story(s), T.timeline_story(s),
                 S.sourcing_story(s)):
        assert not re.search(r"\b(19\d\d|200\d|201\d)\b", re.sub(r"since \d{4}|\d{4}-\d\d-\d\d to", "", text)), text
        for other in ("MLI", "UN", "United Nations", "Jihadist groups", "JIHADIST", "Civilians", "EST"):
            assert not re.search(rf"\b{other}\b", text), (other, text)


def test_money_cues_are_money_not_investigations() -> None:
    for text in ("The army will investigate the killings.", "Investigators arrived.", "an investigation"):
        assert not C.MONEY.search(text), text
    for text in ("It cost $5 million.", "EU funding for the force", "spent 1 billion euros", "€ 600m"):
        assert C.MONEY.search(text), text


def test_one_sentence_speaks(full: N.Story, monkeypatch) -> None:
    one = pd.DataFrame({"published": ["2020-01-01"], "citation": ["000 §1"], "sentence": ["It cost $5."]})
    monkeypatch.setattr(C, "money", lambda s: one)
    assert C.money_story(full).startswith("1 sentence in this window speaks of money")


def test_audit_counts_add_up(full: N.Story) -> None:
    a = S.audit(full)
    assert (a["numbers"] == a["coded"] + a["not coded"]).all()
    text = S.audit_story(full)
    n, coded, not_coded = (int(x.replace(",", "")) for x in re.findall(
        r"(\d[\d,]*) numbers in their text: (\d[\d,]*) coded as figures and (\d[\d,]*) not", text)[0])
    assert n == coded + not_coded == a["numbers"].sum() == len(full.corpus.numbers)


def test_chart_labels_say_what_the_text_says(full: N.Story) -> None:
    summary = C.cost_summary(full)
    fig = P.costs_chart(summary)
    labels = {t.get_text() for ax in fig.axes for t in ax.texts}
    text = C.costs_story(full)
    assert labels and all(label.replace("\\$", "$") in text for label in labels), labels
    assert "at least 200" in labels and "41" in labels
    for ax in fig.axes:
        assert ax.get_xscale() == "linear"


def test_one_colour_per_party_in_every_chart(full: N.Story) -> None:
    assert len(set(P.PARTY_COLOURS.values())) == len(P.PARTY_COLOURS) <= 10
    assert P.colour("EST") == P.colour("DEU") == P.OTHER
    fig = P.costs_chart(C.cost_summary(full))
    bars = {tuple(round(c, 3) for c in b.get_facecolor()[:3]) for ax in fig.axes for b in ax.patches}
    from matplotlib.colors import to_rgb
    fra = tuple(round(c, 3) for c in to_rgb(P.PARTY_COLOURS["FRA"]))
    assert fra in bars
    fig = P.killed_by_year_chart(C.killed_by_year(full))
    assert fra in {tuple(round(c, 3) for c in b.get_facecolor()[:3]) for b in fig.axes[0].patches}


def test_map_is_framed_on_the_sahel_and_lists_places_outside() -> None:
    pl = pd.DataFrame({"place": ["Gao", "Paris"], "lat": [16.27, 48.86], "lon": [-0.04, 2.35], "events": [2, 1],
                       "killed": [10.0, 30.0], "first": pd.NaT, "last": pd.NaT, "citation": ""})
    fig = P.places_chart(pl)
    ax = fig.axes[0]
    assert ax.get_xlim() == P.FRAME[:2] and ax.get_ylim() == P.FRAME[2:]
    assert len(ax.patches) >= 15  # the borders of 15 countries
    side = " ".join(t.get_text() for a in fig.axes for t in a.texts)
    assert "Outside the map" in side and "Paris: 30 killed" in side


def test_killed_per_year_uses_reconcile_totals(full: N.Story) -> None:
    from sahel.reconcile import total

    k = C.killed_by_year(full)
    row = k[(k["year"] == 2019) & (k["party"] == "FRA")].iloc[0]
    expected = total(full.facts, "killed", "FRA", "2019-01-01", "2019-12-31")
    assert row["best"] == expected.best == 13


def test_triangulation_has_a_sentence_per_country(full: N.Story) -> None:
    t = C.triangulation(full)
    assert set(t["country"]) == {"MLI", "BFA", "NER"}
    assert (t["ucdp_best"] >= 0).all() and t.loc[(t["country"] == "MLI") & (t["year"] == 2020), "ucdp_best"].item() == 1543
    text = C.triangulation_story(full)
    for name in ("Mali", "Burkina Faso", "Niger"):
        assert re.search(rf"- {name}, \d{{4}}–\d{{4}}: the corpus's sources account for [\d,]+ deaths", text)
    assert N.escape("CC BY 4.0") in text


def test_undated_article_is_said_not_crashed(tmp_path) -> None:
    import shutil

    from sahel import paths

    corpus = tmp_path / "undated"
    shutil.copytree(paths.SEEDS_DIR, corpus)
    cat = (corpus / "catalog.csv").read_text(encoding="utf-8").splitlines()
    cat[1] = cat[1].replace("2019-11-26", "", 1)
    (corpus / "catalog.csv").write_text("\n".join(cat) + "\n", encoding="utf-8")
    s = N.story(validate(corpus=str(corpus)))
    assert "1 article without a publication date" in N.header(s, "T")
    for f in (C.money_story, C.costs_story, T.partners_story, T.phases_story, S.audit_story, N.references):
        assert isinstance(f(s), str)
    assert "undated" in N.references(s) or "undated" in C.money_story(s)


def test_phases_are_dated_by_their_events(full: N.Story) -> None:
    ph = T.phases(full)
    barkhane = ph[ph["phase"] == "Operation Barkhane"].iloc[0]
    assert barkhane["first"] >= pd.Timestamp("2014-01-01")  # not "since 2013"
    assert set(ph["dated_by"]) <= {"events", "publication"}


def test_a_running_total_since_a_month_is_reported_at_publication() -> None:
    """"Since January 2013, 45 soldiers have been killed" (published 2020-09-06) is a count as of
    2020, not of January 2013; a total with its own later end date keeps that date."""
    figs = pd.DataFrame({"date_start": pd.to_datetime(["2013-01-01", "2013-01-01", "2013-01-01", "2019-11-25"]),
                         "date_end": pd.to_datetime(["2013-01-31", "2013-12-31", "2020-03-02", "2019-11-25"])})
    pub = pd.Series(pd.to_datetime(["2020-09-06", "2020-09-06", "2020-03-05", "2019-11-27"]))
    running = pd.Series([True, True, True, False])
    got = N.reported(figs, pub, running)
    assert list(got.dt.strftime("%Y-%m-%d")) == ["2020-09-06", "2020-09-06", "2020-03-02", "2019-11-25"]


def test_running_totals_since_another_start_are_not_on_the_line() -> None:
    cd = pd.DataFrame({"date": pd.to_datetime(["2020-03-02", "2020-09-06", "2020-09-06"]),
                       "value": [41.0, 45.0, 4.0], "kind": "cumulative", "qualifier": "exact",
                       "since": pd.to_datetime(["2013-01-01", "2013-01-01", "2020-01-01"]), "citation": ""})
    fig = P.cumulative_chart(cd)
    line = fig.axes[0].lines[0]
    assert list(line.get_ydata()) == [41.0, 45.0]  # the count "this year" is a point beside it


def test_places_located_only_to_a_country_are_not_drawn_as_towns() -> None:
    pl = pd.DataFrame({"place": ["Mali", "Gao"], "kind": ["country", "town"], "lat": [17.6, 16.3],
                       "lon": [-4.0, -0.04], "events": [3, 1], "killed": [160.0, 10.0]})
    fig = P.places_chart(pl)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["Gao (10)"]
    assert "Located only to a country:\nMali: 160 killed" in fig.axes[1].texts[0].get_text()
