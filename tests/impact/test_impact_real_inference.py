"""Impact estimates on the real Sotkanet extract: every pilot with post years gets a finite
interval, an RMSPE-ratio rank from >= 10 placebos and a minimum detectable effect (issue 12)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from aoresearch.config import load_params
from aoresearch.impact.evaluate import evaluate_outcome
from aoresearch.panel.stage import make_panel
from aoresearch.sources.ingest import ingest

pytestmark = pytest.mark.real_data
OUTCOME = "oohc_per_1000"


@pytest.fixture(scope="module")
def real(sotkanet_extract, repo_root, catalogue, tmp_path_factory):
    import yaml

    document = yaml.safe_load((repo_root / "params.yaml").read_text(encoding="utf-8"))
    document["data"] |= {"source": "file", "file": {"path": str(sotkanet_extract)}}
    document["data"]["years"]["end"] = 2021
    path = tmp_path_factory.mktemp("real") / "params.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    params = load_params(path)
    raw = ingest(params, catalogue)
    panels = {level: make_panel(raw, catalogue, params, level) for level in ("municipality", "wellbeing_county")}
    config = replace(params.impact, outcomes=(OUTCOME,), n_jobs=1)
    return params, panels, config


@pytest.mark.parametrize("key", ["tampere", "oulu", "north_karelia", "central_ostrobothnia"])
def test_real_pilot_has_interval_placebos_and_mde(real, key):
    params, panels, config = real
    pilot = next(p for p in params.pilots if p.key == key)
    result = evaluate_outcome(panels[pilot.category], pilot, params.pilots, OUTCOME, config, params.seed)
    assert result.status == "effect"
    average = result.effects[(result.effects["estimator"] == "synthetic_control") & (result.effects["period"] == "average")].iloc[0]
    assert math.isfinite(average["lower"]) and math.isfinite(average["upper"]) and average["lower"] < average["upper"]
    assert 0 <= average["p_value"] <= 1
    assert average["percent_lower"] > -100
    assert result.info["n_placebos"] >= 10
    assert result.info["fit_quality"] != "overfitted", result.info
    mde = result.power.iloc[0]
    assert mde["n_post"] == 2 and math.isfinite(mde["mde"]) and mde["mde"] > 0
    # The interval and the MDE use the same out-of-sample error scale.
    assert mde["sigma"] == pytest.approx(average["se"])
