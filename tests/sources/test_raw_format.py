"""Atomic writes: a failed write never leaves a partial data set posing as complete."""

import dataclasses

import pandas as pd
import pytest

from aoresearch.errors import RawDataError
from aoresearch.sources.raw import RawData, read_raw, write_raw


@pytest.fixture()
def tiny():
    observations = pd.DataFrame(
        {"indicator": [191], "region": [378], "year": [2020], "gender": ["total"], "value": [float("nan")], "abs_value": [812.0]}
    )
    regions = pd.DataFrame({"id": [378], "title_fi": ["Tampere"], "category": ["KUNTA"], "code": [""]})
    return RawData(observations, regions, {"source": "test", "synthetic": True})


def test_round_trip(tmp_path, tiny):
    write_raw(tiny, tmp_path / "raw")
    back = read_raw(tmp_path / "raw")
    pd.testing.assert_frame_equal(back.observations, tiny.observations)
    assert back.provenance == tiny.provenance and back.is_synthetic


def test_failed_write_keeps_the_previous_data_set(tmp_path, tiny):
    write_raw(tiny, tmp_path / "raw")
    unserialisable = dataclasses.replace(tiny, provenance={"when": object()})
    with pytest.raises(TypeError):
        write_raw(unserialisable, tmp_path / "raw")
    assert read_raw(tmp_path / "raw").provenance == tiny.provenance
    assert [p.name for p in tmp_path.iterdir()] == ["raw"], "no partial folder may remain"


def test_incomplete_folder_is_reported(tmp_path, tiny):
    write_raw(tiny, tmp_path / "raw")
    (tmp_path / "raw" / "observations.parquet").unlink()
    with pytest.raises(RawDataError, match="incomplete or unreadable.*Re-run the ingest stage"):
        read_raw(tmp_path / "raw")
