"""The panel artifact's one writer and reader: a checked Panel, or one error naming the file and the stage."""

import re

import pandas as pd
import pytest

from aoresearch.config import Pilot
from aoresearch.errors import InsufficientDataError, PanelStructureError
from aoresearch.panel import Panel, PanelSpec, read_panel, read_panel_or_none, read_panel_summaries, write_panel

OULU = Pilot("oulu", "Oulu", 261, "municipality", 2020, 2020)


@pytest.fixture()
def frame():
    years = list(range(2010, 2022))
    return pd.DataFrame({"region": [261] * len(years) + [5] * len(years), "year": years * 2,
                         "oohc_per_1000": [10.0] * (2 * len(years))})


def test_written_panel_reads_back_checked_with_its_summary(tmp_path, frame):
    write_panel(frame, {"rows": len(frame), "synthetic": True}, tmp_path, "municipality")
    panel = read_panel(tmp_path, "municipality")
    assert isinstance(panel, Panel) and panel.name == "municipality"
    pd.testing.assert_frame_equal(panel.frame, frame)
    assert panel.summary == {"rows": len(frame), "synthetic": True}
    assert panel.synthetic is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["municipality.parquet", "municipality.summary.json"], "no staging file left"


def test_synthetic_flag_comes_from_the_summary(tmp_path, frame):
    write_panel(frame, {"synthetic": False}, tmp_path, "a")
    write_panel(frame, {"rows": 1}, tmp_path, "b")
    assert read_panel(tmp_path, "a").synthetic is False
    assert read_panel(tmp_path, "b").synthetic is False  # a summary without the flag: not marked
    assert read_panel_summaries(tmp_path) == {"a": {"synthetic": False}, "b": {"rows": 1}}


def test_missing_panel_is_one_error_naming_the_file_and_the_stage(tmp_path):
    path = tmp_path / "country.parquet"
    with pytest.raises(PanelStructureError, match=re.escape(f"panel file {path} does not exist")) as info:
        read_panel(tmp_path, "country")
    assert "dvc repro panel@country" in str(info.value)
    assert read_panel_or_none(tmp_path, "country") is None


def test_missing_or_malformed_summary_names_it(tmp_path, frame):
    frame.to_parquet(tmp_path / "country.parquet", index=False)
    with pytest.raises(PanelStructureError, match=r"panel summary .*country\.summary\.json does not exist.*panel@country"):
        read_panel(tmp_path, "country")
    (tmp_path / "country.summary.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(PanelStructureError, match=r"holds a list; expected a JSON object"):
        read_panel(tmp_path, "country")


def test_unreadable_parquet_names_the_file(tmp_path):
    (tmp_path / "country.parquet").write_bytes(b"half a parquet file")
    (tmp_path / "country.summary.json").write_text("{}", encoding="utf-8")
    with pytest.raises(PanelStructureError, match=r"country\.parquet is not a readable parquet file"):
        read_panel(tmp_path, "country")


def test_a_panel_failing_its_spec_is_an_error_naming_the_file(tmp_path, frame):
    write_panel(pd.concat([frame, frame.head(1)]), {}, tmp_path, "municipality")
    with pytest.raises(PanelStructureError, match=r"municipality\.parquet: \(region, year\) keys are not unique"):
        read_panel(tmp_path, "municipality")
    assert len(read_panel(tmp_path, "municipality", spec=None).frame) == len(frame) + 1  # unchecked: the validate stage's suites report it
    write_panel(frame, {}, tmp_path, "municipality")
    short = PanelSpec(pilots=(OULU,), min_pre_years=20)
    with pytest.raises(InsufficientDataError, match=r"pilot 'oulu' .* has 10 years"):
        read_panel(tmp_path, "municipality", spec=short)
