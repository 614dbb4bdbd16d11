"""Reports draw a rate that the pilot's region category does not publish (catalogue levels):
the country line alone, no error (issue 16 item 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aoresearch.reports.plots import plot_region_trends


def test_trend_panel_of_a_rate_missing_from_the_region_panel(catalogue, params):
    rates = [catalogue.rate("oohc_per_1000"), catalogue.rate("psych_inpatient_periods_13_17_per_1000")]
    years = np.arange(2015, 2021)
    rows = pd.DataFrame({"year": years, "region_name": "Tampere", "oohc_per_1000": np.linspace(10, 12, len(years))})
    national = rows.assign(psych_inpatient_periods_13_17_per_1000=7.0)
    pilot = next(p for p in params.pilots if p.key == "tampere")
    fig = plot_region_trends(rows, national, rates, pilot, "en", True, "#1f77b4")
    assert len([ax for ax in fig.get_axes() if ax.get_lines()]) == 2
