"""Small known-answer checks: lags, targets, baselines, scenarios, skipped columns, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aoresearch.errors import InsufficientDataError, PanelStructureError
from aoresearch.factors import (
    Scenario, apply_scenario, available_columns, feature_name, fit_association, make_design, region_trend,
    weighted_mae,
)


def _panel(regions: int = 4, years: range = range(2000, 2010)) -> pd.DataFrame:
    rows = []
    for r in range(regions):
        for y in years:
            rows.append({"region": r, "region_name": f"R{r}", "category": "KUNTA", "year": y,
                         "children_0_17": 2000.0 + 1000 * r, "rate": 10.0 * r + (y - 2000), "x": float(y - 2000 + r)})
    return pd.DataFrame(rows)


def test_lags_and_change_target_have_the_right_years():
    design = make_design(_panel(), "rate", ("x",), (0, 1), horizon=2, kind="change")
    row = design.meta.index[(design.meta["region"] == 1) & (design.meta["year"] == 2003)][0]
    assert design.X.loc[row, feature_name("x", 0)] == 4.0
    assert design.X.loc[row, feature_name("x", 1)] == 3.0
    assert design.target[row] == pytest.approx(2.0)  # rate rises by 1 a year, h = 2
    assert design.meta.loc[row, "target_year"] == 2005
    first = design.meta.index[(design.meta["region"] == 1) & (design.meta["year"] == 2000)][0]
    assert np.isnan(design.X.loc[first, feature_name("x", 1)])
    last = design.meta.index[(design.meta["region"] == 1) & (design.meta["year"] == 2009)][0]
    assert np.isnan(design.target[last])


def test_min_children_filters_rows_and_empty_result_is_an_error():
    design = make_design(_panel(), "rate", ("x",), (0,), 1, min_children=2500)
    assert set(design.meta["region"]) == {1, 2, 3}
    with pytest.raises(InsufficientDataError, match="more than 100000 children"):
        make_design(_panel(), "rate", ("x",), (0,), 1, min_children=100_000)


def test_missing_column_and_duplicate_keys_are_named():
    with pytest.raises(PanelStructureError, match=r"\['nope'\]"):
        make_design(_panel(), "rate", ("nope",), (0,), 1)
    panel = pd.concat([_panel(), _panel().iloc[:1]])
    with pytest.raises(PanelStructureError, match="repeats region-year keys"):
        make_design(panel, "rate", ("x",), (0,), 1)


def test_available_columns_reports_absent_and_empty():
    panel = _panel().assign(empty=np.nan)
    used, skipped = available_columns(panel, ["x", "empty", "absent"])
    assert used == ("x",)
    assert set(skipped) == {"empty", "absent"}
    assert "absent from the panel" in skipped["absent"]


def test_region_trend_extrapolates_a_line_and_keeps_single_values():
    history = np.array([[5.0, 4.0, 3.0], [7.0, np.nan, np.nan]])  # lag 0 first
    np.testing.assert_allclose(region_trend(history, 2), [7.0, 7.0])


def test_weighted_mae_weights_and_skips_missing():
    assert weighted_mae(np.array([1.0, 2.0, np.nan]), np.array([2.0, 2.0, 1.0]), np.array([3.0, 1.0, 5.0])) == pytest.approx(0.75)


def test_scenario_shifts_current_value_and_holds_lags():
    design = make_design(_panel(), "rate", ("x",), (0, 1, 2), 1)
    X = design.X.iloc[5:6]
    shifted = apply_scenario(X, Scenario("up", {"x": 2.0}), (0, 1, 2))
    assert shifted[feature_name("x", 0)].iloc[0] == X[feature_name("x", 0)].iloc[0] + 2.0
    assert shifted[feature_name("x", 1)].iloc[0] == X[feature_name("x", 1)].iloc[0]
    held = apply_scenario(X, Scenario("held", hold=("x",)), (0, 1, 2))
    assert (held[[feature_name("x", k) for k in (0, 1, 2)]].nunique(axis=1) == 1).all()
    untouched = apply_scenario(X, Scenario("other", {"absent_factor": 5.0}), (0, 1, 2))
    pd.testing.assert_frame_equal(untouched, X)


def test_association_recovers_a_known_slope():
    rng = np.random.default_rng(0)
    panel = _panel(regions=30, years=range(2000, 2020))
    panel["x"] = rng.normal(size=len(panel))
    panel["rate"] = 3.0 * panel["x"] + panel["region"] + 0.1 * rng.normal(size=len(panel))
    rows = fit_association(panel, "rate", ("x",), "region+year", (2000, 2019))
    assert rows.loc[0, "estimate"] == pytest.approx(3.0, abs=0.05)
    assert rows.loc[0, "lower"] < 3.0 < rows.loc[0, "upper"]
    with pytest.raises(PanelStructureError, match="only 0 regions"):
        fit_association(panel, "rate", ("x",), "year", (1990, 1995))


def test_fixed_effects_prediction_equals_pyfixest_predict():
    """The prediction from pyfixest's slopes and the closed-form region effects is pyfixest's own
    ``predict(newdata=...)`` (effects solved to 1e-14), including the rows it cannot predict: regions pyfixest dropped as
    singletons (one training row; two, one of them incomplete), a region absent from training, a
    row missing a regressor (NaN there, then the last value)."""
    import pyfixest as pf

    from aoresearch.factors.forecast import FixedEffectsLinear, _fe_frame

    rng = np.random.default_rng(7)
    panel = _panel(regions=12, years=range(2000, 2012))
    panel["x"] = panel["x"] + rng.normal(0, 1.0, len(panel))
    panel["z"] = rng.normal(0, 1.0, len(panel))
    panel["rate"] = panel["rate"] + 0.3 * panel["x"] - 0.5 * panel["z"] + rng.normal(0, 0.5, len(panel))
    design = make_design(panel, "rate", ("x", "z"), (0,), horizon=1, kind="change")
    ok = ~np.isnan(design.target)
    region = design.meta["region"].to_numpy()
    singleton = np.flatnonzero(ok & (region == 10))[:1]
    # Region 9 has two training rows, one missing a regressor: a singleton once incomplete rows go.
    incomplete = np.flatnonzero(ok & (region == 9))[:2]
    design.X.iloc[incomplete[0], design.X.columns.get_loc(feature_name("x", 0))] = np.nan
    train = np.concatenate([np.flatnonzero(ok & (region < 9) & (design.meta["year"].to_numpy() < 2008)), singleton, incomplete])
    test = np.flatnonzero(ok & (design.meta["year"].to_numpy() >= 2008))  # includes regions 10 and 11
    X = design.X.iloc[test].copy()
    X.iloc[0, X.columns.get_loc(feature_name("z", 0))] = np.nan
    fitted = FixedEffectsLinear.fit(design, train)
    assert fitted.coefficients is not None and {9, 10}.isdisjoint(fitted.region_effects.index)  # singletons dropped

    columns = fitted.columns
    frame = _fe_frame(design.X.iloc[train], columns).assign(
        y=design.target[train], region=region[train], w=design.meta["weight"].to_numpy()[train])
    terms = " + ".join(f"x{i}" for i in range(len(columns)))
    reference = pf.feols(f"y ~ {terms} | region", frame, weights="w", vcov="iid")
    exact = pd.Series(reference.fixef(atol=1e-14, btol=1e-14)["C(region)"])
    assert set(exact.index) == {str(r) for r in fitted.region_effects.index}
    np.testing.assert_allclose(fitted.region_effects.to_numpy(), exact[fitted.region_effects.index.astype(str)].to_numpy(),
                               rtol=0, atol=1e-10)
    expected = np.asarray(reference.predict(newdata=_fe_frame(X, columns).assign(region=region[test]), atol=1e-14,
                                            btol=1e-14), dtype=float)
    expected = design.to_rate(expected, test)
    expected = np.where(np.isnan(expected), design.current[test], expected)

    got = fitted.predict(design, test, X)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)
    fell_back = np.isin(region[test], [9, 10, 11])
    fell_back[0] = True
    assert np.array_equal(got[fell_back], design.current[test][fell_back])
    assert not np.allclose(got[~fell_back], design.current[test][~fell_back])
