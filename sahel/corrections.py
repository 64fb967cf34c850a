"""Analyst corrections: reading a ``corrections.csv`` (:data:`COLUMNS`; its actions ``set``, ``drop``
and ``add`` as README's "Correcting figures" describes them) and applying it to the figures. A file is
read whole or is one :class:`CorrectionsError` naming the file and line; rows whose span no longer
matches are ``stale``, not applied. What stays out: finding the file, running it (:mod:`sahel.pipeline`).
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd

from .schema import CORRECTIONS, FIGURES, SEP, check_code, conform, frame

FILE, MAX_BYTES = "corrections.csv", 5_000_000  # the file a corpus folder may hold; its size limit
COLUMNS, OPTIONAL = ("doc_id", "start", "end", "action", "field", "value", "reason", "author"), ("date",)
FIELDS = ("value", "value_high", "qualifier", "party", "measure", "date_start", "date_end")  # what set may change
QUEUE = "score"  # a file with it is a review queue: other columns are context, rows without action skipped
RULE = "correction"  # party_rule / measure_rule of a party or measure an analyst gave
_BREAK = re.compile(r"[.!?][\"')\]]*\s+|\n")


class CorrectionsError(ValueError):
    """A corrections file that cannot be used as a whole (one line naming the file and line)."""


def typed(name: str, raw: str) -> object:
    """``raw`` as a value of figure field ``name`` (ValueError saying why not)."""
    raw = raw.strip()
    if name in ("value", "value_high"):
        number = float(raw.replace(",", "")) if re.fullmatch(r"\d[\d,]*(\.\d+)?", raw) else -1.0
        if not 0 <= number < 1e15:
            raise ValueError(f"{name} {raw!r} is not a number of people or things")
        return number
    if name in ("qualifier", "measure", "party"):
        return check_code(name, raw.upper() if name == "party" else raw.lower())
    if name in ("date_start", "date_end", "date"):
        day = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        if pd.isna(day):
            raise ValueError(f"{name} {raw!r} is not a date (YYYY-MM-DD)")
        return day
    if not raw:
        raise ValueError(f"{name} is empty")
    return raw


def _row(cells: dict[str, str]) -> dict[str, object]:
    """One checked row: the columns of :data:`~sahel.schema.CORRECTIONS` it gives, and ``changes``."""
    doc_id, action, value = cells["doc_id"].strip(), cells["action"].strip().lower(), cells["value"]
    field = cells["field"].strip() if action == "set" else ""
    start, end = (int(cells[k]) if cells[k].strip().isdigit() else -1 for k in ("start", "end"))
    if not doc_id or not 0 <= start < end:
        raise ValueError(f"{doc_id or 'no doc_id'} {cells['start']}-{cells['end']} is not a span (doc_id, "
                         "whole numbers 0 <= start < end)")
    if action not in ("set", "drop", "add"):
        raise ValueError(f"action {action!r} is not one of set, drop, add")
    if action == "set" and field not in FIELDS:
        raise ValueError(f"field {field!r} cannot be set (fields: {', '.join(FIELDS)})")
    changes = {field: typed(field, value)} if action == "set" else {}
    for pair in filter(str.strip, value.split(SEP) if action == "add" else ()):
        name, eq, raw = (part.strip() for part in pair.partition("="))
        if not eq or name not in (*FIELDS, "noun", "surface"):
            raise ValueError(f"add: {pair.strip()!r} is not field=value with a field of {', '.join(FIELDS)}, "
                             "noun, surface")
        changes[name] = typed(name, raw) if name != "surface" else pair.partition("=")[2]
    missing = [n for n in ("value", "party", "measure") if n not in changes
               and (n != "value" or changes.get("qualifier") != "vague")] if action == "add" else []
    if missing:
        raise ValueError(f"add: give {', '.join(missing)} (as field=value pairs in value)")
    if not (cells["reason"].strip() and cells["author"].strip()):
        raise ValueError("reason or author is empty (say who corrected and why)")
    key = "\0".join((doc_id, str(start), str(end), action, field, value.strip()))
    return {"correction_id": "c-" + hashlib.sha256(key.encode()).hexdigest()[:12], "doc_id": doc_id,
            "start": start, "end": end, "figure_id": f"{doc_id}:{start}", "action": action, "field": field,
            "value": value, "reason": cells["reason"].strip(), "author": cells["author"].strip(),
            "date": typed("date", cells["date"]) if cells.get("date", "").strip() else None, "changes": changes}


def read_corrections(path: str | Path) -> pd.DataFrame:
    """The corrections of a file (:data:`~sahel.schema.CORRECTIONS` columns, ``status`` empty, and
    ``changes``: field -> typed value), or one :class:`CorrectionsError` (``file:line: problem``)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:  # "'utf-8' codec can't decode byte 0xff in position 9"
        raise CorrectionsError(f"{path}: cannot read the corrections ({exc})") from None
    if len(data) > MAX_BYTES:
        raise CorrectionsError(f"{path}: corrections file over {MAX_BYTES:,} bytes")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, object]] = []
    seen: dict[str, dict[str, object]] = {}
    try:
        header = [h.strip() for h in next(reader, [])]
        odd = {"missing": [c for c in COLUMNS if c not in header], "unknown": [
            c for c in header if c not in COLUMNS + OPTIONAL and QUEUE not in header or header.count(c) > 1]}
        if odd["missing"] or odd["unknown"]:
            raise CorrectionsError(f"{path}:1: the header needs the columns {', '.join(COLUMNS)} (optional: date)"
                                   + "".join(f"; {k} {', '.join(map(repr, v))}" for k, v in odd.items() if v))
        for cells in reader:
            line = reader.line_num
            if not "".join(cells).strip() or QUEUE in header and not dict(zip(header, cells)).get("action", "").strip():
                continue  # a blank line, or a queued figure left as it is
            if len(cells) != len(header):
                raise CorrectionsError(f"{path}:{line}: {len(cells)} fields, the header has {len(header)}")
            try:
                row = {**_row(dict(zip(header, cells))), "file": path.name, "line": line}
            except ValueError as exc:
                raise CorrectionsError(f"{path}:{line}: {exc}") from None
            prev = seen.setdefault(str(row["figure_id"]), {**row, "fields": set()})
            if prev["line"] != line and (
                    prev["action"] != "set" or row["action"] != "set" or row["field"] in prev["fields"]
                    or prev["end"] != row["end"]):
                raise CorrectionsError(f"{path}:{line}: conflicts with line {prev['line']} (the same figure)")
            prev["fields"].add(row["field"])
            rows.append(row)
    except csv.Error as exc:
        raise CorrectionsError(f"{path}:{reader.line_num}: not a CSV row ({exc})") from None
    return frame(rows, {**CORRECTIONS, "changes": "object"})


def _sentence(text: str, start: int, end: int, figures: pd.DataFrame) -> dict[str, object]:
    """The sentence fields of a span: another figure's of the same sentence, else a plain split."""
    same = figures[(figures["sentence_start"] <= start) & (figures["sentence_end"] >= end)]
    if len(same):
        return same.iloc[0][["sentence", "sentence_start", "sentence_end", "paragraph", "quote"]].to_dict()
    s0, m = max((m.end() for m in _BREAK.finditer(text, 0, start)), default=0), _BREAK.search(text, end)
    s1 = m.start() + 1 if m else len(text)
    return {"sentence_start": s0, "sentence_end": s1, "quote": " ".join(text[s0:s1].split()),
            "paragraph": len(re.findall(r"\n[ \t]*\n", text[:start])) + 1}


def apply_corrections(figures: pd.DataFrame, corrections: pd.DataFrame,
                      texts: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The corrected figures, and ``corrections`` with ``status``, ``problem`` and ``surface`` (``texts``:
    the named articles' texts); a CorrectionsError when a correction leaves a date or value range reversed."""
    figs = figures.set_index("figure_id", drop=False)
    ends, ids = dict(zip(figs.index, figs["end"])), {}
    out, added, dropped = corrections.copy(), [], set()
    for i, c in enumerate(corrections.itertuples(index=False)):
        text, problem, said = texts.get(c.doc_id), "", c.changes.get("surface")
        if text is None:
            problem = "the article is not in the corpus"
        elif c.action != "add" and ends.get(c.figure_id) != c.end:
            problem = "no figure at this span any more (the text or the extractor changed)"
        elif c.action == "add" and c.end > len(text):
            problem = f"the span is past the end of the article ({len(text)} characters)"
        elif c.action == "add" and said is not None and text[c.start:c.end] != said:
            problem = f"the span now reads {text[c.start:c.end]!r}, not {said!r}"
        elif c.action == "add" and c.figure_id in ends:
            problem = "a figure is extracted at this span now (use set)"
        out.loc[i, ["surface", "status", "problem"]] = [text[c.start:c.end] if text else pd.NA,
                                                        "stale" if problem else "applied", problem or pd.NA]
        if problem:
            continue
        ids.setdefault(c.figure_id, []).append(c.correction_id)
        if c.action == "drop":
            dropped.add(c.figure_id)
        elif c.action == "add":
            added.append({"figure_id": c.figure_id, "doc_id": c.doc_id, "start": c.start, "end": c.end,
                          "qualifier": "exact", "party_rule": RULE, "measure_rule": RULE,
                          **_sentence(text, c.start, c.end, figs[figs["doc_id"] == c.doc_id]),
                          **c.changes, "surface": text[c.start:c.end]})
        else:
            figs.loc[c.figure_id, c.field] = c.changes[c.field]
            if c.field in ("party", "measure"):
                figs.loc[c.figure_id, f"{c.field}_rule"] = RULE
    fixed = figs[~figs.index.isin(dropped)].reset_index(drop=True)
    if added:
        fixed = pd.concat([fixed, frame(added, FIGURES)], ignore_index=True).sort_values(
            ["doc_id", "start"], kind="stable", ignore_index=True)
    mark = fixed["figure_id"].map({f: SEP.join(v) for f, v in ids.items()})
    fixed = conform(fixed.assign(corrected=mark.notna(), correction=mark), FIGURES)
    bad = fixed["corrected"] & ((fixed["date_start"] > fixed["date_end"]) | (fixed["value_high"] < fixed["value"])
                                ).fillna(False)
    if bad.any():
        fid, first = fixed.loc[bad, "figure_id"].iloc[0], fixed.loc[bad, "correction"].iloc[0].split(SEP)[0]
        c = out.set_index("correction_id").loc[first]
        raise CorrectionsError(f"{c['file']}:{c['line']}: figure {fid}: the correction leaves date_start after "
                               "date_end or value_high below value; correct both")
    return fixed, conform(out.drop(columns="changes"), CORRECTIONS)

