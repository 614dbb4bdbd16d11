"""The validation gate (issue 13, item 4): validated data is a product of validation.

A small demo world is written as data/raw; `pipelines/validate.py raw` publishes the success
marker only when no critical expectation failed, and `pipelines/build_panel.py` (called as a
function and as a script) refuses a raw folder without a current marker: validation failed, or
the data changed after validation. The panel consumers refuse the same way.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.errors import NotValidatedError, ValidationFailedError
from aoresearch.sources.demo import generate_demo
from aoresearch.sources.raw import RawData, write_raw
from aoresearch.validation import RECOVERY, ValidationReport, panel_files, panels_gate, publish, raw_gate, require_validated

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parents[2]
PIPELINES = REPO / "pipelines"
YEARS = (2012, 2024)
FAMILIES, OULU = 179, 261


def _script(name: str):
    """The `main` of a stage script, imported as a module (as a function call, not a process)."""
    if str(PIPELINES) not in sys.path:
        sys.path.insert(0, str(PIPELINES))
    spec = importlib.util.spec_from_file_location(f"_stage_{name}", PIPELINES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture(scope="module")
def small_world() -> RawData:
    """The demo data of the pilots and a few other regions, 2012-2024."""
    params = load_params(REPO / "params.yaml")
    raw = generate_demo(load_catalogue(), params.data.years, params.pilots, params.data.demo, params.seed)
    regions = raw.regions
    others = [int(i) for c in ("KUNTA", "HYVINVOINTIALUE") for i in regions.loc[regions["category"] == c, "id"].head(4)]
    keep = {p.region for p in params.pilots} | set(others) | set(regions.loc[regions["category"] == "MAA", "id"])
    obs = raw.observations
    obs = obs[obs["region"].isin(keep) & obs["year"].between(*YEARS)].reset_index(drop=True)
    return RawData(obs, regions, raw.provenance, raw.ground_truth)


class Workspace:
    """A stage working directory: params.yaml, data/raw, and the paths the stages write."""

    def __init__(self, root: Path, raw: RawData | Path) -> None:
        self.root = root
        document = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
        document["data"]["years"] = {"start": YEARS[0], "end": YEARS[1]}
        self.params = root / "params.yaml"
        self.params.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        if isinstance(raw, Path):
            self.raw = Path(shutil.copytree(raw, root / "data" / "raw"))
        else:
            self.raw = write_raw(raw, root / "data" / "raw")
        self.marker = root / "data" / "validated" / "raw.json"
        self.metrics = root / "metrics" / "validation_raw.json"
        self.panels = root / "data" / "panel"

    def common(self) -> list[str]:
        return ["--params", str(self.params), "--catalogue", str(REPO / "src/aoresearch/resources/indicators.yaml")]

    def validate_args(self) -> list[str]:
        return ["raw", *self.common(), "--gx", str(REPO / "gx"), "--raw", str(self.raw), "--docs", str(self.root / "docs"),
                "--metrics", str(self.metrics), "--summary", str(self.root / "data" / "validation" / "raw.json"),
                "--marker", str(self.marker)]

    def panel_args(self) -> list[str]:
        return ["municipality", *self.common(), "--raw", str(self.raw), "--out", str(self.panels),
                "--validated", str(self.marker), "--validation-metrics", str(self.metrics)]


def _broken(raw: RawData) -> RawData:
    """Issue 13's row `179,261,2015,total,,1e12`: a trillion families with children in Oulu."""
    obs = raw.observations.copy()
    cell = (obs["indicator"] == FAMILIES) & (obs["region"] == OULU) & (obs["year"] == 2015) & (obs["gender"] == "total")
    obs.loc[cell, "abs_value"] = 1e12
    return RawData(obs, raw.regions, raw.provenance, raw.ground_truth)


@pytest.fixture(scope="module")
def validated(small_world, tmp_path_factory) -> Workspace:
    """A workspace whose data/raw passed validate_raw (run once for the module)."""
    space = Workspace(tmp_path_factory.mktemp("good"), small_world)
    assert _script("validate")(space.validate_args()) == 0
    return space


@pytest.fixture(scope="module")
def rejected(small_world, tmp_path_factory) -> Workspace:
    """A workspace whose data/raw failed validate_raw (run once for the module)."""
    space = Workspace(tmp_path_factory.mktemp("bad"), _broken(small_world))
    space.marker.parent.mkdir(parents=True)
    space.marker.write_text('{"files": {}}')  # an earlier run's marker: validation must remove it
    with pytest.raises(ValidationFailedError) as info:
        _script("validate")(space.validate_args())
    space.failure = str(info.value)
    return space


def test_passed_validation_publishes_the_marker_and_the_panel_builds(validated):
    marker = json.loads(validated.marker.read_text(encoding="utf-8"))
    assert marker["stage"] == "validate_raw" and marker["failed_critical"] == 0
    assert set(marker["files"]) >= {"observations.parquet", "regions.csv", "provenance.json"}
    assert _script("build_panel")(validated.panel_args()) == 0
    assert (validated.panels / "municipality.parquet").is_file()


def test_failed_validation_writes_metrics_but_no_marker(rejected):
    assert "[count_at_most_max]" in rejected.failure and "[count_change_plausible]" in rejected.failure
    line = next(l for l in rejected.failure.splitlines() if "[count_at_most_max]" in l)
    assert "observations.parquet" in line and f"indicator {FAMILIES}" in line and f"region {OULU}" in line and "year 2015" in line
    assert json.loads(rejected.metrics.read_text(encoding="utf-8"))["failed_critical"] >= 2
    assert (rejected.root / "docs" / "index.html").is_file()
    assert not rejected.marker.exists()


def test_build_panel_refuses_rejected_data_as_a_function(rejected):
    with pytest.raises(NotValidatedError) as info:
        _script("build_panel")(rejected.panel_args())
    message = str(info.value)
    assert "has not passed validate_raw" in message and str(rejected.marker) in message
    assert str(rejected.metrics) in message and "failed critical expectation(s)" in message
    assert RECOVERY in message and "dvc repro validate_raw" in message
    assert not (rejected.panels / "municipality.parquet").exists()


def test_build_panel_refuses_rejected_data_as_a_script(rejected):
    result = subprocess.run([sys.executable, str(PIPELINES / "build_panel.py"), *rejected.panel_args()],
                            cwd=rejected.root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "error: " in result.stderr and "has not passed validate_raw" in result.stderr and RECOVERY in result.stderr
    assert not (rejected.panels / "municipality.parquet").exists()


def test_data_changed_after_validation_is_refused(validated, tmp_path):
    space = Workspace(tmp_path, validated.raw)
    space.marker.parent.mkdir(parents=True)
    space.marker.write_bytes(validated.marker.read_bytes())
    require_validated(_gate(space))  # the copy is byte-identical: accepted
    obs = pd.read_parquet(space.raw / "observations.parquet")
    obs.loc[0, "abs_value"] = (obs.loc[0, "abs_value"] if pd.notna(obs.loc[0, "abs_value"]) else 0) + 1
    obs.to_parquet(space.raw / "observations.parquet", index=False)
    with pytest.raises(NotValidatedError) as info:
        _script("build_panel")(space.panel_args())
    message = str(info.value)
    assert "changed after validate_raw validated it" in message and "observations.parquet has sha256" in message
    assert RECOVERY in message


def test_a_file_added_after_validation_is_refused(validated, tmp_path):
    space = Workspace(tmp_path, validated.raw)
    space.marker.parent.mkdir(parents=True)
    space.marker.write_bytes(validated.marker.read_bytes())
    (space.raw / "extra.csv").write_text("a\n1\n")
    with pytest.raises(NotValidatedError, match="extra.csv was not validated"):
        require_validated(_gate(space))


def test_panel_consumer_refuses_a_changed_panel(tmp_path):
    panels = tmp_path / "panel"
    panels.mkdir()
    for name in ("municipality", "wellbeing_county"):
        pd.DataFrame({"region": [1], "year": [2020]}).to_parquet(panels / f"{name}.parquet")
        (panels / f"{name}.summary.json").write_text("{}")
    gate = panels_gate(panels, tmp_path / "validated" / "panels.json", tmp_path / "metrics.json")
    assert publish(gate, ValidationReport("panels", ()), panel_files("municipality", "wellbeing_county")) == gate.marker
    require_validated(gate, panel_files("municipality"))
    pd.DataFrame({"region": [1], "year": [2021]}).to_parquet(panels / "wellbeing_county.parquet")
    require_validated(gate, panel_files("municipality"))  # only what the caller reads is checked
    with pytest.raises(NotValidatedError, match="wellbeing_county.parquet has sha256"):
        require_validated(gate, panel_files("wellbeing_county"))
    with pytest.raises(NotValidatedError, match="country.parquet was not validated"):
        require_validated(gate, panel_files("country"))


def test_associations_script_refuses_panels_without_marker(tmp_path):
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps({"expectations": 106, "failed_critical": 3}))
    result = subprocess.run(
        [sys.executable, str(PIPELINES / "associations.py"), "--params", str(REPO / "params.yaml"), "--panel", str(tmp_path / "panel"),
         "--out", str(tmp_path / "a.parquet"), "--metrics", str(tmp_path / "m.json"),
         "--validated", str(tmp_path / "panels.json"), "--validation-metrics", str(metrics)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "has not passed validate_panels" in result.stderr and "reports 3 failed critical expectation(s) of 106" in result.stderr
    assert not (tmp_path / "a.parquet").exists()


def test_report_script_refuses_panels_without_marker_and_keeps_the_previous_html(tmp_path):
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "validation_panels.json").write_text(json.dumps({"expectations": 106, "failed_critical": 2}))
    html = tmp_path / "reports" / "html" / "impact_oulu.html"
    html.parent.mkdir(parents=True)
    html.write_text("previous report")
    result = subprocess.run(
        [sys.executable, str(PIPELINES / "render_report.py"), "impact", "--pilot", "oulu", "--params", str(REPO / "params.yaml"),
         "--data", str(tmp_path / "data"), "--metrics", str(tmp_path / "metrics"), "--out", str(tmp_path / "reports"),
         "--validated", str(tmp_path / "data" / "validated" / "panels.json")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "has not passed validate_panels" in result.stderr and "reports 2 failed critical expectation(s) of 106" in result.stderr
    assert html.read_text() == "previous report"


def _gate(space: Workspace):
    return raw_gate(space.raw, space.marker, space.metrics)
