"""The DVC pipeline end to end on demo data, the default (the real extract: test_dvc_pipeline_real.py)."""

import json

import pandas as pd
import pytest

# A whole `dvc repro` takes minutes (benchmarks/pipeline.py); the suite-wide 900 s per-test limit is too short.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def _ran(output: str) -> set[str]:
    return {line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")}


def _assert_every_report_rendered(repo_copy) -> None:
    root = repo_copy.root
    for name in [f"impact_{key}" for key in repo_copy.pilots] + ["risk_factors", "situation_room", "index"]:
        html = root / "reports" / "html" / f"{name}.html"
        assert html.is_file() and html.stat().st_size > 5_000, f"{html} missing or empty"
        assert name == "index" or f'href="{name}.html"' in (root / "reports/html/index.html").read_text(encoding="utf-8")
    for key in repo_copy.pilots:
        assert json.loads((root / "metrics" / "impact" / f"{key}.json").read_text())["pilot"] == key


def test_demo_pipeline_runs_end_to_end(repo_copy):
    result = repo_copy.dvc("repro")
    ran = _ran(result.stdout)
    assert {"ingest", "panel@municipality", "panel@wellbeing_county", "panel@country", "validate_raw",
            "validate_panels", "associations", "forecast", "scenarios", "report_index"} <= ran
    assert {f"impact@{key}" for key in repo_copy.pilots} <= ran
    assert len(repo_copy.pilots) >= 3 and "oulu" not in repo_copy.pilots, "the small world's pilots (conftest.py)"
    _assert_every_report_rendered(repo_copy)
    index = (repo_copy.root / "reports/html/index.html").read_text(encoding="utf-8")
    assert "synthetic" in index.lower()
    panel = pd.read_parquet(repo_copy.root / "data/panel/municipality.parquet")
    assert {378, 261} <= set(panel["region"])
    provenance = json.loads((repo_copy.root / "data/raw/provenance.json").read_text())
    assert provenance["synthetic"] is True and "SYNTHETIC" in provenance["notice"]
    assert (repo_copy.root / "data/raw/ground_truth.json").is_file()


def test_second_repro_is_a_no_op(repo_copy):
    result = repo_copy.dvc("repro")
    assert _ran(result.stdout) == set()
    assert "up to date" in result.stdout


def test_one_pilots_adoption_year_reruns_only_that_pilot(repo_copy):
    repo_copy.set_params(**{"pilots.tampere.adoption.A": 2021})
    # Demo data inject the effect from the adoption year, so ingest reruns too; the other pilots'
    # impact stages do not read the changed key, and the pilots' regions (what their donor pools
    # exclude) keep the same bytes.
    repo_copy.dvc("repro", "pilot_regions")
    status = json.loads(repo_copy.dvc("status", "--json").stdout)
    assert "impact@tampere" in status
    assert not {f"impact@{key}" for key in repo_copy.pilots if key != "tampere"} & set(status)
    repo_copy.set_params(**{"pilots.tampere.adoption.A": 2020})


def test_changed_parameter_reruns_only_the_stages_that_read_it(repo_copy):
    repo_copy.set_params(**{"panel.suppression": "upper"})
    status = json.loads(repo_copy.dvc("status", "--json").stdout)
    assert "ingest" not in status
    assert {"panel@municipality", "panel@wellbeing_county", "panel@country"} <= set(status)
    # The params check, the panels and their validation (downstream stages are not rerun here:
    # the real-extract test runs them all).
    ran = _ran(repo_copy.dvc("repro", "validate_panels").stdout)
    assert ran == {"check_params", "panel@municipality", "panel@wellbeing_county", "panel@country", "validate_panels"}
    panel = pd.read_parquet(repo_copy.root / "data/panel/municipality.parquet")
    assert (panel.loc[panel["placements_0_6_imputed"], "placements_0_6"] == 5.0).all()
    repo_copy.set_params(**{"panel.suppression": "midpoint"})
