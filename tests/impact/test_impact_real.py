"""The impact evaluation runs on the real Sotkanet extract (out-of-home care only, data to 2021)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from aoresearch.config import parse_params
from aoresearch.impact import evaluate_pilot
from aoresearch.panel.files import Panel
from aoresearch.panel.stage import make_panel
from aoresearch.sources.file import read_sotkanet_extract

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def real(sotkanet_extract, catalogue, repo_root):
    document = yaml.safe_load((repo_root / "params.yaml").read_text(encoding="utf-8"))
    document["data"].update(source="file", file={"path": str(sotkanet_extract)})
    document["data"]["years"]["end"] = 2021
    params = parse_params(document, base_dir=repo_root)
    raw = read_sotkanet_extract(sotkanet_extract, catalogue, params.data.years)
    panel = make_panel(raw, catalogue, params, "wellbeing_county")
    config = replace(params.impact, outcomes=("oohc_per_1000", "school_absence_pct"))
    return params, panel, config


@pytest.mark.parametrize("key, status", [("north_karelia", "effect"), ("central_finland", "baseline")])
def test_county_pilots_run_and_skip_outcomes_without_data(real, key, status):
    params, panel, config = real
    result = evaluate_pilot(Panel('wellbeing_county', panel, {}, False), params.pilot(key), params.pilots, config, params.seed)
    assert result.status == status
    assert [o.outcome for o in result.outcomes] == ["oohc_per_1000"]
    assert "school_absence_pct" in result.skipped and "lacks this indicator" in result.skipped["school_absence_pct"]
    assert result.data_end_year == 2021
    if status == "effect":
        years = sorted(result.table("trajectory").query("year >= 2020")["year"])
        assert years == [2020, 2021]
        assert not result.table("effects").empty
    else:
        assert result.table("effects").empty and not result.table("power").empty
