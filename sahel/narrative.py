"""Narrative text built from the data, with citations, for the notebooks.

Every number a sentence states comes from the tables and carries a citation
``[000 §7]`` (the article's short id and paragraph); a reference list quotes
the cited sentences. All text taken from articles goes through :func:`escape`
so that HTML, ``<script>``, Markdown links and images, backticks and dollar
signs show as plain text in JupyterLab and in the HTML reports.

The notebooks call :func:`story` once and then the section helpers; tables are
plain DataFrames. Derived tables of ``sahel.reconcile`` (``facts``,
``events``, ``timeline``, ``places``, ``actors``) are used when the corpus has
them; otherwise a simple stand-in is computed from the figures.
"""
from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import paths
from .corpus import Corpus
from .params import Params, validate
from .schema import MEASURES, NUMBERS

PARTY_LABELS: dict[str, str] = {
    "FRA": "French", "MLI": "Malian", "BFA": "Burkinabe", "NER": "Nigerien", "TCD": "Chadian",
    "MRT": "Mauritanian", "EST": "Estonian", "GBR": "British", "USA": "American",
    "BEL": "Belgian", "CZE": "Czech", "DNK": "Danish", "DEU": "German", "SWE": "Swedish",
    "ITA": "Italian", "ESP": "Spanish", "NLD": "Dutch", "NOR": "Norwegian", "PRT": "Portuguese",
    "CAN": "Canadian", "RUS": "Russian", "DZA": "Algerian", "NGA": "Nigerian", "SEN": "Senegalese",
    "UN": "UN peacekeeping", "EU": "EU mission", "G5S": "G5 Sahel joint force",
    "JIHADIST": "jihadist", "ARMED_GROUP": "armed-group", "MERCENARY": "mercenary",
    "CIVILIAN": "civilian", "UNKNOWN": "unattributed",
}
"""Adjectives used in generated sentences for party codes."""

MEASURE_VERBS: dict[str, str] = {
    "killed": "killed", "wounded": "wounded", "captured": "captured",
    "deployed": "deployed", "destroyed": "destroyed or lost", "displaced": "displaced",
}
HUMAN_MEASURES = ("killed", "wounded", "captured", "displaced")
STATE_FORCES = ("FRA", "MLI", "BFA", "NER", "TCD", "MRT")
"""Sahel states and France: anything else counted is a partner."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:@^=\"'])")


# --------------------------------------------------------------------------- text


def escape(text: object) -> str:
    """``text`` as Markdown that renders as the same plain text, never as markup.

    Whitespace is collapsed; Markdown punctuation is backslash-escaped and
    ``& < >`` become entities, so links, images, code, math and HTML are inert.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return ""
    s = " ".join(str(text).split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: object) -> str:
    """Article text for a plot label: one line, ``$`` not read as mathtext."""
    if text is None or text is pd.NA:
        return ""
    return " ".join(str(text).split()).replace("$", r"\$")


def number(v: float | None) -> str:
    """``4500.0`` → ``4,500``; ``0.5`` → ``0.5``; missing → ``?``."""
    if v is None or pd.isna(v):
        return "?"
    v = float(v)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def bounds(value: float | None, value_high: float | None, qualifier: str | None) -> tuple[float, float, float]:
    """(low, best, high) of one figure; ``nan`` where the source leaves it open."""
    nan = float("nan")
    if value is None or pd.isna(value):
        return nan, nan, nan
    v = float(value)
    q = qualifier if isinstance(qualifier, str) else "exact"
    if q == "range" and value_high is not None and not pd.isna(value_high):
        hi = float(value_high)
        return v, (v + hi) / 2, hi
    if q == "at_least":
        return v, v, nan
    if q == "at_most":
        return nan, v, v
    return v, v, v


def amount(low: float, best: float, high: float, approx: bool = False) -> str:
    """Honest wording of low/best/high: "at least 200", "about 20", "20 to 30"."""
    if pd.isna(best) and pd.isna(low) and pd.isna(high):
        return "an unstated number of"
    if pd.isna(high) and not pd.isna(low):
        return f"at least {number(low)}"
    if pd.isna(low) and not pd.isna(high):
        return f"at most {number(high)}"
    if low == high:
        return ("about " if approx else "") + number(best)
    return f"{number(low)} to {number(high)}"


def figure_amount(row: pd.Series) -> str:
    """A figure's value as the source words it (qualifier kept)."""
    low, best, high = bounds(row.get("value"), row.get("value_high"), row.get("qualifier"))
    if row.get("qualifier") == "vague":
        return "an unstated number of"
    return amount(low, best, high, approx=row.get("qualifier") == "approx")


def label(party: str) -> str:
    """Adjective for a party code (the code itself when unknown)."""
    return PARTY_LABELS.get(str(party), str(party))


def period(start: object, end: object) -> str:
    """``2019-11-25`` or ``2019-11-18 to 2019-11-24``; empty when undated."""
    a = pd.Timestamp(start) if start is not None and not pd.isna(start) else None
    b = pd.Timestamp(end) if end is not None and not pd.isna(end) else None
    if a is None and b is None:
        return ""
    if a is None or b is None or a == b:
        return f"{(a or b):%Y-%m-%d}"
    return f"{a:%Y-%m-%d} to {b:%Y-%m-%d}"


def short_ids(doc_ids: Iterable[str]) -> dict[str, str]:
    """Short citation ids: the part before the first ``_`` when unique, else the id."""
    ids = sorted(set(map(str, doc_ids)))
    short = {d: d.split("_", 1)[0] or d for d in ids}
    counts = pd.Series(list(short.values())).value_counts()
    return {d: (s if counts.get(s, 0) == 1 else d) for d, s in short.items()}


def paragraphs(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` of each paragraph: blocks separated by blank lines."""
    out, pos = [], 0
    for block in re.split(r"(\n[ \t]*\n)", text):
        if block.strip() and not re.fullmatch(r"\n[ \t]*\n", block):
            out.append((pos, pos + len(block), block))
        pos += len(block)
    return out


_SENT_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


def sentences(text: str) -> pd.DataFrame:
    """Sentences of an article with their 1-based paragraph number."""
    rows = []
    for n, (start, _, block) in enumerate(paragraphs(text), 1):
        pos = 0
        for part in _SENT_END.split(block):
            i = block.find(part, pos)
            pos = i + len(part)
            if part.strip():
                rows.append({"paragraph": n, "start": start + i, "text": " ".join(part.split())})
    return pd.DataFrame(rows, columns=["paragraph", "start", "text"])


# --------------------------------------------------------------------------- the story


@dataclass
class Story:
    """Everything a notebook tells: parameters, the corpus and its windowed tables."""

    params: Params
    corpus: Corpus
    texts: dict[str, str]
    figures: pd.DataFrame
    facts: pd.DataFrame
    short: dict[str, str]
    cited: dict[str, tuple[str, int, str]] = field(default_factory=dict)

    @property
    def documents(self) -> pd.DataFrame:
        return self.corpus.documents

    def table(self, name: str) -> pd.DataFrame | None:
        """A derived table of the corpus (``facts``, ``timeline`` …) or None."""
        tables = getattr(self.corpus, "tables", {}) or {}
        df = tables.get(name)
        return df if isinstance(df, pd.DataFrame) else None

    def cite(self, doc_id: str, paragraph: object, quote: object = "") -> str:
        """Citation ``[000 §7]`` for a sentence; remembered for :func:`references`."""
        short = self.short.get(str(doc_id), str(doc_id))
        par = int(paragraph) if paragraph is not None and not pd.isna(paragraph) else 0
        key = f"{short} §{par}" if par else short
        if key not in self.cited or (quote and not self.cited[key][2]):
            self.cited[key] = (str(doc_id), par, "" if quote is None or pd.isna(quote) else str(quote))
        return key

    def cites(self, rows: pd.DataFrame) -> str:
        """``[000 §7; 001 §3]`` for figure rows (doc_id, paragraph, quote)."""
        keys = [self.cite(r.doc_id, r.paragraph, r.quote) for r in rows.itertuples()]
        return "[" + "; ".join(escape(k) for k in dict.fromkeys(keys)) + "]" if keys else ""


def _read_texts(corpus: Corpus, folder: Path) -> dict[str, str]:
    texts = {}
    for doc in corpus.documents.itertuples():
        path = folder / str(doc.path) if not pd.isna(doc.path) else folder / f"{doc.doc_id}.txt"
        try:
            texts[str(doc.doc_id)] = path.read_bytes().decode("utf-8-sig", errors="replace")
        except OSError:
            texts[str(doc.doc_id)] = ""
    return texts


def _derive(corpus: Corpus) -> Corpus:
    """Add the derived tables of :mod:`sahel.reconcile` when the data lacks them."""
    if "facts" not in corpus.tables:
        from .reconcile import derive

        corpus.tables.update(derive(corpus.documents, corpus.figures, corpus.tables.get("mentions")))
    return corpus


def load(params: Params) -> tuple[Corpus, dict[str, str]]:
    """The corpus of the parameters (committed data or a parsed folder) and its texts."""
    from .corpus import load as load_data
    from .pipeline import parse_corpus

    if params.corpus is None:
        corpus = load_data()
        text_dir = paths.SEEDS_DIR
    else:
        with warnings.catch_warnings():  # problems are kept in corpus.problems and shown
            warnings.simplefilter("ignore")
            corpus = parse_corpus(params.corpus, jobs=1)
        text_dir = params.corpus
    numbers = Path(corpus.root) / "numbers.csv" if corpus.root is not None else None
    if "numbers" not in corpus.tables and numbers is not None and numbers.exists():
        from .store.tables import read_table

        corpus.tables["numbers"] = read_table(numbers, NUMBERS)
    return _derive(corpus), _read_texts(corpus, Path(text_dir))


def inside(start: object, end: object, params: Params) -> bool:
    """Does the period ``[start, end]`` lie wholly inside the window?

    An open start ("since ever") is inside only when the window has no start,
    so a count since 2013 is never shown in a window that starts in 2020.
    """
    a = pd.Timestamp(start) if start is not None and not pd.isna(start) else None
    b = pd.Timestamp(end) if end is not None and not pd.isna(end) else a
    if params.start is not None and (a is None or a < params.start):
        return False
    return not (params.end is not None and (b is None or b > params.end))


def in_window(df: pd.DataFrame, params: Params, start: str = "date_start",
              end: str = "date_end") -> pd.Series:
    """Boolean mask of the rows whose period lies inside the window."""
    return pd.Series([inside(a, b, params) for a, b in zip(df[start], df[end])],
                     index=df.index, dtype=bool)


def only_parties(codes: object, params: Params) -> bool:
    """True when every party code of a ``;``-separated list is selected."""
    if not params.parties:
        return True
    found = _ids(codes)
    return bool(found) and all(c in params.parties for c in found)


def _ids(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [v for v in re.split(r"[;|]+", str(value)) if v.strip()]


def story(params: Params | None = None, **raw: object) -> Story:
    """Load the corpus of ``params`` (or of raw parameter values) and window its facts.

    ``Story.facts`` are the facts of the selected parties lying inside the
    window; ``Story.figures`` the article figures behind them, each with its
    fact's ``kind`` and period.
    """
    params = params if params is not None else validate(**raw)
    corpus, texts = load(params)
    facts = corpus.tables["facts"]
    facts = facts[in_window(facts, params)]
    if params.parties:
        facts = facts[facts["party"].isin(params.parties)]
    facts = facts.reset_index(drop=True)
    owner = {fid: r for _, r in facts.iterrows() for fid in _ids(r["figure_ids"])}
    figs = corpus.figures[corpus.figures["figure_id"].astype(str).isin(owner)].copy()
    for col in ("fact_id", "kind", "date_start", "date_end"):
        figs["fact_" + col if col != "fact_id" else col] = [owner[str(i)][col] for i in figs["figure_id"]]
    pub = corpus.documents.set_index("doc_id")["published"]
    figs["published"] = figs["doc_id"].map(pub)
    figs = figs.sort_values(["fact_date_start", "doc_id", "start"], na_position="first",
                            kind="stable").reset_index(drop=True)
    return Story(params, corpus, texts, figs, facts, short_ids(corpus.documents["doc_id"].astype(str)))


def window_text(p: Params) -> str:
    """The window in words."""
    if p.start is None and p.end is None:
        return "all dates"
    if p.start is None:
        return f"up to {p.end:%Y-%m-%d}"
    if p.end is None:
        return f"from {p.start:%Y-%m-%d}"
    return f"{p.start:%Y-%m-%d} to {p.end:%Y-%m-%d}"


def header(s: Story, default_title: str) -> str:
    """Title and the parameters of the run, as Markdown."""
    p = s.params
    parties = ", ".join(f"{label(c)} ({c})" for c in p.parties) if p.parties else "all parties"
    src = "the committed data" if p.corpus is None else f"the corpus folder {escape(p.corpus.name)}"
    n_docs = len(s.documents)
    return (f"# {escape(p.title or default_title)}\n\n"
            f"From {src}: {n_docs} article{'s' * (n_docs != 1)}. Window: {escape(window_text(p))}; "
            f"{escape(parties)}. {len(s.facts)} fact{'s' * (len(s.facts) != 1)} from "
            f"{len(s.figures)} figure{'s' * (len(s.figures) != 1)} fall in this window.")


def references(s: Story) -> str:
    """The reference list of every citation made so far, quoting each sentence."""
    if not s.cited:
        return "**References.** No figure or sentence is cited for these parameters."
    docs = s.documents.set_index("doc_id")
    lines = ["**References**", ""]
    for key in sorted(s.cited, key=lambda k: (s.cited[k][0], s.cited[k][1])):
        doc_id, par, quote = s.cited[key]
        meta = []
        if doc_id in docs.index:
            d = docs.loc[doc_id]
            if not pd.isna(d["outlet"]):
                meta.append(escape(d["outlet"]))
            if not pd.isna(d["published"]):
                meta.append(f"published {pd.Timestamp(d['published']):%Y-%m-%d}")
        where = f", paragraph {par}" if par else ""
        lines.append(f"- \\[{escape(key)}\\] article {escape(doc_id)}"
                     f"{' (' + ', '.join(meta) + ')' if meta else ''}{where}")
        if quote:
            lines.append(f"\n    > {escape(quote)}\n")
    return "\n".join(lines)


# --------------------------------------------------------------------------- costs


def fact_figures(s: Story, facts: pd.DataFrame) -> pd.DataFrame:
    """The article figures behind some facts (for citations)."""
    ids = {i for v in facts["figure_ids"] for i in _ids(v)}
    figs = s.corpus.figures
    return figs[figs["figure_id"].astype(str).isin(ids)]


def total(s: Story, measure: str, party: str) -> dict:
    """Low/best/high of a party's measure from the window's facts, without double
    counting (:func:`sahel.reconcile.total`); ``high`` is NaN when open-ended."""
    from .reconcile import total as reconcile_total

    t = reconcile_total(s.facts, measure, party=party, start=s.params.start, end=s.params.end)
    return {"low": t.low, "best": t.best, "high": math.nan if t.high is None else t.high,
            "facts": s.facts[s.facts["fact_id"].isin(t.facts)]}


def cost_summary(s: Story) -> pd.DataFrame:
    """One row per party and human measure: low/best/high, facts, sources, citation."""
    rows = []
    human = s.facts[s.facts["measure"].isin(HUMAN_MEASURES)]
    for (measure, party), _ in human.groupby(["measure", "party"], sort=True):
        t = total(s, measure, party)
        if t["facts"].empty:
            continue
        figs = fact_figures(s, t["facts"])
        rows.append({"party": party, "measure": measure, "low": t["low"], "best": t["best"],
                     "high": t["high"], "facts": len(t["facts"]),
                     "approx": bool((t["facts"]["qualifier"] == "approx").any()),
                     "cumulative": bool((t["facts"]["kind"] == "cumulative").any()),
                     "articles": figs["doc_id"].nunique(),
                     "first": t["facts"]["date_start"].min(), "last": t["facts"]["date_end"].max(),
                     "citation": s.cites(figs)})
    cols = ["party", "measure", "low", "best", "high", "facts", "approx", "cumulative", "articles",
            "first", "last", "citation"]
    out = pd.DataFrame(rows, columns=cols)
    order = {m: i for i, m in enumerate(MEASURES)}
    out["_m"] = out["measure"].map(order)
    out = out.sort_values(["_m", "best", "party"], ascending=[True, False, True], kind="stable")
    return out.drop(columns="_m").reset_index(drop=True)


def costs_story(s: Story) -> str:
    """Human costs by party, worded with their qualifiers and citations."""
    summary = cost_summary(s)
    if summary.empty:
        return "No human cost is reported in this window for the selected parties."
    lines = []
    for measure in HUMAN_MEASURES:
        part = summary[summary["measure"] == measure]
        if part.empty:
            continue
        lines.append(f"**{measure.capitalize()}.**")
        lines.append("")
        for r in part.itertuples():
            n = amount(r.low, r.best, r.high, r.approx)
            basis = (f"{r.facts} fact{'s' * (r.facts != 1)}, including a running total"
                     if r.cumulative else f"{r.facts} distinct fact{'s' * (r.facts != 1)}")
            when = period(r.first, r.last)
            lines.append(f"- {escape(label(r.party))} ({escape(r.party)}): {n} {MEASURE_VERBS[measure]}"
                         f"{', ' + when if when else ''}; from {basis} in {r.articles} "
                         f"article{'s' * (r.articles != 1)} {r.citation}.")
        lines.append("")
    lines.append("Nothing is counted twice: the same number told by several articles is one fact, "
                 "parts of an aggregate are not added to it, a running total replaces the incidents "
                 "it covers, and an \"at least\" stays open-ended.")
    return "\n".join(lines)


def cumulative_deaths(s: Story, party: str = "FRA") -> pd.DataFrame:
    """Running totals of a party's deaths as reported, and its incidents, by date."""
    f = s.facts[(s.facts["party"] == party) & (s.facts["measure"] == "killed")
                & s.facts["part_of"].isna()]
    rows = []
    for _, r in f.iterrows():
        cum = r["kind"] == "cumulative"
        when = r["date_end"] if cum or pd.isna(r["date_start"]) else r["date_start"]
        rows.append({"date": when, "value": r["best"], "kind": r["kind"],
                     "qualifier": r["qualifier"],
                     "citation": s.cites(fact_figures(s, f.loc[[r.name]]))})
    return pd.DataFrame(rows, columns=["date", "value", "kind", "qualifier", "citation"]).dropna(
        subset=["date"]).sort_values(["date", "value"], kind="stable").reset_index(drop=True)


def cumulative_story(s: Story, party: str = "FRA") -> str:
    """How the running total of a party's deaths grows, in the sources' words."""
    if s.params.parties and party not in s.params.parties:
        return "France is not among the selected parties."
    d = cumulative_deaths(s, party)
    cum = d[d["kind"] == "cumulative"]
    inc = d[d["kind"] != "cumulative"]
    who = escape(label(party))
    if d.empty:
        return f"No {who} military deaths are reported in this window."
    parts = []
    if len(cum):
        parts.append(f"Running total of {who} military deaths as the sources state it: " + "; then ".join(
            f"{'at least ' if r.qualifier == 'at_least' else ''}{number(r.value)} as of "
            f"{r.date:%Y-%m-%d} {r.citation}" for r in cum.itertuples()) + ".")
    if len(inc):
        parts.append("Deaths in single incidents: " + "; ".join(
            f"{number(r.value)} on {r.date:%Y-%m-%d} {r.citation}" for r in inc.itertuples()) + ".")
    return " ".join(parts)


def materiel(s: Story) -> pd.DataFrame:
    """Materiel destroyed or lost, one row per fact."""
    f = s.facts[s.facts["measure"] == "destroyed"]
    return pd.DataFrame({
        "date": [period(a, b) for a, b in zip(f["date_start"], f["date_end"])], "party": f["party"],
        "amount": [amount(r.low, r.best, r.high, r.qualifier == "approx") for r in f.itertuples()],
        "value": f["best"].astype(float), "what": f["noun"],
        "citation": [s.cites(fact_figures(s, f.loc[[i]])) for i in f.index]}).reset_index(drop=True)


def materiel_story(s: Story) -> str:
    """Materiel lost and destroyed, worded."""
    m = materiel(s)
    if m.empty:
        return "No materiel destroyed or lost is reported in this window."
    items = "; ".join(f"{r.amount} {escape(r.what)}{'s' if r.value != 1 else ''} "
                      f"({escape(label(r.party))}{', ' + r.date if r.date else ''}) {r.citation}"
                      for r in m.itertuples())
    return f"Materiel destroyed or lost: {items}."


_MONEY = re.compile(r"(?:\$|€|£|\b(?:dollars?|euros?|budgets?|fund(?:s|ing|ed)?|invest\w*|costs?|costly|"
                    r"spend\w*|spent|billions?|millions? of (?:dollars|euros))\b)", re.I)


def _published_in_window(s: Story) -> list[str]:
    pub = s.documents.set_index("doc_id")["published"]
    return [d for d in sorted(s.texts) if inside(pub.get(d), pub.get(d), s.params)]


def money(s: Story) -> pd.DataFrame:
    """Sentences about money and effort in articles published in the window."""
    rows = []
    pub = s.documents.set_index("doc_id")["published"]
    for doc_id in _published_in_window(s):
        for sent in sentences(s.texts[doc_id]).itertuples():
            if _MONEY.search(sent.text):
                rows.append({"published": f"{pub[doc_id]:%Y-%m-%d}",
                             "citation": s.cite(doc_id, sent.paragraph, sent.text),
                             "sentence": sent.text})
    return pd.DataFrame(rows, columns=["published", "citation", "sentence"])


def money_story(s: Story) -> str:
    """Money and effort: each sentence quoted with its citation."""
    if s.params.parties:
        return ("Money and effort are quoted from the articles' own sentences, which are not "
                "attributed to one party; run with all parties to see them.")
    m = money(s)
    if m.empty:
        return "No article published in this window states an amount of money or effort."
    lines = [f"{len(m)} sentence{'s' * (len(m) != 1)} in this window speak of money; they are "
             "quoted as the sources state them, without conversion or addition:", ""]
    for r in m.itertuples():
        lines.append(f"- \\[{escape(r.citation)}\\]\n\n    > {escape(r.sentence)}\n")
    return "\n".join(lines)


def figure_table(s: Story) -> pd.DataFrame:
    """Every figure used, with its qualifier, fact, period and citation."""
    f = s.figures
    return pd.DataFrame({
        "party": f["party"], "measure": f["measure"],
        "amount": [figure_amount(r) for _, r in f.iterrows()], "noun": f["noun"],
        "qualifier": f["qualifier"], "kind": f["fact_kind"], "fact": f["fact_id"],
        "period": [period(a, b) for a, b in zip(f["fact_date_start"], f["fact_date_end"])],
        "citation": [s.cites(f.loc[[i]]) for i in f.index],
        "sentence": f["quote"]}).reset_index(drop=True)


# --------------------------------------------------------------------------- trajectory

PHASES: list[tuple[str, str]] = [
    ("The rebellion in the north", r"\b(rebellion|Tuareg|separatists?|overr[au]n|hijacked)\b"),
    ("Operation Serval", r"\b(Serval|launched an intervention|deployed thousands|chased|Timbuktu)\b"),
    ("Operation Barkhane", r"\b(Barkhane|counter-terrorism operation|regional counter)\b"),
    ("The spread of the fighting", r"\b(central Mali|spread|neighbou?ring|three[- \"“]*borders?)\b"),
    ("Partners and joint forces", r"\b(G5|Takuba|European|allies|partners|MINUSMA|special forces)\b"),
    ("Surge and reinforcements", r"\b(reinforc\w*|deploy \d[\d,]* more|more soldiers|step(ped)? up)\b"),
    ("The coup and the transition", r"\b(coup|ousted|junta|transitional government|interim government)\b"),
]
"""Phases of the intervention and the cues of the sentences that tell them."""


def _sentence_date(text: str, published: pd.Timestamp | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None, str]:
    from .extract.dates import find_dates

    pub = published.date() if published is not None and not pd.isna(published) else None
    for m in find_dates(text, pub):
        if m.date_start is not None and m.ignore != "speech":
            return pd.Timestamp(m.date_start), pd.Timestamp(m.date_end or m.date_start), m.precision
    if pub is None:
        return None, None, ""
    return pd.Timestamp(pub), pd.Timestamp(pub), "published"


def phase_evidence(s: Story) -> pd.DataFrame:
    """Sentences telling each phase, dated by their own date, else by the last
    date earlier in their paragraph, else by the publication date."""
    pub = s.documents.set_index("doc_id")["published"]
    rows = []
    for doc_id, text in sorted(s.texts.items()):
        context: tuple = (None, None, "")
        current = 0
        for sent in sentences(text).itertuples():
            if sent.paragraph != current:
                context, current = (None, None, ""), sent.paragraph
            own = _sentence_date(sent.text, pub.get(doc_id))
            if own[2] not in ("", "published"):
                context = own
            a, b, precision = context if context[0] is not None else own
            for order, (name, cue) in enumerate(PHASES):
                if re.search(cue, sent.text, re.I):
                    rows.append({"order": order, "phase": name, "date_start": a, "date_end": b,
                                 "precision": precision, "doc_id": doc_id,
                                 "paragraph": sent.paragraph, "sentence": sent.text})
    cols = ["order", "phase", "date_start", "date_end", "precision", "doc_id", "paragraph", "sentence"]
    df = pd.DataFrame(rows, columns=cols)
    df["date_start"] = pd.to_datetime(df["date_start"])
    df["date_end"] = pd.to_datetime(df["date_end"])
    df = df[in_window(df, s.params)]
    return df.sort_values(["order", "date_start", "doc_id", "paragraph"], kind="stable").reset_index(drop=True)


def phases_story(s: Story, per_phase: int = 3) -> str:
    """Each phase as the sources tell it: dates, article count and quotes."""
    ev = phase_evidence(s)
    if ev.empty:
        return "No sentence in this window tells a phase of the intervention."
    lines = []
    for (order, name), g in ev.groupby(["order", "phase"], sort=True):
        dated = g[g["precision"] != "published"]
        when = (f"dated by the sources {period(dated['date_start'].min(), dated['date_end'].max())}"
                if len(dated) else
                f"told in articles published {period(g['date_start'].min(), g['date_end'].max())}")
        n_docs = g["doc_id"].nunique()
        lines.append(f"**{escape(name)}**: {len(g)} sentence{'s' * (len(g) != 1)} in "
                     f"{n_docs} article{'s' * (n_docs != 1)}, {when}.")
        lines.append("")
        for r in g.head(per_phase).itertuples():
            key = s.cite(r.doc_id, r.paragraph, r.sentence)
            lines.append(f"> {escape(r.sentence)} \\[{escape(key)}\\]\n")
    return "\n".join(lines)


def timeline(s: Story) -> pd.DataFrame:
    """Events and milestones of the window and parties, in date order."""
    tl = s.corpus.tables["timeline"]
    tl = tl[in_window(tl, s.params)]
    tl = tl[[only_parties(p, s.params) for p in tl["parties"]]]
    return pd.DataFrame({"date": tl["date_start"], "until": tl["date_end"], "kind": tl["kind"],
                         "type": tl["type"], "label": tl["label"], "place": tl["place"],
                         "sources": tl["n_sources"],
                         "articles": [", ".join(s.short.get(d, d) for d in _ids(v)) for v in tl["doc_ids"]],
                         "sentence": tl["description"]}).reset_index(drop=True)


def timeline_story(s: Story) -> str:
    """The milestones of the window in date order, with their sources."""
    tl = timeline(s)
    if tl.empty:
        return "No dated event or milestone falls in this window for the selected parties."
    ev, ms = tl[tl["kind"] == "event"], tl[tl["kind"] == "milestone"]
    text = (f"{len(ev)} dated event{'s' * (len(ev) != 1)} with casualties or losses and "
            f"{len(ms)} milestone{'s' * (len(ms) != 1)} fall in this window")
    if len(tl):
        text += f", from {tl['date'].min():%Y-%m-%d} to {tl['until'].max():%Y-%m-%d}"
    items = [f"- {period(r.date, r.until)}: {escape(r.label)} ({escape(r.articles)})"
             for r in ms.itertuples()]
    return text + (".\n\nMilestones:\n\n" + "\n".join(items) if items else ".")


def strength(s: Story) -> pd.DataFrame:
    """Troop strength and deployments by force over time (one row per fact)."""
    f = s.facts[(s.facts["measure"] == "deployed") & s.facts["best"].notna()]
    when = [b if not pd.isna(b) else a for a, b in zip(f["date_start"], f["date_end"])]
    return pd.DataFrame({"date": when, "party": f["party"], "force": f["party"].map(label),
                         "kind": ["strength" if k in ("strength", "stock") else "deployment" for k in f["kind"]],
                         "value": f["best"].astype(float),
                         "amount": [amount(r.low, r.best, r.high, r.qualifier == "approx") for r in f.itertuples()],
                         "citation": [s.cites(fact_figures(s, f.loc[[i]])) for i in f.index]}).dropna(
        subset=["date"]).sort_values(["date", "party"], kind="stable").reset_index(drop=True)


def strength_story(s: Story) -> str:
    """Troop strength per force: the latest level and the deployments announced."""
    st = strength(s)
    if st.empty:
        return "No troop strength is reported in this window for the selected parties."
    lines = []
    for party, g in st.groupby("party", sort=True):
        parts = []
        lv = g[g["kind"] == "strength"]
        if len(lv):
            last = lv.iloc[-1]
            parts.append(f"latest strength {last['amount']} as of {last['date']:%Y-%m-%d} {last['citation']}")
        dep = g[g["kind"] == "deployment"]
        if len(dep):
            parts.append("deployments or pledges of " + ", ".join(
                f"{r.amount} ({r.date:%Y-%m-%d}) {r.citation}" for r in dep.itertuples()))
        lines.append(f"- {escape(label(party))} ({escape(party)}): " + "; ".join(parts) + ".")
    return "\n".join(lines)


def places(s: Story) -> pd.DataFrame:
    """Where the window's events happened, at the gazetteer's coordinates."""
    ev = s.corpus.tables["events"]
    ev = ev[in_window(ev, s.params) & ev["latitude"].notna()]
    ev = ev[[only_parties(p, s.params) for p in ev["parties"]]]
    rows = []
    for place, g in ev.groupby("place", sort=True):
        figs = s.corpus.figures[s.corpus.figures["figure_id"].astype(str).isin(
            {i for v in g["figure_ids"] for i in _ids(v)})]
        rows.append({"place": place, "lat": float(g["latitude"].iloc[0]), "lon": float(g["longitude"].iloc[0]),
                     "events": len(g), "killed": float(g["killed_best"].fillna(0).sum()),
                     "first": g["date_start"].min(), "last": g["date_end"].max(),
                     "citation": s.cites(figs)})
    return pd.DataFrame(rows, columns=["place", "lat", "lon", "events", "killed", "first", "last",
                                       "citation"])


def places_story(s: Story) -> str:
    """The places of the window's events, worded."""
    pl = places(s)
    if pl.empty:
        return "No event of this window is located."
    n = int(pl["events"].sum())
    return (f"{n} located event{'s' * (n != 1)} in "
            f"{len(pl)} place{'s' * (len(pl) != 1)}: " + "; ".join(
                f"{escape(r.place)} ({r.events} event{'s' * (r.events != 1)}, {number(r.killed)} killed) "
                f"{r.citation}" for r in pl.sort_values(["first", "place"]).itertuples()) + ".")


def partners(s: Story) -> pd.DataFrame:
    """International partners named in the articles of the window: when and how often."""
    m = s.corpus.tables.get("mentions")
    actors = s.corpus.tables["actors"]
    if m is None or m.empty:
        return pd.DataFrame(columns=["partner", "party", "kind", "first", "last", "articles", "citation"])
    pub = s.documents.set_index("doc_id")["published"]
    m = m[m["kind"] == "actor"].copy()
    info = actors.set_index("name")
    m["party"] = m["name"].map(info["party"])
    m["actor_kind"] = m["name"].map(info["kind"])
    m["published"] = m["doc_id"].map(pub)
    m = m[~m["party"].isin(STATE_FORCES + ("JIHADIST", "ARMED_GROUP", "CIVILIAN", "UNKNOWN"))
          & m["party"].notna()]
    m = m[in_window(m, s.params, "published", "published")]
    if s.params.parties:
        m = m[m["party"].isin(s.params.parties)]
    rows = []
    for name, g in m.groupby("name", sort=True):
        first = g.sort_values(["published", "doc_id", "start"]).iloc[0]
        rows.append({"partner": name, "party": first["party"], "kind": first["actor_kind"],
                     "first": g["published"].min(), "last": g["published"].max(),
                     "articles": g["doc_id"].nunique(),
                     "citation": "[" + escape(s.cite(first["doc_id"], first["paragraph"], first["quote"])) + "]"})
    out = pd.DataFrame(rows, columns=["partner", "party", "kind", "first", "last", "articles", "citation"])
    return out.sort_values(["first", "partner"], kind="stable").reset_index(drop=True)


def partners_story(s: Story) -> str:
    """Which partners the articles name, and from when."""
    p = partners(s)
    if p.empty:
        return "No international partner is named in this window for the selected parties."
    items = "; ".join(f"{escape(r.partner)} ({escape(r.party)}), first named in an article of "
                      f"{r.first:%Y-%m-%d}, in {r.articles} article{'s' * (r.articles != 1)} {r.citation}"
                      for r in p.itertuples())
    return f"{len(p)} international partner{'s' * (len(p) != 1)} appear: {items}."


# --------------------------------------------------------------------------- sources


def numbers_table(s: Story) -> pd.DataFrame:
    """Every number in the text with its status (``figure`` or why not)."""
    n = s.corpus.tables.get("numbers")
    if isinstance(n, pd.DataFrame):
        return n
    s.corpus.tables["numbers"] = _parse_numbers(s)
    return s.corpus.tables["numbers"]


def _parse_numbers(s: Story) -> pd.DataFrame:
    """The extractor's number table for each article (when the data has none)."""
    from .extract import parse_text
    from .schema import frame

    pub = s.documents.set_index("doc_id")["published"]
    parts = []
    for doc_id in sorted(s.texts):
        when = pub.get(doc_id)
        doc = parse_text(s.texts[doc_id], doc_id=doc_id,
                         published=None if when is None or pd.isna(when) else when.date())
        parts.append(doc.numbers)
    return pd.concat(parts, ignore_index=True) if parts else frame([], NUMBERS)


def audit(s: Story) -> pd.DataFrame:
    """Per article published in the window: size, figures by measure, numbers not coded."""
    nums = numbers_table(s)
    figs = s.corpus.figures
    docs = s.documents[s.documents["doc_id"].isin(_published_in_window(s))]
    rows = []
    for d in docs.sort_values("doc_id").itertuples():
        f = figs[(figs["doc_id"] == d.doc_id) & figs["measure"].isin(MEASURES)]
        n = nums[nums["doc_id"] == d.doc_id]
        rows.append({"article": s.short.get(str(d.doc_id), str(d.doc_id)),
                     "published": "" if pd.isna(d.published) else f"{d.published:%Y-%m-%d}",
                     "outlet": "" if pd.isna(d.outlet) else d.outlet,
                     "characters": d.n_chars, "figures": len(f),
                     "measures": ", ".join(f"{m} {c}" for m, c in f["measure"].value_counts().sort_index().items()),
                     "numbers": len(n), "not figures": int((n["status"] != "figure").sum())})
    return pd.DataFrame(rows, columns=["article", "published", "outlet", "characters", "figures",
                                       "measures", "numbers", "not figures"])


def audit_story(s: Story) -> str:
    """What the extractor found in the articles of the window."""
    a = audit(s)
    if a.empty:
        return "No article of the corpus is published in this window."
    text = (f"{len(a)} article{'s' * (len(a) != 1)} published in this window: {a['figures'].sum()} "
            f"scored figures and {a['numbers'].sum()} numbers in the text, of which "
            f"{a['not figures'].sum()} were not coded as figures.")
    problems = s.corpus.problems
    if problems:
        text += (f"\n\n{len(problems)} problem{'s' * (len(problems) != 1)} met while reading "
                 "the corpus:\n\n" + "\n".join(f"- {escape(p)}" for p in problems))
    return text


def sourcing(s: Story) -> pd.DataFrame:
    """Facts of the window with how many articles give them and whether they disagree."""
    f = s.facts
    return pd.DataFrame({
        "fact": f["fact_id"], "party": f["party"], "measure": f["measure"], "kind": f["kind"],
        "amount": [amount(r.low, r.best, r.high, r.qualifier == "approx") for r in f.itertuples()],
        "period": [period(a, b) for a, b in zip(f["date_start"], f["date_end"])],
        "sources": f["n_sources"].astype("Int64"),
        "articles": [", ".join(s.short.get(d, d) for d in _ids(v)) for v in f["doc_ids"]],
        "disputed": f["disputed"].fillna(False).astype(bool),
        "values": f["values"].fillna("")}).reset_index(drop=True)


def sourcing_story(s: Story) -> str:
    """Single- versus multi-source facts and the disputed ones, worded."""
    t = sourcing(s)
    if t.empty:
        return "No fact falls in this window for the selected parties."
    multi = t[t["sources"] > 1]
    disputed = t[t["disputed"]]

    def item(r) -> str:
        when = f" ({r.period})" if r.period else ""
        return f"{r.amount} {escape(label(r.party))} {r.measure}{when} in {escape(r.articles)}"

    text = (f"Of {len(t)} fact{'s' * (len(t) != 1)} in this window, {len(t) - len(multi)} rest on a "
            f"single article and {len(multi)} on two or more.")
    if len(multi):
        text += " Told by several articles: " + "; ".join(item(r) for r in multi.itertuples()) + "."
    text += (f" {len(disputed)} fact{'s' * (len(disputed) != 1)} "
             f"{'is' if len(disputed) == 1 else 'are'} disputed"
             + (": " + "; ".join(item(r) + f", values {escape(r.values)}" for r in disputed.itertuples())
                if len(disputed) else "") + ".")
    return text


def uncoded(s: Story) -> pd.DataFrame:
    """Numbers in the text of the window's articles not coded as figures, with the reason."""
    n = numbers_table(s)
    n = n[(n["status"] != "figure") & n["doc_id"].isin(_published_in_window(s))]
    return pd.DataFrame({"article": n["doc_id"].map(lambda d: s.short.get(str(d), str(d))),
                         "number": n["surface"], "reason": n["status"]}).reset_index(drop=True)


def uncoded_story(s: Story) -> str:
    """How many numbers were left out, by reason."""
    u = uncoded(s)
    if u.empty:
        return "Every number in the text of this window's articles was coded as a figure."
    counts = u["reason"].value_counts().sort_index()
    return (f"{len(u)} number{'s' * (len(u) != 1)} in the text were not coded as figures: "
            + ", ".join(f"{c} {escape(r)}" for r, c in counts.items()) + ".")


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """A table for display: dates as ISO strings, missing numbers blank, 1-based index."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = [number(v) if not pd.isna(v) else "" for v in out[col]]
    out.index = pd.RangeIndex(1, len(out) + 1)
    return out


__all__: Sequence[str] = [
    "escape", "plain", "story", "Story", "header", "references", "costs_story", "cost_summary",
    "cumulative_deaths", "cumulative_story", "materiel", "materiel_story", "money", "money_story",
    "figure_table", "phases_story", "phase_evidence", "timeline", "timeline_story", "strength",
    "strength_story", "places", "places_story", "partners", "partners_story", "audit", "audit_story", "sourcing", "sourcing_story",
    "uncoded", "uncoded_story", "tidy",
]
