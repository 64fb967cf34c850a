"""How many, of whom, in a window, without double counting: :func:`total` over the facts table.

Holds the codebook's flow and stock rules ("Facts and totals (version 2)"). Flows (killed, wounded,
captured, destroyed): a cumulative fact whose period lies inside the window replaces every fact it
covers (the same party, or every party for an all-sides ``UNKNOWN`` total; period inside its
period); of overlapping cumulative facts the largest is used; the incidents no cumulative covers are
added; a part is never added with its aggregate; an open fact (``at_least``) leaves ``high`` open.
Stocks (deployed, displaced): the latest level whose period lies in the window, never a sum over
time (levels at that same date added when not parts of one another); deployments ("600 more") are
not levels. An undated incident ("some time before
publication") lies inside only a window without a start. What stays out: making the facts.
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
    if x is None:
        return None
    t = pd.Timestamp(x)
    return None if pd.isna(t) else t


def total(facts: pd.DataFrame, measure: str, party: str | None = None, start: object = None,
          end: object = None) -> Total:
    """How many ``measure`` (of ``party``; every party when None) in ``[start, end]`` (open when None)."""
    try:
        ws, we = _day(start), _day(end)
    except (ValueError, TypeError):
        raise ValueError(f"start and end must be dates (YYYY-MM-DD) or None, not {start!r} and {end!r}") from None
    if ws is not None and we is not None and we < ws:
        raise ValueError(f"end {we.date()} is before start {ws.date()}")
    f = facts[facts["measure"] == measure]
    if party is not None:
        f = f[f["party"] == party]
    rows = [r for r in f[["fact_id", "kind", "party", "low", "best", "high", "date_start", "date_end",
                          "part_of", "place_id"]].itertuples(index=False)]
    rows = [r._replace(date_start=_day(r.date_start), date_end=_day(r.date_end),
                       high=None if pd.isna(r.high) else float(r.high),
                       part_of=None if pd.isna(r.part_of) else r.part_of) for r in rows]
    used = _stock(rows, ws, we) if measure in STOCKS else _flow(rows, ws, we)
    high = None if any(r.high is None for r in used) else float(sum(r.high for r in used))
    used.sort(key=lambda r: (r.date_start or pd.Timestamp.min, r.fact_id))
    return Total(measure, party, float(sum(r.low for r in used)), float(sum(r.best for r in used)), high,
                 tuple(r.fact_id for r in used))


def _inside(r, ws, we) -> bool:
    """The fact's whole period lies in the window (an open start only in a window without start)."""
    if ws is not None and (r.date_start is None or r.date_start < ws):
        return False
    end = r.date_end if r.date_end is not None else r.date_start
    return we is None or (end is not None and end <= we)


def _within(r, c) -> bool:
    """``r``'s period lies inside the cumulative ``c``'s (an open start of ``c``: since ever)."""
    end = r.date_end if r.date_end is not None else r.date_start
    if end is None or c.date_end is None or end > c.date_end:
        return False
    return c.date_start is None or (r.date_start is not None and r.date_start >= c.date_start)


def _overlap(a, b) -> bool:
    lo = [x for x in (a.date_start, b.date_start) if x is not None]
    hi = [x for x in (a.date_end, b.date_end) if x is not None]
    return not lo or not hi or max(lo) <= min(hi)


def _flow(rows: list, ws, we) -> list:
    chosen: list = []
    for c in sorted((r for r in rows if r.kind == "cumulative" and _inside(r, ws, we)),
                    key=lambda r: (-r.best, -(r.date_end or pd.Timestamp.min).value, r.fact_id)):
        if not any((c.party == o.party or "UNKNOWN" in (c.party, o.party)) and _overlap(c, o) for o in chosen):
            chosen.append(c)
    ids = {c.fact_id for c in chosen}
    covered = {r.fact_id for r in rows if r.fact_id not in ids and any(
        (c.party == r.party or c.party == "UNKNOWN") and _within(r, c) for c in chosen)}
    used = chosen + [r for r in rows if r.kind == "incident" and r.fact_id not in covered and _inside(r, ws, we)]
    return _without_parts(used, covered)


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


def _stock(rows: list, ws, we) -> list:
    """The levels dated last in the window (a level reported undated lies before its earliest report)."""
    levels = [r for r in rows if r.kind == "stock" and _inside(r, ws, we)]
    at: dict = {}
    for r in levels:
        at.setdefault(r.date_end if r.date_end is not None else r.date_start, []).append(r)
    at.pop(None, None)
    one: dict = {}  # levels at that date are added across forces and places, one level of each
    for r in sorted(at[max(at)], key=lambda r: r.fact_id) if at else ():
        one.setdefault((r.party, None if pd.isna(r.place_id) else r.place_id), r)
    return _without_parts(list(one.values()), set())
