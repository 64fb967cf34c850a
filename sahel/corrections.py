"""Analyst corrections: reading a ``corrections.csv`` and applying it to the extracted figures.

One row per correction: ``doc_id, start, end, action, field, value, reason, author`` (optional
``date``). ``set`` changes ``field`` of the figure at that span to ``value``; ``drop`` removes it
(not a figure); ``add`` makes a figure the extractor missed, its fields as ``field=value`` pairs
separated by ``;`` in ``value`` (``measure`` and ``party`` required; ``surface=`` the text at the
span, checked when given). :func:`read_corrections` reads a whole file or raises one
:class:`CorrectionsError` naming the file and line; :func:`apply_corrections` applies every row
whose span still matches and names the others as stale. What stays out: where the file is found
and when it runs (:mod:`sahel.pipeline`), checking folders (:mod:`sahel.check`).
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .schema import CORRECTIONS, DATE, FIGURES, SEP, check_code, conform, frame

FILE = "corrections.csv"
"""The corrections file a corpus folder may hold."""
MAX_BYTES = 5_000_000
"""Size limit of a corrections file (a row is ~200 bytes)."""
COLUMNS = ("doc_id", "start", "end", "action", "field", "value", "reason", "author")
OPTIONAL = ("date",)
ACTIONS = ("set", "drop", "add")
FIELDS = ("value", "value_high", "qualifier", "party", "measure", "date_start", "date_end")
"""The fields ``set`` may change."""
ADD_FIELDS = (*FIELDS, "noun", "surface")
"""The fields an ``add`` may give."""
QUEUE = "score"
"""A file with this column is a review queue (``sahel review``): its other columns are context and
its rows without an ``action`` are skipped."""
RULE = "correction"
"""``party_rule`` / ``measure_rule`` of a figure whose party or measure an analyst set."""
_BREAK = re.compile(r"[.!?][\"')\]]*\s+|\n")


class CorrectionsError(ValueError):
    """A corrections file that cannot be used as a whole (one line naming the file and line)."""


@dataclass(frozen=True)
class Correction:
    """One row of a corrections file, checked: ``changes`` maps fields to typed values."""

    correction_id: str
    file: str
    line: int
    doc_id: str
    start: int
    end: int
    action: str
    field: str
    value: str
    changes: dict[str, object]
    reason: str
    author: str
    date: pd.Timestamp | None

    @property
    def figure_id(self) -> str:
        return f"{self.doc_id}:{self.start}"


def typed(name: str, raw: str) -> object:
    """``raw`` as a value of figure field ``name`` (ValueError saying why not)."""
    raw = raw.strip()
    if name in ("value", "value_high"):
        try:
            number = float(raw.replace(",", ""))
        except ValueError:
            raise ValueError(f"{name} {raw!r} is not a number") from None
        if not 0 <= number < 1e15:
            raise ValueError(f"{name} {raw!r} is not a count")
        return number
    if name in ("qualifier", "measure"):
        return check_code(name, raw.lower())
    if name == "party":
        return check_code("party", raw.upper())
    if FIGURES.get(name) == DATE:
        try:
            return pd.Timestamp(date_only(raw))
        except ValueError:
            raise ValueError(f"{name} {raw!r} is not a date (YYYY-MM-DD)") from None
    if not raw:
        raise ValueError(f"{name} is empty")
    return raw


def date_only(raw: str) -> str:
    """An ISO date ``YYYY-MM-DD`` (ValueError otherwise)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()) and pd.notna(pd.Timestamp(raw)):
            return raw.strip()
    except ValueError:
        pass
    raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)")


def _row(fields: dict[str, str], file: str, line: int) -> Correction:
    doc_id, action, field = fields["doc_id"].strip(), fields["action"].strip().lower(), fields["field"].strip()
    if not doc_id:
        raise ValueError("doc_id is empty")
    try:
        start, end = int(fields["start"]), int(fields["end"])
    except ValueError:
        raise ValueError(f"start and end must be whole numbers, not {fields['start']!r}, {fields['end']!r}") from None
    if not 0 <= start < end:
        raise ValueError(f"span {start}-{end} is not a span (0 <= start < end)")
    if action not in ACTIONS:
        raise ValueError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    value, changes = fields["value"], {}
    if action == "set":
        if field not in FIELDS:
            raise ValueError(f"field {field!r} cannot be set (fields: {', '.join(FIELDS)})")
        changes[field] = typed(field, value)
    elif action == "add":
        for pair in filter(str.strip, value.split(SEP)):
            name, eq, raw = pair.partition("=")
            name = name.strip()
            if not eq or name not in ADD_FIELDS:
                raise ValueError(f"add: {pair.strip()!r} is not field=value with a field of {', '.join(ADD_FIELDS)}")
            changes[name] = typed(name, raw) if name != "surface" else raw
        missing = [n for n in ("value", "party", "measure") if n not in changes
                   and (n != "value" or changes.get("qualifier") != "vague")]
        if missing:
            raise ValueError(f"add: give {', '.join(missing)} (as field=value pairs in value)")
    for name in ("reason", "author"):
        if not fields[name].strip():
            raise ValueError(f"{name} is empty (say who corrected and why)")
    day = pd.Timestamp(date_only(fields["date"])) if fields.get("date", "").strip() else None
    key = "\0".join((doc_id, str(start), str(end), action, field if action == "set" else "", value.strip()))
    return Correction("c-" + hashlib.sha256(key.encode()).hexdigest()[:12], file, line, doc_id, start, end,
                      action, field if action == "set" else "", value, changes, fields["reason"].strip(),
                      fields["author"].strip(), day)


def read_corrections(path: str | Path) -> list[Correction]:
    """Every correction of a file, checked, or one :class:`CorrectionsError` (``file:line: problem``)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CorrectionsError(f"{path}: cannot read the corrections ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise CorrectionsError(f"{path}: corrections file over {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorrectionsError(f"{path}: not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[Correction] = []
    seen: dict[tuple, int] = {}
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header]
        unknown = [c for c in header if c not in COLUMNS + OPTIONAL] if QUEUE not in header else []
        if missing or unknown or len(set(header)) != len(header):
            raise CorrectionsError(f"{path}:1: the header needs the columns {', '.join(COLUMNS)} (optional: date)"
                                   + (f"; missing {', '.join(missing)}" if missing else "")
                                   + (f"; unknown {', '.join(map(repr, unknown))}" if unknown else ""))
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise CorrectionsError(f"{path}:{line}: {len(row)} fields, the header has {len(header)}")
            if QUEUE in header and not row[header.index("action")].strip():
                continue  # a queued figure left as it is
            try:
                c = _row(dict(zip(header, row)), path.name, line)
            except ValueError as exc:
                raise CorrectionsError(f"{path}:{line}: {exc}") from None
            for key in ((c.correction_id,), (c.figure_id, c.action, c.field),
                        *([(c.figure_id, "figure")] if c.action != "set" else [])):
                if key in seen:
                    raise CorrectionsError(f"{path}:{line}: conflicts with line {seen[key]} (same figure"
                                           f"{' and field' if len(key) == 3 else ''})")
                seen[key] = line
            out.append(c)
    except csv.Error as exc:
        raise CorrectionsError(f"{path}:{reader.line_num}: not a CSV row ({exc})") from None
    spans = {}
    for c in out:  # a figure dropped or added is not also set
        prev = spans.setdefault(c.figure_id, c)
        if prev.action != c.action and "set" in (prev.action, c.action) or prev.end != c.end:
            raise CorrectionsError(f"{path}:{c.line}: conflicts with line {prev.line} (same figure)")
    return out


def _sentence(text: str, start: int, end: int, figures: pd.DataFrame) -> dict[str, object]:
    """The sentence fields of a span: another figure's of the same sentence, else a plain split."""
    same = figures[(figures["sentence_start"] <= start) & (figures["sentence_end"] >= end)]
    if len(same):
        r = same.iloc[0]
        return {k: r[k] for k in ("sentence", "sentence_start", "sentence_end", "paragraph", "quote")}
    s0 = max((m.end() for m in _BREAK.finditer(text, 0, start)), default=0)
    m = _BREAK.search(text, end)
    s1 = m.start() + 1 if m else len(text)
    paragraph = len(re.findall(r"\n[ \t]*\n", text[:start])) + 1
    return {"sentence": pd.NA, "sentence_start": s0, "sentence_end": s1, "paragraph": paragraph,
            "quote": " ".join(text[s0:s1].split())}


def apply_corrections(figures: pd.DataFrame, corrections: list[Correction],
                      texts: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The corrected figures and the :data:`~sahel.schema.CORRECTIONS` table of what was done.

    ``texts``: the text of every article of the corpus a correction names. A correction whose article is gone, whose ``set``/``drop``
    span is no figure any more, or whose ``add`` span no longer holds its ``surface`` (or is now
    extracted) is ``stale`` and not applied. A CorrectionsError when the result is inconsistent
    (a date range or value range reversed).
    """
    figs = figures.set_index("figure_id", drop=False)
    ends = dict(zip(figs.index, figs["end"]))
    ids: dict[str, list[str]] = {}
    rows, added, dropped = [], [], set()
    for c in corrections:
        problem, text = "", texts.get(c.doc_id)
        if text is None:
            problem = "the article is not in the corpus"
        elif c.action != "add" and ends.get(c.figure_id) != c.end:
            problem = "no figure at this span any more (the text or the extractor changed)"
        elif c.action == "add" and c.end > len(text):
            problem = f"the span is past the end of the article ({len(text)} characters)"
        elif c.action == "add" and "surface" in c.changes and text[c.start:c.end] != c.changes["surface"]:
            problem = f"the span now reads {text[c.start:c.end]!r}, not {c.changes['surface']!r}"
        elif c.action == "add" and c.figure_id in ends:
            problem = "a figure is extracted at this span now (use set)"
        surface = text[c.start:c.end] if text is not None and c.end <= len(text) else ""
        rows.append({"correction_id": c.correction_id, "file": c.file, "line": c.line, "doc_id": c.doc_id,
                     "start": c.start, "end": c.end, "figure_id": c.figure_id, "surface": surface,
                     "action": c.action, "field": c.field, "value": c.value, "reason": c.reason,
                     "author": c.author, "date": c.date, "status": "stale" if problem else "applied",
                     "problem": problem})
        if problem:
            continue
        ids.setdefault(c.figure_id, []).append(c.correction_id)
        if c.action == "drop":
            dropped.add(c.figure_id)
        elif c.action == "add":
            row = {"figure_id": c.figure_id, "doc_id": c.doc_id, "start": c.start, "end": c.end,
                   "surface": surface, "qualifier": "exact", "party_rule": RULE, "measure_rule": RULE,
                   **_sentence(text, c.start, c.end, figs[figs["doc_id"] == c.doc_id]),
                   **{k: v for k, v in c.changes.items() if k != "surface"}}
            added.append(row)
        else:
            figs.loc[c.figure_id, c.field] = c.changes[c.field]
            if c.field in ("party", "measure"):
                figs.loc[c.figure_id, f"{c.field}_rule"] = RULE
    out = figs[~figs.index.isin(dropped)].reset_index(drop=True)
    if added:
        out = pd.concat([out, frame(added, FIGURES)], ignore_index=True)
        out = out.sort_values(["doc_id", "start"], kind="stable", ignore_index=True)
    mark = out["figure_id"].map(lambda f: SEP.join(ids[f]) if f in ids else pd.NA)
    out = conform(out.assign(corrected=mark.notna(), correction=mark), FIGURES)
    bad = out[(out["date_start"] > out["date_end"]) | (out["value_high"] < out["value"]).fillna(False)]
    bad = bad[bad["corrected"]]
    if len(bad):
        c = next(c for c in corrections if c.correction_id in str(bad["correction"].iloc[0]).split(SEP))
        raise CorrectionsError(f"{c.file}:{c.line}: figure {bad['figure_id'].iloc[0]}: the correction leaves "
                               "date_start after date_end or value_high below value; correct both")
    return out, frame(rows, CORRECTIONS)


def stale(applied: pd.DataFrame) -> list[str]:
    """One line per stale correction: ``file:line: stale correction (figure): why; not applied``."""
    s = applied[applied["status"] == "stale"]
    return [f"{f}:{n}: stale correction {a} of {fid}: {p}; not applied"
            for f, n, a, fid, p in zip(s["file"], s["line"], s["action"], s["figure_id"], s["problem"])]
