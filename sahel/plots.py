"""Charts for the notebooks: seaborn, one consistent style, readable labels.

Every function takes the DataFrame of a :mod:`sahel.narrative` helper and
returns a closed :class:`matplotlib.figure.Figure` for the notebook to
display, so each chart is shown exactly once. The backend is never chosen
here (no ``matplotlib.use``); :func:`style` sets rcParams, including the
ones that keep saved images free of timestamps and random ids, and in a
notebook has the inline backend show figures as laid out (no second,
``bbox_inches="tight"`` layout pass).
"""
from __future__ import annotations

import sys

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .narrative import label, plain

PALETTE = "colorblind"
WIDTH = 9.0


def style() -> None:
    """The house style: seaborn whitegrid, colour-blind palette, fixed sizes and metadata."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update({
        "figure.figsize": (WIDTH, 4.0), "figure.dpi": 90, "savefig.dpi": 90,
        "axes.titlesize": 13, "axes.titleweight": "bold", "axes.titlelocation": "left",
        "svg.hashsalt": "sahel", "svg.fonttype": "path",
        "path.simplify": True, "font.family": "DejaVu Sans",
    })
    _inline_as_laid_out()


def _inline_as_laid_out() -> None:
    """In a notebook, show each figure as :func:`_done` laid it out.

    The inline backend saves figures with ``bbox_inches="tight"``, which lays
    every figure out once more to measure it; after ``tight_layout`` everything
    already fits, so that pass only costs time.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    from IPython.core.pylabtools import select_figure_formats
    from matplotlib_inline.config import InlineBackend

    cfg = InlineBackend.instance()
    cfg.print_figure_kwargs = {**cfg.print_figure_kwargs, "bbox_inches": None}
    select_figure_formats(shell, cfg.figure_formats, **cfg.print_figure_kwargs)


def _figure(height: float = 4.0) -> tuple[Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(WIDTH, height))
    return fig, ax


def _done(fig: Figure) -> Figure:
    fig.tight_layout()
    plt.close(fig)
    return fig


def _empty(title: str, message: str) -> Figure:
    fig, ax = _figure(1.6)
    ax.set_axis_off()
    ax.set_title(plain(title))
    ax.text(0.5, 0.4, plain(message), ha="center", va="center", color="0.4", transform=ax.transAxes)
    return _done(fig)


def _legend(ax: plt.Axes) -> None:
    ax.legend(title="", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


class _PlainLogFormatter(mticker.LogFormatter):
    """Log-axis tick labels as plain numbers (``1,000``, ``3M``), where matplotlib's
    default writes ``10^3`` in mathtext, which is slow to lay out and harder to read."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not super().__call__(x, pos):
            return ""
        return f"{x / 1e6:,g}M" if x >= 1e6 else f"{x:,.0f}" if x >= 1 else f"{x:g}"


def _log_scale(ax: plt.Axes, which: str) -> None:
    """A log scale on the ``which`` (``"x"`` or ``"y"``) axis of ``ax``, with plain tick labels."""
    getattr(ax, f"set_{which}scale")("log")
    axis = getattr(ax, f"{which}axis")
    axis.set_major_formatter(_PlainLogFormatter())
    axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))


def _dates(ax: plt.Axes) -> None:
    loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def timeline_chart(tl: pd.DataFrame, title: str = "Timeline of events and milestones") -> Figure:
    """Events and milestones on one time axis, one row per label."""
    if tl.empty:
        return _empty(title, "no dated event or milestone in this window")
    df = tl.assign(label=tl["label"].map(lambda t: plain(t)[:60])).drop_duplicates(["date", "label"])
    df = df.sort_values(["date", "label"], kind="stable")
    order = list(dict.fromkeys(df["label"]))
    fig, ax = _figure(max(2.5, 0.32 * len(order) + 1.2))
    sns.scatterplot(data=df, x="date", y="label", hue="kind", style="kind", s=90, ax=ax,
                    hue_order=sorted(df["kind"].unique()), style_order=sorted(df["kind"].unique()))
    ax.set(title=plain(title), xlabel="date (as the sources give it)", ylabel="")
    _dates(ax)
    _legend(ax)
    return _done(fig)


def strength_chart(st: pd.DataFrame, title: str = "Troop strength by force") -> Figure:
    """Deployed troops as reported, by force, on a log scale."""
    if st.empty:
        return _empty(title, "no troop strength reported in this window")
    df = st.assign(force=st["force"].map(plain)).sort_values(["date", "force"], kind="stable")
    fig, ax = _figure()
    sns.scatterplot(data=df, x="date", y="value", hue="force", style="kind", s=110, ax=ax,
                    hue_order=sorted(df["force"].unique()), style_order=["strength", "deployment"])
    _log_scale(ax, "y")
    ax.set(title=plain(title), xlabel="as of", ylabel="troops (log scale)")
    _dates(ax)
    _legend(ax)
    return _done(fig)


def places_chart(pl: pd.DataFrame, title: str = "Where it happened") -> Figure:
    """Places of the events at their coordinates, sized by the number of events."""
    if pl.empty:
        return _empty(title, "no located event in this window")
    fig, ax = _figure(4.5)
    sns.scatterplot(data=pl, x="lon", y="lat", size="events", sizes=(80, 400), legend=False,
                    color=sns.color_palette(PALETTE)[0], alpha=0.7, ax=ax)
    for r in pl.itertuples():
        ax.annotate(plain(r.place), (r.lon, r.lat), xytext=(6, 6), textcoords="offset points", fontsize=10)
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.25)
    ax.set(title=plain(title), xlabel="longitude (°E)", ylabel="latitude (°N)")
    return _done(fig)


def costs_chart(summary: pd.DataFrame, title: str = "Human costs by party") -> Figure:
    """Best estimate per party and measure; whiskers from low to high, an arrow
    where the sources give only a lower bound."""
    if summary.empty:
        return _empty(title, "no human cost reported in this window")
    df = summary.assign(who=summary["party"].map(lambda p: plain(f"{label(p)} ({p})")))
    measures = list(dict.fromkeys(df["measure"]))
    fig, axes = plt.subplots(len(measures), 1, figsize=(WIDTH, 1.0 + 0.45 * len(df) + 0.5 * len(measures)),
                             squeeze=False, gridspec_kw={"height_ratios": [max(1, (df["measure"] == m).sum())
                                                                          for m in measures]})
    colors = dict(zip(measures, sns.color_palette(PALETTE, len(measures))))
    for ax, m in zip(axes[:, 0], measures):
        part = df[df["measure"] == m].reset_index(drop=True)
        y = np.arange(len(part))
        ax.barh(y, part["best"], color=colors[m], alpha=0.8)
        for i, r in part.iterrows():
            lo = r["low"] if not pd.isna(r["low"]) else r["best"]
            if pd.isna(r["high"]):
                ax.annotate("", xy=(r["best"] * 1.6, i), xytext=(r["best"], i),
                            arrowprops={"arrowstyle": "->", "color": "0.2"})
            elif r["high"] > lo:
                ax.plot([lo, r["high"]], [i, i], color="0.2", lw=2)
            ax.text(r["best"], i, f"  {r['best']:,.0f}", va="center", ha="left", fontsize=9)
        ax.set_yticks(y, part["who"])
        _log_scale(ax, "x")
        ax.set_xlim(left=max(0.8, part["best"].min() / 2), right=part["best"].max() * 6)
        ax.set_title(m, loc="left", fontsize=11)
        ax.invert_yaxis()
    axes[0, 0].figure.suptitle(plain(title), x=0.01, ha="left", fontweight="bold", fontsize=13)
    axes[-1, 0].set_xlabel("people (log scale; arrow = open-ended \"at least\")")
    return _done(fig)


def cumulative_chart(cd: pd.DataFrame, party: str = "FRA",
                     title: str | None = None) -> Figure:
    """Reported running totals of a party's deaths (steps) and incident counts (bars)."""
    title = title or f"{label(party)} military deaths over time"
    if cd.empty:
        return _empty(title, "no death reported in this window")
    fig, ax = _figure()
    cum = cd[cd["kind"] == "cumulative"]
    inc = cd[cd["kind"] != "cumulative"]
    pal = sns.color_palette(PALETTE)
    if len(cum):
        ax.step(cum["date"], cum["value"], where="post", color=pal[0], lw=2, label="running total as reported")
        ax.scatter(cum["date"], cum["value"], color=pal[0], s=50, zorder=3)
    if len(inc):
        ax.bar(inc["date"], inc["value"], width=4, color=pal[1], alpha=0.8, label="deaths in one incident")
    ax.set(title=plain(title), xlabel="as of", ylabel="deaths")
    ax.set_ylim(bottom=0)
    _dates(ax)
    _legend(ax)
    return _done(fig)


def materiel_chart(mat: pd.DataFrame, title: str = "Materiel destroyed or lost") -> Figure:
    """Items destroyed or lost, by kind of item and party."""
    if mat.empty:
        return _empty(title, "no materiel destroyed or lost in this window")
    df = mat.assign(what=mat["what"].map(plain), party=mat["party"].map(lambda p: plain(label(p))))
    df = df.dropna(subset=["value"]).groupby(["what", "party"], as_index=False)["value"].sum()
    if df.empty:
        return _empty(title, "no counted materiel in this window")
    fig, ax = _figure(1.2 + 0.5 * len(df))
    sns.barplot(data=df, y="what", x="value", hue="party", ax=ax, orient="h",
                hue_order=sorted(df["party"].unique()), order=sorted(df["what"].unique()))
    ax.set(title=plain(title), xlabel="items", ylabel="")
    _legend(ax)
    return _done(fig)


def sources_chart(audit: pd.DataFrame, title: str = "What was extracted per article") -> Figure:
    """Figures and uncoded numbers per article."""
    if audit.empty:
        return _empty(title, "no article")
    df = audit.melt(id_vars="article", value_vars=["figures", "not figures"], var_name="count",
                    value_name="n")
    df["article"] = df["article"].map(plain)
    fig, ax = _figure(1.2 + 0.45 * len(audit))
    sns.barplot(data=df, y="article", x="n", hue="count", ax=ax, orient="h",
                order=list(dict.fromkeys(df["article"])), hue_order=["figures", "not figures"])
    ax.set(title=plain(title), xlabel="numbers in the text", ylabel="article")
    _legend(ax)
    return _done(fig)
