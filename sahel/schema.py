"""One metadata source for every table ``sahel`` reads and writes.

:data:`TABLES` holds, per table, its columns (dtype, description, codes, references) and key; the
dtype dicts (:data:`FIGURES` …), :func:`frame`, :func:`describe`, :func:`validate` (pandera),
``docs/tables.md`` (:func:`tables_markdown`, written by ``python -m sahel.schema``) and
``data/datapackage.json`` (:func:`datapackage`) follow from it. Reading and writing files stays out.

>>> FIGURES["value"]
'Float64'
>>> party_name("CIV")
"Côte d'Ivoire"
"""
from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import paths

MEASURES = ("killed", "wounded", "captured", "deployed", "destroyed", "displaced")
"""The six scored measures of the codebook (``other`` is kept but not scored)."""
QUALIFIERS = ("exact", "at_least", "at_most", "approx", "range", "vague")
DATE = "datetime64[ns]"
S, I, F, B = "string", "Int64", "Float64", "boolean"
SEP = ";"  # separator of id lists (doc_ids, figure_ids, fact_ids) in the CSV files

CODES: dict[str, tuple[str, ...]] = {
    "measure": (*MEASURES, "other"), "qualifier": QUALIFIERS, "fact_kind": ("incident", "cumulative", "stock"),
    "date_basis": ("sentence", "event", "published", "none"),
    "date_precision": ("day", "week", "month", "year", "period"),
    "mention_kind": ("place", "actor", "milestone"), "correction_action": ("set", "drop", "add"),
    "correction_status": ("applied", "stale"), "timeline_kind": ("event", "milestone"),
    "party_kind": ("state", "international force", "armed group", "civilian", "unknown")}
"""Allowed values of coded columns; party codes come from ``resources/parties.csv`` (:func:`codes`)."""


class Column(NamedTuple):
    """One column: name, dtype, description, allowed codes, what it refers to."""

    name: str
    dtype: str
    description: str
    codes: str | None = None  # a key of CODES, or "party"
    ref: str | None = None    # "table.column" the value (or each `;`-separated id) refers to
    many: bool = False        # a `;`-separated list of ids


@dataclass(frozen=True)
class Table:
    """A table's metadata: columns, primary key, whether ``sahel parse`` writes it to ``data/``."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    written: bool = True

    @property
    def dtypes(self) -> dict[str, str]:
        return {c.name: c.dtype for c in self.columns}


TABLES: dict[str, Table] = {}
"""Every table by name, in the order of the documentation."""


def _table(name: str, description: str, key: tuple[str, ...], *columns: Column, written: bool = True) -> dict:
    TABLES[name] = Table(name, description, tuple(Column(*c) for c in columns), key, written)
    return TABLES[name].dtypes


DOC = ("doc_id", S, "the article's id (its file name without `.txt`)", None, "documents.doc_id")
DOC_IDS = ("doc_ids", S, "the articles stating it (`;`-separated)", None, "documents.doc_id", True)
FIG_IDS = ("figure_ids", S, "the figures it merges (`;`-separated)", None, "figures.figure_id", True)
FACT_IDS = ("fact_ids", S, "the facts it groups (`;`-separated)", None, "facts.fact_id", True)
SPAN = (("start", I, "character offset where the phrase starts in the article as stored"),
        ("end", I, "character offset where it ends (`text[start:end] == surface`)"),
        ("surface", S, "the phrase as written"))
SENT = (("sentence", I, "index of the source sentence in the article"),
        ("sentence_start", I, "character offset of the sentence"),
        ("sentence_end", I, "character offset of the end of the sentence"),
        ("paragraph", I, "1-based paragraph number (the `§` of citations)"))
PERIOD = (("date_start", DATE, "first day of the period it refers to"),
          ("date_end", DATE, "last day of that period"))
PRECISION = ("date_precision", S, "the narrowest period the sources support", "date_precision")
PLACE = (("place_id", S, "the place (gazetteer id)", None, "places.place_id"), ("place", S, "the place's name"))
QUOTE = ("quote", S, "the source sentence, verbatim")
COUNTS = (("n_mentions", I, "mentions in the corpus"), ("n_docs", I, "articles mentioning it"),
          ("doc_ids", S, "those articles (`;`-separated)", None, "documents.doc_id", True))

DOCUMENTS = _table(
    "documents", "One row per article of the corpus.", ("doc_id",),
    DOC[:3], ("published", DATE, "publication date (from `catalog.csv`)"), ("outlet", S, "the outlet, if known"),
    ("path", S, "the article's file name in the corpus folder"), ("n_chars", I, "characters of the decoded text"),
    ("sha256", S, "SHA-256 of the file's bytes"), ("n_figures", I, "figures extracted from it"))
FIGURES = _table(
    "figures", "A number that counts people or materiel, with its source sentence (the codebook's unit).",
    ("figure_id",),
    ("figure_id", S, "`{doc_id}:{start}`"), DOC,
    ("value", F, "the number (a range's low end); empty for vague amounts"),
    ("value_high", F, "the high end of a range"),
    ("qualifier", S, "how the text bounds the value", "qualifier"),
    ("party", S, "whose people or materiel are counted (never who did it)", "party", "parties.code"),
    ("measure", S, "what happened to them", "measure", "measures.code"),
    ("noun", S, "the counted noun, singular lower case"), *PERIOD[:1],
    ("date_end", DATE, "last day (dates only when the sentence says when)"), *SPAN,
    ("date_text", S, "the date expression used for the dates"), *SENT, QUOTE,
    ("party_rule", S, "the rule that decided the party (codes: `sahel.extract.parties.RULES`; `correction`: "
     "an analyst's)"),
    ("measure_rule", S, "the rule that decided the measure (codes: `sahel.extract.measures.RULES`; "
     "`correction`: an analyst's)"),
    ("corrected", B, "an analyst's correction changed or added it (`corrections.csv`)"),
    ("correction", S, "the corrections applied to it (`;`-separated)", None, "corrections.correction_id", True))
NUMBERS = _table(
    "numbers", "Every number in the text; `status` is `figure` or why it is not one (`year`, `date`, `age`, "
    "`duration`, `ordinal`, `label`, `money`, `percent`, `ratio`, `uncounted`).", ("doc_id", "start"),
    DOC, *SPAN, ("value", F, "the number"), ("status", S, "`figure` or why it is not one"),
    ("figure_id", S, "the figure it is, if any", None, "figures.figure_id"), SENT[0])
SENTENCES = _table(
    "sentences", "Sentence boundaries of an article (not written to `data/`).", ("doc_id", "sentence"),
    DOC, SENT[0], SENT[3], ("start", I, "offset of the sentence"), ("end", I, "offset of its end"), written=False)
GOLD: dict[str, str] = {c: FIGURES[c] for c in (
    "doc_id", "value", "value_high", "qualifier", "party", "measure", "noun", "date_start", "date_end", "quote")}
"""A gold table of the codebook: the scored columns of :data:`FIGURES`."""

FACTS = _table(
    "facts", "One real-world quantity, merged from the figures of every article stating it (codebook v2).",
    ("fact_id",),
    ("fact_id", S, "`f-{figure_id}` of its first figure"),
    ("kind", S, "`incident` (one event), `cumulative` (running total) or `stock` (a level at a date)", "fact_kind"),
    ("party", S, "whose people or materiel are counted", "party", "parties.code"),
    ("measure", S, "what happened to them", "measure", "measures.code"), ("noun", S, "the counted noun"),
    ("low", F, "lowest reported value"), ("best", F, "the latest official count, else the latest report"),
    ("high", F, "highest value; empty when no source bounds it (\"more than 50\")"),
    ("qualifier", S, "how the sources bound it", "qualifier"), *PERIOD, PRECISION,
    ("date_basis", S, "where the date comes from: the figure's `sentence`, its `event` dated elsewhere, "
     "`published` (undated: before the earliest report), or `none`", "date_basis"),
    ("n_sources", I, "articles stating it"), ("n_figures", I, "figures merged into it"), DOC_IDS, FIG_IDS,
    ("disputed", B, "the sources give different values"),
    ("values", S, "every reported value with its figure: `13 (000_…:1534); 14 (…)`, in report order"),
    ("part_of", S, "the aggregate fact it is a part of (never added to it)", None, "facts.fact_id"),
    ("event_id", S, "the event it belongs to", None, "events.event_id"), *PLACE, QUOTE)
EVENTS = _table(
    "events", "A dated incident grouping the facts that belong together (UCDP-style).", ("event_id",),
    ("event_id", S, "`e-{figure_id}` of its first figure"), *PERIOD, PRECISION, *PLACE,
    ("country", S, "ISO3 country code(s) of the place, `|`-separated"), ("latitude", F, "latitude of the place"),
    ("longitude", F, "longitude of the place"), ("killed_low", F, "deaths, low"), ("killed_best", F, "deaths, best"),
    ("killed_high", F, "deaths, high (empty when open)"), ("deaths_by_party", S, "best deaths per party: `FRA=13`"),
    ("summary", S, "every counted fact: `killed FRA 13; destroyed FRA 2`"), ("parties", S, "party codes, `;`"),
    ("n_sources", I, "articles reporting it"), DOC_IDS, FACT_IDS, FIG_IDS,
    ("description", S, "one line from the text"))
TIMELINE = _table(
    "timeline", "Events plus dated non-numeric milestones, in date order.", ("item_id",),
    ("item_id", S, "`e-…` (an event) or `m-{mention_id}` (a milestone)"),
    ("kind", S, "`event` or `milestone`", "timeline_kind"),
    ("type", S, "incident, launch, coup, summit, reinforcement, …"), *PERIOD,
    ("date_precision", S, "the narrowest period the source supports", "date_precision"),
    ("label", S, "short label"), ("description", S, "the sentence it comes from"), *PLACE,
    ("actors", S, "canonical actor names, `;`-separated"), ("parties", S, "party codes, `;`-separated"),
    ("best", F, "deaths (events)"), ("n_sources", I, "articles reporting it"), DOC_IDS,
    ("refs", S, "figure ids or mention ids, `;`-separated"),
    ("event_id", S, "the event", None, "events.event_id"), FACT_IDS)
PLACES = _table(
    "places", "The gazetteer (`sahel/resources/places.csv`) with how often each place is mentioned.", ("place_id",),
    ("place_id", S, "gazetteer id"), ("name", S, "canonical name"), ("aliases", S, "names matched, `|`-separated"),
    ("kind", S, "country, region, area, border, town, village"),
    ("country", S, "ISO3 code(s), `|`-separated for cross-border areas"), ("latitude", F, "latitude"),
    ("longitude", F, "longitude"), ("precision", S, "point, region, border, country"), *COUNTS)
ACTORS = _table(
    "actors", "States, forces, missions and groups (`sahel/resources/actors.csv`) with their mentions.",
    ("actor_id",),
    ("actor_id", S, "actor id"), ("name", S, "canonical name"), ("aliases", S, "names matched, `|`-separated"),
    ("party", S, "the party its people count for", "party", "parties.code"),
    ("kind", S, "state, state force, operation, task force, UN mission, EU mission, …"), *COUNTS)
MENTIONS = _table(
    "mentions", "Places, actors and dated milestones named in each article.", ("mention_id",),
    ("mention_id", S, "`{doc_id}:{p|a|m}:{start}`"), DOC, ("kind", S, "what is named", "mention_kind"),
    ("name", S, "canonical name (milestone: its label)"), ("code", S, "place_id, party code or milestone type"),
    *SPAN, *SENT, *PERIOD, ("date_precision", S, "precision of the milestone's date"), QUOTE)
PARTIES = _table(
    "parties", "Whose people or materiel a figure counts: ISO 3166-1 alpha-3 states, then forces and groups.",
    ("code",),
    ("code", S, "party code"), ("name", S, "readable name"), ("kind", S, "kind of party", "party_kind"))
MEASURES_TABLE = _table(
    "measures", "What happened to the people or materiel counted.", ("code",),
    ("code", S, "measure code", "measure"), ("name", S, "readable name"), ("description", S, "what it counts"))

CORRECTIONS = _table(
    "corrections", "The analyst corrections of the corpus (`corrections.csv`): what was applied, by whom and "
    "why, and which were stale (their span no longer matches the article) and not applied.", ("correction_id",),
    ("correction_id", S, "`c-` and a hash of the row (doc_id, span, action, field, value)"),
    ("file", S, "the corrections file"), ("line", I, "its line in that file"), DOC[:3],
    ("start", I, "start of the figure's span"), ("end", I, "end of the figure's span"),
    ("figure_id", S, "the figure corrected, dropped or added (`{doc_id}:{start}`)"),
    ("surface", S, "the article's text at the span"),
    ("action", S, "`set` a field, `drop` (not a figure) or `add` (a figure the extractor missed)",
     "correction_action"),
    ("field", S, "the field set (`set` only)"), ("value", S, "the new value (`add`: `field=value` pairs, `;`)"),
    ("reason", S, "why"), ("author", S, "who"), ("date", DATE, "when (optional)"),
    ("status", S, "`applied`, or `stale` (not applied)", "correction_status"),
    ("problem", S, "why a stale correction was not applied"))

DERIVED: dict[str, dict[str, str]] = {"facts": FACTS, "events": EVENTS, "timeline": TIMELINE, "places": PLACES,
                                      "actors": ACTORS, "mentions": MENTIONS}
"""Tables derived from the figures and mentions, written by ``sahel parse`` beside them."""
ARTICLE_TABLES: dict[str, dict[str, str]] = {"figures": FIGURES, "numbers": NUMBERS, "mentions": MENTIONS}
"""Tables made one article at a time, streamed to disk in order."""
REFERENCE = ("parties", "measures")
"""Code tables shipped in ``sahel/resources/`` and copied into ``data/``."""


def conform(df: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """``df`` with the schema's columns in order (missing ones empty, extra ones after them), its dtypes."""
    out = df.copy()
    for col, dtype in schema.items():
        if col not in out.columns:
            out[col] = pd.Series(pd.NA if dtype != DATE else pd.NaT, index=out.index)
        if dtype == DATE:
            s = pd.to_datetime(out[col], errors="coerce")
            out[col] = s.where(s.isna() | s.between(pd.Timestamp.min, pd.Timestamp.max)).astype(DATE)
        else:
            out[col] = out[col].astype(dtype)
    extra = [c for c in out.columns if c not in schema]
    return out[list(schema) + extra].reset_index(drop=True)


def _day(v: object) -> object:
    """A value of a date column as datetime64[ns] takes it: NaT when missing or outside its years; a
    datetime's day."""
    if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
        return "NaT"
    if isinstance(v, date):
        return v.isoformat()[:10] if 1678 <= v.year <= 2261 else "NaT"
    return pd.Timestamp(v).to_datetime64()


def _dates(values: list[object]) -> np.ndarray:
    return np.array([_day(v) for v in values], dtype="datetime64[ns]")


def frame(rows: Iterable[Mapping[str, object]], schema: Mapping[str, str]) -> pd.DataFrame:
    """Build a DataFrame of ``schema`` from an iterable of row mappings."""
    rows = list(rows)
    cols = {col: [r.get(col) for r in rows] for col in schema}
    return pd.DataFrame({col: _dates(cols[col]) if dtype == DATE else pd.array(cols[col], dtype=dtype)
                         for col, dtype in schema.items()}, index=pd.RangeIndex(len(rows)), copy=False)


# --- codes -------------------------------------------------------------------

@cache
def reference(name: str) -> pd.DataFrame:
    """A code table shipped with the package: ``parties`` or ``measures``.

    >>> reference("parties").set_index("code").loc["CIVILIAN", "kind"]
    'civilian'
    """
    with open(paths.RESOURCES_DIR / f"{name}.csv", encoding="utf-8", newline="") as f:
        return frame(csv.DictReader(f), TABLES[name].dtypes)


def codes(name: str) -> tuple[str, ...]:
    """The allowed values of a coded column (a key of :data:`CODES`, or ``party``)."""
    return tuple(reference("parties")["code"]) if name == "party" else CODES[name]


def party_name(code: str) -> str:
    """The readable name of a party code (the code itself if unknown).

    >>> party_name("FRA"), party_name("JIHADIST")
    ('France', 'Jihadist groups')
    """
    return dict(zip(reference("parties")["code"], reference("parties")["name"])).get(str(code), str(code))


def measure_name(code: str) -> str:
    """The readable name of a measure code (the code itself if unknown)."""
    return dict(zip(reference("measures")["code"], reference("measures")["name"])).get(code, code)


def check_code(name: str, value: str) -> str:
    """``value`` if it is an allowed ``name`` code (``party``, ``measure`` …), else a
    ValueError that suggests the close code and lists the valid ones.

    >>> check_code("measure", "kiled")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: unknown measure 'kiled': did you mean 'killed'? Valid: killed, wounded, captured, ..., other
    """
    valid = codes(name)
    if value in valid:
        return value
    labels = {c: c for c in valid}  # what the value may be close to -> code
    if name in ("party", "measure"):
        table = reference("parties" if name == "party" else "measures")
        labels.update(zip(table["name"], table["code"]))
    lower = {k.lower(): v for k, v in labels.items()}
    close = difflib.get_close_matches(str(value).lower(), lower, n=1, cutoff=0.6)
    hint = f"did you mean {lower[close[0]]!r}? " if close else ""
    raise ValueError(f"unknown {name} {value!r}: {hint}Valid: {', '.join(valid)}")


# --- derived descriptions ----------------------------------------------------

FRICTIONLESS = {S: "string", I: "integer", F: "number", B: "boolean", DATE: "date"}


def describe(name: str | None = None) -> pd.DataFrame:
    """The data dictionary: one row per column of every written table (or of ``name``).

    >>> describe("facts").set_index("column").loc["kind", "codes"]
    'incident, cumulative, stock'
    """
    if name is not None and name not in TABLES:
        raise ValueError(f"unknown table {name!r}: valid: {', '.join(TABLES)}")
    rows = [{"table": t.name, "column": c.name, "dtype": c.dtype, "key": c.name in t.key,
             "description": c.description, "codes": ", ".join(codes(c.codes)) if c.codes else "",
             "references": c.ref or ""}
            for t in TABLES.values() if (t.written if name is None else t.name == name) for c in t.columns]
    return frame(rows, {"table": S, "column": S, "dtype": S, "key": B, "description": S, "codes": S,
                        "references": S})


def tables_markdown() -> str:
    """``docs/tables.md``: every written table, its key and its columns."""
    out = ["# Tables", "", "Generated from `sahel/schema.py` by `python -m sahel.schema` (a test checks it "
           "is current). Every table is a CSV file in `data/`; id lists are `;`-separated.", ""]
    for t in (t for t in TABLES.values() if t.written):
        out += [f"## `{t.name}`", "", t.description, "", f"Key: `{', '.join(t.key)}`.", "",
                "| column | type | description | codes / references |", "|---|---|---|---|"]
        for c in t.columns:
            allowed = ", ".join(f"`{v}`" for v in codes(c.codes)) if c.codes and c.codes != "party" else ""
            link = f"→ `{c.ref}`" if c.ref else ""
            out.append(f"| `{c.name}` | {FRICTIONLESS[c.dtype]} | {c.description.replace('|', '&#124;')} | "
                       f"{'; '.join(x for x in (allowed, link) if x)} |")
        out.append("")
    return "\n".join(out)


def datapackage(documents: pd.DataFrame | None = None) -> dict[str, Any]:
    """The Frictionless data package of a parsed corpus: metadata, sources (the articles of
    ``documents``), and every table's fields, codes, primary and foreign keys."""
    sources = [] if documents is None else [
        {"title": f"{r.outlet if pd.notna(r.outlet) else 'Unknown outlet'}, "
                  f"{r.published.date().isoformat() if pd.notna(r.published) else 'undated'}: "
                  f"article {r.doc_id} ({r.path})"} for r in documents.itertuples()]
    resources = []
    for t in (t for t in TABLES.values() if t.written):
        fields = []
        for c in t.columns:
            spec: dict[str, Any] = {"name": c.name, "type": FRICTIONLESS[c.dtype], "description": c.description}
            constraints: dict[str, Any] = {"enum": list(codes(c.codes))} if c.codes else {}
            if c.name in t.key:
                constraints.update({"required": True, **({"unique": True} if len(t.key) == 1 else {})})
            fields.append(spec | ({"constraints": constraints} if constraints else {}))
        foreign = [{"fields": c.name, "reference": {"resource": "" if tb == t.name else tb, "fields": col}}
                   for c in t.columns if c.ref and not c.many for tb, col in [c.ref.split(".")]]
        resources.append({"name": t.name, "path": f"{t.name}.csv", "format": "csv", "mediatype": "text/csv",
                          "encoding": "utf-8", "description": t.description,
                          "schema": {"fields": fields, "primaryKey": list(t.key), "foreignKeys": foreign}})
    return {"name": "sahel", "title": "Sourced figures on the French-led intervention in the Sahel",
            "description": "Figures, facts, events and a timeline extracted from news articles; every row "
                           "traces back to a sentence. Columns: docs/tables.md; coding rules: docs/codebook.md.",
            "licenses": [{"name": "MIT", "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}],
            "sources": sources, "resources": resources}


def validate(name: str, df: pd.DataFrame, tables: Mapping[str, pd.DataFrame] | None = None,
             columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Check a table against its schema with pandera and return it; a ValueError lists every problem.

    Checks dtypes, allowed codes, unique keys, ``date_start <= date_end`` and, against
    the ``tables`` given (e.g. ``{"figures": figures}``), that references resolve
    (each ``figure_ids`` entry is a figure). ``columns``: check only these (others may differ).
    """
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    t, tables = TABLES[name], {**(tables or {}), name: df}  # a table may refer to itself (facts.part_of)
    only, columns = None if columns is None else set(columns), {}
    for c in (c for c in t.columns if only is None or c.name in only):
        allowed = codes(c.codes) if c.codes else ()
        checks = [pa.Check(lambda s, ok=allowed: s.isin(ok), name=f"one of the {c.codes} codes")] if c.codes else []
        target = c.ref.split(".") if c.ref else None
        if target and target[0] in tables:
            known = set(tables[target[0]][target[1]].dropna().tolist())  # (faster than iterating)
            ok = (lambda s, k=known: s.isna() | s.map(lambda v: set(str(v).split(SEP)) <= k, na_action="ignore")
                  .astype("boolean").fillna(True)) if c.many else (
                lambda s, k=known: s.isna() | s.astype(object).isin(k))  # (object: Arrow strings' isin is slow)
            checks.append(pa.Check(ok, name=f"refers to {c.ref}"))
        columns[c.name] = pa.Column(c.dtype, checks, nullable=c.name not in t.key)
    frame_checks = []
    if {"date_start", "date_end"} <= columns.keys():
        frame_checks.append(pa.Check(lambda d: d["date_start"].isna() | d["date_end"].isna()
                                     | (d["date_start"] <= d["date_end"]), name="date_start <= date_end"))
    try:
        return pa.DataFrameSchema(columns, checks=frame_checks, unique=[k for k in t.key if k in columns],
                                  strict=only is None, ordered=only is None, name=name).validate(df, lazy=True)
    except SchemaErrors as exc:
        names = {"multiple_fields_uniqueness": f"key ({', '.join(t.key)}) unique"}
        lines = list(dict.fromkeys(  # a frame-wide check fails once per row, not once per column
            f"{names.get(r['check'], r['check'])} failed "
            + (f"(row {r['index']})" if r["index"] is not None else f"for {r['failure_case']!r}")
            if r["schema_context"] == "DataFrameSchema" else
            f"{r['column']}: {r['check']} failed for {r['failure_case']!r} (row {r['index']})"
            for r in exc.failure_cases.to_dict("records")))
        more = f"\n… and {len(lines) - 20} more" if len(lines) > 20 else ""
        raise ValueError(f"table {name}: {len(lines)} problems\n" + "\n".join(lines[:20]) + more) from None


if __name__ == "__main__":  # python -m sahel.schema: regenerate docs/tables.md
    (paths.ROOT / "docs" / "tables.md").write_text(tables_markdown() + "\n", encoding="utf-8")
