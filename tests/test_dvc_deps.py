"""dvc.yaml lists exactly what each stage reads: its params keys, its code and its input files.

``STAGE_PARAMS`` is the audit of which params keys each stage's code reads *and its outputs depend
on* (issue 14): ``impact.n_jobs``, ``factors.n_jobs`` and ``validation.n_jobs`` only split work
across processes; ``impact.headline_outcome`` picks the outcome of the impact metrics and plot files, the panels'
pre-adoption years and the reports' headline. Every
stage also parses the whole params.yaml through ``pipelines/_entry.py`` to check it; that check's
result is the ``data/params_checked.json`` dependency, not a params key. The table is compared
with dvc.yaml in both directions, so a key added to a stage's code must be added to both.

The code check follows the imports of each stage script (and, for reports, of its notebook)
through ``src/aoresearch`` and requires every module reached to be a dependency (a file or a
folder holding it), except the modules in ``NO_OUTPUT_EFFECT``.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import fields
from pathlib import Path

import pytest
from dvc.dependency import ParamsDependency
from dvc.repo import Repo

from aoresearch.config.validation import ValidationSettings

pytestmark = pytest.mark.filterwarnings("ignore:_NoneStep.value:DeprecationWarning")

FACTORS_MODEL = ["factors.outcomes", "factors.factors", "factors.lags", "factors.min_children", "factors.target",
                 "factors.interval", "factors.model"]
IMPACT_EVALUATION = [f"impact.{key}" for key in (
    "outcomes", "fit_start_year", "min_pre_years", "pre_years", "donor_min_children", "donors", "penalty", "intercept",
    "min_backtests", "placebo", "alpha", "power", "horizons", "event_window", "control_group", "covid_years")]
# every key of the validation section but n_jobs (processes): a key added to ValidationSettings
# must be added to the validate stages in dvc.yaml too
VALIDATION = ["data.years", "panel.categories", "panel.min_pre_years", "pilots",
              *(f"validation.{f.name}" for f in fields(ValidationSettings) if f.name != "n_jobs")]

# Stage (or foreach group) -> params keys its code reads; "{key}" is the foreach key; None: the whole file.
STAGE_PARAMS: dict[str, list[str] | None] = {
    "check_params": None,
    "ingest": ["seed", "data", "pilots"],  # sources/: demo (seed, pilots' adoption), file, sotkanet
    "validate_raw": VALIDATION,  # validation/suites.py: validation_config
    "validate_panels": [*VALIDATION, "impact.headline_outcome"],  # suites.py: the pilots' pre-years outcome
    # panel/stage.py: make_panel (PanelSpec counts a pilot's pre-years where the headline outcome is observed)
    "panel": ["panel.categories.{key}", "panel.suppression", "panel.min_pre_years", "pilots", "impact.headline_outcome"],
    "pilot_regions": ["pilots"],
    # impact/evaluate.py: the pilot's own record; the other pilots reach it through data/pilot_regions.json
    "impact": ["seed", "pilots.{key}", *IMPACT_EVALUATION, "impact.headline_outcome"],  # outputs.py: metrics, plots
    # pool_pilots; write_pooled: the headline outcome's metrics
    "impact_pooled": ["pilots", "impact.alpha", "impact.power", "impact.min_backtests", "impact.headline_outcome"],
    "associations": ["factors.outcomes", "factors.factors", "factors.associations"],
    "forecast": ["seed", "pilots", *FACTORS_MODEL, "factors.horizon", "factors.test_years", "factors.trend_years",
                 "factors.direction_threshold", "factors.validation_years", "factors.selection_horizons"],
    "factor_figures": [],  # factors.n_jobs only (processes)
    # factors.trend_years: the region-trend forecast, when chosen, extrapolates that many years
    "scenarios": ["seed", "pilots", *FACTORS_MODEL, "factors.horizons", "factors.scenarios", "factors.trend_years"],
    # render_report.py: panel.categories picks the panels checked against validate_panels' marker;
    # every pilot's record is a papermill parameter, so it is in the executed notebook.
    # impact.headline_outcome and impact.covid_years are papermill parameters of the notebooks.
    "report_impact": ["panel.categories", "pilots", "reports.language", "reports.min_children",
                      "impact.headline_outcome", "impact.covid_years"],
    "report_factors": ["panel.categories", "pilots", "reports.language", "reports.min_children",
                       "impact.headline_outcome"],
    "report_situation": ["panel.categories", "pilots", "reports.language", "reports.min_children",
                         "reports.small_count_max"],
    "report_index": ["pilots", "reports.language", "impact.headline_outcome", "impact.alpha"],
}

CATALOGUE = ["src/aoresearch/resources/indicators.yaml"]
# The Great Expectations project the validate stages run (validation/store.py: run_context)
STORED_GX = ["gx/great_expectations.yml", "gx/expectations", "gx/validation_definitions", "gx/checkpoints"]
SUMMARIES = [f"data/panel/{c}.summary.json" for c in ("municipality", "wellbeing_county", "country")]

# Stage -> data and resource files its code opens (beyond the modules checked by imports).
STAGE_FILES: dict[str, list[str]] = {
    "ingest": [*CATALOGUE, "src/aoresearch/resources/regions.csv"],
    "validate_raw": [*CATALOGUE, *STORED_GX, "data/raw"],
    "validate_panels": [*CATALOGUE, *STORED_GX, *SUMMARIES],
    "panel": [*CATALOGUE, "data/raw", "data/validated/raw.json"],
    "impact": ["data/pilot_regions.json", "data/validated/panels.json"],
    "impact_pooled": ["data/impact/tampere", "data/impact/central_finland"],
    "associations": [*CATALOGUE, "data/validated/panels.json", "data/panel/municipality.summary.json"],
    "forecast": [*CATALOGUE, "data/validated/panels.json"],
    "factor_figures": ["data/factors/forecast"],  # factor_figures.stage.read_figure_inputs
    "scenarios": [*CATALOGUE, "data/validated/panels.json", "data/factors/forecast_selection.csv"],
    # reports.impact.validation_html reads metrics/validation_*.json; read_panel_summaries every summary
    "report_impact": [*CATALOGUE, *SUMMARIES, "metrics/validation_raw.json", "metrics/validation_panels.json",
                      "data/impact_pooled", "data/raw/provenance.json", "data/validated/panels.json"],
    # reports.factors.load_factors reads data/factors/forecast/summary.json (the full evaluation)
    "report_factors": [*CATALOGUE, "data/panel", "data/factors/forecast", "data/raw/provenance.json"],
    "report_situation": [*CATALOGUE, "data/panel", "data/factors/scenarios.parquet",
                         "data/raw/provenance.json"],
    "report_index": [*SUMMARIES, "reports/executed", "data/impact_pooled", "data/raw/provenance.json"],
}

# Modules a stage imports whose code cannot change its outputs: error classes (messages only),
# the params check (its result is data/params_checked.json) and progress bars.
NO_OUTPUT_EFFECT = {"src/aoresearch/errors.py", "src/aoresearch/params_schema.py",
                    "src/aoresearch/progress.py"}
# Imports inside functions that the stage's own command never calls.
# `validate.py suites` (writes gx/ suites) only:
NOT_CALLED = {"pipelines/validate.py": {"aoresearch.panel.stage", "aoresearch.sources.ingest"}}


@pytest.fixture(scope="module")
def stages(repo_root) -> dict:
    """Stage address -> (params keys or None for the whole file, other dependency paths)."""
    out = {}
    with Repo(str(repo_root)) as repo:
        for stage in repo.index.stages:
            params = [d for d in stage.deps if isinstance(d, ParamsDependency)]
            keys = None if any(not d.params for d in params) else sorted(k for d in params for k in d.params)
            files = [d.def_path for d in stage.deps if not isinstance(d, ParamsDependency)]
            out[stage.addressing] = (keys, files, stage.cmd)
    return out


def _group(address: str) -> tuple[str, str]:
    name, _, key = address.partition("@")
    return name, key


def test_every_stage_is_audited(stages):
    assert {_group(a)[0] for a in stages} == set(STAGE_PARAMS)


def test_params_declared_are_exactly_those_read(stages):
    for address, (declared, _, _) in stages.items():
        name, key = _group(address)
        expected = STAGE_PARAMS[name]
        expected = None if expected is None else sorted(k.format(key=key) for k in expected)
        assert declared == expected, f"{address}: dvc.yaml params {declared}; the code reads {expected}"


def test_n_jobs_reruns_nothing(stages):
    for address, (declared, _, _) in stages.items():
        if declared is not None:
            assert not {"impact", "factors", "validation", "impact.n_jobs", "factors.n_jobs", "validation.n_jobs"} & set(declared), address


def _covered(path: str, deps: list[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in deps)


def test_files_read_are_dependencies(stages):
    for address, (_, deps, _) in stages.items():
        missing = [f for f in STAGE_FILES.get(_group(address)[0], []) if not _covered(f, deps)]
        assert not missing, f"{address} reads {missing} without declaring them in dvc.yaml"


def _imported_modules(source: str, package: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([module] if module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _module_file(root: Path, name: str) -> Path | None:
    base = root / "src" / Path(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _source(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    lines = (line for cell in code for line in cell.splitlines())
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))  # IPython magics


def code_read(root: Path, entry: str, extra: tuple[str, ...] = ()) -> set[str]:
    """Repository-relative files of every module reachable by import statements from ``entry``.

    A parent package's ``__init__`` counts only when it is imported itself (``from aoresearch.reports
    import t``), not when a submodule is (``from aoresearch.config.impact import ...``).
    """
    seen, todo = set(), [root / entry, *(root / e for e in extra)]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        relative = path.relative_to(root)
        package = ".".join(relative.parts[1:-1]) if relative.parts[0] == "src" else ""
        skip = NOT_CALLED.get(relative.as_posix(), set())
        for name in _imported_modules(_source(path), package) - skip:
            if name == "_entry":
                todo.append(root / "pipelines" / "_entry.py")
            elif name.split(".")[0] == "aoresearch" and (found := _module_file(root, name)) is not None:
                todo.append(found)
    return {p.relative_to(root).as_posix() for p in seen}


def test_code_read_is_declared(stages, repo_root):
    for address, (_, deps, cmd) in stages.items():
        script = re.search(r"python (pipelines/\S+\.py)", cmd).group(1)
        notebooks = tuple(d for d in deps if d.endswith(".ipynb"))
        read = code_read(repo_root, script, notebooks) - NO_OUTPUT_EFFECT
        missing = sorted(f for f in read if not _covered(f, deps))
        assert not missing, f"{address} imports {missing} without declaring them in dvc.yaml"


def test_code_read_finds_imports(repo_root):
    """The import walk itself: the forecast stage reaches the factors package, the validation gate
    and the panel reader."""
    files = code_read(repo_root, "pipelines/forecast.py")
    assert {"pipelines/_entry.py", "src/aoresearch/factors/forecast.py", "src/aoresearch/validation/gate.py",
            "src/aoresearch/panel/files.py", "src/aoresearch/atomic.py", "src/aoresearch/catalogue.py"} <= files
    assert "src/aoresearch/impact/evaluate.py" not in files


def test_locked_source_folders_hold_only_tracked_files(repo_root):
    """A source folder in dvc.lock is hashed over its git-tracked files only: Python's
    ``__pycache__`` (written on import, with the sources' mtimes) must be ignored by
    ``.dvcignore``, or every clone sees every stage's code as changed."""
    import subprocess

    import yaml

    lock = yaml.safe_load((repo_root / "dvc.lock").read_text(encoding="utf-8"))
    folders = {dep["path"]: dep["nfiles"] for stage in lock["stages"].values() for dep in stage.get("deps", [])
               if dep.get("md5", "").endswith(".dir") and dep["path"].startswith("src/")}
    assert folders, "dvc.lock has no source folder dependency"
    for folder, nfiles in sorted(folders.items()):
        tracked = subprocess.run(["git", "ls-files", "--", folder], cwd=repo_root, check=True, capture_output=True,
                                 text=True).stdout.split()
        assert nfiles == len(tracked), f"dvc.lock hashes {nfiles} files in {folder}, git tracks {len(tracked)}"
    ignore = Repo(str(repo_root)).dvcignore
    pyc = str(repo_root / "src/aoresearch/config/__pycache__/core.cpython-311.pyc")
    assert ignore.is_ignored_file(pyc), ".dvcignore must ignore __pycache__ and *.pyc"
