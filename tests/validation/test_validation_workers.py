"""``validation.n_jobs``: Checkpoints run in worker processes give the report and the Data Docs of a
run in one process, and an error in a worker names its target (issue 15)."""

from __future__ import annotations

import json
import pickle
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

from aoresearch.validation import Target, load_site_config, run_targets, write_suites
from aoresearch.validation.rules import critical, warning
from aoresearch.validation.workers import _pickles, _stand_in, share_targets, start_method

REPO = Path(__file__).resolve().parents[2]


def _targets() -> list[Target]:
    """Three small tables: one failed warning (examples in the pages), one critical failure, one pass."""
    frame = pd.DataFrame({"region": range(20), "value": [float(v) for v in range(19)] + [250.0]})
    return [
        Target("small_table", frame, (
            critical("column_values_to_not_be_null", "value_present", "every row has a value", column="value"),
            warning("column_values_to_be_between", "value_in_range", "values are percentages", column="value",
                    min_value=0, max_value=100),
        ), row_label=("region",), file="small.parquet"),
        Target("short_table", frame.head(5), (
            critical("column_values_to_be_between", "value_small", "values below 3", column="value", max_value=3),
        ), row_label=("region",)),
        Target("other_table", frame.assign(value=1.0), (
            critical("column_values_to_be_in_set", "value_one", "every value is 1", column="value", value_set=[1.0]),
        ), row_label=("region",)),
    ]


@pytest.fixture
def gx_dir(tmp_path) -> Path:
    """A gx/ holding the three targets, the first one's range edited by hand (a stored change)."""
    folder = tmp_path / "gx"
    folder.mkdir()
    shutil.copy2(REPO / "gx" / "great_expectations.yml", folder)
    write_suites({"raw": _targets()}, folder)
    path = folder / "expectations" / "small_table.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    next(e for e in suite["expectations"] if e["meta"]["rule"] == "value_in_range")["kwargs"]["max_value"] = 200
    path.write_text(json.dumps(suite, indent=2), encoding="utf-8")
    return folder


def _site(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_workers_give_the_report_and_data_docs_of_one_process(gx_dir, tmp_path):
    reports, sites = {}, {}
    for n_jobs in (1, 2):
        site = load_site_config(gx_dir, "raw", tmp_path / f"docs_{n_jobs}")
        reports[n_jobs] = run_targets("raw", _targets(), site, source="data/raw", n_jobs=n_jobs)
        sites[n_jobs] = _site(site.folder)
    assert reports[1] == reports[2]
    assert [o.table for o in reports[2].outcomes] == ["small_table"] * 2 + ["short_table", "other_table"]
    assert (reports[2].failed_critical, reports[2].failed_warning) == (1, 1)
    assert [(c.table, c.rule, c.kind) for c in reports[2].stored_changes] == [("small_table", "value_in_range", "edited")]
    assert sorted(sites[1]) == sorted(sites[2]) and "index.html" in sites[2]
    assert [name for name in sites[1] if sites[1][name] != sites[2][name]] == []


def _unhashable(target: Target) -> Target:
    """The target with lists for values: the digest naming the run fails (TypeError) in its worker."""
    return Target(target.name, target.frame.assign(value=[[v] for v in target.frame["value"]]), target.expectations,
                  row_label=target.row_label)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_the_first_error_names_its_target_and_leaves_no_site(gx_dir, tmp_path, n_jobs):
    small, short, other = _targets()
    site = load_site_config(gx_dir, "raw", tmp_path / "docs")
    # with 2 workers the two broken tables are in different shares, [small_table] and [short_table, other_table]
    with pytest.raises(TypeError, match="unhashable") as info:
        run_targets("raw", [_unhashable(small), _unhashable(short), other], site, n_jobs=n_jobs)
    assert info.value.__notes__ == ["while validating small_table (Checkpoint raw__small_table)"]
    assert list(site.folder.iterdir()) == []  # emptied at the start, never built


def test_shares_balance_the_estimated_work_longest_first():
    frame = pd.DataFrame({"value": [1.0]})
    rule = critical("column_values_to_not_be_null", "value_present", "every row has a value", column="value")
    targets = [Target(f"t{i}", frame, (rule,) * n) for i, n in enumerate([2, 4, 3, 3, 1])]
    assert share_targets(targets, 2) == [[0, 1, 4], [2, 3]]  # 4, then 3 and 3, then 2 and 1: 7 vs 6
    assert share_targets(targets, 1) == [[0, 1, 2, 3, 4]]
    assert len(share_targets(targets[:2], 4)) == 2  # no empty share
    big = Target("big", pd.DataFrame({"value": [1.0] * 600_000}), (rule,))  # 1 x (1 + 3): as 4 expectations
    assert share_targets([big, *targets[2:]], 2) == [[0, 3], [1, 2]]


def test_fork_only_without_other_threads():
    assert threading.active_count() > 1 or start_method() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()


class _TwoArgumentError(Exception):
    def __init__(self, table: str, detail: str):
        super().__init__(f"{table}: {detail}")


def test_an_exception_that_does_not_pickle_comes_back_as_runtime_error_with_its_notes():
    exc = _TwoArgumentError("short_table", "boom")
    exc.add_note("while validating short_table")
    assert not _pickles(exc)
    stand_in = pickle.loads(pickle.dumps(_stand_in(exc)))
    assert isinstance(stand_in, RuntimeError) and "_TwoArgumentError: short_table: boom" in str(stand_in)
    assert stand_in.__notes__ == ["while validating short_table"]
