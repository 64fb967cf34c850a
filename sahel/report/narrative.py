"""What every notebook shares: :func:`story` (the corpus of the parameters and its facts in the
window), escaping of article text, the wording of numbers, citations ``[000 §7]`` and the
reference list, totals (through :func:`sahel.reconcile.total`, never a rule of its own) and
complete HTML tables.
"""
from __future__ import annotations

import functools
import html
import json
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from .. import paths
from ..schema import party_name
from ..store.scan import decode_bytes
from .params import Params, validate

T = TypeVar("T")

MEASURE_VERBS = {"killed": "killed", "wounded": "wounded", "captured": "captured", "deployed": "deployed",
                 "destroyed": "destroyed or lost", "displaced": "displaced"}
HUMAN_MEASURES = ("killed", "wounded", "captured", "displaced")
STATE_FORCES = ("FRA", "MLI", "BFA", "NER", "TCD", "MRT")
"""Sahel states and France: anything else counted is a partner."""

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:@^=\"'])")


def escape(text: object) -> str:
    """``text`` as Markdown that renders as the same plain text: whitespace collapsed, Markdown
    punctuation backslash-escaped, ``& < >`` as entities (links, code, math and HTML are inert)."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: object) -> str:
    """Article text for a plot label: one line, ``$`` not read as mathtext."""
    return "" if text is None or text is pd.NA else " ".join(str(text).split()).replace("$", r"\$")


def number(v: float | None) -> str:
    """``4500.0`` → ``4,500``; ``0.5`` → ``0.5``; missing → ``?``."""
    if v is None or pd.isna(v):
        return "?"
    return f"{float(v):,.2f}".rstrip("0").rstrip(".")


def amount(low: float, best: float, high: float, approx: bool = False) -> str:
    """Honest wording of low/best/high: "at least 200", "about 20", "20 to 30"."""
    if pd.isna(best) and pd.isna(low) and pd.isna(high):
        return "an unstated number of"
    if pd.isna(high) and not pd.isna(low):
        return f"at least {number(low)}"
    if pd.isna(low) and not pd.isna(high):
        return f"at most {number(high)}"
    if approx:
        return "about " + number(best)
    return number(best) if low == high else f"{number(low)} to {number(high)}"


def stated(low: float, best: float, high: float, approx: bool = False) -> float:
    """The number :func:`amount` states first (a bar's length): the low end of "at least" and
    of a range, else the best estimate."""
    if approx or pd.isna(low) or (not pd.isna(high) and low == high):
        return float(best) if not pd.isna(best) else float(high)
    return float(low)


def figure_amount(row: Any) -> str:
    """A figure's value as the source words it (qualifier kept)."""
    from ..reconcile import estimates

    value, q, high = getattr(row, "value", None), getattr(row, "qualifier", None), getattr(row, "value_high", None)
    if q == "vague" or value is None or pd.isna(value):
        return "an unstated number of"
    low, best, hi = estimates(float(value), None if high is None or pd.isna(high) else float(high), q)
    return amount(low, best, math.nan if hi is None else hi, approx=q == "approx")


def fact_amount(r: Any) -> str:
    """A fact's low/best/high as worded in the text and on the charts."""
    return amount(r.low, r.best, r.high, getattr(r, "qualifier", "") == "approx")


def plural(n: int, word: str) -> str:
    """``1 article``, ``2 articles``."""
    return f"{n:,} {word}{'s' * (n != 1)}"


def day(ts: object, undated: str = "undated") -> str:
    """``2019-11-25``; ``undated`` for a missing date."""
    return undated if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts):%Y-%m-%d}"


def period(start: object, end: object) -> str:
    """``2019-11-25`` or ``2019-11-18 to 2019-11-24``; empty when undated."""
    a, b = day(start, ""), day(end, "")
    return f"{a} to {b}" if a and b and a != b else a or b


def short_ids(doc_ids: Iterable[str]) -> dict[str, str]:
    """Short citation ids: the part before the first ``_`` when unique, else the id."""
    short = {d: d.split("_", 1)[0] or d for d in sorted(set(map(str, doc_ids)))}
    counts = pd.Series(list(short.values())).value_counts()
    return {d: (s if counts.get(s, 0) == 1 else d) for d, s in short.items()}


_SENT_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_BLOCK = re.compile(r"(?:(?!\n[ \t]*\n)[\s\S])+")
"""A paragraph: text up to a blank line."""


def sentences(text: str) -> list[tuple[int, int, str]]:
    """``(paragraph, start, text)`` of each sentence of an article; paragraphs (1-based) end at blank lines."""
    rows = []
    for n, m in enumerate((m for m in _BLOCK.finditer(text) if m.group().strip()), 1):
        pos = 0
        for part in _SENT_END.split(m.group()):
            i = m.group().find(part, pos)
            pos = i + len(part)
            if part.strip():
                rows.append((n, m.start() + i, " ".join(part.split())))
    return rows


@dataclass
class Story:
    """Everything a notebook tells: parameters, the corpus and its windowed tables."""

    params: Params
    corpus: Any  # sahel.Corpus: documents, figures, facts, events, timeline …
    texts: dict[str, str]
    figures: pd.DataFrame
    facts: pd.DataFrame
    short: dict[str, str]
    cited: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    memo: dict[tuple, object] = field(default_factory=dict, repr=False)

    @property
    def documents(self) -> pd.DataFrame:
        return self.corpus.documents

    def cite(self, doc_id: str, paragraph: object, quote: object = "", remember: bool = True) -> str:
        """Citation ``[000 §7]`` for a sentence; remembered for :func:`references` (unless a table shows
        the sentence beside it)."""
        par = int(paragraph) if paragraph is not None and not pd.isna(paragraph) else 0
        key = self.short.get(str(doc_id), str(doc_id)) + (f" §{par}" if par else "")
        if remember and (key not in self.cited or (quote and not self.cited[key][2])):
            self.cited[key] = (str(doc_id), par, "" if quote is None or pd.isna(quote) else str(quote))
        return key


def once(fn: Callable[..., T]) -> Callable[..., T]:
    """Compute a section's table once per story (the text, chart and table share it)."""
    @functools.wraps(fn)
    def wrapper(s: Story, *args: object) -> T:
        key = (fn.__module__, fn.__name__, args)
        if key not in s.memo:
            s.memo[key] = fn(s, *args)
        return s.memo[key]  # type: ignore[return-value]
    return wrapper


@once
def all_sentences(s: Story) -> pd.DataFrame:
    """Every sentence of every article, in doc_id order: doc_id, paragraph, start, text."""
    rows = [(d, *r) for d, text in sorted(s.texts.items()) for r in sentences(text)]
    return pd.DataFrame(rows, columns=["doc_id", "paragraph", "start", "text"])


def read_texts(documents: pd.DataFrame, folder: Path) -> dict[str, str]:
    """The text of each article as ``sahel parse`` decoded it (empty when unreadable), by doc_id."""
    texts = {}
    for doc in documents.itertuples():
        try:
            data = (folder / (doc.path if not pd.isna(doc.path) else f"{doc.doc_id}.txt")).read_bytes()
        except OSError:
            data = b""
        texts[str(doc.doc_id)] = decode_bytes(data).text or ""
    return texts


TABLES_ENV = "SAHEL_REPORT_TABLES"
"""Set by ``sahel report``: the folder where it parsed the corpus once for every notebook."""


def load_corpus(folder: str | Path) -> Any:
    """The parsed corpus of a folder of articles: the tables ``sahel report`` wrote for it
    (:data:`TABLES_ENV`), else a parse (from the per-article cache)."""
    from .. import load as load_tables, parse_corpus

    folder, tables = Path(folder).resolve(), os.environ.get(TABLES_ENV)
    report = Path(tables) / "report.json" if tables else None
    meta = json.loads(report.read_text()) if report is not None and report.is_file() else {}
    if meta.get("corpus") == str(folder):
        corpus = load_tables(report.parent)
        corpus.problems, corpus.root = meta["problems"], folder
        return corpus
    with warnings.catch_warnings():  # problems are kept in corpus.problems and shown
        warnings.simplefilter("ignore")
        return parse_corpus(folder, jobs=1)


def in_window(df: pd.DataFrame, params: Params, start: str = "date_start", end: str = "date_end") -> pd.Series:
    """Mask of the rows whose period ``[start, end]`` lies wholly inside the window. An open start
    ("since ever") is inside only when the window has no start (a count since 2013 is not in 2020)."""
    a = pd.to_datetime(df[start])
    b = pd.to_datetime(df[end]).fillna(a)
    ok = pd.Series(True, index=df.index)
    if params.start is not None:
        ok &= a >= params.start
    if params.end is not None:
        ok &= b <= params.end
    return ok


def ids(value: object) -> list[str]:
    """The items of a ``;``-separated list."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    return [v for v in re.split(r"[;|]+", str(value)) if v.strip()]


def only_parties(codes: object, params: Params) -> bool:
    """True when every party code of a ``;``-separated list is selected."""
    found = ids(codes)
    return not params.parties or bool(found) and all(c in params.parties for c in found)


def reported(figures: pd.DataFrame, published: pd.Series, running: pd.Series) -> pd.Series:
    """When each figure states its value: its own end date, else its article's publication. For a
    running total, a period within one month (or one whole year) is the "since" of "since January
    2013", not a date of the count: the publication stands."""
    a, b = figures["date_start"], figures["date_end"]
    whole_year = (a.dt.day_of_year == 1) & (b.dt.month == 12) & (b.dt.day == 31) & (a.dt.year == b.dt.year)
    since = running & a.notna() & ((a.dt.to_period("M") == b.dt.to_period("M")) | whole_year)
    return b.where(b.notna() & ~since, published)


def figure_facts(facts: pd.DataFrame) -> pd.Series:
    """Figure id → the index of its fact in ``facts``."""
    per = facts["figure_ids"].fillna("").astype(str).str.split(r"[;|]+").explode().str.strip()
    owner = pd.Series(per[per != ""].index, index=per[per != ""].to_numpy())
    return owner[~owner.index.duplicated(keep="last")]


def story(params: Params | None = None, **raw: object) -> Story:
    """Load the corpus of ``params`` (or of raw parameter values) and window its facts.

    ``Story.facts``: the facts of the selected parties inside the window, and the running totals
    reported as of a date inside it; ``Story.figures``: the figures behind them, with their
    fact's ``kind`` and period.
    """
    from .. import load as load_tables

    params = params if params is not None else validate(**raw)
    corpus = load_tables() if params.corpus is None else load_corpus(params.corpus)
    texts = read_texts(corpus.documents, params.corpus or paths.SEEDS_DIR)
    docs, figs = corpus.documents.set_index("doc_id"), corpus.figures
    owner, by_id = figure_facts(corpus.facts), figs.set_index("figure_id")  # as of: a fact's latest report
    cum = by_id.index.map(owner.map(corpus.facts["kind"] == "cumulative")).fillna(False).astype(bool)
    as_of = reported(by_id, by_id["doc_id"].map(docs["published"]), pd.Series(cum, index=by_id.index))
    facts = corpus.facts.assign(as_of=as_of.reindex(owner.index).groupby(owner.to_numpy()).max())
    inside = in_window(facts, params)
    running = (facts["kind"] == "cumulative") & in_window(facts, params, "as_of", "as_of")
    facts = facts.assign(inside=inside)[inside | running]  # "41 as of 2020-02-08, since 2013" stays shown
    if params.parties:
        facts = facts[facts["party"].isin(params.parties)]
    facts = facts.reset_index(drop=True)
    owner = figure_facts(facts)
    figs = figs[figs["figure_id"].astype(str).isin(owner.index)].copy()
    row = figs["figure_id"].astype(str).map(owner).to_numpy("int64")  # (positions; none: empty)
    for col in ("fact_id", "kind", "date_start", "date_end", "inside"):
        figs["fact_" + col if col != "fact_id" else col] = facts[col].to_numpy()[row]
    figs["published"] = figs["doc_id"].map(docs["published"])
    figs["as_of"] = reported(figs, figs["published"], figs["fact_kind"] == "cumulative")
    figs = figs[figs.pop("fact_inside") | in_window(figs, params, "as_of", "as_of")]  # a running total's reports
    figs = figs.sort_values(["fact_date_start", "doc_id", "start"], na_position="first",
                            kind="stable").reset_index(drop=True)
    return Story(params, corpus, texts, figs, facts, short_ids(corpus.documents["doc_id"].astype(str)))


def header(s: Story, default_title: str) -> str:
    """Title and the parameters of the run, as Markdown."""
    p = s.params
    parties = ", ".join(f"{party_name(c)} ({c})" for c in p.parties) if p.parties else "all parties"
    a, b = day(p.start, ""), day(p.end, "")
    window = f"{a} to {b}" if a and b else f"from {a}" if a else f"up to {b}" if b else "all dates"
    src = "the committed data" if p.corpus is None else f"the corpus folder {escape(p.corpus.name)}"
    undated = int(s.documents["published"].isna().sum())
    note = (f" ({plural(undated, 'article')} without a publication date: {'its' if undated == 1 else 'their'} "
            "undated figures count in no window with a start or an end)" if undated else "")
    return (f"# {escape(p.title or default_title)}\n\n"
            f"From {src}: {plural(len(s.documents), 'article')}{note}. Window: {escape(window)}; "
            f"losses and forces of {escape(parties)}. {plural(len(s.facts), 'fact')} from "
            f"{plural(len(s.figures), 'figure')} fall in this window.")


def references(s: Story) -> str:
    """The reference list of every citation made so far, quoting each sentence, as HTML (every text
    escaped; long lists render many times faster than the same list in Markdown)."""
    if not s.cited:
        return "<p><strong>References.</strong> No figure or sentence is cited for these parameters.</p>"
    docs = s.documents.set_index("doc_id")
    lines = ["<p><strong>References</strong></p>", "<ul>"]
    for key in sorted(s.cited, key=lambda k: s.cited[k][:2]):
        doc_id, par, quote = s.cited[key]
        meta = []
        if doc_id in docs.index:
            d = docs.loc[doc_id]
            meta = ([] if pd.isna(d["outlet"]) else [_text(d["outlet"])]) + [
                f"published {day(d['published'])}" if not pd.isna(d["published"]) else "undated"]
        lines.append(f"<li>[{_text(key)}] article {_text(doc_id)}{' (' + ', '.join(meta) + ')' if meta else ''}"
                     + (f", paragraph {par}" if par else "")
                     + (f"<blockquote>{_text(quote)}</blockquote>" if quote else "") + "</li>")
    return "\n".join([*lines, "</ul>"])


def _text(value: object) -> str:
    """``value`` as HTML text: whitespace collapsed, ``& < > " '`` as entities."""
    return html.escape(" ".join(str(value).split()))


def published_in_window(s: Story) -> list[str]:
    """The articles published inside the window (undated ones only when it is open)."""
    docs = s.documents.set_index("doc_id").reindex(sorted(s.texts))
    return list(docs.index[in_window(docs, s.params, "published", "published")])


def figure_refs(s: Story, figure_ids: Iterable[str], ordered: bool = False) -> list[tuple]:
    """``(doc_id, paragraph, quote, corrected)`` of each figure (in the figures table's order when
    ``ordered``); ``corrected``: an analyst's correction changed or added the figure."""
    if "refs" not in s.memo:
        f = s.corpus.figures
        corrected = f["corrected"].fillna(False) if "corrected" in f else [False] * len(f)
        s.memo["refs"] = {i: (n, d, p, q, bool(c)) for n, (i, d, p, q, c) in enumerate(
            zip(f["figure_id"].astype(str), f["doc_id"], f["paragraph"], f["quote"], corrected))}
    table: dict = s.memo["refs"]  # type: ignore[assignment]
    found = [i for i in dict.fromkeys(figure_ids) if i in table]
    return [table[i][1:] for i in (sorted(found, key=lambda i: table[i][0]) if ordered else found)]


def cite_refs(s: Story, refs: Iterable[tuple]) -> str:
    """``[000 §7; 001 §3]`` for ``(doc_id, paragraph, quote, corrected)`` references (``[000 §7, corrected]``)."""
    keys = [s.cite(d, p, q) + (", corrected" if c else "") for d, p, q, c in refs]
    return "[" + "; ".join(escape(k) for k in dict.fromkeys(keys)) + "]" if keys else ""


def fact_cites(s: Story, facts: pd.DataFrame) -> list[str]:
    """The citation of each fact: the figures behind it."""
    return [cite_refs(s, figure_refs(s, ids(v))) for v in facts["figure_ids"]]


def facts_refs(s: Story, facts: pd.DataFrame) -> list[tuple]:
    """The references of every figure behind some facts, in the figures table's order."""
    return figure_refs(s, [i for v in facts["figure_ids"] for i in ids(v)], ordered=True)


TOTAL_COLUMNS = ["fact_id", "kind", "party", "measure", "low", "best", "high", "qualifier", "date_start",
                 "date_end", "date_basis", "part_of", "place_id", "figure_ids"]


def total(s: Story, measure: str, party: str | None = None, start: object = None, end: object = None,
          facts: pd.DataFrame | None = None) -> dict:
    """:func:`sahel.reconcile.total` over the window's facts (or ``facts``): low, best, high (NaN
    when open-ended), the facts used, its wording (``amount``) and the number it states first (``stated``)."""
    from ..reconcile import total as reconcile_total

    if "plain facts" not in s.memo:  # plain dtypes in few blocks: each filter of a total is cheap
        f = s.facts[TOTAL_COLUMNS]
        s.memo["plain facts"] = pd.DataFrame({c: f[c].to_numpy(dtype=float, na_value=math.nan) if
                                              pd.api.types.is_float_dtype(f[c]) else f[c].astype(object)
                                              for c in f.columns}).copy()
    pool: pd.DataFrame = s.memo["plain facts"]  # type: ignore[assignment]
    pool = pool if facts is None else pool.loc[facts.index]
    t = reconcile_total(pool, measure, party=party, start=s.params.start if start is None else start,
                        end=s.params.end if end is None else end)
    used = pool[pool["fact_id"].isin(set(t.facts))]
    high = math.nan if t.high is None else t.high
    approx = len(used) > 0 and bool((used["qualifier"] == "approx").all())
    return {"low": t.low, "best": t.best, "high": high, "facts": used, "amount": amount(t.low, t.best, high, approx),
            "stated": stated(t.low, t.best, high, approx) if len(used) else math.nan}


TABLE_CSS = ("<style>table.sahel-table{border-collapse:collapse;font-size:12px}table.sahel-table th,"
             "table.sahel-table td{text-align:left!important;vertical-align:top;padding:2px 6px;"
             "border-bottom:1px solid #ddd}table.sahel-table td.n{text-align:right!important;white-space:nowrap}"
             "table.sahel-table td.d{white-space:nowrap}</style>")
"""Left-aligned text, right-aligned numbers, dates kept on one line."""


def table(df: pd.DataFrame, empty: str = "No rows for these parameters."):
    """Every row of ``df`` as a static HTML table (every cell escaped): dates as ISO strings, missing
    numbers blank, numbers right-aligned, a 1-based row number."""
    from IPython.display import HTML

    if df.empty:
        return HTML(f"<p><em>{html.escape(empty)}</em></p>")
    types = pd.api.types
    kinds = [' class="d"' if types.is_datetime64_any_dtype(df[c]) or c in ("date", "period", "published") else
             ' class="n"' if types.is_numeric_dtype(df[c]) and not types.is_bool_dtype(df[c]) else "" for c in df]

    def cell(v: object) -> str:
        if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)):
            return ""
        return f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else number(v) if isinstance(v, float) else str(v)

    if "citation" in df:  # citations are Markdown-escaped for the text; plain in a table
        df = df.assign(citation=df["citation"].str.replace("\\", "", regex=False))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in ["#", *df.columns])
    rows = "\n".join(f'<tr><td class="n">{i}</td>' + "".join(f"<td{k}>{html.escape(cell(v))}</td>" for v, k in
                                                             zip(r, kinds)) + "</tr>"
                     for i, r in enumerate(df.itertuples(index=False), 1))
    return HTML(f"{TABLE_CSS}<p>{plural(len(df), 'row')}.</p><table class=\"sahel-table\"><thead><tr>{head}"
                f"</tr></thead><tbody>\n{rows}\n</tbody></table>")
