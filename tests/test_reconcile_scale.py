"""The fast paths of the reconcile layer give what the plain pairwise rules give.

``derive`` blocks candidate pairs (party, measure, kind, date and value
buckets) and tests clusters against summaries of their members; gazetteer
names are matched with a prefix tree and milestone cues only on sentences
holding one of their words. On many synthetic figures (clustered dates and
values, every qualifier, places, several figures per article) each is checked
against the straightforward quadratic version of the same rule.
"""
from __future__ import annotations

import itertools
import pickle
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
    arts = [reconcile._Article(p) for p in reconcile._prepare_all(documents, figures, ments)]
    return documents, figures, ments, reconcile._figures(arts)


def _reference_cluster(figs: list) -> list[list]:
    """The greedy complete-linkage rule, every figure against every member."""
    order = sorted(figs, key=lambda f: (reconcile.BASIS_RANK.get(f.basis, 4),
                                        reconcile._span(f.ds, f.de) or 0, f.figure_id))
    clusters: list[list] = []
    for f in order:
        for c in clusters:
            if all(reconcile.compatible(f, m)[0] for m in c):
                c.append(f)
                break
        else:
            clusters.append([f])
    return clusters


def test_clusters_match_the_pairwise_rule(corpus):
    figs = corpus[3]
    assert len(figs) > 500
    fast = [[m.figure_id for m in c] for c in reconcile._cluster(figs)]
    slow = [[m.figure_id for m in c] for c in _reference_cluster(figs)]
    assert fast == slow
    assert sum(len(c) > 1 for c in fast) > 20  # the synthetic figures do merge


def test_disputed_matches_every_pair(corpus):
    clusters = reconcile._cluster(corpus[3])
    n = 0
    for c in clusters:
        expect = any(reconcile.compatible(a, b)[1] for a, b in itertools.combinations(c, 2))
        assert reconcile._disputed(c) == expect
        n += expect
    assert n > 0


def test_events_match_the_pairwise_rule(corpus):
    documents, figures, ments, figs = corpus
    out = reconcile.derive(documents, figures, ments)
    facts = out["facts"]
    cand = facts[(facts["kind"] == "incident") & facts["measure"].isin(reconcile.VIOLENT)
                 & facts["date_start"].notna()]
    sentence_of = {f.figure_id: (f.doc, f.sentence) for f in figs if f.sentence is not None}
    recs = cand.to_dict("records")
    parent = list(range(len(recs)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    sents = [{sentence_of[f] for f in r["figure_ids"].split(";") if f in sentence_of} for r in recs]
    for a, b in itertools.combinations(range(len(recs)), 2):
        fa, fb = recs[a], recs[b]
        overlap = reconcile._overlap(fa["date_start"], fa["date_end"], fb["date_start"], fb["date_end"])
        shared = set(fa["doc_ids"].split(";")) & set(fb["doc_ids"].split(";"))
        same_date = fa["date_start"] == fb["date_start"] and fa["date_end"] == fb["date_end"]
        if (sents[a] & sents[b] and overlap) or (
                shared and same_date and (fa["date_end"] - fa["date_start"]).days <= 7
                and not reconcile._place_conflict(fa["place_id"], fb["place_id"])):
            parent[find(a)] = find(b)
    by_id = {r["fact_id"]: i for i, r in enumerate(recs)}
    for i, r in enumerate(recs):
        if r["part_of"] in by_id:
            parent[find(i)] = find(by_id[r["part_of"]])
    groups: dict[int, set[str]] = {}
    for i, r in enumerate(recs):
        groups.setdefault(find(i), set()).add(r["fact_id"])
    expected = sorted(sorted(g) for g in groups.values())
    got = sorted(sorted(g) for g in cand.groupby("event_id")["fact_id"].apply(list))
    assert got == expected
    assert len(out["events"]) == len(expected)
    assert any(len(g) > 1 for g in expected)
    # every event's numbers come from its facts
    for e in out["events"].itertuples():
        mine = facts[facts["event_id"] == e.event_id]
        counted = mine[mine["part_of"].isna() | ~mine["part_of"].isin(mine["fact_id"])]
        killed = counted[counted["measure"] == "killed"]
        assert e.killed_best == (killed["best"].sum() if len(killed) else 0.0)
        assert e.fact_ids == ";".join(sorted(mine["fact_id"]))


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


def test_prepare_per_article_then_derive_prepared_is_derive(corpus):
    documents, figures, ments, _ = corpus
    prepared = [reconcile.prepare(d, p, figures[figures["doc_id"] == d], ments[ments["doc_id"] == d])
                for d, p in zip(documents["doc_id"], documents["published"])]
    prepared = pickle.loads(pickle.dumps(prepared))  # as cached on disk
    got = reconcile.derive_prepared(iter(prepared))
    want = reconcile.derive(documents, figures, ments)
    assert list(got) == list(want) == ["facts", "events", "timeline", "places", "actors"]
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name])
