"""The `file` source on the real extract and on broken files."""

import gzip
import logging
import shutil

import pandas as pd
import pytest

from aoresearch.errors import RawDataError
from aoresearch.sources.file import read_sotkanet_extract

YEARS = range(1990, 2022)


def test_reads_the_real_extract(sotkanet_extract, catalogue, caplog):
    with caplog.at_level(logging.WARNING):
        raw = read_sotkanet_extract(sotkanet_extract, catalogue, YEARS)
    assert len(raw.observations) == 1_161_727
    assert not raw.is_synthetic
    assert raw.provenance["files"]["observations.csv.gz"]["sha256"]
    skipped = [n for n in raw.provenance["notices"] if "no Sotkanet id yet" in n]
    assert len(skipped) == len(catalogue.unfetchable)
    assert "leisure_participation" in caplog.text


def test_keeps_only_requested_years(sotkanet_extract, catalogue):
    raw = read_sotkanet_extract(sotkanet_extract, catalogue, range(2010, 2013))
    assert set(raw.observations["year"].unique()) == {2010, 2011, 2012}


@pytest.fixture()
def small_extract(tmp_path, sotkanet_extract):
    """A tiny extract in the shared format, made at run time (never committed)."""
    folder = tmp_path / "extract"
    folder.mkdir()
    shutil.copy(sotkanet_extract / "regions.csv", folder / "regions.csv")
    rows = pd.read_csv(sotkanet_extract / "observations.csv.gz", nrows=200)
    rows.to_csv(folder / "observations.csv", index=False)
    return folder


def test_text_in_a_numeric_column(small_extract, catalogue):
    frame = pd.read_csv(small_extract / "observations.csv")
    frame["abs_value"] = frame["abs_value"].astype(object)
    frame.loc[3, "abs_value"] = "n/a"
    frame.to_csv(small_extract / "observations.csv", index=False)
    with pytest.raises(RawDataError, match=r"column 'abs_value' must be numeric; found text \(row 5: 'n/a'\)"):
        read_sotkanet_extract(small_extract, catalogue, YEARS)


def test_empty_file(small_extract, catalogue):
    (small_extract / "observations.csv").write_text("")
    with pytest.raises(RawDataError, match=r"observations.csv is empty \(0 bytes\)"):
        read_sotkanet_extract(small_extract, catalogue, YEARS)


def test_header_only(small_extract, catalogue):
    (small_extract / "observations.csv").write_text("indicator,region,year,gender,value,abs_value\n")
    with pytest.raises(RawDataError, match="has a header but no data rows"):
        read_sotkanet_extract(small_extract, catalogue, YEARS)


def test_truncated_gzip(small_extract, catalogue):
    data = gzip.compress((small_extract / "observations.csv").read_bytes())
    (small_extract / "observations.csv").unlink()
    (small_extract / "observations.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(RawDataError, match="truncated or corrupt gzip"):
        read_sotkanet_extract(small_extract, catalogue, YEARS)


def test_missing_column(small_extract, catalogue):
    frame = pd.read_csv(small_extract / "observations.csv").drop(columns="gender")
    frame.to_csv(small_extract / "observations.csv", index=False)
    with pytest.raises(RawDataError, match=r"missing columns \['gender'\]"):
        read_sotkanet_extract(small_extract, catalogue, YEARS)


def test_unknown_gender(small_extract, catalogue):
    frame = pd.read_csv(small_extract / "observations.csv")
    frame.loc[0, "gender"] = "both"
    frame.to_csv(small_extract / "observations.csv", index=False)
    with pytest.raises(RawDataError, match=r"'gender' must be one of .* found \['both'\]"):
        read_sotkanet_extract(small_extract, catalogue, YEARS)


def test_not_a_folder(tmp_path, catalogue):
    with pytest.raises(RawDataError, match="data.file.path: .* is not a folder"):
        read_sotkanet_extract(tmp_path / "missing", catalogue, YEARS)


def test_missing_region_table(small_extract, catalogue):
    (small_extract / "regions.csv").unlink()
    with pytest.raises(RawDataError, match="regions.csv does not exist"):
        read_sotkanet_extract(small_extract, catalogue, YEARS)


def test_the_extract_is_never_modified(small_extract, catalogue):
    before = {p.name: p.read_bytes() for p in small_extract.iterdir()}
    read_sotkanet_extract(small_extract, catalogue, YEARS)
    assert before == {p.name: p.read_bytes() for p in small_extract.iterdir()}
