"""Pieces of the per-pilot evaluation: closed-form DiD paths, donor pools, configuration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aoresearch.config import Pilot
from aoresearch.errors import InsufficientDataError, ParameterError
from aoresearch.impact import StaggeredDiD, find_pilot, parse_impact_config, pilot_donors
from aoresearch.impact._did_placebo import did_paths

ATOL = 1e-9


def _panel(n_units: int = 12, years=range(2010, 2022), effect: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        level = rng.normal(10, 2)
        for t in years:
            y = level + 0.1 * (t - years.start) + rng.normal(0, 0.5) + (effect if u == 0 and t >= 2018 else 0.0)
            rows.append({"region": 100 + u, "year": t, "y": y, "g": 2018 if u == 0 else 0})
    return pd.DataFrame(rows)


def test_closed_form_did_paths_equal_csdid_att_gt():
    panel = _panel(effect=1.5)
    wide = panel.pivot(index="region", columns="year", values="y")
    paths = did_paths(wide.to_numpy(), wide.columns.to_numpy(), 2018, "varying")
    cs = StaggeredDiD().fit(panel, unit="region", time="year", outcome="y", group="g")
    att = cs.att_gt_.set_index("time")["att"]
    np.testing.assert_allclose(paths.paths[0, 1:], att.reindex(wide.columns[1:]).to_numpy(), atol=ATOL)


def _pilot(key, region, within=()):
    return Pilot(key, key, region, "x", 2018, 2018, tuple(within))


def test_pilot_donors_excludes_pilots_linked_units_incomplete_and_small_regions():
    panel = _panel(n_units=8).rename(columns={"y": "rate"})
    panel["category"] = "C"
    panel["region_name"] = panel["region"].astype(str)
    panel["children_0_17"] = 5000
    panel.loc[panel["region"] == 103, "children_0_17"] = 200
    panel.loc[(panel["region"] == 104) & (panel["year"] == 2012), "rate"] = np.nan
    pilots = [_pilot("a", 100, within=[105]), _pilot("b", 101)]
    donors = pilot_donors(panel, pilots[0], pilots, "rate", range(2010, 2022), min_children=1000)
    assert donors == [102, 106, 107]


def test_pilot_donors_raises_when_fewer_than_two_remain():
    panel = _panel(n_units=3).rename(columns={"y": "rate"})
    panel["category"] = "C"
    pilots = [_pilot("a", 100), _pilot("b", 101)]
    with pytest.raises(InsufficientDataError, match="donors"):
        pilot_donors(panel, pilots[0], pilots, "rate", range(2010, 2022), min_children=0)


def test_find_pilot_names_unknown_key_and_known_keys():
    with pytest.raises(ParameterError, match=r"'nowhere'.*\['a', 'b'\]"):
        find_pilot([_pilot("a", 1), _pilot("b", 2)], "nowhere")


def test_impact_config_names_missing_key(params, params_document):
    section = dict(params_document["impact"])
    section.pop("fit_start_year")
    with pytest.raises(ParameterError, match="impact.fit_start_year"):
        parse_impact_config(section)
    assert params.impact.n_jobs >= 1
