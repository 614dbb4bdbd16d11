"""The DVC pipeline end to end: demo data by default, the real extract by one params change."""

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def _ran(output: str) -> set[str]:
    return {line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")}


def test_demo_pipeline_runs_end_to_end(repo_copy):
    result = repo_copy.dvc("repro")
    assert {"ingest", "panel@municipality", "panel@wellbeing_county", "panel@country"} <= _ran(result.stdout)
    panel = pd.read_parquet(repo_copy.root / "data/panel/municipality.parquet")
    assert {378, 261} <= set(panel["region"])
    provenance = json.loads((repo_copy.root / "data/raw/provenance.json").read_text())
    assert provenance["synthetic"] is True and "SYNTHETIC" in provenance["notice"]
    assert (repo_copy.root / "data/raw/ground_truth.json").is_file()


def test_second_repro_is_a_no_op(repo_copy):
    result = repo_copy.dvc("repro")
    assert _ran(result.stdout) == set()
    assert "up to date" in result.stdout


def test_changed_parameter_reruns_only_the_stages_that_read_it(repo_copy):
    repo_copy.set_params(**{"panel.suppression": "upper"})
    status = json.loads(repo_copy.dvc("status", "--json").stdout)
    assert "ingest" not in status
    assert {"panel@municipality", "panel@wellbeing_county", "panel@country"} <= set(status)
    repo_copy.dvc("repro")
    panel = pd.read_parquet(repo_copy.root / "data/panel/municipality.parquet")
    assert (panel.loc[panel["placements_0_6_imputed"], "placements_0_6"] == 5.0).all()
    repo_copy.set_params(**{"panel.suppression": "midpoint"})


def test_real_extract_by_one_params_change(repo_copy, sotkanet_extract):
    repo_copy.set_params(**{"data.source": "file", "data.file.path": str(sotkanet_extract), "data.years.end": 2021})
    repo_copy.dvc("repro")
    provenance = json.loads((repo_copy.root / "data/raw/provenance.json").read_text())
    assert provenance["source"] == "file" and provenance["synthetic"] is False
    assert not (repo_copy.root / "data/raw/ground_truth.json").exists()
    panel = pd.read_parquet(repo_copy.root / "data/panel/municipality.parquet")
    assert panel["year"].max() == 2021 and panel["region"].nunique() == 309


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
