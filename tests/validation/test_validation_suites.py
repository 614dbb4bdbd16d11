"""Suites, severities, metrics and messages, on the demo data in-process."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from aoresearch.errors import ValidationFailedError
from aoresearch.panel.stage import make_panel
from aoresearch.sources.raw import RawData
from aoresearch.validation import derived, load_site_config, panel_targets, raw_targets, validate_raw, validation_config, write_suites


@pytest.fixture(scope="module")
def config(params):
    return validation_config(params)


def _stored(gx_dir) -> dict[str, bytes]:
    """Every committed file of a gx/ folder (not uncommitted/), by relative path."""
    return {p.relative_to(gx_dir).as_posix(): p.read_bytes() for p in sorted(gx_dir.rglob("*"))
            if p.is_file() and "uncommitted" not in p.relative_to(gx_dir).parts}


def test_committed_gx_is_what_validate_suites_writes(demo_raw, catalogue, params, config, repo_root, tmp_path):
    copy = tmp_path / "gx"
    shutil.copytree(repo_root / "gx", copy, ignore=shutil.ignore_patterns("uncommitted"))
    panels = [t for name in params.panel.categories for t in panel_targets(name, make_panel(demo_raw, catalogue, params, name), catalogue, config)]
    written = write_suites({"raw": raw_targets(demo_raw, catalogue, config), "panels": panels}, copy, config.examples)
    assert len(written) == 3 * (13 + len(panels)) and all(p.is_file() for p in written)
    committed, rendered = _stored(repo_root / "gx"), _stored(copy)
    assert sorted(committed) == sorted(rendered), "gx/ lacks or has extra files: run `make suites` and commit gx/"
    stale = [name for name in committed if committed[name] != rendered[name]]
    assert not stale, f"{stale} are out of date: run `make suites` (python pipelines/validate.py suites) and commit gx/"


def test_demo_passes_and_warning_does_not_stop(demo_raw, catalogue, config, repo_root, tmp_path):
    report = validate_raw(demo_raw, catalogue, config, load_site_config(repo_root / "gx", "raw", tmp_path))
    assert report.success and report.raise_for_critical() is report
    assert set(report.to_metrics(demo_raw.is_synthetic)) == {"expectations", "passed", "failed_critical", "failed_warning", "synthetic"}
    metrics = report.to_summary(demo_raw.is_synthetic)
    assert set(metrics) == {"expectations", "passed", "failed_critical", "failed_warning", "warnings", "synthetic",
                            "edited_expectations", "added_expectations"}
    assert metrics["synthetic"] is True and metrics["failed_critical"] == 0
    assert metrics["edited_expectations"] == metrics["added_expectations"] == []
    assert metrics["passed"] + metrics["failed_warning"] == metrics["expectations"]
    assert {(w["table"], w["rule"], w["column"]) for w in metrics["warnings"]} == {
        ("raw_regions", "category_not_empty", "category"), ("raw_regions", "title_not_empty", "title_fi")
    }
    assert (tmp_path / "index.html").is_file()


def test_critical_failure_names_expectation_table_column_and_rows(small_extract, demo_raw, catalogue, config, repo_root, tmp_path):
    # On the small extract (17,000 rows of the demo data: 15 rows broken, in regions 2, 261 and
    # 378): a third of the CPU time of the whole demo data set (1.1 million rows, 20 rows broken).
    obs, regions = small_extract
    obs = obs.copy()
    bad = (obs["indicator"] == 181) & (obs["year"] >= 2020) & (obs["region"].isin([261, 378, 91, 837, 564, 2]))
    obs.loc[bad, "value"] = 140.0
    report = validate_raw(RawData(obs, regions, demo_raw.provenance), catalogue, config, load_site_config(repo_root / "gx", "raw", tmp_path))
    with pytest.raises(ValidationFailedError) as info:
        report.raise_for_critical()
    message = str(info.value)
    line = next(l for l in message.splitlines() if "[percent_within_0_100]" in l)
    assert "expect_column_values_to_be_between" in line and "column 'value' of raw_observations" in line
    assert f"{int(bad.sum())} of" in line and line.count("value 140") == 5


def test_gender_totals_flag_inconsistent_counts(demo_raw, catalogue):
    obs = demo_raw.observations
    small = obs[obs["region"].isin([378]) & obs["year"].between(2015, 2016)].copy()
    small.loc[(small["indicator"] == 1065) & (small["gender"] == "female") & (small["year"] == 2016), "abs_value"] += 3
    frame = derived.gender_totals(small, catalogue)
    wrong = frame[frame["difference"] > 0.5]
    assert wrong[["indicator", "region", "year"]].values.tolist() == [[1065, 378, 2016]]
    assert wrong["difference"].item() == 3


def test_indicator_gaps_explained_only_by_suppression(catalogue):
    regions = pd.DataFrame({"id": [1, 2], "title_fi": ["a", "b"], "category": ["KUNTA", "KUNTA"], "code": ["", ""]})
    rows = []
    for region in (1, 2):
        for year in (2010, 2011, 2012, 2013, 2014):
            rows.append((1065, region, year, "total", None, 100.0))
            if year == 2013:
                continue
            rows.append((423, region, year, "total", None, 10.0))
            if not (region == 1 and year == 2011):
                rows.append((191, region, year, "total", None, 10.0))
                rows.append((179, region, year, "total", None, 50.0))
    obs = pd.DataFrame(rows, columns=["indicator", "region", "year", "gender", "value", "abs_value"])
    gaps = derived.indicator_gaps(obs, regions, catalogue, ["KUNTA"]).set_index(["indicator", "region"])
    assert gaps.loc[(191, 1), "suppressed"] == 1 and gaps.loc[(191, 1), "unexplained"] == 0
    assert gaps.loc[(179, 1), "unexplained"] == 1 and gaps.loc[(179, 1), "suppressed"] == 0
    assert gaps.loc[(423, 2), "unpublished"] == 1 and gaps.loc[(423, 2), "unexplained"] == 0


def test_rate_cells_basis(catalogue):
    panel = pd.DataFrame({
        "region": [1, 2, 3], "region_name": ["a", "b", "c"], "year": [2020] * 3,
        "placements_0_17": [200.0, 30.0, 2.5], "children_0_17": [20000.0, 300.0, 14.0],
        "placements_0_17_imputed": [False, False, True], "oohc_per_1000": [10.0, 100.0, 178.6], "oohc_per_1000_imputed": [False, False, True],
    })
    cells = derived.rate_cells(panel, catalogue, min_denominator=10000)
    assert cells["basis"].tolist() == ["observed", "small", "imputed"]
