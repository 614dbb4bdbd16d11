"""Synthetic control on the Basque Country (Abadie & Gardeazabal 2003) against R ``Synth``.

Data and reference values: ``../shared/data/reference/basque`` and its README (R ``Synth``'s
documented example, also pysyncon's verified test).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aoresearch.impact import SyntheticControl

# Reference values (README of ../shared/data/reference; R Synth / pysyncon).
REF_WEIGHTS = {"Cataluna": 0.8508, "Madrid (Comunidad De)": 0.1492}
# README: V is weakly identified, so each weight is checked to 0.025.
WEIGHT_TOL = 0.025
REF_PRE_MSPE = 0.008865
# R reports 4 significant digits (rounding error <= 5.6e-5 relative); inner solvers (R ipop,
# pysyncon SLSQP, NNLS here) and Nelder-Mead stopping rules differ by ~1e-5 relative. 1e-3 is
# far tighter than the distance to the neighbouring local optima (0.0043, 0.0249, 0.040).
PRE_MSPE_RTOL = 1e-3
REF_MEAN_GAP = -0.6996  # mean gap 1975-1997
# 4 decimals in the README; the reproduced weights agree to 1e-4, which moves the mean gap by
# well under 1e-3; 5e-3 leaves room for solver differences but not for another optimum (-1.02).
MEAN_GAP_TOL = 5e-3

TREATED = "Basque Country (Pais Vasco)"
SECTORS = ["sec.agriculture", "sec.energy", "sec.industry", "sec.construction", "sec.services.venta", "sec.services.nonventa"]
ODD_YEARS = list(range(1961, 1970, 2))
SPEC = dict(
    predictors=["school.illit", "school.prim", "school.med", "school.high", "school.post.high", "invest"],
    predictors_periods=list(range(1964, 1970)),
    predictors_op="mean",
    special_predictors=[("gdpcap", list(range(1960, 1970)), "mean")]
    + [(sector, ODD_YEARS, "mean") for sector in SECTORS]
    + [("popdens", [1969], "mean")],
    optimize_periods=list(range(1960, 1970)),
)
FIT_ARGS = dict(unit="regionname", time="year", outcome="gdpcap", treated=TREATED, treatment_time=1970)


def _reference_folder() -> Path:
    folder = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "reference" / "basque"
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{folder} is missing; CI must run with ../shared beside the repository.")
        pytest.skip(f"reference data {folder} is not available on this machine")
    return folder


@pytest.fixture(scope="module")
def basque() -> pd.DataFrame:
    return pd.read_csv(_reference_folder() / "basque.csv")


@pytest.fixture(scope="module")
def r_synth_fit(basque):
    # n_starts=1 is R Synth's own search: one Nelder-Mead run from equal predictor weights.
    return SyntheticControl(**SPEC, n_starts=1).fit(basque, **FIT_ARGS)


def test_donors_are_the_other_17_units_including_spain(r_synth_fit):
    assert len(r_synth_fit.donors_) == 17
    assert "Spain (Espana)" in r_synth_fit.donors_


@pytest.mark.parametrize("donor", sorted(REF_WEIGHTS))
def test_weights_match_r_synth(r_synth_fit, donor):
    assert abs(r_synth_fit.weights_[donor] - REF_WEIGHTS[donor]) <= WEIGHT_TOL


def test_all_other_weights_are_zero(r_synth_fit):
    others = r_synth_fit.weights_.drop(list(REF_WEIGHTS))
    assert others.max() <= WEIGHT_TOL


def test_pre_period_mspe_matches_r_synth(r_synth_fit):
    assert r_synth_fit.pre_mspe_ == pytest.approx(REF_PRE_MSPE, rel=PRE_MSPE_RTOL)
    assert r_synth_fit.pre_rmspe_ == pytest.approx(np.sqrt(r_synth_fit.pre_mspe_))


def test_mean_gap_1975_1997_matches_r_synth(r_synth_fit):
    mean_gap = r_synth_fit.gap_.loc[1975:1997].mean()
    assert mean_gap < 0
    assert abs(mean_gap - REF_MEAN_GAP) <= MEAN_GAP_TOL


def test_same_v_gives_pysyncon_weights(basque, r_synth_fit):
    """Scaling and inner problem agree with pysyncon: its W for our V equals ours."""
    from pysyncon import Dataprep, Synth

    prep = Dataprep(
        foo=basque, predictors=SPEC["predictors"], predictors_op="mean", dependent="gdpcap",
        unit_variable="regionname", time_variable="year", treatment_identifier=TREATED,
        controls_identifier=list(r_synth_fit.donors_), time_predictors_prior=SPEC["predictors_periods"],
        time_optimize_ssr=SPEC["optimize_periods"], special_predictors=SPEC["special_predictors"],
    )
    synth = Synth()
    synth.fit(dataprep=prep, custom_V=r_synth_fit.v_.to_numpy())
    theirs = pd.Series(synth.W, index=list(r_synth_fit.donors_))
    np.testing.assert_allclose(r_synth_fit.weights_.to_numpy(), theirs.to_numpy(), atol=1e-4)


def test_more_starts_never_fit_worse(basque, r_synth_fit):
    multi = SyntheticControl(**SPEC, n_starts=4, random_state=3).fit(basque, **FIT_ARGS)
    assert multi.pre_mspe_ <= r_synth_fit.pre_mspe_ * (1 + 1e-9)
    assert multi.pre_mspe_ == pytest.approx(multi.start_losses_.min(), rel=1e-9)
    assert multi.weights_.min() >= 0 and multi.weights_.sum() == pytest.approx(1.0, abs=1e-12)


def test_summary_reports_fit_next_to_weights(r_synth_fit):
    summary = r_synth_fit.summary()
    fit = summary[summary["kind"] == "fit"].set_index("name")["value"]
    weights = summary[summary["kind"] == "weight"].set_index("name")["value"]
    assert fit["pre_mspe"] == pytest.approx(REF_PRE_MSPE, rel=PRE_MSPE_RTOL)
    assert set(weights.index) == set(REF_WEIGHTS)
