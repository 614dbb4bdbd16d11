import pandas as pd
import pytest

from aoresearch.config import Pilot
from aoresearch.errors import InsufficientDataError, PanelStructureError
from aoresearch.panel import PanelSpec, build_panel

OULU = Pilot("oulu", "Oulu", 261, "municipality", 2020, 2020)


@pytest.fixture()
def panel():
    years = list(range(2010, 2022))
    return pd.DataFrame({
        "region": [261] * len(years) + [5] * len(years),
        "year": years * 2,
        "oohc_per_1000": [10.0] * (2 * len(years)),
    })


def test_a_good_panel_passes_unchanged(panel):
    assert PanelSpec(columns=("oohc_per_1000",), years=range(2010, 2022), pilots=(OULU,)).check(panel) is panel


def test_missing_column(panel):
    with pytest.raises(PanelStructureError, match=r"missing columns \['unemployment_pct'\]"):
        PanelSpec(columns=("unemployment_pct",)).check(panel)


def test_duplicated_keys(panel):
    with pytest.raises(PanelStructureError, match=r"keys are not unique, e.g. \[\{'region': 5, 'year': 2010\}\]"):
        PanelSpec().check(pd.concat([panel, panel.iloc[[12]]]))


def test_missing_year(panel):
    with pytest.raises(PanelStructureError, match=r"years \[2015\] have no rows"):
        PanelSpec(years=range(2010, 2022)).check(panel[panel["year"] != 2015])


def test_pilot_absent(panel):
    with pytest.raises(InsufficientDataError, match="pilot 'oulu' \\(region 261, Oulu\\) has no rows"):
        PanelSpec(pilots=(OULU,)).check(panel[panel["region"] != 261])


def test_pilot_with_short_pre_period(panel):
    short = panel[(panel["region"] != 261) | (panel["year"] >= 2017)]
    with pytest.raises(InsufficientDataError, match="has 3 years before the adoption year 2020; the pre-period needs at least 5"):
        PanelSpec(pilots=(OULU,), min_pre_years=5).check(short)


def test_pre_period_counts_only_observed_outcome(panel):
    panel.loc[(panel["region"] == 261) & (panel["year"] < 2016), "oohc_per_1000"] = float("nan")
    with pytest.raises(InsufficientDataError, match="has 4 years with 'oohc_per_1000' observed"):
        PanelSpec(pilots=(OULU,), outcome="oohc_per_1000").check(panel)


def test_unknown_category(demo_raw, catalogue):
    with pytest.raises(PanelStructureError, match="no observations for region category 'KUNTTA'"):
        build_panel(demo_raw, catalogue, "KUNTTA", "midpoint")
