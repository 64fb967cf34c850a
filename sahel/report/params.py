"""The parameters of the notebooks and of ``sahel report``: defaults and validation.

Every notebook's ``parameters`` cell holds literal :data:`DEFAULTS` and calls :func:`validate`;
``sahel report`` validates before any kernel starts, so a wrong value is one line naming it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..schema import reference


DEFAULTS: dict[str, Any] = {"corpus": "", "start": "", "end": "", "parties": [], "title": ""}
"""The parameters every notebook takes, with their defaults."""

HELP: dict[str, str] = {
    "corpus": "corpus folder to parse; empty for the committed data/",
    "start": "first day shown, YYYY-MM-DD; empty for the earliest",
    "end": "last day shown, YYYY-MM-DD; empty for the latest",
    "parties": ("whose losses and forces are shown: party codes such as FRA, MLI, UN or JIHADIST "
                "(a fact belongs to the party that suffered or deployed it); empty for all parties"),
    "title": "title shown at the top of the report",
}

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)
"""The dates a window may start or end on (news of the intervention lie well inside)."""


class ParameterError(ValueError):
    """A parameter has a wrong type or value; the message names it."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(f"parameter `{name}`: {message}")


@dataclass(frozen=True)
class Params:
    """Validated parameters: a corpus folder (None = committed data), a window, parties."""

    corpus: Path | None
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    parties: tuple[str, ...]
    title: str

    def as_dict(self) -> dict[str, Any]:
        """The parameters as notebook literals (what papermill injects)."""
        return {"corpus": str(self.corpus) if self.corpus else "",
                "start": f"{self.start:%Y-%m-%d}" if self.start is not None else "",
                "end": f"{self.end:%Y-%m-%d}" if self.end is not None else "",
                "parties": list(self.parties), "title": self.title}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(name: str, value: Any) -> pd.Timestamp | None:
    if blank(value):
        return None
    if isinstance(value, date):  # a datetime too; YAML reads 2020-01-01 as a date
        value = value.isoformat()[:10]
    if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
        raise ParameterError(name, f"{value!r} is not a date (expected YYYY-MM-DD)")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ParameterError(name, f"{value!r} is not a valid date") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ParameterError(name, f"{value!r} is outside the dates a report shows ({FIRST_DAY} to {LAST_DAY})")
    return pd.Timestamp(day)


def _parties(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise ParameterError("parties", f"{value!r} is not a list of party codes") from None
        else:
            value = [p for p in re.split(r"[,\s]+", text) if p]
    if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
        raise ParameterError("parties", f"{value!r} is not a list of party codes")
    codes = tuple(dict.fromkeys(p.strip().upper() for p in value if p.strip()))
    known = reference("parties")
    unknown = [p for p in codes if p not in set(known["code"])]
    if unknown:
        special = ", ".join(known.loc[known["kind"] != "state", "code"])
        raise ParameterError("parties", f"unknown party code {unknown[0]!r} (use a code of the parties "
                             f"table: ISO alpha-3 such as FRA, MLI, or one of {special})")
    return codes


def _corpus(value: Any) -> Path | None:
    if blank(value):
        return None
    if not isinstance(value, (str, Path)):
        raise ParameterError("corpus", f"{value!r} is not a folder path")
    folder = Path(value).expanduser().resolve()
    if not folder.exists():
        raise ParameterError("corpus", f"folder {str(value)!r} does not exist")
    if not folder.is_dir():
        raise ParameterError("corpus", f"{str(value)!r} is not a folder")
    if not any(folder.glob("*.txt")):
        raise ParameterError("corpus", f"folder {str(value)!r} has no .txt articles")
    return folder


def validate(**params: Any) -> Params:
    """Check notebook parameters (missing ones take their :data:`DEFAULTS`) and return them typed."""
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise ParameterError(unknown[0], f"unknown parameter (known: {', '.join(DEFAULTS)})")
    values = {**DEFAULTS, **params}
    start, end = _date("start", values["start"]), _date("end", values["end"])
    if start is not None and end is not None and end < start:
        raise ParameterError("end", f"{end:%Y-%m-%d} is before start {start:%Y-%m-%d}")
    title = "" if values["title"] is None else values["title"]
    if not isinstance(title, str):
        raise ParameterError("title", f"{title!r} is not a string")
    bad = re.search(r"[\ud800-\udfff]", title)
    if bad:
        raise ParameterError("title", f"holds a lone surrogate (U+{ord(bad.group()):04X}) at character "
                             f"{bad.start() + 1}: not Unicode text")
    return Params(_corpus(values["corpus"]), start, end, _parties(values["parties"]),
                  " ".join(title.split()))


MAX_YAML_BYTES = 65_536
"""The largest parameters file read: a few lines of ``key: value`` need far less."""


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping of parameters, read safely: at most :data:`MAX_YAML_BYTES`, no
    anchors or aliases (an alias bomb is refused before it expands), no tags."""
    import yaml

    name = repr(str(path))  # repr: no control character of a file name reaches the terminal
    try:
        if not path.is_file():
            raise ParameterError("-f", f"parameter file {name} not found" if not path.exists()
                                 else f"{name} is not a regular file")
        with path.open("rb") as f:
            data = f.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise ParameterError("-f", f"{name} is larger than {MAX_YAML_BYTES:,} bytes")
        text = data.decode("utf-8")
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ParameterError("-f", f"{name} uses YAML anchors or aliases (&, *), which are refused")
        loaded = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ParameterError("-f", f"{name} is not readable YAML ({first!r})") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParameterError("-f", f"{name} is not a mapping of parameter: value")
    return {str(k): v for k, v in loaded.items()}


def parse_cli(pairs: list[list[str]] | None, yaml_file: str | Path | None = None) -> dict[str, Any]:
    """``-f params.yaml`` (:func:`read_yaml`) then ``-p KEY VALUE`` pairs (strings, as typed), later ones winning."""
    return {**(read_yaml(Path(yaml_file)) if yaml_file else {}), **dict(pairs or [])}
