"""The sections of the costs notebook: human costs, deaths per year, materiel, money, UCDP.
Every amount is a :func:`.narrative.total` or a fact's own low/best/high, so charts and text agree."""
from __future__ import annotations

import re

import pandas as pd

from .. import paths
from ..schema import MEASURES, party_name
from .narrative import (HUMAN_MEASURES, MEASURE_VERBS, Story, all_sentences, cite_refs, day, escape, fact_amount,
                        fact_cites, facts_refs, figure_amount, number, once, period, plural, published_in_window, total)

UCDP_FILE = "ucdp_orgviolence_cy_sahel.csv"
UCDP_CITATION = (
    "UCDP Country-Year Dataset on Organized Violence within Country Borders, version 25.1, "
    "Department of Peace and Conflict Research, Uppsala University (CC BY 4.0); Davies, Pettersson, "
    "Sollenberg & Öberg (2025), Organized violence 1989–2024, and the challenges of identifying "
    "civilian victims, Journal of Peace Research 62(4); Sundberg & Melander (2013), Introducing the "
    "UCDP Georeferenced Event Dataset, Journal of Peace Research 50(4): 523–532.")
UCDP_COUNTRIES = {"MLI": "Mali", "BFA": "Burkina Faso", "NER": "Niger"}
WORDED = ("low", "best", "high", "stated", "amount")  # the keys of narrative.total a summary row keeps


@once
def cost_summary(s: Story) -> pd.DataFrame:
    """One row per party and human measure: low/best/high, facts, sources, citation."""
    rows = []
    human = s.facts[s.facts["measure"].isin(HUMAN_MEASURES)]
    for (measure, party), _ in human.groupby(["measure", "party"], sort=True):
        t = total(s, measure, party)
        used = t["facts"]
        if used.empty:
            continue
        refs = facts_refs(s, used)
        rows.append({"party": party, "measure": measure, **{k: t[k] for k in WORDED},
                     "facts": len(used), "cumulative": bool((used["kind"] == "cumulative").any()),
                     "articles": len({r[0] for r in refs}), "first": used["date_start"].min(),
                     "last": used["date_end"].max(), "citation": cite_refs(s, refs)})
    out = pd.DataFrame(rows, columns=["party", "measure", *WORDED, "facts", "cumulative", "articles", "first",
                                      "last", "citation"])
    return out.sort_values(["measure", "stated", "party"], ascending=[True, False, True], kind="stable", key=lambda c: (
        c.map(MEASURES.index) if c.name == "measure" else c)).reset_index(drop=True)


def costs_story(s: Story) -> str:
    """Human costs by party, worded with their qualifiers and citations."""
    summary = cost_summary(s)
    if summary.empty:
        return "No human cost is reported in this window for the selected parties."
    lines = []
    for measure, part in summary.groupby("measure", sort=False):  # in the order of MEASURES
        lines += [f"**{measure.capitalize()}.**", ""]
        for r in part.itertuples():
            basis = (f"{plural(r.facts, 'fact')}, including a running total" if r.cumulative
                     else plural(r.facts, "distinct fact"))
            when = period(r.first, r.last)
            lines.append(f"- {escape(party_name(r.party))} ({escape(r.party)}): {r.amount} {MEASURE_VERBS[measure]}"
                         f"{', ' + when if when else ''}; from {basis} in {plural(r.articles, 'article')} "
                         f"{r.citation}.")
        lines.append("")
    lines.append("Nothing is counted twice: the same quantity told by several articles is one fact, "
                 "parts of an aggregate are not added to it, a running total replaces the incidents "
                 "it covers, a level (troops, displaced people) is never summed over time, and an "
                 "\"at least\" stays open-ended.")
    return "\n".join(lines)


def years(s: Story) -> list[int]:
    """The years of the window that its facts' dates reach."""
    d = pd.concat([s.facts["date_start"], s.facts["date_end"]]).dropna()
    if not len(d):
        return []
    start, end = s.params.start or d.min(), s.params.end or d.max()
    return list(range(max(d.min(), start).year, min(d.max(), end).year + 1))


def year_window(s: Story, year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """1 January to 31 December of ``year``, inside the window."""
    a, b = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    return max(a, s.params.start or a), min(b, s.params.end or b)


@once
def killed_by_year(s: Story) -> pd.DataFrame:
    """Killed per calendar year and party (totals of facts lying inside each year)."""
    killed = s.facts[s.facts["measure"] == "killed"]
    rows = []
    for year in years(s):
        a, b = year_window(s, year)
        near = killed[(killed["date_start"] <= b) & (killed["date_end"] >= a)]  # others cannot lie inside
        for party in sorted(near["party"].dropna().unique()):
            t = total(s, "killed", party, a, b, facts=near)
            if len(t["facts"]):
                rows.append({"year": year, "party": party, **{k: t[k] for k in WORDED},
                             "facts": len(t["facts"]), "citation": cite_refs(s, facts_refs(s, t["facts"]))})
    return pd.DataFrame(rows, columns=["year", "party", *WORDED, "facts", "citation"])


def killed_by_year_story(s: Story) -> str:
    """One line per year: who lost how many, as in the chart."""
    k = killed_by_year(s)
    if k.empty:
        return "No death dated within a single year is reported in this window for the selected parties."
    lines = [f"- {year}: " + "; ".join(f"{escape(party_name(r.party))} {r.amount} {r.citation}"
                                       for r in g.sort_values("best", ascending=False).itertuples())
             for year, g in k.groupby("year")]
    return ("Deaths dated within one calendar year (running totals over several years are left out "
            "here and told below):\n\n" + "\n".join(lines))


@once
def cumulative_deaths(s: Story, party: str = "FRA") -> pd.DataFrame:
    """Running totals of a party's deaths as reported, and its incidents, by date."""
    f = s.facts[(s.facts["party"] == party) & (s.facts["measure"] == "killed") & s.facts["part_of"].isna()]
    cum = f["kind"] == "cumulative"
    return pd.DataFrame({"date": f["as_of"].where(cum, f["date_start"].fillna(f["date_end"])),
                         "value": f["best"].astype(float), "kind": f["kind"].astype(object),
                         "qualifier": f["qualifier"].astype(object), "since": f["date_start"].where(cum),
                         "citation": fact_cites(s, f)}).dropna(subset=["date"]).sort_values(
        ["date", "value"], kind="stable").reset_index(drop=True)


def cumulative_story(s: Story, party: str = "FRA") -> str:
    """How the running total of a party's deaths grows, in the sources' words."""
    who = escape(party_name(party))
    if s.params.parties and party not in s.params.parties:
        return f"The losses of {who} are not among the selected parties."
    d = cumulative_deaths(s, party)
    if d.empty:
        return f"No military deaths of {who} are reported in this window."
    cum, inc = d[d["kind"] == "cumulative"], d[d["kind"] != "cumulative"]
    parts = []
    if len(cum):
        parts.append(f"Running total of the military deaths of {who} as the sources state it: " + "; then ".join(
            f"{'at least ' if r.qualifier == 'at_least' else ''}{number(r.value)} as of {day(r.date)}"
            f"{', since ' + str(r.since.year) if not pd.isna(r.since) else ''} {r.citation}"
            for r in cum.itertuples()) + ".")
    if len(inc):
        parts.append("Deaths in single incidents: " + "; ".join(
            f"{number(r.value)} on {day(r.date)} {r.citation}" for r in inc.itertuples()) + ".")
    return " ".join(parts)


@once
def materiel_totals(s: Story) -> pd.DataFrame:
    """Materiel destroyed or lost per kind of item and party: reconcile's totals (no double counting),
    with their period and citation (the text says what the chart shows)."""
    f = s.facts[s.facts["measure"] == "destroyed"]
    rows = []
    for (what, party), g in f.groupby([f["noun"].fillna("item"), "party"], sort=True):
        used = total(s, "destroyed", party, facts=g)
        if len(used["facts"]):
            rows.append({"what": what, "party": party, "value": used["stated"], "amount": used["amount"],
                         "date": period(used["facts"]["date_start"].min(), used["facts"]["date_end"].max()),
                         "citation": cite_refs(s, facts_refs(s, used["facts"]))})
    return pd.DataFrame(rows, columns=["what", "party", "value", "amount", "date", "citation"])


def materiel_story(s: Story) -> str:
    """Materiel lost and destroyed, worded as the chart shows it."""
    m = materiel_totals(s)
    if m.empty:
        return "No materiel destroyed or lost is reported in this window."
    items = "; ".join(f"{r.amount} {escape(r.what)}{'s' if r.value != 1 else ''} "
                      f"({escape(party_name(r.party))}{', ' + r.date if r.date else ''}) {r.citation}"
                      for r in m.itertuples())
    return f"Materiel destroyed or lost: {items}."


MONEY = re.compile(r"[$€£]\s?\d|\b(?:dollars?|euros?|budgets?|funding|funded|funds)\b|\b(?:cost(?:s|ly)?|spen[dt]\w*)\b"
                   r"[^.]{0,40}?(?:[$€£]|\d[\d,.]*\s*(?:bn|billion|million|m)\b)", re.I)
"""Cues of a sentence about money: currency words, or spending with an amount (not "investigate",
"the human cost", "spent eight years")."""


@once
def money(s: Story) -> pd.DataFrame:
    """Sentences about money and effort in articles published in the window."""
    m = all_sentences(s)
    m = m[m["doc_id"].isin(published_in_window(s)) & m["text"].str.contains(MONEY)]
    return pd.DataFrame({"published": m["doc_id"].map(s.documents.set_index("doc_id")["published"]).map(day),
                         "citation": [s.cite(*r) for r in zip(m["doc_id"], m["paragraph"], m["text"])],
                         "sentence": m["text"]}, columns=["published", "citation", "sentence"])


def money_story(s: Story) -> str:
    """Money and effort: each sentence quoted with its citation."""
    if s.params.parties:
        return ("Money and effort are quoted from the articles' own sentences, which are not "
                "attributed to one party; run with all parties to see them.")
    m = money(s)
    if m.empty:
        return "No article published in this window states an amount of money or effort."
    verb = "speaks" if len(m) == 1 else "speak"
    lines = [f"{plural(len(m), 'sentence')} in this window {verb} of money; quoted as the sources "
             "state it, without conversion or addition:", ""]
    lines += [f"- \\[{escape(r.citation)}\\]\n\n    > {escape(r.sentence)}\n" for r in m.itertuples()]
    return "\n".join(lines)


@once
def figure_table(s: Story) -> pd.DataFrame:
    """Every figure used: qualifier, fact, period, citation and its sentence (so not in the references)."""
    f = s.figures
    return pd.DataFrame({
        "party": f["party"], "measure": f["measure"], "amount": [figure_amount(r) for r in f.itertuples()],
        "noun": f["noun"], "qualifier": f["qualifier"], "kind": f["fact_kind"], "fact": f["fact_id"],
        "period": [period(a, b) for a, b in zip(f["fact_date_start"], f["fact_date_end"])],
        "citation": [f"[{escape(s.cite(*r, remember=False))}]" for r in zip(f["doc_id"], f["paragraph"])],
        "sentence": f["quote"]}).reset_index(drop=True)


# --------------------------------------------------------------------------- triangulation with UCDP


def ucdp() -> pd.DataFrame:
    """UCDP's organized-violence deaths (best, low, high) per country and year, as shipped."""
    u = pd.read_csv(paths.RESOURCES_DIR / UCDP_FILE)
    deaths = {f"ucdp_{k}": u[f"cumulative_total_deaths_in_orgvio_{k}_cy"].astype(float)
              for k in ("best", "low", "high")}
    return pd.DataFrame({"country": u["country_cy"].map({v: k for k, v in UCDP_COUNTRIES.items()}),
                         "year": u["year_cy"], **deaths})


@once
def triangulation(s: Story) -> pd.DataFrame:
    """Deaths per country and year: the corpus's total (every party; a fact counts for a country
    when its place lies in that one country) beside UCDP's count."""
    f = s.facts[s.facts["measure"] == "killed"]
    f = f.assign(country=f["place_id"].map(s.corpus.places.set_index("place_id")["country"]))
    u = ucdp()
    rows = []
    for r in u[u["year"].isin(years(s))].itertuples():
        a, b = year_window(s, r.year)
        t = total(s, "killed", None, a, b, facts=f[(f["country"] == r.country) & (f["date_start"] <= b) &
                                                   (f["date_end"] >= a)])
        rows.append({"country": r.country, "year": r.year, "corpus": t["best"] if len(t["facts"]) else 0.0,
                     "facts": len(t["facts"]), "ucdp_best": r.ucdp_best, "ucdp_low": r.ucdp_low,
                     "ucdp_high": r.ucdp_high})
    out = pd.DataFrame(rows, columns=["country", "year", "corpus", "facts", "ucdp_best", "ucdp_low", "ucdp_high"])
    share = out["corpus"] / out["ucdp_best"].where(out["ucdp_best"] > 0)
    return out.assign(**{"share %": (100 * share).round(0).astype(float)})


def triangulation_story(s: Story) -> str:
    """One sentence per country: what share of UCDP's count the corpus's sources account for."""
    t = triangulation(s)
    if t.empty:
        return "No year of this window is covered by the UCDP data shipped (Mali, Burkina Faso, Niger, 2012–2022)."
    lead = "With only some parties selected, the corpus's deaths are a part of all deaths. " * bool(s.params.parties)
    lines = []
    for code, g in t.groupby("country", sort=False):
        corpus, ucdp_best = g["corpus"].sum(), g["ucdp_best"].sum()
        span = f"{g['year'].min()}" + (f"–{g['year'].max()}" if g["year"].max() > g["year"].min() else "")
        share = f"{corpus / ucdp_best:.0%}" if ucdp_best > 0 else "no share (UCDP counts none)"
        top = g.loc[g["corpus"].idxmax()] if corpus > 0 else None
        peak = (f"; the corpus's largest year is {int(top['year'])} with {number(top['corpus'])} of UCDP's "
                f"{number(top['ucdp_best'])}" if top is not None else "")
        lines.append(f"- {UCDP_COUNTRIES[code]}, {span}: the corpus's sources account for {number(corpus)} "
                     f"deaths located in the country, {share} of UCDP's {number(ucdp_best)}{peak}.")
    return (lead + "Deaths in facts dated within one year and located in one country, against UCDP's "
            "organized-violence deaths (state-based, non-state and one-sided; best estimate):\n\n"
            + "\n".join(lines) + f"\n\nSource: {escape(UCDP_CITATION)}")

