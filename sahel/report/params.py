"""Validation of the parameters of the notebooks and of ``sahel report``.

Every notebook starts with a ``parameters`` cell of literal defaults
(:data:`DEFAULTS`) and validates it with :func:`validate`. ``sahel report``
validates the same values before any kernel starts, so a wrong value gives one
clear line naming the parameter (:class:`ParameterError`) instead of a
traceback from inside a notebook.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd


DEFAULTS: dict[str, Any] = {
    "corpus": "",
    "start": "",
    "end": "",
    "parties": [],
    "title": "",
}
"""The parameters every notebook takes, with their defaults."""

HELP: dict[str, str] = {
    "corpus": "corpus folder to parse; empty for the committed data/",
    "start": "first day shown, YYYY-MM-DD; empty for the earliest",
    "end": "last day shown, YYYY-MM-DD; empty for the latest",
    "parties": ("whose losses and forces are shown: party codes such as FRA, MLI, UN or JIHADIST "
                "(a fact belongs to the party that suffered or deployed it); empty for all parties"),
    "title": "title shown at the top of the report",
}

SPECIAL_PARTIES = ("UN", "EU", "G5S", "JIHADIST", "ARMED_GROUP", "MERCENARY", "CIVILIAN",
                   "UNKNOWN")
"""Party codes of the codebook that are not states."""

_ISO3 = """
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA
BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN
CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU
EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB
GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL
ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO
LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR
MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER
PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM
SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM
VUT WLF WSM YEM ZAF ZMB ZWE
"""
STATES = frozenset(_ISO3.split())
"""ISO 3166-1 alpha-3 codes: the party codes of states."""
PARTIES = STATES | frozenset(SPECIAL_PARTIES)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def _date(name: str, value: Any) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (date, datetime)):
        return pd.Timestamp(value.year, value.month, value.day)
    if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
        raise ParameterError(name, f"{value!r} is not a date (expected YYYY-MM-DD)")
    try:
        return pd.Timestamp(date.fromisoformat(value.strip()))
    except ValueError:
        raise ParameterError(name, f"{value!r} is not a valid date") from None


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
    unknown = [p for p in codes if p not in PARTIES]
    if unknown:
        raise ParameterError("parties", f"unknown party code {unknown[0]!r} (use ISO alpha-3 "
                             f"codes such as FRA, MLI or one of {', '.join(SPECIAL_PARTIES)})")
    return codes


def _corpus(value: Any) -> Path | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, (str, Path)):
        raise ParameterError("corpus", f"{value!r} is not a folder path")
    folder = Path(value).expanduser()
    if not folder.is_absolute():  # `sahel report` passes absolute paths; a relative one is the caller's
        folder = folder.resolve()
    if not folder.exists():
        raise ParameterError("corpus", f"folder {str(value)!r} does not exist")
    if not folder.is_dir():
        raise ParameterError("corpus", f"{str(value)!r} is not a folder")
    if not any(folder.glob("*.txt")):
        raise ParameterError("corpus", f"folder {str(value)!r} has no .txt articles")
    return folder.resolve()


def validate(**params: Any) -> Params:
    """Check notebook parameters and return them typed; raise :class:`ParameterError`.

    Missing parameters take their :data:`DEFAULTS`; unknown names are errors.
    """
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise ParameterError(unknown[0], f"unknown parameter (known: {', '.join(DEFAULTS)})")
    values = {**DEFAULTS, **params}
    start, end = _date("start", values["start"]), _date("end", values["end"])
    if start is not None and end is not None and end < start:
        raise ParameterError("end", f"{end:%Y-%m-%d} is before start {start:%Y-%m-%d}")
    title = values["title"]
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise ParameterError("title", f"{title!r} is not a string")
    return Params(_corpus(values["corpus"]), start, end, _parties(values["parties"]),
                  " ".join(title.split()))


def parse_cli(pairs: list[list[str]] | None, yaml_file: str | Path | None = None) -> dict[str, Any]:
    """Merge ``-f params.yaml`` and ``-p KEY VALUE`` pairs (later wins) into raw values.

    ``-p`` values are kept as typed (dates stay strings); ``parties`` may be a
    JSON list (``'["FRA"]'``) or comma-separated codes.
    """
    import yaml

    raw: dict[str, Any] = {}
    if yaml_file:
        path = Path(yaml_file)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ParameterError("-f", f"parameter file {str(path)!r} not found") from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ParameterError("-f", f"{str(path)!r} is not readable YAML ({first})") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ParameterError("-f", f"{str(path)!r} is not a mapping of parameter: value")
        raw.update({str(k): v for k, v in loaded.items()})
    for key, value in pairs or []:
        raw[key] = value
    return raw


def check(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate raw values and return the notebook literals to inject."""
    return validate(**dict(raw)).as_dict()
