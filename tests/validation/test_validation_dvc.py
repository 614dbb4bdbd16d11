"""In a copy of the repository: after a good `dvc repro`, a broken input stops `dvc repro` at
validate_raw, the panel outputs stay untouched and `dvc checkout` restores the last good raw data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from validation_corpus import YEARS, RepoCopy, write_extract

pytestmark = pytest.mark.slow


def test_broken_input_stops_at_validate_raw_and_keeps_outputs(small_extract, repo_root, tmp_path):
    obs, regions = small_extract
    good = write_extract(tmp_path / "good", obs, regions)
    broken_obs = obs.copy()
    broken_obs.loc[(broken_obs["indicator"] == 191) & (broken_obs["region"] == 378) & (broken_obs["year"] == 2015), "abs_value"] = -7
    broken = write_extract(tmp_path / "broken", broken_obs, regions)
    repo = RepoCopy(repo_root, tmp_path / "repo")
    repo.set_params(**{"data.source": "file", "data.file.path": str(good), "data.years": {"start": YEARS[0], "end": YEARS[1]}})
    repo.dvc("repro", "panel@municipality")
    metrics = json.loads((repo.root / "metrics/validation_raw.json").read_text())
    assert metrics["failed_critical"] == 0 and metrics["synthetic"] is False
    assert (repo.root / "reports/validation/raw/index.html").is_file()
    assert "validation_raw.json" in repo.dvc("metrics", "show").stdout
    panel_before = (repo.root / "data/panel/municipality.parquet").read_bytes()
    raw_before = (repo.root / "data/raw/observations.parquet").read_bytes()
    good_lock = (repo.root / "dvc.lock").read_text()  # what the lead commits after a good run
    good_metrics = (repo.root / "metrics/validation_raw.json").read_text()  # git-tracked (cache: false)

    repo.set_params(**{"data.file.path": str(broken)})
    result = repo.dvc("repro", "panel@municipality", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Running stage 'validate_raw'" in output and "Running stage 'panel@municipality'" not in output
    assert "[count_non_negative]" in output and "region 378" in output and "count -7" in output
    assert (repo.root / "data/panel/municipality.parquet").read_bytes() == panel_before

    # ingest itself succeeded on the broken file, so dvc.lock now points at the broken data/raw;
    # the committed dvc.lock and metrics (`git checkout HEAD -- dvc.lock metrics`) plus `dvc checkout`
    # bring back the good one. The failed run's metrics file says what failed until then.
    assert json.loads((repo.root / "metrics/validation_raw.json").read_text())["failed_critical"] > 0
    repo.set_params(**{"data.file.path": str(good)})
    (repo.root / "dvc.lock").write_text(good_lock)
    (repo.root / "metrics/validation_raw.json").write_text(good_metrics)
    repo.dvc("checkout", "--force", "ingest", "validate_raw")
    assert (repo.root / "data/raw/observations.parquet").read_bytes() == raw_before
    assert pd.read_parquet(repo.root / "data/panel/municipality.parquet")["region"].isin([378, 261]).any()
    status = repo.dvc("status", "panel@municipality").stdout
    assert "changed" not in status, status
    assert json.loads((repo.root / "metrics/validation_raw.json").read_text())["failed_critical"] == 0
