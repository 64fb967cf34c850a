"""Charts for the notebooks: matplotlib figures, closed (each shown once), from a section's DataFrame.

A party has one colour in every chart (:data:`PARTY_COLOURS`, the rest grey), compared lengths are
linear, labels on bars are the amounts the text states; :func:`style` keeps images deterministic.
"""
from __future__ import annotations

import json
from functools import cache

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon
from matplotlib.ticker import MaxNLocator

from .. import paths
from ..schema import party_name
from .narrative import number, plain
from .trajectory import deadliest

WIDTH = 11.0
PARTY_COLOURS: dict[str, str] = {
    "FRA": "#0072B2", "MLI": "#009E73", "BFA": "#D55E00", "NER": "#E69F00", "TCD": "#56B4E9",
    "UN": "#7570B3", "G5S": "#CC79A7", "JIHADIST": "#000000", "CIVILIAN": "#B8860B", "UNKNOWN": "#8C564B",
}
"""One colour per party, in every chart (Okabe-Ito colours first); any other party is grey."""
OTHER = "#A0A0A0"
CORPUS = "#264653"
"""The corpus's bars beside a reference count (not a party)."""
FRAME = (-18.0, 25.0, 4.0, 25.5)
"""The map's frame: longitude and latitude bounds around the Sahel."""


def colour(party: str) -> str:
    return PARTY_COLOURS.get(str(party), OTHER)


def style() -> None:
    """The house style: white grid, fixed sizes and metadata (deterministic SVG/PNG)."""
    plt.style.use("seaborn-v0_8-whitegrid")
    plt.rcParams.update({"figure.figsize": (WIDTH, 4.0), "figure.dpi": 90, "savefig.dpi": 90, "axes.titlesize": 13,
                         "axes.titleweight": "bold", "axes.titlelocation": "left", "svg.hashsalt": "sahel",
                         "svg.fonttype": "path", "path.simplify": True, "font.family": "DejaVu Sans"})


def done(fig: Figure) -> Figure:
    """Lay a figure out and close it (the notebook shows the returned figure once)."""
    fig.tight_layout()
    plt.close(fig)
    return fig


def empty(title: str, message: str) -> Figure:
    """A small figure saying why there is no chart."""
    fig, ax = plt.subplots(figsize=(WIDTH, 1.4))
    ax.set_axis_off()
    ax.set_title(plain(title))
    ax.text(0.5, 0.4, plain(message), ha="center", va="center", color="0.4", transform=ax.transAxes)
    return done(fig)


def date_axis(ax: plt.Axes) -> None:
    """Concise date ticks on the x axis."""
    loc = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def legend(ax: plt.Axes, parties: list[str], **kw) -> None:
    """A legend of party colours (name and code), "other" once for the grey ones."""
    shown = [p for p in PARTY_COLOURS if p in parties] + ["OTHER"] * any(p not in PARTY_COLOURS for p in parties)
    ax.legend(handles=[Patch(color=colour(p), label=plain(f"{party_name(p)} ({p})") if p != "OTHER" else "other")
                       for p in shown], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, **kw)


def stacked(ax: plt.Axes, table: pd.DataFrame, x: np.ndarray, width: float, across: bool = False) -> None:
    """Bars stacked by party (horizontal ones ``across``): ``table`` has one column per party."""
    bottom = np.zeros(len(table))
    for party in table.columns:
        vals = table[party].to_numpy(dtype=float)
        (ax.barh if across else ax.bar)(x, vals, width, bottom, color=colour(party), edgecolor="white", linewidth=0.5)
        bottom += vals


def by_colour(df: pd.DataFrame, index: str, value: str) -> pd.DataFrame:
    """Pivot to one column per coloured party (the others summed under ``OTHER``)."""
    d = df.assign(party=[p if p in PARTY_COLOURS else "OTHER" for p in df["party"]])
    t = d.pivot_table(index=index, columns="party", values=value, aggfunc="sum", fill_value=0.0)
    return t[[p for p in [*PARTY_COLOURS, "OTHER"] if p in t.columns]]


def timeline_chart(ev: pd.DataFrame, title: str = "Killed per period, by party") -> Figure:
    """Deaths in dated events per month (or quarter, over more than three years), stacked by
    party; the five deadliest events labelled."""
    if ev.empty or ev["killed"].sum() == 0:
        return empty(title, "no dated event with deaths in this window")
    span = (ev["date"].max() - ev["date"].min()).days
    freq, name = ("QS", "quarter") if span > 3 * 365 else ("MS", "month")
    d = ev.assign(period=ev["date"].dt.to_period(freq[0]).dt.start_time)
    t = by_colour(d, "period", "killed").asfreq(freq, fill_value=0.0)  # empty periods too
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    width = 80 if freq == "QS" else 26
    stacked(ax, t, mdates.date2num(t.index) + width / 2, width)
    heights = t.sum(axis=1)
    big = deadliest(ev)
    for i, r in enumerate(big.itertuples(), 1):
        p = r.date.to_period(freq[0]).start_time
        ax.annotate(str(i), (mdates.date2num(p) + width / 2, heights.get(p, 0)), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9, fontweight="bold")
    ax.set_ylim(0, heights.max() * 1.12)
    ax.text(1.02, 0.0, "Deadliest events:\n" + "\n".join(
        plain(f"{i} {r.place[:26]}, {r.date:%b %Y}: {number(r.event_killed)}")
        for i, r in enumerate(big.itertuples(), 1)), transform=ax.transAxes, va="bottom", fontsize=8)
    ax.xaxis_date()
    date_axis(ax)
    ax.set(title=plain(title), xlabel=f"{name} of the event", ylabel=f"killed per {name}")
    legend(ax, list(d["party"].unique()))
    return done(fig)


def strength_chart(st: pd.DataFrame, title: str = "Troop strength by force") -> Figure:
    """Deployed troops as reported, by force (a line through the levels of one kind of
    personnel, open markers for deployments)."""
    if st.empty:
        return empty(title, "no troop strength reported in this window")
    fig, ax = plt.subplots(figsize=(WIDTH, 4.0))
    for party, g in st.groupby("party", sort=True):
        lv, dep = g[g["kind"] == "strength"], g[g["kind"] != "strength"]
        for _, same in lv.groupby(lv["noun"].fillna("") if "noun" in lv else 0):  # police apart from troops
            ax.plot(same["date"], same["value"], "-o", color=colour(party), lw=1, ms=6, alpha=0.9)
        if len(dep):
            ax.scatter(dep["date"], dep["value"], s=60, facecolors="none", edgecolors=colour(party), lw=2)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set(ylim=(0, None), title=plain(title), xlabel="as of", ylabel="troops")
    date_axis(ax)
    legend(ax, list(st["party"].unique()), title="filled: strength\nopen: deployment")
    return done(fig)


@cache
def borders() -> tuple[tuple[str, tuple[np.ndarray, ...]], ...]:
    """Country outlines of the shipped Natural Earth file: (ISO code, outer rings)."""
    data = json.loads((paths.RESOURCES_DIR / "sahel_borders.geojson").read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        out.append((f["properties"]["ADM0_A3"], tuple(np.asarray(p[0], dtype=float) for p in polys)))
    return tuple(out)


def places_chart(pl: pd.DataFrame, title: str = "Where it happened", labels: int = 10) -> Figure:
    """Events on a map of the Sahel's borders, sized by deaths; places outside the frame listed."""
    if pl.empty:
        return empty(title, "no located event in this window")
    x0, x1, y0, y1 = FRAME
    country = pl[pl["kind"] == "country"] if "kind" in pl else pl.iloc[:0]  # a country's centre is no place
    pl = pl.drop(country.index)
    inside = pl[pl["lon"].between(x0, x1) & pl["lat"].between(y0, y1)]
    outside = pl.drop(inside.index)
    fig, (ax, side) = plt.subplots(1, 2, figsize=(WIDTH + 1.5, 5.2), gridspec_kw={"width_ratios": [4.2, 1]})
    side.set_axis_off()
    for code, rings in borders():
        for ring in rings:
            ax.add_patch(Polygon(ring, closed=True, facecolor="#F2F2EE" if code in ("MLI", "BFA", "NER")
                                 else "white", edgecolor="0.55", lw=0.7))
    size = 30 + 470 * np.sqrt(inside["killed"] / max(inside["killed"].max(), 1))
    ax.scatter(inside["lon"], inside["lat"], s=size, color="#C0392B", alpha=0.55, edgecolor="0.2", lw=0.5,
               zorder=3)
    top: list = []  # the deadliest places, each far enough from those labelled before
    for r in inside.sort_values(["killed", "events", "place"], ascending=[False, False, True]).itertuples():
        if len(top) < labels and all(abs(r.lon - t.lon) > 2.5 or abs(r.lat - t.lat) > 0.8 for t in top):
            top.append(r)
    for r in top:
        ax.annotate(plain(f"{r.place[:24]} ({number(r.killed)})"), (r.lon, r.lat), xytext=(5, 4),
                    textcoords="offset points", fontsize=8, zorder=4)
    ax.grid(False)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal", title=plain(title), xlabel="longitude (°E)",
           ylabel="latitude (°N)")
    hidden = len(inside) - len(top)
    note = "circle area: killed" + (f"\n{hidden} smaller or crowded\n{'place' if hidden == 1 else 'places'} unlabelled"
                                    if hidden else "")
    for head, rows in (("Located only to a country", country), ("Outside the map", outside)):
        if len(rows):
            note += f"\n\n{head}:\n" + "\n".join(
                plain(f"{r.place[:18]}: {number(r.killed)} killed") for r in rows.itertuples())
    side.text(0.0, 1.0, note, transform=side.transAxes, va="top", ha="left", fontsize=8.5, wrap=True)
    return done(fig)


def costs_chart(summary: pd.DataFrame, title: str = "Human costs by party") -> Figure:
    """Total per party and measure, one linear panel per measure: each bar as long as the number
    the text states first, labelled with its words, pale up to a range's high end, an arrow where open."""
    if summary.empty:
        return empty(title, "no human cost reported in this window")
    measures = list(dict.fromkeys(summary["measure"]))
    sizes = [max(1, int((summary["measure"] == m).sum())) for m in measures]
    fig, axes = plt.subplots(len(measures), 1, figsize=(WIDTH, 0.9 + 0.38 * sum(sizes) + 0.55 * len(measures)),
                             squeeze=False, gridspec_kw={"height_ratios": sizes})
    for ax, m in zip(axes[:, 0], measures):
        part = summary[summary["measure"] == m].reset_index(drop=True)
        y = np.arange(len(part))
        ax.barh(y, part["stated"], color=[colour(p) for p in part["party"]], height=0.7)
        right = float(np.nanmax(np.r_[part["stated"].to_numpy(float), part["high"].to_numpy(float)]))
        for i, r in part.iterrows():
            end = r["stated"]
            if pd.isna(r["high"]):
                end += 0.08 * right
                ax.annotate("", xy=(end, i), xytext=(r["stated"], i), arrowprops={"arrowstyle": "->", "color": "0.2"})
            elif r["high"] > r["stated"] and not r["amount"].startswith("about"):
                ax.barh(i, r["high"] - r["stated"], left=r["stated"], color=colour(r["party"]), alpha=0.35, height=0.7)
                end = r["high"]
            ax.text(end + 0.02 * right, i, plain(r["amount"]), va="center", ha="left", fontsize=9)
        ax.set_yticks(y, [plain(f"{party_name(p)} ({p})") for p in part["party"]])
        ax.set_xlim(0, right * 1.45)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v / 1e6:,g}M" if v >= 1e6 else f"{v:,.0f}")
        ax.set_title(m, loc="left", fontsize=11)
        ax.invert_yaxis()
    fig.suptitle(plain(title), x=0.01, ha="left", fontweight="bold", fontsize=13)
    axes[-1, 0].set_xlabel("people (linear; pale: up to the high end of a range; arrow: \"at least\")")
    return done(fig)


def killed_by_year_chart(k: pd.DataFrame, title: str = "Killed per year, by party") -> Figure:
    """Deaths dated within each year, stacked by party (the numbers the text states first)."""
    if k.empty:
        return empty(title, "no death dated within a single year in this window")
    t = by_colour(k, "year", "stated")
    t = t.reindex(range(int(t.index.min()), int(t.index.max()) + 1), fill_value=0.0)
    fig, ax = plt.subplots(figsize=(WIDTH, 4.0))
    stacked(ax, t, t.index.to_numpy(), 0.75)
    ax.set_xticks(t.index.to_numpy(), [str(y) for y in t.index], rotation=0 if len(t) < 14 else 45)
    ax.set(ylim=(0, t.sum(axis=1).max() * 1.05), title=plain(title), xlabel="year",
           ylabel="killed, as the text states it")
    legend(ax, list(k["party"].unique()))
    return done(fig)


def cumulative_chart(cd: pd.DataFrame, party: str = "FRA", title: str | None = None) -> Figure:
    """Reported running totals of a party's deaths (steps) and incident counts (bars)."""
    title = title or f"Military deaths of {party_name(party)} over time"
    if cd.empty:
        return empty(title, "no death reported in this window")
    fig, ax = plt.subplots(figsize=(WIDTH, 4.0))
    cum, inc = cd[cd["kind"] == "cumulative"], cd[cd["kind"] != "cumulative"]
    if len(cum):  # one line through the totals since the earliest start; a count "this year" is a point
        year = cum["since"].dt.year
        main = cum[year == year.min()] if year.notna().any() else cum
        ax.step(main["date"], main["value"], where="post", color=colour(party), lw=2,
                label=f"running total as reported{f' since {int(year.min())}' if year.notna().any() else ''}")
        ax.scatter(main["date"], main["value"], color=colour(party), s=40, zorder=3)
        rest = cum.drop(main.index)
        if len(rest):
            ax.scatter(rest["date"], rest["value"], s=40, facecolors="none", edgecolors=colour(party), lw=1.5,
                       zorder=3, label="running total since a later start")
        for r in cum.drop_duplicates(["value", "since"], keep="first").itertuples():
            since = f" since {r.since.year}" if not pd.isna(r.since) else ""
            ax.annotate(f"{'≥' if r.qualifier == 'at_least' else ''}{number(r.value)}{since}", (r.date, r.value),
                        xytext=(-4, 6), textcoords="offset points", ha="right", fontsize=8)
    if len(inc):
        ax.bar(inc["date"], inc["value"], width=20, color=colour(party), alpha=0.45, label="deaths in one incident")
    ax.set(title=plain(title), xlabel="as of", ylabel="deaths", ylim=(0, cd["value"].max() * 1.15))
    date_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return done(fig)


def materiel_chart(mat: pd.DataFrame, title: str = "Materiel destroyed or lost") -> Figure:
    """Items destroyed or lost per kind of item (totals of :func:`.costs.materiel_totals`), by party."""
    df = mat.dropna(subset=["value"])
    if df.empty:
        return empty(title, "no counted materiel destroyed or lost in this window")
    df = df.assign(what=df["what"].map(lambda w: plain(w)[:30])).groupby(
        ["what", "party"], as_index=False)["value"].sum()
    t = by_colour(df, "what", "value")
    fig, ax = plt.subplots(figsize=(WIDTH, 1.2 + 0.4 * len(t)))
    stacked(ax, t, np.arange(len(t)), 0.7, across=True)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(yticks=np.arange(len(t)), yticklabels=list(t.index), ylim=(len(t) - 0.5, -0.5), title=plain(title),
           xlabel="items (linear)")
    legend(ax, list(df["party"].unique()))
    return done(fig)


def ucdp_chart(t: pd.DataFrame, title: str = "Deaths in the corpus vs UCDP, per country and year") -> Figure:
    """One panel per country: UCDP's best count (grey bars, low-high whisker) and the corpus's total."""
    if t.empty:
        return empty(title, "no year of this window in the UCDP data shipped")
    countries = list(dict.fromkeys(t["country"]))
    fig, axes = plt.subplots(1, len(countries), figsize=(WIDTH, 3.6), squeeze=False, sharey=True)
    for ax, c in zip(axes[0], countries):
        g = t[t["country"] == c]
        x = g["year"].to_numpy()
        ax.bar(x - 0.2, g["ucdp_best"], width=0.4, color="0.78", label="UCDP best (line: low-high)")
        ax.vlines(x - 0.2, g["ucdp_low"], g["ucdp_high"], color="0.4", lw=1)
        ax.bar(x + 0.2, g["corpus"], width=0.4, color=CORPUS, label="corpus (every party)")
        ax.set_title(party_name(c), fontsize=11)
        ax.set_xticks(x, [f"'{y % 100:02d}" for y in x], fontsize=8)
    axes[0, 0].set_ylabel("deaths (linear)")
    axes[0, 0].yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    axes[0, -1].legend(loc="upper left", frameon=False, fontsize=8)
    fig.suptitle(plain(title), x=0.01, ha="left", fontweight="bold", fontsize=13)
    return done(fig)


def sources_chart(audit: pd.DataFrame, title: str = "Numbers in each article: coded or not",
                  most: int = 60) -> Figure:
    """Per article (per year of publication beyond ``most`` articles), the numbers of its text
    coded as figures and those not coded (they add up)."""
    if audit.empty:
        return empty(title, "no article published in this window")
    rows = audit.set_index("article")[["coded", "not coded"]]
    if len(audit) > most:
        title, rows = "Numbers in the articles of each year: coded or not", rows.groupby(
            audit["published"].str[:4].replace("", "undated").to_numpy()).sum()
    fig, ax = plt.subplots(figsize=(WIDTH, 1.2 + 0.26 * len(rows)))
    y = np.arange(len(rows))
    ax.barh(y, rows["coded"], color="#0072B2", height=0.75, label="coded as figures")
    ax.barh(y, rows["not coded"], left=rows["coded"], color="0.75", height=0.75, label="not coded")
    ax.set_yticks(y, [plain(a) for a in rows.index], fontsize=8 if len(rows) > 20 else 10)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(ylim=(len(rows) - 0.5, -0.5), title=plain(title), xlabel="numbers in the text (linear)",
           ylabel="article" if len(audit) <= most else "year of publication")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return done(fig)
