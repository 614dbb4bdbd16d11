"""Plotting helpers of the reports. Each returns a matplotlib Figure that carries the mark.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot state): a notebook shows
one with ``display(fig)``; nothing here calls ``plt.show()``.

Imputed values (rates resting on a suppressed small count that the panel filled in) are never
drawn as part of the observed line: they are open circles, explained in the legend.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from typing import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.layout_engine import ConstrainedLayoutEngine, PlaceHolderLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from aoresearch.catalogue import Rate
from aoresearch.config import Pilot
from aoresearch.reports.i18n import rate_label, t
from aoresearch.reports.marks import mark_figure, marks_of

__all__ = [
    "PALETTE",
    "COUNTRY_COLOUR",
    "region_colours",
    "figure_image",
    "plot_region_trends",
    "plot_latest_vs_national",
    "plot_scenarios",
]

# Okabe-Ito: distinguishable with colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
COUNTRY_COLOUR = "#6b6b6b"
_SHADE = "#e3e3e3"
_DPI = 100
_PAD_INCHES = 0.12  # white margin around a saved figure
_FACTOR_ROLES = ("risk", "protective", "context")


def region_colours(labels: Sequence[str]) -> dict[str, str]:
    """A fixed colour per region label, in order, from :data:`PALETTE`."""
    return {label: PALETTE[n % len(PALETTE)] for n, label in enumerate(labels)}


def figure_image(fig: Figure, alt: str):
    """``fig`` as a PNG for a notebook output, with alternative text for screen readers.

    Rendered here rather than by the notebook's matplotlib backend, so the output does not
    depend on ``%matplotlib`` settings and carries ``alt`` and the figure's marks (gids of
    :func:`~aoresearch.reports.marks.mark_figure`) in its metadata; the report template writes
    them to the ``<img>`` as ``alt`` and ``data-ao-marks``, so tests can check every figure.

    Returns
    -------
    IPython.display.Image
    """
    from IPython.display import Image

    area = _saved_area(fig)
    freeze_layout(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches=area, pad_inches=_PAD_INCHES,
                facecolor="white", metadata={"Software": None})
    return Image(data=buffer.getvalue(), format="png", metadata={"alt": alt, "marks": " ".join(sorted(marks_of(fig)))})


def _saved_area(fig: Figure) -> Bbox | str:
    """The canvas plus a white margin of :data:`_PAD_INCHES` for a figure with a constrained layout
    (which already fits every label, legend and mark inside the canvas), else ``"tight"``.

    Cropping to the drawn extent ("tight") measures every tick label once more (issue 15: the
    situation room's stage took 20.0 s with it, 18.1 s without, medians of 3 runs). Call before
    :func:`freeze_layout`, which removes the engine.
    """
    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return "tight"
    width, height = fig.get_size_inches()
    return Bbox.from_bounds(-_PAD_INCHES, -_PAD_INCHES, width + 2 * _PAD_INCHES, height + 2 * _PAD_INCHES)


def freeze_layout(fig: Figure, decimals: int = 7) -> Figure:
    """Run ``fig``'s layout engine once, round every Axes' position and remove the engine.

    Why: matplotlib's constrained layout solves its constraints with kiwisolver, whose result
    can differ in the last bits between two runs with identical inputs (its internal order
    follows object addresses, not ``PYTHONHASHSEED``). A dashed line drawn on an Axes shifted by
    1e-16 of the figure can antialias a few pixels differently: rendering the situation room's
    trend figures six times in one process gave two different PNGs, and the same commit's
    reports got other hashes from one ``dvc repro`` to the next. Rounded to ``decimals``
    (1e-7 of the figure, far below a pixel), the positions and so the PNG bytes repeat.
    A figure without a layout engine is returned unchanged.

    The engine is executed directly rather than through ``fig.draw_without_rendering()``, which
    runs the same engine and then draws every artist for nothing: the same positions and PNG
    bytes (the situation room's eight figures compared by hash), about a fifth less time.
    """
    engine = fig.get_layout_engine()
    if engine is None or isinstance(engine, PlaceHolderLayoutEngine):
        return fig
    engine.execute(fig)  # the layout alone: draw_without_rendering() would also draw every artist (issue 15)
    for subfig in fig.findobj(SubFigure):  # placed by the engine too; Axes inside are relative to them
        subfig.bbox_relative.set_points(np.round(subfig.bbox_relative.get_points(), decimals))
    for ax in fig.findobj(Axes):
        ax.set_position(np.round(ax.get_position(original=True).bounds, decimals), which="both")
    # Removed, not replaced by a placeholder (set_layout_engine("none")): savefig first draws a
    # figure that has any layout engine only to measure it (benchmarks/report_figures.py).
    with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)
    return fig


class _LocaleFormatter(ScalarFormatter):
    """Tick labels with a decimal comma for Finnish."""

    def __init__(self, lang: str) -> None:
        super().__init__(useOffset=False)
        self._comma = lang == "fi"

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = super().__call__(x, pos)
        return text.replace(".", ",") if self._comma else text


def plot_region_trends(
    rows: pd.DataFrame,
    national: pd.DataFrame,
    rates: Sequence[Rate],
    pilot: Pilot,
    lang: str,
    synthetic: bool,
    colour: str = PALETTE[0],
    title: str | None = None,
    ncols: int = 4,
) -> Figure:
    """Small multiples: every rate of one region over time, against the whole country.

    Outcomes form the upper block, risk and protective factors the lower one. The period in
    which the service model is in use is shaded; a later adoption (parts A and B in different
    years) is drawn as vertical lines.

    Parameters
    ----------
    rows : DataFrame, shape (n_years, n_columns)
        The region's panel rows: ``year``, each rate column, optional ``<rate>_imputed``.
    national : DataFrame, shape (n_years, n_columns)
        The whole country's panel rows.
    rates : sequence of Rate
        Rates to draw, one panel each.
    pilot : Pilot
        The region's pilot record (adoption years).
    lang : {"en", "fi"}
    synthetic : bool
        Mark the figure as synthetic demo data.
    colour : str
        Colour of the region's line.
    title : str, optional
        Figure title.
    ncols : int
        Panels per row.

    Returns
    -------
    Figure
    """
    groups = _role_groups(rates, lang)
    nrows = [math.ceil(len(g) / ncols) for _, g in groups]
    fig = Figure(figsize=(3.05 * ncols, 2.35 * sum(nrows) + 0.55 * len(groups) + 0.9), dpi=_DPI, facecolor="white", layout="constrained")
    subfigs = np.atleast_1d(fig.subfigures(len(groups), 1, height_ratios=[n + 0.3 for n in nrows]))
    end = int(max(rows["year"].max(), national["year"].max()))
    for subfig, (name, group), n in zip(subfigs, groups, nrows):
        _trend_block(subfig, name, group, n, ncols, rows, national, pilot, lang, colour, end)
    fig.legend(handles=_trend_legend(rows, rates, pilot, lang, colour, end), loc="outside upper center",
               ncols=4, frameon=False, fontsize=9.5)
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")
    return mark_figure(fig, synthetic, lang)


def _role_groups(rates: Sequence[Rate], lang: str) -> list[tuple[str, list[Rate]]]:
    outcomes = [r for r in rates if r.role not in _FACTOR_ROLES]
    factors = [r for r in rates if r.role in _FACTOR_ROLES]
    protective = any(r.role == "protective" for r in factors)
    factor_name = f"{t('role_risk', lang)} · {t('role_protective', lang).lower()}" if protective else t("role_risk", lang)
    return [(name, group) for name, group in ((t("role_outcome", lang), outcomes), (factor_name, factors)) if group]


def _trend_block(subfig: SubFigure, name: str, rates: list[Rate], nrows: int, ncols: int, rows: pd.DataFrame,
                 national: pd.DataFrame, pilot: Pilot, lang: str, colour: str, end: int) -> None:
    subfig.suptitle(name, x=0.0, ha="left", fontsize=11, fontweight="bold", color="#333333")
    axes = subfig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for ax, rate in zip(axes.flat, rates):
        _trend_panel(ax, rows, national, rate, pilot, lang, colour, end)
    for ax in axes.flat[len(rates):]:
        ax.set_axis_off()


def _trend_panel(ax: Axes, rows: pd.DataFrame, national: pd.DataFrame, rate: Rate, pilot: Pilot, lang: str,
                 colour: str, end: int) -> None:
    _adoption(ax, pilot, end)
    column, flag = rate.column, f"{rate.column}_imputed"
    imputed = rows[flag].fillna(False).astype(bool) if flag in rows else pd.Series(False, index=rows.index)
    # A rate not published for the region's category (catalogue levels) has no column: country line only.
    values = rows[column] if column in rows else pd.Series(np.nan, index=rows.index)
    country = national[column] if column in national else pd.Series(np.nan, index=national.index)
    ax.plot(national["year"], country, color=COUNTRY_COLOUR, lw=1.3, ls="--")
    ax.plot(rows["year"], values.where(~imputed), color=colour, lw=2.0)
    if imputed.any():
        ax.scatter(rows.loc[imputed, "year"], rows.loc[imputed, column], s=16, facecolors="white",
                   edgecolors=colour, linewidths=1.1, zorder=3)
    ax.set_title(textwrap.fill(rate_label(rate, lang), 34), fontsize=9, loc="left")
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color="#eeeeee", lw=0.8)
    ax.spines[["top", "right"]].set_visible(False)


def _adoption(ax: Axes, pilot: Pilot, end: int) -> None:
    if pilot.adoption_year > end:
        return
    if pilot.adoption_a == pilot.adoption_b:
        ax.axvspan(pilot.adoption_year - 0.5, end + 0.5, color=_SHADE, lw=0, zorder=0)
        return
    for year in (pilot.adoption_a, pilot.adoption_b):
        if year <= end:
            ax.axvline(year, color="#444444", lw=1.0, ls=":" if year == pilot.adoption_b else "-")


def _trend_legend(rows: pd.DataFrame, rates: Sequence[Rate], pilot: Pilot, lang: str, colour: str, end: int) -> list:
    region = rows["region_name"].iloc[0] if lang == "fi" and "region_name" in rows else pilot.name
    handles = [Line2D([], [], color=colour, lw=2.0, label=region),
               Line2D([], [], color=COUNTRY_COLOUR, lw=1.3, ls="--", label=t("legend_country", lang))]
    if pilot.adoption_year <= end and pilot.adoption_a == pilot.adoption_b:
        handles.append(Patch(color=_SHADE, label=t("legend_in_use", lang, year=pilot.adoption_year)))
    elif pilot.adoption_year <= end:
        handles += [Line2D([], [], color="#444444", lw=1.0, ls=ls, label=t("legend_part", lang, part=part, year=year))
                    for part, year, ls in (("A", pilot.adoption_a, "-"), ("B", pilot.adoption_b, ":")) if year <= end]
    if any(rows.get(f"{r.column}_imputed", pd.Series(dtype=bool)).fillna(False).astype(bool).any() for r in rates):
        handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=colour,
                              label=t("legend_imputed", lang)))
    return handles


def plot_latest_vs_national(
    values: pd.DataFrame,
    national: pd.Series,
    lang: str,
    synthetic: bool,
    imputed: pd.DataFrame | None = None,
    colours: Mapping[str, str] | None = None,
    groups: Mapping[str, str] | None = None,
) -> Figure:
    """Dot plot of each region's latest value as a percentage of the whole country's.

    Parameters
    ----------
    values : DataFrame, shape (n_indicators, n_regions)
        Latest values; index = indicator labels (top to bottom), columns = region labels.
    national : Series, shape (n_indicators,)
        Whole-country values with the same index.
    lang : {"en", "fi"}
    synthetic : bool
    imputed : DataFrame of bool, optional
        Same shape as ``values``: open circles where True.
    colours : mapping, optional
        Colour per region label.
    groups : mapping, optional
        Indicator label to group name; a separator is drawn where the group changes.

    Returns
    -------
    Figure
    """
    index = values.div(national.where(national > 0), axis=0) * 100
    imputed = imputed if imputed is not None else pd.DataFrame(False, index=values.index, columns=values.columns)
    colours = colours or region_colours(list(values.columns))
    labels, y, headings = _dot_rows(list(index.index), groups)
    fig = Figure(figsize=(11.0, 0.4 * len(labels) + 1.6), dpi=_DPI, facecolor="white", layout="constrained")
    ax = fig.subplots()
    ax.axvline(100, color=COUNTRY_COLOUR, lw=1.5, zorder=1)
    k = len(index.columns)
    offsets = np.linspace(-0.22, 0.22, k) if k > 1 else np.zeros(1)
    for offset, region in zip(offsets, index.columns):
        _dots(ax, index[region], imputed[region].fillna(False).astype(bool), y + offset, colours[region], region)
    ax.set_yticks(np.arange(len(labels))[::-1], [textwrap.fill(str(label), 52) for label in labels], fontsize=9)
    for tick, heading in zip(ax.get_yticklabels(), headings):
        if heading:
            tick.set_fontweight("bold")
            tick.set_fontsize(9.5)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(t("latest_axis", lang), fontsize=10)
    ax.xaxis.set_major_formatter(_LocaleFormatter(lang))
    ax.grid(axis="x", color="#eeeeee", lw=0.8)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.legend(handles=_dot_legend(index.columns, colours, imputed, lang), loc="outside upper center",
               ncols=min(k + 1, 4), frameon=False, fontsize=9.5)
    return mark_figure(fig, synthetic, lang)


def _dot_rows(indicators: list, groups: Mapping[str, str] | None) -> tuple[list, np.ndarray, list[bool]]:
    """Row labels with a heading row where the group changes; y of each indicator (top = highest)."""
    labels, headings, positions = [], [], []
    previous: object = None
    for indicator in indicators:
        group = groups.get(indicator) if groups else None
        if group is not None and group != previous:
            labels.append(group)
            headings.append(True)
        previous = group
        positions.append(len(labels))
        labels.append(indicator)
        headings.append(False)
    y = len(labels) - 1 - np.array(positions, dtype=float)
    return labels, y, headings


def _dots(ax: Axes, x: pd.Series, imputed: pd.Series, y: np.ndarray, colour: str, label: str) -> None:
    observed = ~imputed & x.notna()
    ax.scatter(x[observed], y[observed.to_numpy()], s=46, color=colour, zorder=3, label=label)
    if imputed.any():
        ax.scatter(x[imputed], y[imputed.to_numpy()], s=46, facecolors="white", edgecolors=colour, zorder=3)


def _dot_legend(regions, colours: Mapping[str, str], imputed: pd.DataFrame, lang: str) -> list:
    handles = [Line2D([], [], marker="o", ls="", color=colours[r], label=r) for r in regions]
    handles.append(Line2D([], [], color=COUNTRY_COLOUR, lw=1.5, label=f"{t('whole_country', lang)} = 100"))
    if imputed.to_numpy().any():
        handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="#333333",
                              label=t("legend_imputed", lang)))
    return handles


def plot_scenarios(
    history: pd.DataFrame,
    scenarios: pd.DataFrame,
    rate: Rate,
    lang: str,
    synthetic: bool,
    colours: Mapping[str, str] | None = None,
    history_years: int = 15,
) -> Figure:
    """Recent observed series and scenario projections of one rate, one panel per region.

    Parameters
    ----------
    history : DataFrame
        Long: ``label`` (region label), ``year``, ``value`` (observed, not imputed).
    scenarios : DataFrame
        Long: ``label``, ``scenario``, ``year``, ``value``; optional ``lower``/``upper``
        (drawn as a band for the first scenario).
    rate : Rate
    lang : {"en", "fi"}
    synthetic : bool
    colours : mapping, optional
        Colour per region label.
    history_years : int
        Observed years shown before the projections.

    Returns
    -------
    Figure
    """
    labels = list(dict.fromkeys(history["label"]))
    colours = colours or region_colours(labels)
    ncols = min(3, max(1, len(labels)))
    nrows = math.ceil(len(labels) / ncols)
    fig = Figure(figsize=(3.7 * ncols, 2.7 * nrows + 1.0), dpi=_DPI, facecolor="white", layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    names = list(dict.fromkeys(scenarios["scenario"]))
    styles = dict(zip(names, ("--", ":", "-.", (0, (5, 1)), (0, (1, 1)), (0, (3, 1, 1, 1)))))
    start = int(history["year"].max()) - history_years
    for ax, label in zip(axes.flat, labels):
        past = history[(history["label"] == label) & (history["year"] >= start)].dropna(subset=["value"])
        ax.plot(past["year"], past["value"], color=colours[label], lw=2.0)
        last = past.iloc[-1:] if len(past) else past
        for n, (scenario, ls) in enumerate(styles.items()):
            future = scenarios[(scenarios["label"] == label) & (scenarios["scenario"] == scenario)].sort_values("year")
            if n == 0 and {"lower", "upper"} <= set(future.columns) and future["lower"].notna().any():
                ax.fill_between(future["year"], future["lower"], future["upper"], color=colours[label], alpha=0.12, lw=0)
            line = pd.concat([last[["year", "value"]], future[["year", "value"]]])
            ax.plot(line["year"], line["value"], color=colours[label], lw=1.4, ls=ls)
        ax.set_title(label, fontsize=10, loc="left")
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_formatter(_LocaleFormatter(lang))
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[len(labels):]:
        ax.set_axis_off()
    handles = [Line2D([], [], color="#333333", lw=2.0, label=t("legend_observed_plain", lang))]
    handles += [Line2D([], [], color="#333333", ls=ls, lw=1.4, label=scenario_label(s)) for s, ls in styles.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3), frameon=False, fontsize=9)
    fig.suptitle(rate_label(rate, lang), fontsize=12, fontweight="bold")
    return mark_figure(fig, synthetic, lang)


def scenario_label(name: str) -> str:
    """A scenario key for a legend: ``child_poverty_plus_2pp`` -> ``child poverty +2 pp``."""
    text = str(name).replace("_plus_", " +").replace("_minus_", " −").replace("_", " ")
    return re.sub(r"(\d)pp\b", r"\1 pp", text)
