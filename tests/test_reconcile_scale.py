"""Reconciliation on many synthetic figures: invariants that hold whatever the rules decide.

On many synthetic articles (clustered dates and values, every qualifier, places, several figures
per article, milestones) every figure is in one fact, a fact's reports agree with its kind and
party, the tables do not depend on the order of the rows, and a long list of figures in one
article derives (no all-pairs step; speed goals are in benchmarks/, not here). Gazetteer names are
matched with a prefix tree and milestone cues only on sentences holding one of their words.
"""
from __future__ import annotations

import random
import re

import pandas as pd
import pytest

from sahel import reconcile
from sahel.extract import gazetteer as places
from sahel.extract import mentions
from sahel.schema import DOCUMENTS, FIGURES, MENTIONS, frame

PARTIES = ("FRA", "MLI", "JIHADIST", "CIVILIAN")
PLACES = ("mali", "gao", "menaka", "timbuktu", "niger", "northern-mali", "liptako", "three-border-area", None)
ANCHORS = pd.to_datetime(["2014-03-01", "2016-07-15", "2019-11-25", "2020-01-09"])


def _synthetic(n_docs: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rnd = random.Random(seed)
    docs, figs, ments = [], [], []
    for d in range(n_docs):
        doc = f"d{d:04d}"
        anchor = ANCHORS[rnd.randrange(len(ANCHORS))]
        published = anchor + pd.Timedelta(days=rnd.randrange(5, 60))
        docs.append({"doc_id": doc, "published": published})
        pos = 0
        for s in range(rnd.randrange(1, 6)):
            measure = rnd.choice(("killed", "killed", "wounded", "deployed", "captured", "displaced"))
            base = rnd.choice((3, 12, 40, 150, 700, 5100))
            value = float(max(1, round(base * rnd.uniform(0.7, 1.4)))) if rnd.random() < 0.6 else float(base)
            qualifier = rnd.choice(("exact", "exact", "approx", "at_least", "at_most", "range"))
            cue = rnd.choice(("", "since 2013 ", "more ", "of these ", "in an attack "))
            quote = f"Officials said {cue}{int(value)} {measure} in the area."
            at = pos + quote.index(str(int(value)))
            dated = rnd.random()
            ds = de = None
            if dated < 0.45:
                ds = anchor + pd.Timedelta(days=rnd.randrange(0, 5))
                de = ds + pd.Timedelta(days=rnd.choice((0, 0, 2, 6, 30, 400)))
            elif dated < 0.55:
                ds = pd.NaT
                de = published
            figs.append({
                "figure_id": f"{doc}:{at}", "doc_id": doc, "value": value,
                "value_high": value * 1.5 if qualifier == "range" else None, "qualifier": qualifier,
                "party": rnd.choice(PARTIES), "measure": measure, "noun": "people",
                "date_start": ds, "date_end": de, "start": at, "end": at + len(str(int(value))),
                "sentence": s, "sentence_start": pos, "sentence_end": pos + len(quote), "paragraph": s,
                "quote": quote})
            place = rnd.choice(PLACES)
            if place:
                ments.append({"mention_id": f"{doc}:p:{pos}", "doc_id": doc, "kind": "place", "name": place,
                              "code": place, "start": pos, "end": pos + 3, "sentence": s,
                              "sentence_start": pos, "sentence_end": pos + len(quote), "paragraph": s})
            if rnd.random() < 0.2:
                ms, me = (published - pd.Timedelta(days=3), published - pd.Timedelta(days=2))
                ments.append({"mention_id": f"{doc}:m:{pos + 1}", "doc_id": doc, "kind": "milestone",
                              "name": "operation: Barkhane", "code": rnd.choice(("operation", "launch")),
                              "start": pos + 1, "end": pos + 5, "sentence": s, "sentence_start": pos,
                              "sentence_end": pos + len(quote), "paragraph": s, "date_start": ms,
                              "date_end": me, "date_precision": "day", "quote": quote})
            pos += len(quote) + 1
    return frame(docs, DOCUMENTS), frame(figs, FIGURES), frame(ments, MENTIONS)


@pytest.fixture(scope="module")
def corpus():
    documents, figures, ments = _synthetic(260, seed=7)
    return documents, figures, ments, reconcile.derive(documents, figures, ments)


def test_every_figure_is_in_one_fact(corpus):
    _, figures, _, out = corpus
    used = [x for ids in out["facts"]["figure_ids"] for x in ids.split(";")]
    assert len(used) == len(set(used)) == len(figures)
    assert (out["facts"]["n_figures"] == out["facts"]["figure_ids"].str.count(";") + 1).all()


def test_a_fact_holds_one_party_measure_and_kind(corpus):
    _, figures, _, out = corpus
    by_id = figures.set_index("figure_id")
    for fact in out["facts"].itertuples():
        members = by_id.loc[fact.figure_ids.split(";")]
        assert set(members["party"]) == {fact.party} and set(members["measure"]) == {fact.measure}
        assert fact.low <= fact.best and (pd.isna(fact.high) or fact.best <= fact.high)
        reported = set(zip(members["value"], members["value_high"].fillna(-1)))
        assert fact.disputed == (len(reported) > 1)
        assert fact.values.count("(") == len(members)
        assert fact.kind in ("incident", "cumulative", "stock")
        assert (fact.kind == "stock") == (fact.measure in ("deployed", "displaced") and fact.kind != "incident")


def test_row_order_does_not_change_the_tables(corpus):
    documents, figures, ments, out = corpus
    shuffled = reconcile.derive(documents.sample(frac=1, random_state=1), figures.sample(frac=1, random_state=2),
                                ments.sample(frac=1, random_state=3))
    for name in out:
        pd.testing.assert_frame_equal(shuffled[name], out[name])


def test_parts_point_to_facts_of_the_same_measure(corpus):
    f = corpus[3]["facts"].set_index("fact_id")
    parts = f[f["part_of"].notna()]
    assert len(parts)
    assert (f.loc[parts["part_of"], "measure"].to_numpy() == parts["measure"].to_numpy()).all()


@pytest.mark.parametrize("per_sentence", [1, 100])
def test_a_long_list_of_figures_in_one_article_derives(per_sentence):
    rnd = random.Random(3)
    rows = []
    for i in range(3000):
        v = rnd.randint(1, 60)
        quote = f"Line {i}: {v} soldiers killed."
        rows.append({"figure_id": f"big:{40 * i}", "doc_id": "big", "value": float(v), "qualifier": "exact",
                     "party": rnd.choice(PARTIES), "measure": "killed", "noun": "soldier",
                     "date_start": f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}", "date_end": None,
                     "start": 40 * i, "end": 40 * i + 2, "sentence": i // per_sentence,
                     "sentence_start": 40 * i - quote.index(str(v)), "sentence_end": 40 * i + 20, "quote": quote})
    out = reconcile.derive(frame([{"doc_id": "big", "published": "2020-01-01"}], DOCUMENTS), frame(rows, FIGURES),
                           frame([], MENTIONS))
    assert out["facts"]["n_figures"].sum() == 3000
    assert len(out["facts"]) > 2000  # different days, values and parties stay apart


def test_milestones_merge_by_name_type_and_date(corpus):
    documents, figures, ments, _ = corpus
    out = reconcile.derive(documents, figures, ments)
    items = out["timeline"][out["timeline"]["kind"] == "milestone"]
    refs = [r.split(";") for r in items["refs"]]
    assert sorted(x for r in refs for x in r) == sorted(set(x for r in refs for x in r))  # each once
    assert any(len(r) > 1 for r in refs)


def test_gazetteer_prefix_tree_matches_the_flat_alternation():
    for gaz in (places.matcher(), places.matcher(places.ACTORS_CSV)):
        names = list(gaz._folded) + list(gaz._exact)
        texts = [" ".join(names), " ".join(n.upper() for n in names), " ".join(n.title() for n in names)]
        for n in names:
            for ctx in ("{} ", "x{}", "-{}", "{}-x", "{}x", "({})", "{}'s", "in  {}.", "the {} and {}s"):
                texts.append(ctx.format(n.replace(" ", "  "), n.replace("'", "’")))
        for fold, table, rx in ((True, gaz._folded, gaz._rx_folded), (False, gaz._exact, gaz._rx_exact)):
            if rx is None:
                continue
            flat = re.compile(r"(?<![\w-])(?:" + places._flat(list(table)) + r")(?![\w]|-\w)",
                              re.IGNORECASE if fold else 0)
            for text in texts:
                assert [m.span() for m in rx.finditer(text)] == [m.span() for m in flat.finditer(text)], text


def test_cue_words_cover_every_cue_match():
    texts = [p.read_text() for p in sorted(places.paths.SEEDS_DIR.glob("*.txt"))]
    texts += [p.read_text() for p in sorted((places.paths.SEEDS_DIR.parent / "tests" / "fixtures" / "dev")
                                            .glob("*.txt"))]
    texts += ["Operation Serval was launched in January 2013.", "Strikes were carried out on 3 May.",
              "The COUP D’ÉTAT of August 2020.", "France will deploy 600 more troops.", "They sent 300 soldiers.",
              "The ſummit in Pau.", "The KELVIN-sign \u212aicked off", "Talks with the junta; Meeting of the G5."]
    n = 0
    for text in texts:
        for sentence in re.split(r"(?<=[.;!?])\s+", text):
            low = mentions._folded(sentence)
            for kind, rx in mentions._CUES:
                if rx.search(sentence):
                    n += 1
                    assert any(w in low for w in mentions.CUE_WORDS[kind]), (kind, sentence)
    assert n > 20


