"""The params schema: unknown keys with a suggestion, every range, all problems at once, and a
stage that stops within seconds on a bad value without touching its previous outputs."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
import time
from dataclasses import fields

import pytest
import yaml

from aoresearch.errors import ParameterError
from aoresearch.params_schema import check_params, check_params_file, known_keys, params_problems, schema

# A stage with a bad value must stop before its libraries load; generous for a loaded 2-core machine.
STAGE_STOP_S = 15.0


@pytest.fixture()
def document(repo_root):
    return yaml.safe_load((repo_root / "params.yaml").read_text(encoding="utf-8"))


def _set(document, dotted, value):
    *parents, leaf = dotted.split(".")
    node = document
    for key in parents:
        node = node[key]
    node[leaf] = value
    return document


def _messages(document):
    return [p.message for p in params_problems(copy.deepcopy(document))]


def test_the_real_params_yaml_passes(repo_root):
    check_params_file(repo_root / "params.yaml")


def test_every_key_of_params_yaml_is_known(document):
    def paths(node, prefix=""):
        for key, value in node.items():
            yield prefix + str(key)
            if isinstance(value, dict):
                yield from paths(value, f"{prefix}{key}.")

    named = ("pilots.", "panel.categories.", "data.demo.effect.", "factors.associations.", "factors.scenarios.")
    fixed = {p for p in paths(document) if not any(p.startswith(n) for n in named)}
    assert fixed <= set(known_keys())


@pytest.mark.parametrize(("dotted", "suggested"), [
    ("panel.min_pre_yaers", "panel.min_pre_years"),
    ("factors.min_childern", "factors.min_children"),
    ("impact.placebo.min_placebo", "impact.placebo.min_placebos"),
    ("factors.model.thread", "factors.model.threads"),
    ("pilots.oulu.adoptoin", "pilots.oulu.adoption"),
    ("reports.langauge", "reports.language"),
])
def test_unknown_key_is_rejected_with_the_closest_known_key(document, dotted, suggested):
    assert _messages(_set(document, dotted, 5)) == [f"unknown key {dotted}; did you mean {suggested}?"]


def test_unknown_key_without_a_close_match_lists_the_known_keys(document):
    (message,) = _messages(_set(document, "panel.colour", "red"))
    assert message.startswith("unknown key panel.colour; expected one of ['categories', 'min_pre_years', 'suppression']")


@pytest.mark.parametrize(("dotted", "value", "expected"), [
    ("impact.alpha", 1.5, "'impact.alpha' must be a number in (0, 1)"),
    ("impact.alpha", 0.0, "'impact.alpha' must be a number in (0, 1)"),
    ("impact.power", 1.0, "'impact.power' must be a number in (0, 1)"),
    ("impact.alpha", "0.05", "impact.alpha: expected a number, got '0.05'"),
    ("impact.horizons", [0, 1], "impact.horizons: expected a list of integers >= 1, got [0, 1] (0 not allowed)"),
    ("impact.placebo.pre_mspe_cutoff", -1, "impact.placebo.pre_mspe_cutoff: expected a number > 0 or null, got -1"),
    ("factors.min_children", -5, "factors.min_children: expected a number >= 0, got -5"),
    ("factors.associations.hiilamo2023.min_children", -1,
     "factors.associations.hiilamo2023.min_children: expected a number >= 0, got -1"),
    ("factors.direction_threshold", 1.5, "factors.direction_threshold: expected a number in [0, 1], got 1.5"),
    ("factors.model.threads", 0, "factors.model.threads: expected an integer >= 1, got 0"),
    ("factors.interval", 1.2, "factors.interval: nominal coverage must be in (0, 1); got 1.2"),
    ("factors.target", "levels", "factors.target: expected one of ['change', 'level'], got 'levels'"),
    ("reports.language", "sv", "reports.language: expected one of ['en', 'fi'], got 'sv'"),
    ("reports.small_count_max", 3, "'reports.small_count_max' parameter of params.yaml must be a whole number >= 5"),
    ("seed", -1, "seed: expected an integer >= 0, got -1"),
    ("data.source", "ftp", "data.source: expected one of ['demo', 'file', 'sotkanet'], got 'ftp'"),
    ("data.sotkanet.timeout_s", 0, "data.sotkanet.timeout_s: expected a number > 0, got 0"),
    ("data.sotkanet.genders", ["all"], "data.sotkanet.genders: expected a list of values from ['total', 'female', 'male']"),
    ("data.years.start", 2030, "data.years.start (2030) is after data.years.end (2024)"),
    ("panel.suppression", "guess", "panel.suppression: expected one of ['midpoint', 'lower', 'upper', 'missing']"),
    ("panel.min_pre_years", -1, "panel.min_pre_years: expected an integer >= 0, got -1"),
    ("pilots.oulu.category", "kunta", "pilots.oulu.category: expected one of the panels ['country', 'municipality', "
                                      "'wellbeing_county'] (keys of panel.categories), got 'kunta'"),
    ("pilots.oulu.region", "261", "pilots.oulu.region: expected an integer >= 1, got '261'"),
    ("validation.examples", -1, "validation.examples: expected an integer >= 0, got -1"),
    ("validation.max_missing_share", 1.5, "validation.max_missing_share: expected a number in [0, 1], got 1.5"),
    ("validation.n_jobs", 0, "validation.n_jobs: expected an integer >= 1, got 0"),
])
def test_each_range_is_checked_and_named(document, dotted, value, expected):
    messages = _messages(_set(document, dotted, value))
    assert len(messages) == 1 and expected in messages[0], messages


def test_a_missing_required_key_is_named(document):
    del document["impact"]["alpha"]
    assert _messages(document) == ["missing key impact.alpha: expected a number"]


def test_every_problem_is_reported_at_once(document):
    for dotted, value in [("panel.min_pre_yaers", 5), ("factors.min_children", -5), ("reports.language", "sv"),
                          ("impact.alpha", 1.5), ("validation.examples", -1)]:
        _set(document, dotted, value)
    with pytest.raises(ParameterError) as raised:
        check_params(document, origin="my_params.yaml")
    message = str(raised.value)
    assert message.startswith("my_params.yaml: 5 problem(s) in the parameters")
    for part in ("panel.min_pre_yaers; did you mean panel.min_pre_years?", "factors.min_children", "reports.language",
                 "'impact.alpha' must be a number in (0, 1)", "validation.examples"):
        assert part in message


@pytest.mark.parametrize("edit", [
    lambda d: _set(d, "reports.language", "fi"),
    lambda d: _set(_set(d, "data.source", "file"), "data.years", {"start": 2013, "end": 2021}),
    lambda d: _set(d, "impact.outcomes", ["oohc_per_1000", "school_absence_pct"]),
    lambda d: _set(d, "impact.placebo.pre_mspe_cutoff", 5),
    lambda d: d.pop("reports"),
    lambda d: _set(d, "factors", {"outcomes": ["oohc_per_1000"], "lags": [0], "test_years": {"start": 2012, "end": 2014}}),
], ids=["finnish", "file_source", "two_outcomes", "cutoff", "no_reports", "minimal_factors"])
def test_valid_variants_used_by_the_tests_pass(document, edit):
    edit(document)
    assert _messages(document) == []


def test_schema_lists_every_field_of_the_parsed_records():
    from aoresearch.config.factors import ModelConfig
    from aoresearch.config.reports import ReportSettings
    from aoresearch.config.validation import ValidationSettings

    sections = schema().fields
    assert set(sections["factors"].fields["model"].fields) == {f.name for f in fields(ModelConfig)}
    assert set(sections["reports"].fields) == {f.name for f in fields(ReportSettings)}
    assert set(sections["validation"].fields) == {f.name for f in fields(ValidationSettings)}


def test_the_check_loads_no_scientific_library(repo_root):
    code = ("import sys; from aoresearch.params_schema import check_params_file; check_params_file('params.yaml'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'sklearn', 'great_expectations') "
            "or m in ('aoresearch.impact', 'aoresearch.factors', 'aoresearch.reports')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _workspace(repo_root, tmp_path, **changes):
    """A copy of the stage scripts and params.yaml (with ``changes``) and a previous report in tmp_path."""
    shutil.copytree(repo_root / "pipelines", tmp_path / "pipelines")
    document = yaml.safe_load((repo_root / "params.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        _set(document, dotted, value)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    html = tmp_path / "reports" / "html" / "impact_oulu.html"
    html.parent.mkdir(parents=True)
    html.write_text("<html>the previous report</html>", encoding="utf-8")
    return html


def _stage(tmp_path, *args):
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(tmp_path / "pipelines" / args[0]), *args[1:]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    return result, time.monotonic() - started


def test_a_stage_with_a_bad_value_stops_within_seconds_and_keeps_its_outputs(repo_root, tmp_path):
    html = _workspace(repo_root, tmp_path, **{"reports.language": "sv", "impact.alpha": 1.5})
    result, elapsed = _stage(tmp_path, "render_report.py", "impact", "--pilot", "oulu")
    assert result.returncode == 1
    assert "reports.language: expected one of ['en', 'fi'], got 'sv'" in result.stderr
    assert "'impact.alpha' must be a number in (0, 1)" in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < STAGE_STOP_S, f"took {elapsed:.1f} s"
    assert html.read_text(encoding="utf-8") == "<html>the previous report</html>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.yaml", "pipelines", "reports"]


def test_check_params_stage_writes_a_marker_that_does_not_depend_on_the_values(repo_root, tmp_path):
    _workspace(repo_root, tmp_path)
    marker = tmp_path / "data" / "params_checked.json"
    result, _ = _stage(tmp_path, "check_params.py", "--out", str(marker))
    assert result.returncode == 0, result.stderr
    first = marker.read_bytes()
    assert json.loads(first)["params_checked"] is True
    document = yaml.safe_load((tmp_path / "params.yaml").read_text(encoding="utf-8"))
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(_set(document, "reports.language", "fi")), encoding="utf-8")
    assert _stage(tmp_path, "check_params.py", "--out", str(marker))[0].returncode == 0
    assert marker.read_bytes() == first, "a valid change must not invalidate every stage"
    marker.unlink()
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(_set(document, "panel.min_pre_yaers", 5)), encoding="utf-8")
    result, _ = _stage(tmp_path, "check_params.py", "--out", str(marker))
    assert result.returncode == 1 and "did you mean panel.min_pre_years?" in result.stderr
    assert not marker.exists()
