"""How many, of whom, in a window, without double counting: :func:`total` over the facts table, by the
flow and stock rules of the codebook's "Facts and totals (version 2)": a cumulative fact replaces the facts
it covers, parts are never added, levels never summed over time, and an undated fact ("some time before
publication") lies only in windows without a start. What stays out: making the facts.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

STOCKS = ("deployed", "displaced")


@dataclass(frozen=True)
class Total:
    """``low``, ``best``, ``high`` (None when open) of a measure, and the ``facts`` (fact ids) used."""

    measure: str
    party: str | None
    low: float
    best: float
    high: float | None
    facts: tuple[str, ...]

    def __str__(self) -> str:
        who = f" {self.party}" if self.party else ""
        high = "open" if self.high is None else f"{self.high:,.0f}"
        return (f"{self.measure}{who}: best {self.best:,.0f} (low {self.low:,.0f}, high {high}; "
                f"{len(self.facts)} facts)")


def _day(x: object) -> pd.Timestamp | None:
    return None if pd.isna(t := pd.Timestamp(x)) else t


def total(facts: pd.DataFrame, measure: str, party: str | None = None, start: object = None,
          end: object = None) -> Total:
    """How many ``measure`` (of ``party``; every party when None) in ``[start, end]`` (open when None)."""
    try:
        ws, we = _day(start), _day(end)
    except (ValueError, TypeError):
        raise ValueError(f"start and end must be dates (YYYY-MM-DD) or None, not {start!r} and {end!r}") from None
    if ws is not None and we is not None and we < ws:
        raise ValueError(f"end {we.date()} is before start {ws.date()}")
    f = facts[(facts["measure"] == measure) & ((facts["party"] == party) if party is not None else True)]
    rows = [r._replace(date_start=_day(r.date_start), date_end=_day(r.date_end) or _day(r.date_start),
                       high=None if pd.isna(r.high) else float(r.high), part_of=None if pd.isna(r.part_of) else
                       r.part_of, place_id=None if pd.isna(r.place_id) else r.place_id)
            for r in f[["fact_id", "kind", "party", "low", "best", "high", "date_start", "date_end", "date_basis",
                        "part_of", "place_id"]].itertuples(index=False)]
    inside = [r for r in rows if (ws is None or (r.date_start is not None and r.date_start >= ws))
              and (we is None or (r.date_end is not None and r.date_end <= we))]
    used = _stock(inside) if measure in STOCKS else _flow(inside)
    used.sort(key=lambda r: (r.date_start or pd.Timestamp.min, r.fact_id))
    high = None if any(r.high is None for r in used) else float(sum(r.high for r in used))
    return Total(measure, party, float(sum(r.low for r in used)), float(sum(r.best for r in used)), high,
                 tuple(r.fact_id for r in used))


def _within(r, c) -> bool:
    """``r``'s period lies inside the cumulative ``c``'s (an open start of ``c``: since ever)."""
    return (r.date_end is not None and c.date_end is not None and r.date_end <= c.date_end
            and (c.date_start is None or (r.date_start is not None and r.date_start >= c.date_start)))


def _flow(rows: list) -> list:
    """The largest cumulative facts that do not overlap, and the incidents they do not cover."""
    chosen: list = []
    for c in sorted((r for r in rows if r.kind == "cumulative"),
                    key=lambda r: (-r.best, -(r.date_end or pd.Timestamp.min).value, r.fact_id)):
        if not any((c.party == o.party or "UNKNOWN" in (c.party, o.party)) and _overlap(c, o) for o in chosen):
            chosen.append(c)
    ids = {c.fact_id for c in chosen}
    covered = {r.fact_id for r in rows if r.fact_id not in ids and any(
        (c.party == r.party or c.party == "UNKNOWN") and _within(r, c) for c in chosen)}
    return _without_parts(chosen + [r for r in rows if r.kind == "incident" and r.fact_id not in covered], covered)


def _overlap(a, b) -> bool:
    lo = [x for x in (a.date_start, b.date_start) if x is not None]
    hi = [x for x in (a.date_end, b.date_end) if x is not None]
    return not lo or not hi or max(lo) <= min(hi)


def _without_parts(used: list, covered: set[str]) -> list:
    """``used`` less the facts whose aggregate (or its aggregate …) is used or covered."""
    present = {r.fact_id for r in used} | covered
    parent = {r.fact_id: r.part_of for r in used}
    out = []
    for r in used:
        up, seen = r.part_of, set()
        while up is not None and up not in present and up not in seen:
            seen.add(up)
            up = parent.get(up)
        if up is None or up not in present:
            out.append(r)
    return out


def _stock(rows: list) -> list:
    """The levels dated last (a level dated on the day an undated one was reported comes after it),
    less parts, one of each force and place."""
    levels = [r for r in rows if r.kind == "stock" and r.date_end is not None]
    at = max((r.date_end for r in levels), default=None)
    last = [r for r in levels if r.date_end == at]
    last = [r for r in last if r.date_basis != "published"] or last
    one: dict = {}
    for r in sorted(_without_parts(last, set()), key=lambda r: r.fact_id):
        one.setdefault((r.party, r.place_id), r)
    return list(one.values())
