"""Fixtures of the validation tests: a small Sotkanet-format extract made from the demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from validation_corpus import PILOT_REGIONS, YEARS, StageRun, run_stages


@pytest.fixture(scope="session")
def small_extract(demo_raw, catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observations and regions of a few regions (all pilots) and years, in the extract's schema."""
    regions = demo_raw.regions
    others = [int(i) for c in ("KUNTA", "HYVINVOINTIALUE") for i in regions.loc[regions["category"] == c, "id"].head(4)]
    keep = set(PILOT_REGIONS) | set(others) | set(regions.loc[regions["category"] == "MAA", "id"])
    obs = demo_raw.observations
    ids = {i.sotkanet_id for i in catalogue.fetchable}
    obs = obs[obs["region"].isin(keep) & obs["year"].between(*YEARS) & obs["indicator"].isin(ids)]
    return obs.reset_index(drop=True), regions


@pytest.fixture
def stages(tmp_path) -> Callable[[Path], StageRun]:
    return lambda extract: run_stages(tmp_path, extract)
