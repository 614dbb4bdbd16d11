"""The synthetic-data mark on every figure and page, and the source credit for real data."""

from __future__ import annotations

import html

from matplotlib.figure import Figure

from aoresearch.reports.i18n import t

__all__ = ["WATERMARK_GID", "CORNER_GID", "CREDIT_GID", "BANNER_CLASS", "mark_figure", "banner_html", "synthetic_banner",
           "marks_of"]

WATERMARK_GID = "ao-synthetic-watermark"
CORNER_GID = "ao-synthetic-corner"
CREDIT_GID = "ao-source-credit"
BANNER_CLASS = "ao-synthetic-banner"
_MARK_RED = "#b3261e"
_BANNER_STYLE = (
    "margin:0 0 0.6em 0;padding:0.6em 1em;"
    "background:#fff4e5;border:2px solid #b3261e;border-radius:4px;color:#5f1410;"
    "font-weight:600;font-size:0.95em;line-height:1.4"
)


def mark_figure(fig: Figure, synthetic: bool, lang: str, credit: bool = True) -> Figure:
    """Mark ``fig`` as synthetic demo data, or credit the real data's source.

    Synthetic: a large diagonal watermark across the figure and a red corner label, both in
    ``lang``. Real data: the source credit (``"Source: THL, Sotkanet (CC BY 4.0)"``) in the
    corner when ``credit`` is True. Marking twice changes nothing.

    Parameters
    ----------
    fig : matplotlib Figure
    synthetic : bool
        Whether the figure shows synthetic demo data.
    lang : {"en", "fi"}
    credit : bool
        Add the source credit to a figure of real data.

    Returns
    -------
    Figure
        ``fig`` itself.

    Raises
    ------
    ParameterError
        If ``lang`` is not a report language.
    """
    label = t("synthetic_mark", lang)
    present = marks_of(fig)
    if synthetic and WATERMARK_GID not in present:
        width, height = fig.get_size_inches()
        fig.text(
            0.5, 0.5, label.upper(), gid=WATERMARK_GID, rotation=28, ha="center", va="center",
            fontsize=max(24.0, 5.5 * min(width, 2 * height)), color=_MARK_RED, alpha=0.09,
            fontweight="bold", zorder=100,
        )
        _corner(fig, f"{label} – {t('synthetic_mark_note', lang)}", CORNER_GID, color=_MARK_RED, fontsize=9,
                fontweight="bold")
    elif not synthetic and credit and CREDIT_GID not in present:
        _corner(fig, t("source_credit", lang), CREDIT_GID, color="#555555", fontsize=8)
    return fig


def _corner(fig: Figure, text: str, gid: str, **style: object) -> None:
    """Bottom-right label; as the figure's x-label so a constrained layout keeps room for it."""
    if fig.get_layout_engine() is not None and not fig.get_supxlabel():
        fig.supxlabel(text, x=0.995, ha="right", gid=gid, **style)
    else:
        fig.text(0.995, 0.004, text, gid=gid, ha="right", va="bottom", zorder=100, **style)


def banner_html(lang: str) -> str:
    """The synthetic-data banner as an HTML string (the report stylesheet keeps it at the top of the window)."""
    text = html.escape(t("synthetic_banner", lang))
    return f'<div class="{BANNER_CLASS}" role="note" style="{_BANNER_STYLE}">{text}</div>'


def synthetic_banner(lang: str, synthetic: bool = True):
    """The banner for a notebook cell (IPython ``HTML``); an empty display for real data.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    return HTML(banner_html(lang) if synthetic else "")


def marks_of(fig: Figure) -> set[str]:
    """Ids (gids) of the marks ``fig`` carries: :data:`WATERMARK_GID`, :data:`CORNER_GID`, :data:`CREDIT_GID`."""
    return {text.get_gid() for text in fig.texts} & {WATERMARK_GID, CORNER_GID, CREDIT_GID}
