"""The sections of the trajectory notebook: phases, timeline, troop strength, places, partners.

Phases are recognised from sentences and dated by the events they tell (a day, week or month, in a
quarter two articles date), never by a year mentioned in passing.
"""
from __future__ import annotations

import re

import pandas as pd

from ..schema import party_name
from .narrative import (STATE_FORCES, Story, all_sentences, cite_refs, day, escape, fact_amount, fact_cites, facts_refs,
                        ids, in_window, number, once, only_parties, period, plural)

PHASES: list[tuple[str, str]] = [
    ("The rebellion in the north", r"\b(rebellion|Tuareg|separatists?|overr[au]n|hijacked)\b"),
    ("Operation Serval", r"\b(Serval|launched an intervention|deployed thousands|chased)\b"),
    ("Operation Barkhane", r"\b(Barkhane|counter-terrorism operation|regional counter)\b"),
    ("The spread of the fighting", r"\b(central Mali|spread(?:ing)? (?:to|into|south\w*|beyond)|(?:has|had|have) "
                                   r"spread|in neighbou?ring (?:Mali|Niger|Burkina)|three[- \"“]*borders?)\b"),
    ("Partners and joint forces", r"\b(G5|Takuba|European|allies|partners|MINUSMA|special forces)\b"),
    ("Surge and reinforcements", r"\b(reinforc\w*|deploy \d[\d,]* more|more soldiers|step(ped)? up)\b"),
    ("The coups and the juntas", r"\b(coup|ousted|junta|transitional government|interim government)\b"),
    ("Drawdown", r"\b(draw ?down|reduce (?:its|the|that) (?:number|troops|presence)|scal\w* (?:back|down))\b"),
    ("Withdrawal", r"\b(withdr[ae]w\w*|withdrawn|leav\w* Mali|pull\w* out|end of (?:Operation )?Barkhane)\b"),
]
"""Phases of the intervention, in story order, and the cues of the sentences that tell them."""

EVENT_PRECISIONS = ("day", "week", "month")
"""Date precisions that date an event; a bare year ("since 2013") does not date a phase."""


def sentence_date(text: str, published: object) -> tuple[pd.Timestamp | None, pd.Timestamp | None, str]:
    """The first date a sentence gives itself (not a quoted speech's), with its precision."""
    from ..extract.dates import find_dates  # the extraction's date finder

    pub = published.date() if published is not None and not pd.isna(published) else None
    for m in find_dates(text, pub):
        if m.date_start is not None and m.ignore != "speech":
            return pd.Timestamp(m.date_start), pd.Timestamp(m.date_end or m.date_start), m.precision
    return None, None, ""


@once
def phase_evidence(s: Story) -> pd.DataFrame:
    """Sentences telling each phase, with the event date they give (day, week or month; else
    none) and the publication; in the window by the event date, else by the publication."""
    sents = all_sentences(s).rename(columns={"text": "sentence"})
    sents["published"] = sents["doc_id"].map(s.documents.set_index("doc_id")["published"])
    told = pd.concat([sents[sents["sentence"].map(re.compile(cue, re.I).search).notna()].assign(order=order, phase=name)
                      for order, (name, cue) in enumerate(PHASES)]).sort_index(kind="stable")
    hit = sents.loc[told.index.unique()]
    dates = pd.DataFrame(map(sentence_date, hit["sentence"], hit["published"]), index=hit.index,
                         columns=["date_start", "date_end", "precision"])
    df = told.join(dates.astype({"date_start": "datetime64[ns]", "date_end": "datetime64[ns]"}))
    event = df["precision"].isin(EVENT_PRECISIONS)
    df["date_start"], df["date_end"] = df["date_start"].where(event), df["date_end"].where(event)
    df = df[in_window(df.assign(a=df["date_start"].where(event, df["published"]),
                                b=df["date_end"].where(event, df["published"])), s.params, "a", "b")]
    return df[["order", "phase", "date_start", "date_end", "precision", "published", "doc_id", "paragraph",
               "sentence"]].sort_values(["order", "date_start", "doc_id", "paragraph"], kind="stable").reset_index(
        drop=True)


def corroborated(dated: pd.DataFrame) -> pd.DataFrame:
    """The dated sentences of a phase whose quarter at least two articles date (all of them
    when no quarter is): a date met once, in passing, does not stretch the phase."""
    backed = dated.groupby(dated["date_start"].dt.to_period("Q"))["doc_id"].transform("nunique") >= 2
    return dated[backed] if backed.any() else dated


@once
def phases(s: Story) -> pd.DataFrame:
    """One row per phase told in the window: dated by its events, else by its articles' publication."""
    ev = phase_evidence(s)
    rows = []
    for (order, name), g in ev.groupby(["order", "phase"], sort=True):
        dated = corroborated(g[g["precision"].isin(EVENT_PRECISIONS)])
        a, b = (dated["date_start"], dated["date_end"]) if len(dated) else (g["published"], g["published"])
        rows.append({"order": order, "phase": name, "sentences": len(g), "articles": g["doc_id"].nunique(),
                     "events": len(dated), "first": a.min(), "last": b.max(),
                     "dated_by": "events" if len(dated) else "publication"})
    return pd.DataFrame(rows, columns=["order", "phase", "sentences", "articles", "events", "first", "last",
                                       "dated_by"])


def phases_story(s: Story, per_phase: int = 3) -> str:
    """Each phase as the sources tell it: dates, article count and quotes."""
    ev, ph = phase_evidence(s), phases(s)
    if ph.empty:
        return "No sentence in this window tells a phase of the intervention."
    lines = []
    for r in ph.itertuples():
        span = period(r.first, r.last) or "undated"
        when = (f"its dated events fall {'on' if r.first == r.last else 'from'} {span}" if r.dated_by == "events"
                else f"no sentence dates an event; told in articles published {span}")
        lines += [f"**{escape(r.phase)}**: {plural(r.sentences, 'sentence')} in {plural(r.articles, 'article')}; "
                  f"{when}.", ""]
        g = ev[ev["order"] == r.order]  # the sentences that date the phase first
        dated = corroborated(g[g["precision"].isin(EVENT_PRECISIONS)]) if r.dated_by == "events" else g.iloc[:0]
        g = pd.concat([dated, g.drop(dated.index)])
        for q in g.head(per_phase).itertuples():
            lines.append(f"> {escape(q.sentence)} \\[{escape(s.cite(q.doc_id, q.paragraph, q.sentence))}\\]\n")
    return "\n".join(lines)


@once
def timeline(s: Story) -> pd.DataFrame:
    """Events and milestones of the window and parties, in date order."""
    tl = s.corpus.timeline
    tl = tl[in_window(tl, s.params)]
    tl = tl.loc[[only_parties(p, s.params) for p in tl["parties"]]]  # (.loc: [] of no row selects no column)
    return pd.DataFrame({"date": tl["date_start"], "until": tl["date_end"], "kind": tl["kind"],
                         "type": tl["type"], "label": tl["label"], "place": tl["place"],
                         "sources": tl["n_sources"],
                         "articles": [", ".join(s.short.get(d, d) for d in ids(v)) for v in tl["doc_ids"]],
                         "sentence": tl["description"]}).reset_index(drop=True)


@once
def events(s: Story) -> pd.DataFrame:
    """Dated events of the window: one row per event and party with its deaths (UNKNOWN when not split)."""
    ev = s.corpus.events
    ev = ev[in_window(ev, s.params) & ev["date_start"].notna()]
    split = ev["deaths_by_party"].str.extractall(r"([^;|=]*)=([^;|]*)").droplevel(1)  # "FRA=13;MLI=2"
    whole = ev.index.difference(split.index)
    d = pd.concat([ev.loc[split.index].assign(party=split[0], killed=split[1].astype(float)),
                   ev.loc[whole].assign(party="UNKNOWN", killed=ev.loc[whole, "killed_best"])])
    d = d.sort_index(kind="stable")
    if s.params.parties:
        d = d[d["party"].isin(s.params.parties)]
    return pd.DataFrame({"date": d["date_start"], "event": d["event_id"], "place": d["place"], "party": d["party"],
                         "killed": d["killed"].astype(float).fillna(0.0),
                         "event_killed": d["killed_best"].astype(float).fillna(0.0)}).reset_index(drop=True)


def deadliest(ev: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` deadliest of :func:`events` (labelled on the timeline chart and named in its text)."""
    big = ev.groupby(["event", "date", "place"], as_index=False)["event_killed"].max()
    return big[big["event_killed"] > 0].sort_values(["event_killed", "date"], ascending=[False, True]).head(n)


def timeline_story(s: Story) -> str:
    """The window's events and milestones in numbers, and the milestones in date order."""
    tl = timeline(s)
    if tl.empty:
        return "No dated event or milestone falls in this window for the selected parties."
    ev, ms = tl[tl["kind"] == "event"], tl[tl["kind"] == "milestone"]
    text = (f"{plural(len(ev), 'dated event')} with casualties or losses and {plural(len(ms), 'milestone')} "
            f"fall in this window, from {day(tl['date'].min())} to {day(tl['until'].max())}")
    big = deadliest(events(s))
    if len(big):
        text += (". The deadliest, labelled on the chart: " + "; ".join(
            f"{escape(r.place)} ({day(r.date)}, {number(r.event_killed)} killed)" for r in big.itertuples()))
    if len(ms) > 15:
        return text + f". The {len(ms)} milestones are in the table below the chart, with the events."
    items = [f"- {period(r.date, r.until)}: {escape(r.label)} ({escape(r.articles)})" for r in ms.itertuples()]
    return text + (".\n\nMilestones:\n\n" + "\n".join(items) if items else ".")


@once
def strength(s: Story) -> pd.DataFrame:
    """Troop strength and deployments by force over time (one row per fact)."""
    f = s.facts[(s.facts["measure"] == "deployed") & s.facts["best"].notna()]
    return pd.DataFrame({"date": f["date_end"].fillna(f["date_start"]), "party": f["party"],
                         "force": f["party"].map(party_name), "kind": f["kind"].map({"stock": "strength"}).fillna(
                             "deployment").astype(object), "noun": f["noun"],
                         "value": f["best"].astype(float), "amount": [fact_amount(r) for r in f.itertuples()],
                         "citation": fact_cites(s, f)}).dropna(
        subset=["date"]).sort_values(["date", "party"], kind="stable").reset_index(drop=True)


def strength_story(s: Story) -> str:
    """Troop strength per force: the latest level and the deployments announced."""
    st = strength(s)
    if st.empty:
        return "No troop strength is reported in this window for the selected parties."
    lines = []
    for party, g in st.groupby("party", sort=True):
        parts = []
        lv, dep = g[g["kind"] == "strength"], g[g["kind"] == "deployment"]
        if len(lv):  # of the levels on the latest date, the largest: the troops, not the police beside them
            last = lv.loc[lv.loc[lv["date"] == lv["date"].max(), "value"].idxmax()]
            parts.append(f"latest strength {last['amount']} as of {day(last['date'])} {last['citation']}")
        if len(dep):
            parts.append("deployments or pledges of " + ", ".join(
                f"{r.amount} ({day(r.date)}) {r.citation}" for r in dep.itertuples()))
        lines.append(f"- {escape(party_name(party))} ({escape(party)}): " + "; ".join(parts) + ".")
    return "\n".join(lines)


@once
def places(s: Story) -> pd.DataFrame:
    """Where the window's events happened, at the gazetteer's coordinates, with the kind of
    place (``country`` when an event is located only to a country)."""
    ev = s.corpus.events
    ev = ev[in_window(ev, s.params) & ev["latitude"].notna()]
    ev = ev.loc[[only_parties(p, s.params) for p in ev["parties"]]]
    g, first = ev.groupby("place", sort=True), ev.drop_duplicates("place").set_index("place").sort_index()
    return pd.DataFrame({"place": first.index, "kind": first["place_id"].map(s.corpus.places.set_index("place_id")[
        "kind"]).fillna(""), "lat": first["latitude"].astype(float), "lon": first["longitude"].astype(float),
        "events": g.size(), "killed": g["killed_best"].sum().astype(float), "first": g["date_start"].min(),
        "last": g["date_end"].max(), "citation": [cite_refs(s, facts_refs(s, f)) for _, f in g]}).reset_index(drop=True)


def places_story(s: Story, most: int = 10) -> str:
    """The places of the window's events, the deadliest first (``most`` of them; all are in the table)."""
    pl = places(s)
    if pl.empty:
        return "No event of this window is located."
    top = pl.sort_values(["killed", "first", "place"], ascending=[False, True, True]).head(most)
    return (f"{plural(int(pl['events'].sum()), 'located event')} in {plural(len(pl), 'place')}"
            + (f"; the {len(top)} deadliest" if len(pl) > most else "") + ": " + "; ".join(
                f"{escape(r.place)} ({plural(r.events, 'event')}, {number(r.killed)} killed) {r.citation}"
                for r in top.itertuples()) + ".")


@once
def partners(s: Story) -> pd.DataFrame:
    """International partners named in the articles of the window: when and how often."""
    cols = ["partner", "party", "kind", "first", "last", "articles", "citation"]
    info = s.corpus.actors.set_index("name")
    m = s.corpus.mentions[s.corpus.mentions["kind"] == "actor"]
    m = m.assign(party=m["name"].map(info["party"]), actor_kind=m["name"].map(info["kind"]),
                 published=m["doc_id"].map(s.documents.set_index("doc_id")["published"]))
    m = m[~m["party"].isin(STATE_FORCES + ("JIHADIST", "ARMED_GROUP", "CIVILIAN", "UNKNOWN")) & m["party"].notna()]
    m = m[in_window(m, s.params, "published", "published")]
    if s.params.parties:
        m = m[m["party"].isin(s.params.parties)]
    first = m.sort_values(["published", "doc_id", "start"], na_position="last").drop_duplicates("name").set_index(
        "name").sort_index()  # the first mention of each partner, cited
    g = m.groupby("name")
    out = pd.DataFrame({"partner": first.index, "party": first["party"], "kind": first["actor_kind"],
                        "first": g["published"].min(), "last": g["published"].max(), "articles": g["doc_id"].nunique(),
                        "citation": [f"[{escape(s.cite(*r))}]" for r in zip(first["doc_id"], first["paragraph"],
                                                                             first["quote"])]}, columns=cols)
    return out.sort_values(["first", "partner"], kind="stable", na_position="last").reset_index(drop=True)


def partners_story(s: Story) -> str:
    """Which partners the articles name, and from when."""
    p = partners(s)
    if p.empty:
        return "No international partner is named in this window for the selected parties."
    items = "; ".join(f"{escape(r.partner)} ({escape(r.party)}), first named in an article "
                      f"{'of ' + day(r.first) if not pd.isna(r.first) else 'without a date'}, "
                      f"in {plural(r.articles, 'article')} {r.citation}" for r in p.itertuples())
    return f"{plural(len(p), 'international partner')} {'appears' if len(p) == 1 else 'appear'}: {items}."
