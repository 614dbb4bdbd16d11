"""Funder-facing reports: notebook rendering, disclosure control, language, marks and plots.

Report-specific content lives in the submodules :mod:`aoresearch.reports.impact` (per-pilot
impact evaluation), :mod:`aoresearch.reports.factors` (risk and protective factors) and
:mod:`aoresearch.reports.situation` (situation room); docs/reports.md describes the reports.

Names are imported from their submodule on first use (PEP 562 ``__getattr__``), so a process
that needs only :func:`render_notebook` (the report stages' parent process) does not import
pandas and matplotlib, and none imports papermill or nbconvert until a notebook is rendered.
"""

from __future__ import annotations

import importlib
from typing import Any

_SOURCES = {
    "is_synthetic": "aoresearch.reports.data",
    "read_panel": "aoresearch.reports.data",
    "read_panel_or_none": "aoresearch.reports.data",
    "read_panel_summaries": "aoresearch.reports.data",
    "read_provenance": "aoresearch.reports.data",
    "read_scenarios": "aoresearch.reports.data",
    "DISCLOSURE_CLASS": "aoresearch.reports.disclosure",
    "check_html_disclosure": "aoresearch.reports.disclosure",
    "count_html": "aoresearch.reports.disclosure",
    "disclosure_table": "aoresearch.reports.disclosure",
    "format_count": "aoresearch.reports.disclosure",
    "format_rate": "aoresearch.reports.disclosure",
    "is_small_count": "aoresearch.reports.disclosure",
    "mask_small_counts": "aoresearch.reports.disclosure",
    "small_regions": "aoresearch.reports.disclosure",
    "suppress_small_regions": "aoresearch.reports.disclosure",
    "LANGUAGES": "aoresearch.reports.i18n",
    "check_language": "aoresearch.reports.i18n",
    "format_number": "aoresearch.reports.i18n",
    "rate_label": "aoresearch.reports.i18n",
    "t": "aoresearch.reports.i18n",
    "IndexEntry": "aoresearch.reports.index",
    "index_html": "aoresearch.reports.index",
    "lead_of_notebook": "aoresearch.reports.index",
    "write_index": "aoresearch.reports.index",
    "BANNER_CLASS": "aoresearch.reports.marks",
    "banner_html": "aoresearch.reports.marks",
    "mark_figure": "aoresearch.reports.marks",
    "marks_of": "aoresearch.reports.marks",
    "synthetic_banner": "aoresearch.reports.marks",
    "figure_image": "aoresearch.reports.plots",
    "plot_latest_vs_national": "aoresearch.reports.plots",
    "plot_region_trends": "aoresearch.reports.plots",
    "plot_scenarios": "aoresearch.reports.plots",
    "FigureJob": "aoresearch.reports.parallel",
    "figure_images": "aoresearch.reports.parallel",
    "region_colours": "aoresearch.reports.plots",
    "RenderedReport": "aoresearch.reports.render",
    "ReportRenderError": "aoresearch.reports.render",
    "export_html": "aoresearch.reports.render",
    "funder_view": "aoresearch.reports.render",
    "render_notebook": "aoresearch.reports.render",
    "DEFAULT_REPORT_SETTINGS": "aoresearch.config.reports",
    "ReportSettings": "aoresearch.config.reports",
    "pilot_records": "aoresearch.reports.settings",
    "pilots_from_records": "aoresearch.reports.settings",
    "select_pilots": "aoresearch.reports.settings",
    "Situation": "aoresearch.reports.situation",
    "footnotes_html": "aoresearch.reports.situation",
    "headline": "aoresearch.reports.situation",
    "latest_table_html": "aoresearch.reports.situation",
    "latest_values": "aoresearch.reports.situation",
    "load_situation": "aoresearch.reports.situation",
    "provenance_html": "aoresearch.reports.situation",
    "region_label": "aoresearch.reports.situation",
    "projection_note": "aoresearch.reports.situation",
    "scenario_inputs": "aoresearch.reports.situation",
    "summary_html": "aoresearch.reports.situation",
}


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_SOURCES[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
    "FigureJob",
    "figure_images",
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
