"""The real Sotkanet extract through the DVC pipeline by one params change (data.source: file),
and a bad parameter that stops it while the last good outputs stay recoverable."""

import json

import pandas as pd
import pytest

from test_dvc_pipeline import _assert_every_report_rendered

pytestmark = [pytest.mark.slow, pytest.mark.real_data, pytest.mark.timeout(3600)]


def test_real_extract_by_one_params_change(repo_copy, sotkanet_extract):
    repo_copy.set_params(**{"data.source": "file", "data.file.path": str(sotkanet_extract), "data.years.end": 2021})
    repo_copy.dvc("repro")
    provenance = json.loads((repo_copy.root / "data/raw/provenance.json").read_text())
    assert provenance["source"] == "file" and provenance["synthetic"] is False
    assert not (repo_copy.root / "data/raw/ground_truth.json").exists()
    panel = pd.read_parquet(repo_copy.root / "data/panel/municipality.parquet")
    assert panel["year"].max() == 2021 and panel["region"].nunique() == 309
    _assert_every_report_rendered(repo_copy)
    assert json.loads((repo_copy.root / "metrics/forecast.json").read_text())["synthetic"] is False
    assert "synthetic demo" not in (repo_copy.root / "reports/html/impact_tampere.html").read_text(encoding="utf-8").lower()


def test_bad_parameter_stops_with_a_message_and_keeps_outputs(repo_copy):
    before = (repo_copy.root / "data/panel/municipality.parquet").read_bytes()
    repo_copy.set_params(**{"data.file.path": "/nonexistent/extract"})
    result = repo_copy.dvc("repro", check=False)
    assert result.returncode != 0
    assert "data.file.path: /nonexistent/extract is not a folder" in result.stderr + result.stdout
    assert (repo_copy.root / "data/panel/municipality.parquet").read_bytes() == before
    repo_copy.dvc("checkout", "--force")
    provenance = json.loads((repo_copy.root / "data/raw/provenance.json").read_text())
    assert provenance["source"] == "file", "the last good raw data set is recoverable with dvc checkout"
