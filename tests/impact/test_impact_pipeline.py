"""The `impact@<pilot>` entry script end to end on demo county panels (fewer outcomes, for speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from aoresearch.config import load_params
from aoresearch.impact.pilot_regions import pilot_regions
from aoresearch.impact.outputs import COLUMNS, TABLES
from aoresearch.panel.files import write_panel
from aoresearch.panel.stage import make_panel, panel_summary
from aoresearch.validation import ValidationReport, panel_files, panels_gate, publish

OUTCOMES = ["oohc_per_1000", "school_absence_pct"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, demo_raw, catalogue, params, repo_root) -> Path:
    root = tmp_path_factory.mktemp("impact")
    panel = make_panel(demo_raw, catalogue, params, "wellbeing_county")
    write_panel(panel, panel_summary(panel, demo_raw, catalogue), root / "panel", "wellbeing_county")
    # Demo panels pass validation (tests/sources/test_demo_always_validates.py); mark this one as
    # validate_panels would, so the stage's gate lets it through.
    publish(panels_gate(root / "panel", root / "validated.json", root / "validation.json"), ValidationReport("panels", ()),
            panel_files("wellbeing_county"))
    document = yaml.safe_load((repo_root / "params.yaml").read_text(encoding="utf-8"))
    document["impact"]["outcomes"] = OUTCOMES
    (root / "params.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    regions = pilot_regions(load_params(root / "params.yaml").pilots)
    (root / "pilot_regions.json").write_text(json.dumps(regions), encoding="utf-8")
    return root


def run_stage(repo_root: Path, root: Path, pilot: str, name: str, regions: str = "pilot_regions.json") -> subprocess.CompletedProcess:
    command = [sys.executable, str(repo_root / "pipelines" / "impact.py"), pilot, "--params", str(root / "params.yaml"),
               "--panels", str(root / "panel"), "--out", str(root / name / pilot), "--metrics", str(root / name / f"{pilot}.json"),
               "--plots", str(root / name / f"{pilot}_plots"),
               "--pilot-regions", str(root / regions), "--validated", str(root / "validated.json"),
               "--validation-metrics", str(root / "validation.json")]
    return subprocess.run(command, capture_output=True, text=True, cwd=repo_root)


@pytest.fixture(scope="module")
def runs(workspace, repo_root) -> dict:
    done = {}
    for name, pilot in [("a", "north_karelia"), ("b", "north_karelia"), ("a", "central_finland")]:
        result = run_stage(repo_root, workspace, pilot, name)
        assert result.returncode == 0, result.stderr
        done[(name, pilot)] = workspace / name / pilot
    return done


def test_unknown_pilot_key_names_it_and_the_known_keys(workspace, repo_root):
    result = run_stage(repo_root, workspace, "atlantis", "x")
    assert result.returncode == 1
    assert "'atlantis'" in result.stderr
    assert "central_finland" in result.stderr and "tampere" in result.stderr
    assert "Traceback" not in result.stderr


def test_stale_pilot_regions_file_stops_the_stage(workspace, repo_root):
    document = json.loads((workspace / "pilot_regions.json").read_text())
    document["pilots"][0]["region"] = 999
    (workspace / "stale_regions.json").write_text(json.dumps(document))
    result = run_stage(repo_root, workspace, "north_karelia", "stale", regions="stale_regions.json")
    assert result.returncode == 1
    assert "stale_regions.json does not match the pilots in params.yaml" in result.stderr
    assert not (workspace / "stale" / "north_karelia").exists()


def test_outputs_are_deterministic_across_runs(runs):
    first, second = runs[("a", "north_karelia")], runs[("b", "north_karelia")]
    for name in TABLES:
        assert (first / f"{name}.parquet").read_bytes() == (second / f"{name}.parquet").read_bytes(), name
    assert (first / "summary.json").read_text() == (second / "summary.json").read_text()
    assert first.with_suffix(".json").read_text() == second.with_suffix(".json").read_text()
    for plot in ("gap.csv", "event_study.csv"):
        assert (first.parent / "north_karelia_plots" / plot).read_bytes() == (second.parent / "north_karelia_plots" / plot).read_bytes()


def test_effect_pilot_has_the_contract_schema_and_synthetic_flag(runs):
    folder = runs[("a", "north_karelia")]
    for name in TABLES:
        assert list(pd.read_parquet(folder / f"{name}.parquet").columns) == COLUMNS[name], name
    effects = pd.read_parquet(folder / "effects.parquet")
    assert set(effects["estimator"]) == {"synthetic_control", "staggered_did", "twfe_event_study"}
    averages = effects[effects["period"] == "average"]
    assert len(averages) == 3 * len(OUTCOMES)
    assert (averages["lower"] <= averages["effect"]).all() and (averages["effect"] <= averages["upper"]).all()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "effect" and summary["synthetic"] is True
    assert summary["post_years"] == [2020, 2021, 2022, 2023, 2024] and summary["covid_overlap"] is True
    weights = pd.read_parquet(folder / "weights.parquet")
    assert weights.groupby("outcome")["weight"].sum().round(6).eq(1).all()
    assert 970 not in set(weights["donor"])  # Pirkanmaa contains the pilot Tampere
    assert set(json.loads((folder / "outcomes.json").read_text())["outcomes"]) == set(OUTCOMES)
    metrics = json.loads(folder.with_suffix(".json").read_text())
    assert metrics["outcome"] == "oohc_per_1000" and metrics["status"] == "effect"
    assert metrics["percent_lower"] <= metrics["percent"] <= metrics["percent_upper"] and 0 <= metrics["p_value"] <= 1
    assert metrics["mde_percent"] > 0 and metrics["n_backtests"] >= 5 and metrics["n_placebos"] >= 1
    assert all(not isinstance(v, (dict, list)) for v in metrics.values())  # flat: one value per column in `dvc metrics show`


def test_plot_files_hold_the_headline_gap_and_event_study(runs):
    plots = runs[("a", "north_karelia")].parent / "north_karelia_plots"
    gap = pd.read_csv(plots / "gap.csv")
    assert list(gap.columns) == ["year", "observed", "synthetic", "gap", "post"]
    assert (gap["observed"] - gap["synthetic"] - gap["gap"]).abs().max() < 1e-4
    assert gap.loc[gap["post"] == 1, "year"].min() == 2020
    event = pd.read_csv(plots / "event_study.csv")
    assert list(event.columns) == ["event_time", "estimate", "lower", "upper"] and event["event_time"].is_unique
    bounded = event.dropna(subset=["lower", "upper"])  # the reference year is 0 by construction, without bounds
    assert len(bounded) == len(event) - 1 and event.loc[event["lower"].isna(), "estimate"].eq(0).all()
    assert (bounded["lower"] <= bounded["estimate"]).all() and (bounded["estimate"] <= bounded["upper"]).all()


def test_baseline_pilot_has_no_effects_but_power_and_monitoring(runs):
    folder = runs[("a", "central_finland")]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "baseline" and summary["post_years"] == []
    assert "monitoring" in summary
    assert pd.read_parquet(folder / "effects.parquet").empty
    power = pd.read_parquet(folder / "power.parquet")
    assert sorted(power["outcome"].unique()) == sorted(OUTCOMES)
    assert power.groupby("outcome")["n_post"].apply(list).map(lambda h: h == [1, 2, 3, 4, 5]).all()
    assert (power["mde"] > 0).all() and power["n_backtests"].ge(5).all()
    metrics = json.loads(folder.with_suffix(".json").read_text())
    assert metrics["status"] == "baseline" and "percent" not in metrics
    assert metrics["mde_percent"] > 0 and metrics["mde_n_post"] == 3
    assert json.loads((folder / "outcomes.json").read_text())["outcomes"]["oohc_per_1000"]["mde"] > 0
    assert pd.read_csv(folder.parent / "central_finland_plots" / "event_study.csv").empty
