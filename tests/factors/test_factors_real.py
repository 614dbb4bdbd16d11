"""The risk-factor models on the real Sotkanet extract (THL, CC BY 4.0), read at run time.

No value of the extract is written here: the checks are on signs, significance and that the
evaluation runs and reports its ratio to persistence.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from aoresearch.config import parse_params
from aoresearch.factors import (
    make_design, parse_factors_config, rolling_origin_cv, run_associations, select_columns, summarise_cv,
)
from aoresearch.panel.stage import make_panel
from aoresearch.sources.file import read_sotkanet_extract

pytestmark = pytest.mark.real_data
SIGNIFICANCE = 0.05
ABSENT_IN_EXTRACT = {"adult_psych_care_per_1000", "substance_use_care_per_1000", "divorces_per_1000",
                     "chronic_illness_pct", "leisure_participation_pct"}


@pytest.fixture(scope="module")
def real(sotkanet_extract, catalogue, repo_root):
    document = yaml.safe_load((repo_root / "params.yaml").read_text())
    document["data"].update(source="file", years={"start": 1990, "end": 2021}, file={"path": str(sotkanet_extract)})
    params = parse_params(document, base_dir=repo_root)
    raw = read_sotkanet_extract(sotkanet_extract, catalogue, params.data.years)
    return make_panel(raw, catalogue, params, "municipality"), params


@pytest.fixture(scope="module")
def config(real):
    return real[1].factors


def test_published_specification_gives_a_positive_significant_social_assistance_coefficient(real, config, catalogue):
    panel, _ = real
    spec = [s for s in config.associations if s.name == "hiilamo2023"]
    table, skipped = run_associations(panel, tuple(spec), config.outcomes, (), {r.column: r.role for r in catalogue.rates})
    assert not skipped
    assert set(table["period"]) == {"1992-2021", "1992-2001", "2002-2011", "2012-2021"}
    pooled = table[(table["period"] == "1992-2021") & (table["term"] == "social_assistance_pct")].set_index("fixed_effects")
    assert pooled.loc["year", "estimate"] > 0
    assert pooled.loc["year", "p_value"] < SIGNIFICANCE
    assert pooled.loc["year", "lower"] > 0
    # Within municipalities (region and year fixed effects) the pooled association stays positive.
    assert pooled.loc["region+year", "estimate"] > 0
    assert pooled.loc["region+year", "p_value"] < SIGNIFICANCE
    assert (table["n_obs"] > 0).all() and table["r2"].between(0, 1).all()


def test_factors_without_data_are_skipped_and_recorded(real, config, catalogue):
    panel, _ = real
    outcomes, factors, skipped_outcomes, skipped_factors = select_columns(panel, config, catalogue)
    assert set(factors) == {"social_assistance_pct", "child_low_income_pct", "unemployment_pct"}
    assert set(skipped_factors) == ABSENT_IN_EXTRACT
    assert "school_absence_pct" in skipped_outcomes and "oohc_per_1000" in outcomes


def test_forecast_error_is_measured_against_persistence(real, config, catalogue):
    panel, _ = real
    _, factors, _, _ = select_columns(panel, config, catalogue)
    small = parse_factors_config({
        "outcomes": ["oohc_per_1000"], "lags": [0, 1], "test_years": {"start": 2019, "end": 2020},
        "model": {"max_iter": 40, "learning_rate": 0.1},
    })
    design = make_design(panel, "oohc_per_1000", factors, small.lags, 1, "change", 1000)
    summary = summarise_cv(rolling_origin_cv(design, small), small.interval)
    ratio = summary["mae_ratio_to_persistence"]["model"]
    assert np.isfinite(ratio) and 0.5 < ratio < 2.0
    assert summary["beats_persistence"] == (ratio < 1.0)
    assert summary["test_years"] == [2019, 2020]
    assert (design.meta["weight"] > 1000).all()
