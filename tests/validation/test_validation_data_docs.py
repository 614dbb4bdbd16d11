"""Data Docs of the same data are byte-identical across runs (DVC hashes them, issue 14)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

from aoresearch.validation import Target, load_site_config, run_targets, write_suites
from aoresearch.validation.docs import normalise_page
from aoresearch.validation.rules import critical, warning
from aoresearch.validation.run_id import frame_digest

REPO = Path(__file__).resolve().parents[2]
UUID_A = "ac217f97-5e89-419b-af38-607e899461b2"
UUID_B = "f76f1b47-d170-46d3-975c-3789c0c7cae0"


def _target() -> Target:
    """A small table with one failed warning, so that pages have examples and collapsible parts."""
    frame = pd.DataFrame({"region": range(20), "value": [float(v) for v in range(19)] + [250.0]})
    expectations = (
        critical("column_values_to_not_be_null", "value_present", "every row has a value", column="value"),
        warning("column_values_to_be_between", "value_in_range", "values are percentages", column="value",
                min_value=0, max_value=100),
    )
    return Target("small_table", frame, expectations, row_label=("region",))


def _site(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_data_docs_of_the_same_data_are_identical(tmp_path):
    gx_dir = tmp_path / "gx"
    gx_dir.mkdir()
    shutil.copy2(REPO / "gx" / "great_expectations.yml", gx_dir)
    write_suites({"raw": [_target()]}, gx_dir)
    sites = []
    for run in ("a", "b"):
        report = run_targets("raw", [_target()], load_site_config(gx_dir, "raw", tmp_path / run))
        assert report.failed_warning == 1
        sites.append(_site(tmp_path / run))
    first, second = sites
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d")
    pages = [name for name in first if name.endswith(".html")]
    assert any(name.startswith("validations/") for name in pages)
    assert not [name for name in pages if today in name or today.encode() in first[name]]


def test_normalise_page_fixes_stamps_queries_and_ids_consistently():
    page = (f'<img src="https://x/logo-long.png?d=20261202T192528.295402Z"><a href="#body-{UUID_A}"></a>'
            f'<div id=body-{UUID_A}></div><div id=body-{UUID_B}></div><span>20261202T192528.102723Z</span>')
    assert normalise_page(page) == ('<img src="https://x/logo-long.png"><a href="#body-id1"></a>'
                                    '<div id=body-id1></div><div id=body-id2></div><span>19700101T000000.000000Z</span>')


def test_run_name_digest_follows_the_data():
    frame = _target().frame
    assert frame_digest(frame) == frame_digest(frame.copy())
    assert frame_digest(frame) != frame_digest(frame.assign(value=frame["value"] + 1))
