"""The sections of the sources notebook: per-article audit, sourcing of facts, numbers not coded."""
from __future__ import annotations

import pandas as pd

from ..schema import MEASURES, party_name
from .narrative import Story, day, escape, fact_amount, ids, once, period, plural, published_in_window


@once
def audit(s: Story) -> pd.DataFrame:
    """Per article published in the window: size, figures by measure, numbers not coded."""
    nums, figs = s.corpus.numbers, s.corpus.figures
    figs = figs[figs["measure"].isin(MEASURES)]
    n = figs.groupby(["doc_id", "measure"]).size().reset_index(name="n")
    measures = (n["measure"] + " " + n["n"].astype(str)).groupby(n["doc_id"]).agg(", ".join)
    docs = s.documents[s.documents["doc_id"].isin(published_in_window(s))].sort_values("doc_id")
    d = docs["doc_id"]
    numbers = d.map(nums.groupby("doc_id").size()).fillna(0).astype(int)
    coded = d.map((nums["status"] == "figure").groupby(nums["doc_id"]).sum()).fillna(0).astype(int)
    return pd.DataFrame({"article": [s.short.get(str(i), str(i)) for i in d], "published": docs["published"].map(
        lambda p: day(p, "")), "outlet": docs["outlet"].fillna(""), "characters": docs["n_chars"],
        "figures": d.map(figs.groupby("doc_id").size()).fillna(0).astype(int),
        "measures": d.map(lambda i: measures.get(i, "")),  # ("": none; also when no article has one)
        "numbers": numbers, "coded": coded, "not coded": numbers - coded}).reset_index(drop=True)


def audit_story(s: Story) -> str:
    """What the extractor found in the articles of the window."""
    a = audit(s)
    if a.empty:
        return "No article of the corpus is published in this window."
    text = (f"{plural(len(a), 'article')} published in this window hold {plural(int(a['numbers'].sum()), 'number')}"
            f" in their text: {int(a['coded'].sum()):,} coded as figures and {int(a['not coded'].sum()):,} not. "
            f"The coded numbers give {plural(int(a['figures'].sum()), 'scored figure')} (a range or a number "
            "shared by two parties gives more than one).")
    undated = s.documents["published"].isna().sum()
    if undated:
        text += (f" {plural(int(undated), 'article')} without a publication date {'is' if undated == 1 else 'are'} "
                 "listed only when the window is open.")
    problems = s.corpus.problems
    if problems:
        text += (f"\n\n{plural(len(problems), 'problem')} met while reading the corpus:\n\n"
                 + "\n".join(f"- {escape(p)}" for p in problems))
    return text


@once
def sourcing(s: Story) -> pd.DataFrame:
    """Facts of the window with how many articles give them and whether they disagree."""
    f = s.facts
    return pd.DataFrame({
        "fact": f["fact_id"], "party": f["party"], "measure": f["measure"], "kind": f["kind"],
        "amount": [fact_amount(r) for r in f.itertuples()],
        "period": [f"since {a.year}, as of {day(o)}" if k == "cumulative" and pd.notna(a) and pd.notna(o)
                   else period(a, b) for a, b, k, o in zip(f["date_start"], f["date_end"], f["kind"], f["as_of"])],
        "sources": f["n_sources"].astype("Int64"),
        "articles": [", ".join(s.short.get(d, d) for d in ids(v)) for v in f["doc_ids"]],
        "disputed": f["disputed"].fillna(False).astype(bool),
        "values": f["values"].fillna("")}).reset_index(drop=True)


def sourcing_story(s: Story) -> str:
    """Single- versus multi-source facts (listed in the table) and the disputed ones, worded."""
    t = sourcing(s)
    if t.empty:
        return "No fact falls in this window for the selected parties."
    multi, disputed = int((t["sources"] > 1).sum()), t[t["disputed"]]
    text = (f"Of {plural(len(t), 'fact')} in this window, {len(t) - multi:,} rest on a single article and "
            f"{multi:,} on two or more (column *sources* of the table below). {plural(len(disputed), 'fact')} "
            f"{'is' if len(disputed) == 1 else 'are'} disputed")
    return text + (" (their sources give different values):\n\n" + "\n".join(
        f"- {r.amount} {r.measure} ({escape(party_name(r.party))}{', ' + r.period if r.period else ''}) in "
        f"{escape(r.articles)}: values {escape(r.values)}" for r in disputed.itertuples()) if len(disputed) else ".")


@once
def uncoded(s: Story) -> pd.DataFrame:
    """Numbers in the text of the window's articles not coded as figures, with the reason."""
    n = s.corpus.numbers
    n = n[(n["status"] != "figure") & n["doc_id"].isin(published_in_window(s))]
    return pd.DataFrame({"article": n["doc_id"].map(lambda d: s.short.get(str(d), str(d))),
                         "number": n["surface"], "reason": n["status"]}).reset_index(drop=True)


def uncoded_story(s: Story) -> str:
    """How many numbers were left out, by reason."""
    u = uncoded(s)
    if u.empty:
        return "Every number in the text of this window's articles was coded as a figure."
    counts = u["reason"].value_counts().sort_index()
    return (f"{plural(len(u), 'number')} in the text {'was' if len(u) == 1 else 'were'} not coded as figures: "
            + ", ".join(f"{c} {escape(r)}" for r, c in counts.items()) + ".")


def corrections(s: Story) -> pd.DataFrame:
    """The analyst corrections of the corpus (``corrections.csv``), applied or stale."""
    c = s.corpus.tables.get("corrections")
    cols = ["correction_id", "doc_id", "surface", "action", "field", "value", "reason", "author", "date", "status",
            "problem"]
    return pd.DataFrame(columns=cols) if c is None else c[[k for k in cols if k in c.columns]]


def corrections_story(s: Story) -> str:
    """What analysts corrected, in one sentence (numbers they changed are cited as ``corrected``)."""
    c = corrections(s)
    if c.empty:
        return "No analyst correction applies to this corpus: every figure is as the rules extracted it."
    applied = int((c["status"] == "applied").sum())
    stale = len(c) - applied
    return (f"Analysts corrected {plural(applied, 'figure')} of this corpus (citations of the numbers they "
            f"changed say *corrected*)" + (f"; {plural(stale, 'correction')} no longer "
                                          "matches its article and was not applied" if stale else "") + ".")
