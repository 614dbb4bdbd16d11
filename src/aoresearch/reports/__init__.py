"""Funder-facing reports: notebook rendering, disclosure control, language, marks and plots.

Report-specific content lives in the submodules :mod:`aoresearch.reports.impact` (per-pilot
impact evaluation), :mod:`aoresearch.reports.factors` (risk and protective factors) and
:mod:`aoresearch.reports.situation` (situation room); docs/reports.md describes the reports.

Importing this package does not import papermill or nbconvert (only :func:`render_notebook`
and :func:`export_html` need them), so report notebooks start quickly.
"""

from aoresearch.reports.data import (
    is_synthetic,
    read_panel,
    read_panel_or_none,
    read_panel_summaries,
    read_provenance,
    read_scenarios,
)
from aoresearch.reports.disclosure import (
    DISCLOSURE_CLASS,
    check_html_disclosure,
    count_html,
    disclosure_table,
    format_count,
    format_rate,
    is_small_count,
    mask_small_counts,
    small_regions,
    suppress_small_regions,
)
from aoresearch.reports.i18n import LANGUAGES, check_language, format_number, rate_label, t
from aoresearch.reports.index import IndexEntry, index_html, lead_of_notebook, write_index
from aoresearch.reports.marks import BANNER_CLASS, banner_html, mark_figure, marks_of, synthetic_banner
from aoresearch.reports.plots import figure_image, plot_latest_vs_national, plot_region_trends, plot_scenarios, region_colours
from aoresearch.reports.render import RenderedReport, ReportRenderError, export_html, funder_view, render_notebook
from aoresearch.config.reports import DEFAULT_REPORT_SETTINGS, ReportSettings
from aoresearch.reports.settings import pilot_records, pilots_from_records, select_pilots
from aoresearch.reports.situation import (
    Situation,
    footnotes_html,
    headline,
    latest_table_html,
    latest_values,
    load_situation,
    provenance_html,
    region_label,
    projection_note,
    scenario_inputs,
    summary_html,
)

__all__ = [
    # rendering
    "render_notebook",
    "export_html",
    "funder_view",
    "RenderedReport",
    "ReportRenderError",
    # disclosure control
    "DISCLOSURE_CLASS",
    "mask_small_counts",
    "is_small_count",
    "format_count",
    "format_rate",
    "count_html",
    "small_regions",
    "suppress_small_regions",
    "disclosure_table",
    "check_html_disclosure",
    # language
    "LANGUAGES",
    "t",
    "check_language",
    "format_number",
    "rate_label",
    # marks
    "BANNER_CLASS",
    "mark_figure",
    "banner_html",
    "synthetic_banner",
    "marks_of",
    # index
    "IndexEntry",
    "index_html",
    "lead_of_notebook",
    "write_index",
    # plots
    "plot_region_trends",
    "plot_latest_vs_national",
    "plot_scenarios",
    "region_colours",
    "figure_image",
    # settings and inputs
    "ReportSettings",
    "DEFAULT_REPORT_SETTINGS",
    "pilot_records",
    "pilots_from_records",
    "select_pilots",
    "read_panel",
    "read_panel_or_none",
    "read_panel_summaries",
    "read_provenance",
    "read_scenarios",
    "is_synthetic",
    # situation room content
    "Situation",
    "load_situation",
    "region_label",
    "latest_values",
    "headline",
    "summary_html",
    "latest_table_html",
    "provenance_html",
    "footnotes_html",
    "projection_note",
    "scenario_inputs",
]
