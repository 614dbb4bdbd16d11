"""`dvc exp run -S key=value` rewrites params.yaml in place: one changed line, every comment kept.

DVC applies ``-S`` overrides with ``dvc.utils.hydra.apply_overrides``: it loads the file with
ruamel's round-trip loader, replaces every list and scalar by the overridden configuration and
dumps it back. params.yaml is written in the style of that dumper (block style, empty nulls, no
comment line directly after a list), so the rewrite changes only the line of the key set.
"""

from __future__ import annotations

import difflib
import shutil

import pytest
import yaml
from dvc.utils.hydra import apply_overrides

# One key per section and nesting depth, set to a value different from the committed one.
OVERRIDES = {
    "reports.language": "fi",
    "seed": 1,
    "data.years.start": 1991,
    "data.demo.effect.oohc_per_1000": -0.2,
    "panel.suppression": "lower",
    "pilots.tampere.adoption.A": 2021,
    "factors.model.max_iter": 200,
    "factors.n_jobs": 1,
    "factors.associations.hiilamo2023.weights": "children_0_17",
    "validation.examples": 3,
    "impact.placebo.pre_mspe_cutoff": 5.0,
    "impact.n_jobs": 1,
}


def _get(document: dict, dotted: str):
    for key in dotted.split("."):
        document = document[key]
    return document


@pytest.fixture()
def params_copy(repo_root, tmp_path):
    path = tmp_path / "params.yaml"
    shutil.copy(repo_root / "params.yaml", path)
    return path


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_noop_override_keeps_the_file_byte_for_byte(params_copy):
    before = params_copy.read_text(encoding="utf-8")
    apply_overrides(params_copy, [f"seed={yaml.safe_load(before)['seed']}"])
    assert _changed_lines(before, params_copy.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("key", sorted(OVERRIDES))
def test_override_changes_one_line(params_copy, key):
    before = params_copy.read_text(encoding="utf-8")
    value = OVERRIDES[key]
    assert _get(yaml.safe_load(before), key) != value, f"{key} already has {value!r}; pick another test value"
    apply_overrides(params_copy, [f"{key}={value}"])
    after = params_copy.read_text(encoding="utf-8")
    changed = _changed_lines(before, after)
    assert len(changed) == 2, "\n".join(changed)  # one line removed, one added
    leaf = key.rsplit(".", 1)[-1]
    assert changed[0].lstrip("- ").startswith(f"{leaf}:"), changed
    assert changed[1].lstrip("+ ").startswith(f"{leaf}: {value}"), changed
    loaded, original = yaml.safe_load(after), yaml.safe_load(before)
    *parents, leaf = key.split(".")
    (_get(loaded, ".".join(parents)) if parents else loaded)[leaf] = _get(original, key)
    assert loaded == original, "a value other than the one set changed"
