"""Callaway & Sant'Anna (2021) on ``mpdta`` against R ``did`` 2.5 (analytic standard errors).

Reference files: ``../shared/data/reference/mpdta/ref_{attgt,aggte,pretest}_R_did_csdid.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aoresearch.impact import StaggeredDiD

# Tolerances (README of ../shared/data/reference: point estimates are closed-form).
ATT_TOL = 1e-6
SE_TOL = 1e-4
WALD_RTOL = 1e-6
# R did rounds the pre-test p-value to 5 decimals (round(1 - pchisq(W, q), 5)).
P_VALUE_TOL = 5e-6 + 1e-9

SCENARIOS = {
    "mpdta_nev_dr": dict(control_group="nevertreated", est_method="dr", covariates=None),
    "mpdta_nyt_dr": dict(control_group="notyettreated", est_method="dr", covariates=None),
    "mpdta_nev_reg_cov": dict(control_group="nevertreated", est_method="reg", covariates=["lpop"]),
    "mpdta_nev_ipw": dict(control_group="nevertreated", est_method="ipw", covariates=None),
}
# Scenarios in the reference files that cannot be run here, and why.
UNSUPPORTED = {"sim_nev_dr": "its simulated data set is not among the reference files"}
LABELS = {"dynamic": "event_time", "group": "group", "calendar": "time"}


def _reference_folder() -> Path:
    folder = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "reference" / "mpdta"
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{folder} is missing; CI must run with ../shared beside the repository.")
        pytest.skip(f"reference data {folder} is not available on this machine")
    return folder


@pytest.fixture(scope="module")
def reference() -> dict[str, pd.DataFrame]:
    folder = _reference_folder()
    return {
        "data": pd.read_csv(folder / "mpdta.csv"),
        "attgt": pd.read_csv(folder / "ref_attgt_R_did_csdid.csv"),
        "aggte": pd.read_csv(folder / "ref_aggte_R_did_csdid.csv"),
        "pretest": pd.read_csv(folder / "ref_pretest_R_did_csdid.csv"),
    }


@pytest.fixture(scope="module")
def fitted(reference) -> dict[str, StaggeredDiD]:
    models = {}
    for name, spec in SCENARIOS.items():
        model = StaggeredDiD(control_group=spec["control_group"], est_method=spec["est_method"])
        models[name] = model.fit(
            reference["data"], unit="countyreal", time="year", outcome="lemp", group="first.treat", covariates=spec["covariates"]
        )
    return models


def test_every_reference_scenario_is_run_or_explained(reference):
    names = set(reference["attgt"]["scenario"]) | set(reference["aggte"]["scenario"]) | set(reference["pretest"]["scenario"])
    assert names == set(SCENARIOS) | set(UNSUPPORTED)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_group_time_att_and_se(reference, fitted, scenario):
    ref = reference["attgt"].query("scenario == @scenario").sort_values(["group", "t"])
    ours = fitted[scenario].att_gt_.sort_values(["group", "time"])
    np.testing.assert_array_equal(ours[["group", "time"]].to_numpy(), ref[["group", "t"]].to_numpy())
    np.testing.assert_allclose(ours["att"], ref["att"], rtol=0, atol=ATT_TOL)
    np.testing.assert_allclose(ours["se"], ref["se"], rtol=0, atol=SE_TOL)


@pytest.mark.parametrize("kind", ["simple", "dynamic", "group", "calendar"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_aggregations(reference, fitted, scenario, kind):
    ref = reference["aggte"].query("scenario == @scenario and type == @kind")
    agg = fitted[scenario].aggregate(kind)
    assert agg.overall_att == pytest.approx(ref["overall_att"].iloc[0], abs=ATT_TOL)
    assert agg.overall_se == pytest.approx(ref["overall_se"].iloc[0], abs=SE_TOL)
    if kind == "simple":
        assert agg.table.empty
        return
    table = agg.table.sort_values(LABELS[kind])
    ref = ref.sort_values("egt")
    np.testing.assert_array_equal(table[LABELS[kind]].to_numpy(), ref["egt"].to_numpy())
    np.testing.assert_allclose(table["att"], ref["att_egt"], rtol=0, atol=ATT_TOL)
    np.testing.assert_allclose(table["se"], ref["se_egt"], rtol=0, atol=SE_TOL)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_pre_trend_wald_test(reference, fitted, scenario):
    ref = reference["pretest"].query("scenario == @scenario").iloc[0]
    test = fitted[scenario].pretest_
    assert test.df == 5
    assert test.statistic == pytest.approx(ref["W"], rel=WALD_RTOL)
    assert abs(test.p_value - ref["Wpval"]) <= P_VALUE_TOL


def test_headline_numbers_of_the_readme(fitted):
    model = fitted["mpdta_nev_dr"]
    assert model.aggregate("simple").overall_att == pytest.approx(-0.0399513, abs=1e-6)
    assert model.aggregate("simple").overall_se == pytest.approx(0.0120340, abs=1e-6)
    dynamic = model.aggregate("dynamic")
    assert dynamic.overall_att == pytest.approx(-0.0772398, abs=1e-6)
    np.testing.assert_allclose(dynamic.table["att"], [0.0305, -0.0006, -0.0245, -0.0199, -0.0510, -0.1373, -0.1008], atol=6e-5)


@pytest.mark.parametrize("kind", ["simple", "dynamic", "group", "calendar"])
def test_effect_cell_weights_reproduce_each_aggregation(fitted, kind):
    """The cell weights behind the percent-of-counterfactual scale give R's overall ATT."""
    from aoresearch.impact._staggered_did import aggregation_weights

    model = fitted["mpdta_nev_reg_cov"]
    weights = aggregation_weights(model.att_gt_, model._group_shares, kind)
    assert weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert float(weights @ model.att_gt_["att"]) == pytest.approx(model.aggregate(kind).overall_att, abs=1e-12)
