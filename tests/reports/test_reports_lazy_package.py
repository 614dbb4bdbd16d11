"""``aoresearch.reports`` imports a name's submodule on first use (issue 15: the report stages'
parent process only renders, and pandas plus matplotlib took about 0.7 s of each stage)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import aoresearch.reports as reports


def test_rendering_names_come_without_pandas_or_matplotlib():
    code = ("import sys; from aoresearch.reports import pilot_records, render_notebook, t; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'papermill', 'nbconvert') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize("name", reports.__all__)
def test_every_public_name_resolves_to_its_submodule_object(name):
    import importlib

    value = getattr(reports, name)
    assert getattr(importlib.import_module(reports._SOURCES[name]), name) is value
    assert name in dir(reports)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'no_such_name'"):
        reports.no_such_name  # noqa: B018
