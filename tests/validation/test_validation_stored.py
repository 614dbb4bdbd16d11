"""The stored Great Expectations project in gx/: Great Expectations loads it, the stages run it,
and both a params.yaml change and a hand edit of a stored suite change the result."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import great_expectations as gx
import pandas as pd
import pytest

from aoresearch.errors import StoredValidationError
from aoresearch.sources.raw import RawData
from aoresearch.validation import Target, load_site_config, run_targets, validate_raw, validation_config, write_suites
from aoresearch.validation.edits import FINGERPRINT, fingerprint, is_edited, merge
from aoresearch.validation.rules import critical
from validation_corpus import run_stages, write_extract

REPO = Path(__file__).resolve().parents[2]
TABLE = "small_table"


def _target(max_value: float = 300) -> Target:
    """20 values, the largest 250: within [0, max_value] for the stored max 300."""
    frame = pd.DataFrame({"region": range(20), "value": [float(v) for v in range(19)] + [250.0]})
    return Target(TABLE, frame, (
        critical("column_values_to_not_be_null", "value_present", "every row has a value", column="value"),
        critical("column_values_to_be_between", "value_in_range", f"values within 0-{max_value:g}", column="value",
                 min_value=0, max_value=max_value),
    ), row_label=("region",))


@pytest.fixture
def gx_dir(tmp_path) -> Path:
    """A gx/ holding the stored suite, definition and checkpoint of :func:`_target` (max 300)."""
    folder = tmp_path / "gx"
    folder.mkdir()
    shutil.copy2(REPO / "gx" / "great_expectations.yml", folder)
    write_suites({"raw": [_target()]}, folder)
    return folder


def _run(gx_dir: Path, target: Target):
    return run_targets("raw", [target], load_site_config(gx_dir, "raw", gx_dir.parent / "docs"))


def _suite_file(gx_dir: Path) -> Path:
    return gx_dir / "expectations" / f"{TABLE}.json"


def _edit(gx_dir: Path, rule: str, **kwargs) -> None:
    """What a researcher does: change kwargs of one expectation in the suite's JSON."""
    path = _suite_file(gx_dir)
    suite = json.loads(path.read_text(encoding="utf-8"))
    next(e for e in suite["expectations"] if e["meta"].get("rule") == rule)["kwargs"].update(kwargs)
    path.write_text(json.dumps(suite, indent=2), encoding="utf-8")


def _outcome(report, rule: str):
    return next(o for o in report.outcomes if o.rule == rule)


def test_stored_checkpoints_load_with_great_expectations(tmp_path):
    shutil.copytree(REPO / "gx", tmp_path / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    context = gx.get_context(mode="file", project_root_dir=str(tmp_path))
    names = sorted(p.stem for p in (REPO / "gx" / "checkpoints").glob("*.json"))
    assert len(names) == 25
    for name in names:
        datasource, table = name.split("__")
        checkpoint = context.checkpoints.get(name)
        (definition,) = checkpoint.validation_definitions
        assert definition.name == definition.suite.name == definition.data.data_asset.name == table
        assert definition.data.data_asset.datasource.name == datasource
        assert [a.site_names for a in checkpoint.actions] == [[datasource]]
        assert all(FINGERPRINT in e.meta and not is_edited(e) for e in definition.suite.expectations)


def test_unedited_store_runs_the_current_params(gx_dir):
    assert _run(gx_dir, _target()).success
    stricter = _run(gx_dir, _target(max_value=100))  # e.g. dvc exp run -S validation.<bound>=100
    assert _outcome(stricter, "value_in_range").success is False and stricter.failed_critical == 1
    assert stricter.stored_changes == ()


def test_a_suite_is_stored_again_only_when_the_rendering_changed_it(gx_dir, monkeypatch):
    """The run copy's suite is replaced only when the rendering (with the hand edits) differs from
    it; replacing it anyway gives the same outcomes. A different order, bound or suite field is a
    difference."""
    from great_expectations.core.factory.suite_factory import SuiteFactory

    from aoresearch.validation import runner

    stored, original, same = [], SuiteFactory.add_or_update, runner._stores_the_same
    monkeypatch.setattr(SuiteFactory, "add_or_update", lambda self, suite: stored.append(suite.name) or original(self, suite))
    skipped = _run(gx_dir, _target())
    assert skipped.success and stored == []
    assert not _outcome(_run(gx_dir, _target(max_value=100)), "value_in_range").success and stored == [TABLE]
    monkeypatch.setattr(runner, "_stores_the_same", lambda suite, stored: False)
    assert _run(gx_dir, _target()).outcomes == skipped.outcomes and stored == [TABLE, TABLE]

    rendered = _target().suite(expectations=merge(_target().expectations).expectations)
    again = _target().suite(expectations=merge(_target().expectations).expectations)
    assert same(rendered, again)
    assert not same(rendered, _target(max_value=100).suite(expectations=merge(_target(100).expectations).expectations))
    swapped = _target().suite(expectations=list(reversed(merge(_target().expectations).expectations)))
    assert not same(rendered, swapped)
    again.meta = {**again.meta, "description": "another"}
    assert not same(rendered, again)


def test_params_change_reaches_the_committed_suites(small_extract, catalogue, params, tmp_path):
    # The small extract (17,000 rows of the demo data) holds counts above 1000 as the whole demo
    # data set (1.1 million rows) does, and validates in a third of the CPU time (9 s, not 27 s).
    config = dataclasses.replace(validation_config(params), max_count=1000)
    raw = RawData(*small_extract, {"synthetic": True})
    report = validate_raw(raw, catalogue, config, load_site_config(REPO / "gx", "raw", tmp_path))
    assert not _outcome(report, "count_at_most_max").success and report.stored_changes == ()


def test_edited_expectation_wins_and_is_reported(gx_dir, caplog):
    _edit(gx_dir, "value_in_range", max_value=100)
    report = _run(gx_dir, _target())
    assert not _outcome(report, "value_in_range").success and report.failed_critical == 1
    assert "values 0-100" not in _outcome(report, "value_in_range").why  # the stored meta, not a new rendering
    summary = report.to_summary(synthetic=True)
    assert summary["edited_expectations"] == [{"table": TABLE, "rule": "value_in_range", "file": _suite_file(gx_dir).as_posix()}]
    assert summary["added_expectations"] == []
    assert "[value_in_range] was edited by hand" in caplog.text and str(_suite_file(gx_dir)) in caplog.text
    assert not _outcome(_run(gx_dir, _target(max_value=1000)), "value_in_range").success  # params no longer override it


def test_stage_runs_an_edited_committed_suite_and_says_so(small_extract, tmp_path):
    gx_dir = tmp_path / "gx"
    shutil.copytree(REPO / "gx", gx_dir, ignore=shutil.ignore_patterns("uncommitted"))
    path = gx_dir / "expectations" / "raw_counts.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    next(e for e in suite["expectations"] if e["meta"]["rule"] == "count_at_most_max")["kwargs"]["max_value"] = 10
    path.write_text(json.dumps(suite, indent=2), encoding="utf-8")
    run = run_stages(tmp_path, write_extract(tmp_path / "extract", *small_extract), gx=gx_dir)
    assert (run.step, run.returncode) == ("validate", 1)
    assert "[count_at_most_max] was edited by hand" in run.stderr
    assert "critical: expect_column_values_to_be_between [count_at_most_max] failed on column 'count' of raw_counts" in run.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["edited_expectations"] == [{"table": "raw_counts", "rule": "count_at_most_max", "file": path.as_posix()}]


def test_hand_added_expectation_runs(gx_dir):
    path = _suite_file(gx_dir)
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"].append({"type": "expect_column_values_to_be_between", "kwargs": {"column": "region", "max_value": 10},
                                  "meta": {"severity": "warning"}})
    path.write_text(json.dumps(suite, indent=2), encoding="utf-8")
    report = _run(gx_dir, _target())
    added = _outcome(report, "expect_column_values_to_be_between(region)")
    assert not added.success and added.severity == "warning" and added.unexpected_count == 9
    assert report.success and [c.rule for c in report.stored_changes if c.kind == "added"] == [added.rule]


def test_make_suites_keeps_edits_unless_reset(gx_dir):
    _edit(gx_dir, "value_in_range", max_value=100)
    write_suites({"raw": [_target()]}, gx_dir)
    assert not _run(gx_dir, _target()).success
    write_suites({"raw": [_target()]}, gx_dir, reset=True)
    report = _run(gx_dir, _target())
    assert report.success and report.stored_changes == ()


def test_missing_stored_suite_names_the_file_and_make_suites(gx_dir):
    _suite_file(gx_dir).unlink()
    with pytest.raises(StoredValidationError) as info:
        _run(gx_dir, _target())
    message = str(info.value)
    assert f"Expectation Suite {_suite_file(gx_dir)}" in message and "make suites" in message
    assert "Checkpoint" not in message  # the definition and checkpoint are still there


def test_merge_keeps_edits_but_drops_renderings_the_rules_no_longer_make():
    stored = _target().suite().expectations
    for expectation in stored:
        expectation.meta = {**expectation.meta, FINGERPRINT: fingerprint(expectation)}
    only_null = _target().expectations[:1]
    assert [e.meta["rule"] for e in merge(only_null, stored).expectations] == ["value_present"]
    stored[1].max_value = 100
    merged = merge(only_null, stored)
    assert [e.meta["rule"] for e in merged.expectations] == ["value_present", "value_in_range"]
    assert merged.edited == ("value_in_range",) and merged.added == ()
