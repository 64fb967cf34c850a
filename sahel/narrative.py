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
from .corpus import Corpus, CorpusWarning
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

FACT_COLUMNS = ["fact_id", "party", "measure", "kind", "low", "best", "high", "date_start",
                "date_end", "date_precision", "n_sources", "doc_ids", "figure_ids", "disputed"]

_CUMULATIVE = re.compile(r"\b(?:since|to date|so far|in total|a total of|brings? to|overall|"
                         r"altogether|cumulative|in all)\b", re.I)
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


def _attach_numbers(corpus: Corpus) -> None:
    tables = corpus.tables
    if "numbers" in tables or corpus.root is None:
        return
    path = Path(corpus.root) / "numbers.csv"
    if path.exists():
        from .tables import read_table

        tables["numbers"] = read_table(path, NUMBERS)


def _reconcile(corpus: Corpus) -> Corpus:
    """Let ``sahel.reconcile`` add its derived tables, if it is there."""
    if "facts" in corpus.tables:
        return corpus
    try:
        from . import reconcile  # type: ignore[attr-defined]
    except ImportError:
        return corpus
    fn = getattr(reconcile, "reconcile", None) or getattr(reconcile, "derive", None)
    if fn is None:
        return corpus
    out = fn(corpus)
    return out if isinstance(out, Corpus) else corpus


def load(params: Params) -> tuple[Corpus, dict[str, str]]:
    """The corpus of the parameters (committed data or a parsed folder) and its texts."""
    from .corpus import load as load_data, parse_corpus

    if params.corpus is None:
        corpus = load_data()
        text_dir = paths.SEEDS_DIR
    else:
        with warnings.catch_warnings():  # problems are kept in corpus.problems and shown
            warnings.simplefilter("ignore", CorpusWarning)
            corpus = parse_corpus(params.corpus)
        text_dir = params.corpus
    _attach_numbers(corpus)
    corpus = _reconcile(corpus)
    return corpus, _read_texts(corpus, Path(text_dir))


def _with_reference_dates(figures: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    pub = documents.set_index("doc_id")["published"]
    out = figures.copy()
    published = out["doc_id"].map(pub).astype("datetime64[ns]")
    out["published"] = published
    out["ref_start"] = out["date_start"].fillna(out["date_end"]).fillna(published)
    out["ref_end"] = out["date_end"].fillna(out["date_start"]).fillna(published)
    out["dated"] = out["date_start"].notna() | out["date_end"].notna()
    return out


def in_window(df: pd.DataFrame, params: Params, start: str = "ref_start",
              end: str = "ref_end") -> pd.Series:
    """Rows whose whole period lies inside the window (undated rows are excluded)."""
    a, b = df[start], df[end]
    return (a.notna() & b.notna() & (a >= params.start) & (b <= params.end)).astype(bool)


def select(figures: pd.DataFrame, documents: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Figures in the window and of the parties, with reference dates and kind.

    A figure's period is its own dates or, when the sentence gives none, the
    article's publication date ("as of"); it must lie wholly in the window, so
    a count since 2013 is not shown in a window that starts in 2020.
    """
    figs = _with_reference_dates(figures, documents)
    figs = figs[in_window(figs, params)]
    if params.parties:
        figs = figs[figs["party"].isin(params.parties)]
    figs = figs[figs["value"].notna() | (figs["qualifier"] == "vague")].copy()
    long = (figs["ref_end"] - figs["ref_start"]).dt.days > 366
    cue = ~figs["dated"] & figs["quote"].fillna("").str.contains(_CUMULATIVE)
    figs["kind"] = "incident"
    figs.loc[(long | cue).to_numpy(), "kind"] = "cumulative"
    figs.loc[(figs["measure"] == "deployed").to_numpy(), "kind"] = "strength"
    return figs.sort_values(["ref_start", "doc_id", "start"], na_position="last",
                            kind="stable").reset_index(drop=True)


def stand_in_facts(figs: pd.DataFrame) -> pd.DataFrame:
    """Facts when ``sahel.reconcile`` is absent: equal counts of one party and
    measure reported within 92 days of each other are one fact; overlapping
    incident counts with different values are marked disputed."""
    rows: list[dict] = []
    members: list[list[int]] = []
    gap = pd.Timedelta(days=92)
    for i, f in figs[figs["value"].notna()].iterrows():
        for k, r in enumerate(rows):
            if (r["party"] == f.party and r["measure"] == f.measure and r["kind"] == f.kind
                    and r["value"] == f.value and f.ref_start <= r["date_end"] + gap
                    and r["date_start"] <= f.ref_end + gap):
                r["date_start"] = min(r["date_start"], f.ref_start)
                r["date_end"] = max(r["date_end"], f.ref_end)
                members[k].append(i)
                break
        else:
            rows.append({"party": f.party, "measure": f.measure, "kind": f.kind, "value": f.value,
                         "date_start": f.ref_start, "date_end": f.ref_end})
            members.append([i])
    out = []
    for n, (r, idx) in enumerate(zip(rows, members), 1):
        sub = figs.loc[idx]
        lows, bests, highs = zip(*(bounds(v, h, q) for v, h, q in
                                   zip(sub["value"], sub["value_high"], sub["qualifier"])))
        out.append({"fact_id": f"F{n:03d}", "party": r["party"], "measure": r["measure"],
                    "kind": r["kind"], "low": max(lows) if not all(map(pd.isna, lows)) else math.nan,
                    "best": max(bests),
                    "high": min(highs) if not all(map(pd.isna, highs)) else math.nan,
                    "date_start": r["date_start"], "date_end": r["date_end"],
                    "date_precision": "day" if sub["dated"].any() else "published",
                    "n_sources": sub["doc_id"].nunique(),
                    "doc_ids": ";".join(dict.fromkeys(sub["doc_id"])),
                    "figure_ids": ";".join(dict.fromkeys(sub["figure_id"].astype(str))),
                    "disputed": False})
    facts = pd.DataFrame(out, columns=FACT_COLUMNS)
    inc = facts[(facts["kind"] == "incident") & (facts["date_precision"] != "published")]
    for i, a in inc.iterrows():
        rivals = inc[(inc["party"] == a.party) & (inc["measure"] == a.measure) & (inc.index != i)
                     & (inc["date_start"] <= a.date_end) & (inc["date_end"] >= a.date_start)
                     & ((a.date_end - a.date_start).days <= 31)
                     & ((inc["date_end"] - inc["date_start"]).dt.days <= 31)]
        if len(rivals) and (rivals["best"] != a.best).any():
            facts.loc[i, "disputed"] = True
    return facts


def _ids(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [v for v in re.split(r"[;,|\s]+", str(value)) if v]


def _facts(corpus: Corpus, figs: pd.DataFrame, params: Params) -> pd.DataFrame:
    facts = corpus.tables.get("facts")
    if not isinstance(facts, pd.DataFrame):
        return stand_in_facts(figs)
    facts = facts.copy()
    for col in FACT_COLUMNS:
        if col not in facts.columns:
            facts[col] = pd.NA
    for col in ("date_start", "date_end"):
        facts[col] = pd.to_datetime(facts[col], errors="coerce")
    keep = set(figs["figure_id"].astype(str))
    used = facts["figure_ids"].map(lambda v: any(i in keep for i in _ids(v)))
    facts = facts[used.astype(bool)]
    if params.parties:
        facts = facts[facts["party"].isin(params.parties)]
    facts = facts[in_window(facts.assign(date_start=facts["date_start"], date_end=facts["date_end"]),
                            params, "date_start", "date_end")]
    return facts.reset_index(drop=True)


def story(params: Params | None = None, **raw: object) -> Story:
    """Load the corpus of ``params`` (or of raw parameter values) and window it."""
    params = params if params is not None else validate(**raw)
    corpus, texts = load(params)
    figs = select(corpus.figures, corpus.documents, params)
    return Story(params, corpus, texts, figs, _facts(corpus, figs, params),
                 short_ids(corpus.documents["doc_id"].astype(str)))


def header(s: Story, default_title: str) -> str:
    """Title and the parameters of the run, as Markdown."""
    p = s.params
    parties = ", ".join(f"{label(c)} ({c})" for c in p.parties) if p.parties else "all parties"
    src = "the committed data" if p.corpus is None else f"the corpus folder {escape(p.corpus.name)}"
    n_docs = len(s.documents)
    return (f"# {escape(p.title or default_title)}\n\n"
            f"From {src}: {n_docs} article{'s' * (n_docs != 1)}; window "
            f"{p.start:%Y-%m-%d} to {p.end:%Y-%m-%d}; {escape(parties)}. "
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
                meta.append(f"{pd.Timestamp(d['published']):%Y-%m-%d}")
        where = f", paragraph {par}" if par else ""
        lines.append(f"- \\[{escape(key)}\\] article {escape(doc_id)}"
                     f"{' (' + ', '.join(meta) + ')' if meta else ''}{where}")
        if quote:
            lines.append(f"\n    > {escape(quote)}\n")
    return "\n".join(lines)


# --------------------------------------------------------------------------- costs


def _fact_rows(s: Story, fact: pd.Series) -> pd.DataFrame:
    ids = set(_ids(fact["figure_ids"]))
    return s.figures[s.figures["figure_id"].astype(str).isin(ids)]


def total(s: Story, measure: str, party: str) -> dict:
    """Low/best/high of a party's measure in the window and the facts used.

    The latest running total is the base and only incidents after it are
    added. Incidents whose periods overlap may be the same deaths told twice:
    of each overlapping group the largest count is the low and best, the sum
    of the group the high; separate groups add up.
    """
    f = s.facts[(s.facts["measure"] == measure) & (s.facts["party"] == party)]
    cum = f[f["kind"] == "cumulative"].sort_values(["date_end", "best"], kind="stable")
    inc = f[f["kind"] == "incident"].sort_values(["date_start", "date_end"], kind="stable")
    used, low, best, high = [], 0.0, 0.0, 0.0
    if len(cum):
        base = cum.iloc[-1]
        used.append(base)
        low, best, high = base["low"], base["best"], base["high"]
        inc = inc[inc["date_start"] > base["date_end"]]
    groups: list[list[pd.Series]] = []
    for _, r in inc.iterrows():
        if groups and r["date_start"] <= max(g["date_end"] for g in groups[-1]):
            groups[-1].append(r)
        else:
            groups.append([r])
    for g in groups:
        used.extend(g)
        top = max(g, key=lambda r: r["best"])
        low += top["low"]
        best += top["best"]
        high += sum(r["high"] for r in g)
    if not used:
        return {"low": math.nan, "best": math.nan, "high": math.nan, "facts": f.iloc[0:0]}
    return {"low": low, "best": best, "high": high, "facts": pd.DataFrame(used)}


def cost_summary(s: Story) -> pd.DataFrame:
    """One row per party and human measure: low/best/high, facts and sources."""
    rows = []
    for (party, measure), _ in s.facts[s.facts["measure"].isin(HUMAN_MEASURES)].groupby(
            ["party", "measure"], sort=True):
        t = total(s, measure, party)
        if t["facts"].empty:
            continue
        figs = pd.concat([_fact_rows(s, r) for _, r in t["facts"].iterrows()])
        rows.append({"party": party, "measure": measure, "low": t["low"], "best": t["best"],
                     "high": t["high"], "facts": len(t["facts"]),
                     "articles": figs["doc_id"].nunique(),
                     "first": t["facts"]["date_start"].min(), "last": t["facts"]["date_end"].max(),
                     "citation": s.cites(figs)})
    cols = ["party", "measure", "low", "best", "high", "facts", "articles", "first", "last", "citation"]
    out = pd.DataFrame(rows, columns=cols)
    order = {m: i for i, m in enumerate(MEASURES)}
    return out.sort_values(["measure", "best"], key=lambda c: c.map(order) if c.name == "measure"
                           else -c, kind="stable").reset_index(drop=True)


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
        for r in part.itertuples():
            t = total(s, measure, r.party)
            approx = False
            for _, fact in t["facts"].iterrows():
                approx |= (_fact_rows(s, fact)["qualifier"] == "approx").any()
            n = amount(r.low, r.best, r.high, approx)
            basis = ("the latest running total" if (t["facts"]["kind"] == "cumulative").any()
                     else f"{r.facts} distinct report{'s' * (r.facts != 1)}")
            lines.append(f"- {escape(label(r.party))} ({escape(r.party)}): {n} {MEASURE_VERBS[measure]}, "
                         f"{period(r.first, r.last)}, from {basis} in {r.articles} "
                         f"article{'s' * (r.articles != 1)} {r.citation}.")
        lines.append("")
    lines.append("Counts are never added across articles twice: equal numbers reported for the "
                 "same period are one fact, a running total is taken as it stands, and an "
                 "\"at least\" stays open-ended.")
    return "\n".join(lines)


def cumulative_deaths(s: Story, party: str = "FRA") -> pd.DataFrame:
    """Running totals of a party's deaths as reported, and incidents, by date."""
    f = s.figures[(s.figures["party"] == party) & (s.figures["measure"] == "killed")
                  & s.figures["value"].notna()]
    rows = [{"date": r.ref_end, "value": r.value, "kind": r.kind, "qualifier": r.qualifier,
             "citation": s.cites(f.loc[[i]])} for i, r in f.iterrows()]
    return pd.DataFrame(rows, columns=["date", "value", "kind", "qualifier", "citation"]).sort_values(
        ["date", "value"], kind="stable").reset_index(drop=True)


def cumulative_story(s: Story, party: str = "FRA") -> str:
    """How the running total of a party's deaths grows, in the sources' words."""
    if s.params.parties and party not in s.params.parties:
        return ""
    d = cumulative_deaths(s, party)
    cum = d[d["kind"] == "cumulative"]
    who = escape(label(party))
    if cum.empty:
        if d.empty:
            return f"No {who} military deaths are reported in this window."
        return (f"No running total of {who} military deaths is given in this window; "
                f"{len(d)} incident count{'s' * (len(d) != 1)} are reported "
                + "; ".join(f"{number(r.value)} on {r.date:%Y-%m-%d} {r.citation}"
                            for r in d.itertuples()) + ".")
    steps = "; then ".join(f"{'at least ' if r.qualifier == 'at_least' else ''}{number(r.value)} "
                           f"as of {r.date:%Y-%m-%d} {r.citation}" for r in cum.itertuples())
    return f"Running total of {who} military deaths as the sources state it: {steps}."


def materiel(s: Story) -> pd.DataFrame:
    """Materiel destroyed or lost, one row per figure."""
    f = s.figures[s.figures["measure"] == "destroyed"]
    return pd.DataFrame({
        "date": f["ref_end"].dt.strftime("%Y-%m-%d"), "party": f["party"],
        "amount": [figure_amount(r) for _, r in f.iterrows()], "what": f["noun"],
        "citation": [s.cites(f.loc[[i]]) for i in f.index]}).reset_index(drop=True)


def materiel_story(s: Story) -> str:
    """Materiel lost and destroyed, worded."""
    m = materiel(s)
    if m.empty:
        return "No materiel destroyed or lost is reported in this window."
    items = "; ".join(f"{r.amount} {escape(r.what)}{'s' if r.amount != '1' else ''} "
                      f"({escape(label(r.party))}, {r.date}) {r.citation}" for r in m.itertuples())
    return f"Materiel destroyed or lost: {items}."


_MONEY = re.compile(r"(\$|€|£|\b(dollars?|euros?|budget|fund(s|ing|ed)?|invest\w*|cost\w*|"
                    r"spend\w*|spent|billions?|millions? of (dollars|euros))\b)", re.I)


def money(s: Story) -> pd.DataFrame:
    """Sentences about money and effort, quoted as the sources state them."""
    rows = []
    pub = s.documents.set_index("doc_id")["published"]
    for doc_id, text in sorted(s.texts.items()):
        when = pub.get(doc_id)
        if when is None or pd.isna(when) or not (s.params.start <= when <= s.params.end):
            continue
        for sent in sentences(text).itertuples():
            if _MONEY.search(sent.text):
                rows.append({"published": f"{when:%Y-%m-%d}", "citation": s.cite(doc_id, sent.paragraph, sent.text),
                             "sentence": sent.text})
    return pd.DataFrame(rows, columns=["published", "citation", "sentence"])


def money_story(s: Story) -> str:
    """Money and effort: how many sentences speak of it, each quoted with its citation."""
    m = money(s)
    if s.params.parties:
        return ("Money and effort are stated in the sources' own sentences, which are not "
                "attributed to parties; select all parties to see them.")
    if m.empty:
        return "No article in this window states an amount of money or effort."
    lines = [f"{len(m)} sentence{'s' * (len(m) != 1)} in this window speak of money; "
             "they are quoted as the sources state them, without conversion:", ""]
    for r in m.itertuples():
        lines.append(f"- \\[{escape(r.citation)}\\]\n\n    > {escape(r.sentence)}\n")
    return "\n".join(lines)


def figure_table(s: Story) -> pd.DataFrame:
    """Every figure used, with its qualifier, period and citation."""
    f = s.figures
    return pd.DataFrame({
        "party": f["party"], "measure": f["measure"],
        "amount": [figure_amount(r) for _, r in f.iterrows()], "noun": f["noun"],
        "qualifier": f["qualifier"], "kind": f["kind"],
        "period": [period(a, b) if d else f"as of {period(a, b)}"
                   for a, b, d in zip(f["ref_start"], f["ref_end"], f["dated"])],
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
    from .dates import find_dates

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
    df = df[in_window(df, s.params, "date_start", "date_end")]
    return df.sort_values(["order", "date_start", "doc_id", "paragraph"], kind="stable").reset_index(drop=True)


def phases_story(s: Story, per_phase: int = 3) -> str:
    """Each phase as the sources tell it: dates, article count and quotes."""
    ev = phase_evidence(s)
    if ev.empty:
        return "No sentence in this window tells a phase of the intervention."
    lines = []
    for (order, name), g in ev.groupby(["order", "phase"], sort=True):
        dated = g[g["precision"] != "published"]
        when = (f"dated by the sources from {dated['date_start'].min():%Y-%m-%d} to "
                f"{dated['date_end'].max():%Y-%m-%d}" if len(dated)
                else f"told in articles published {period(g['date_start'].min(), g['date_end'].max())}")
        lines.append(f"**{escape(name)}**: {len(g)} sentence{'s' * (len(g) != 1)} in "
                     f"{g['doc_id'].nunique()} article{'s' * (g['doc_id'].nunique() != 1)}, {when}.")
        lines.append("")
        for r in g.head(per_phase).itertuples():
            key = s.cite(r.doc_id, r.paragraph, r.sentence)
            lines.append(f"> {escape(r.sentence)} \\[{escape(key)}\\]\n")
    return "\n".join(lines)


def timeline(s: Story) -> pd.DataFrame:
    """Dated events (figures dated by their sentence) and milestones (phase sentences)."""
    tl = s.table("timeline")
    if tl is not None and {"date"}.issubset(tl.columns):
        tl = tl.copy()
        tl["date"] = pd.to_datetime(tl["date"], errors="coerce")
        tl = tl[(tl["date"] >= s.params.start) & (tl["date"] <= s.params.end)]
        if "kind" not in tl.columns:
            tl["kind"] = "event"
        text = tl["description"] if "description" in tl.columns else tl.get("label", "")
        return pd.DataFrame({"date": tl["date"], "kind": tl["kind"], "label": text}).reset_index(drop=True)
    f = s.figures[s.figures["dated"] & (s.figures["kind"] == "incident")]
    events = pd.DataFrame({"date": f["ref_start"], "kind": "event",
                           "label": [f"{figure_amount(r)} {label(r.party)} {r.measure}"
                                     for _, r in f.iterrows()]})
    ev = phase_evidence(s)
    ev = ev[ev["precision"] != "published"].drop_duplicates(["phase", "date_start"])
    miles = pd.DataFrame({"date": ev["date_start"], "kind": "milestone", "label": ev["phase"]})
    out = pd.concat([events, miles], ignore_index=True)
    return out.sort_values(["date", "kind", "label"], kind="stable").reset_index(drop=True)


def strength(s: Story) -> pd.DataFrame:
    """Troop strength by force over time: deployed figures as of their date."""
    f = s.figures[(s.figures["measure"] == "deployed") & s.figures["value"].notna()]
    return pd.DataFrame({"date": f["ref_end"], "party": f["party"], "force": f["party"].map(label),
                         "value": f["value"].astype(float), "qualifier": f["qualifier"],
                         "citation": [s.cites(f.loc[[i]]) for i in f.index]}).reset_index(drop=True)


def strength_story(s: Story) -> str:
    """Troop strength per force: the largest and latest figures with citations."""
    st = strength(s)
    if st.empty:
        return "No troop strength is reported in this window for the selected parties."
    lines = []
    for party, g in st.groupby("party", sort=True):
        g = g.sort_values(["date", "value"], kind="stable")
        last = g.iloc[-1]
        lines.append(f"- {escape(label(party))} ({escape(party)}): {len(g)} figure{'s' * (len(g) != 1)}; "
                     f"the latest, as of {last['date']:%Y-%m-%d}, is "
                     f"{amount(*bounds(last['value'], math.nan, last['qualifier']), last['qualifier'] == 'approx')} "
                     f"{last['citation']}; the largest is {number(g['value'].max())} "
                     f"{g.loc[g['value'].idxmax(), 'citation']}.")
    return "\n".join(lines)


GAZETTEER: list[tuple[str, str, float, float]] = [
    ("Bamako", "MLI", 12.64, -8.00), ("Gao", "MLI", 16.27, -0.04), ("Timbuktu", "MLI", 16.77, -3.01),
    ("Kidal", "MLI", 18.44, 1.41), ("Menaka", "MLI", 15.92, 2.40), ("Mopti", "MLI", 14.49, -4.20),
    ("Tessalit", "MLI", 20.20, 1.01), ("Gourma", "MLI", 15.50, -1.50), ("Liptako", "BFA", 14.00, 0.50),
    ("Ouagadougou", "BFA", 12.37, -1.52), ("Niamey", "NER", 13.51, 2.11), ("N'Djamena", "TCD", 12.13, 15.06),
    ("Nouakchott", "MRT", 18.08, -15.98), ("Ansongo", "MLI", 15.66, 0.50), ("Tillaberi", "NER", 14.21, 1.45),
]
"""Stand-in gazetteer (name, country, lat, lon) used when the corpus has no ``places``."""


def places(s: Story) -> pd.DataFrame:
    """Places named in the window's cited sentences (figures and, for all
    parties, phase sentences), with gazetteer coordinates."""
    table = s.table("places")
    if table is not None and {"lat", "lon"}.issubset(table.columns):
        name_col = "place" if "place" in table.columns else "name"
        gaz = [(str(r[name_col]), float(r["lat"]), float(r["lon"]))
               for _, r in table.dropna(subset=["lat", "lon"]).iterrows()]
    else:
        gaz = [(name, lat, lon) for name, _, lat, lon in GAZETTEER]
    sents = s.figures[["doc_id", "paragraph", "quote"]].rename(columns={"quote": "sentence"})
    if not s.params.parties:
        sents = pd.concat([sents, phase_evidence(s)[["doc_id", "paragraph", "sentence"]]])
    sents = sents.dropna(subset=["sentence"]).drop_duplicates()
    rows = []
    for name, lat, lon in gaz:
        rx = re.compile(r"\b" + re.escape(name) + r"\b")
        hits = sents[sents["sentence"].map(lambda t: bool(rx.search(t)))]
        if len(hits):
            rows.append({"place": name, "lat": lat, "lon": lon, "sentences": len(hits),
                         "citation": s.cites(hits.assign(quote=hits["sentence"]))})
    df = pd.DataFrame(rows, columns=["place", "lat", "lon", "sentences", "citation"])
    return df.sort_values(["sentences", "place"], ascending=[False, True], kind="stable").reset_index(drop=True)


def partners(s: Story) -> pd.DataFrame:
    """Forces other than France and the Sahel states: first and last dates, figures."""
    f = s.figures[~s.figures["party"].isin(STATE_FORCES + ("JIHADIST", "ARMED_GROUP", "CIVILIAN", "UNKNOWN"))]
    rows = []
    for party, g in f.groupby("party", sort=True):
        rows.append({"party": party, "force": label(party), "first": g["ref_start"].min(),
                     "last": g["ref_end"].max(), "figures": len(g),
                     "measures": ", ".join(sorted(set(g["measure"]))), "citation": s.cites(g)})
    return pd.DataFrame(rows, columns=["party", "force", "first", "last", "figures", "measures", "citation"])


def partners_story(s: Story) -> str:
    """Which partners appear in the figures, and when."""
    p = partners(s)
    if p.empty:
        return "No international partner is counted in this window for the selected parties."
    items = "; ".join(f"{escape(r.force)} ({escape(r.party)}) from {r.first:%Y-%m-%d}"
                      f"{'' if r.first == r.last else f' to {r.last:%Y-%m-%d}'}, {r.figures} "
                      f"figure{'s' * (r.figures != 1)} ({escape(r.measures)}) {r.citation}"
                      for r in p.sort_values(['first', 'party']).itertuples())
    return f"{len(p)} partner force{'s' * (len(p) != 1)} appear in the figures: {items}."


# --------------------------------------------------------------------------- sources


def numbers_table(s: Story) -> pd.DataFrame:
    """Every number in the text with its status; a plain stand-in without the parser's table."""
    n = s.table("numbers")
    if n is not None:
        return n
    rows = []
    for doc_id, text in sorted(s.texts.items()):
        figs = s.corpus.figures[s.corpus.figures["doc_id"] == doc_id]
        spans = list(zip(figs["start"].dropna().astype(int), figs["end"].dropna().astype(int)))
        for m in re.finditer(r"\d[\d,.]*\d|\d", text):
            hit = [i for i, (a, b) in enumerate(spans) if a <= m.start() < b]
            rows.append({"doc_id": doc_id, "start": m.start(), "end": m.end(), "surface": m.group(),
                         "value": None, "status": "figure" if hit else "not coded",
                         "figure_id": None, "sentence": None})
    from .schema import frame

    return frame(rows, NUMBERS)


def audit(s: Story) -> pd.DataFrame:
    """Per article: publication, size, figures by measure, numbers left uncoded."""
    nums = numbers_table(s)
    figs = s.corpus.figures
    rows = []
    for d in s.documents.sort_values("doc_id").itertuples():
        f = figs[figs["doc_id"] == d.doc_id]
        n = nums[nums["doc_id"] == d.doc_id]
        rows.append({"article": s.short.get(str(d.doc_id), str(d.doc_id)),
                     "published": "" if pd.isna(d.published) else f"{d.published:%Y-%m-%d}",
                     "outlet": "" if pd.isna(d.outlet) else d.outlet,
                     "characters": d.n_chars, "figures": len(f),
                     "measures": ", ".join(f"{m} {c}" for m, c in f["measure"].value_counts().sort_index().items()),
                     "numbers": len(n), "not figures": int((n["status"] != "figure").sum())})
    return pd.DataFrame(rows)


def audit_story(s: Story) -> str:
    """What the extractor found, corpus-wide."""
    a = audit(s)
    if a.empty:
        return "The corpus has no readable article."
    problems = s.corpus.problems
    text = (f"{len(a)} article{'s' * (len(a) != 1)}, {a['figures'].sum()} figures and "
            f"{a['numbers'].sum()} numbers in the text, of which {a['not figures'].sum()} "
            "were not coded as figures.")
    if problems:
        text += (f" {len(problems)} problem{'s' * (len(problems) != 1)} were met while reading "
                 "the corpus:\n\n" + "\n".join(f"- {escape(p)}" for p in problems))
    return text


def sourcing(s: Story) -> pd.DataFrame:
    """Facts in the window with how many articles give them and whether they are disputed."""
    f = s.facts
    short = s.short
    return pd.DataFrame({
        "fact": f["fact_id"], "party": f["party"], "measure": f["measure"], "kind": f["kind"],
        "amount": [amount(r.low, r.best, r.high) for r in f.itertuples()],
        "period": [period(a, b) for a, b in zip(f["date_start"], f["date_end"])],
        "sources": f["n_sources"].astype("Int64"),
        "articles": [", ".join(short.get(d, d) for d in _ids(v)) for v in f["doc_ids"]],
        "disputed": f["disputed"].fillna(False).astype(bool)}).reset_index(drop=True)


def sourcing_story(s: Story) -> str:
    """Single- versus multi-source facts and the disputed ones, worded."""
    t = sourcing(s)
    if t.empty:
        return "No fact falls in this window for the selected parties."
    multi = t[t["sources"] > 1]
    disputed = t[t["disputed"]]
    text = (f"Of {len(t)} fact{'s' * (len(t) != 1)} in this window, {len(t) - len(multi)} rest on a "
            f"single article and {len(multi)} on two or more.")
    if len(multi):
        text += " Confirmed by several articles: " + "; ".join(
            f"{r.amount} {escape(label(r.party))} {r.measure} ({r.period}) in {escape(r.articles)}"
            for r in multi.itertuples()) + "."
    text += (f" {len(disputed)} fact{'s' * (len(disputed) != 1)} are disputed"
             + (": " + "; ".join(f"{r.amount} {escape(label(r.party))} {r.measure} ({r.period}) "
                                   f"in {escape(r.articles)}" for r in disputed.itertuples())
                if len(disputed) else "") + ".")
    return text


def uncoded(s: Story) -> pd.DataFrame:
    """Numbers in the text that were not coded as figures, with the reason."""
    n = numbers_table(s)
    n = n[n["status"] != "figure"]
    return pd.DataFrame({"article": n["doc_id"].map(lambda d: s.short.get(str(d), str(d))),
                         "number": n["surface"], "reason": n["status"]}).reset_index(drop=True)


def uncoded_story(s: Story) -> str:
    """How many numbers were left out, by reason."""
    u = uncoded(s)
    if u.empty:
        return "Every number in the text was coded as a figure."
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
    "figure_table", "phases_story", "phase_evidence", "timeline", "strength", "strength_story",
    "places", "partners", "partners_story", "audit", "audit_story", "sourcing", "sourcing_story",
    "uncoded", "uncoded_story", "tidy",
]
