"""The report kernel started ahead of papermill (``aoresearch.reports.kernel``): same notebooks, clear failures, no kernel left running."""

from __future__ import annotations

import os

import nbformat
import pytest

from aoresearch.errors import ReportRenderError
from aoresearch.reports import render_notebook
from aoresearch.reports.kernel import started_kernel

PROBE = "pyarrow.parquet"  # preloaded by default; imported by nothing in the probe notebook


def _notebook(path, body: str):
    cells = [nbformat.v4.new_code_cell("seed = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(body)]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "aoresearch", "display_name": "aoresearch", "language": "python"}
    nbformat.write(notebook, path)
    return path


def _render(tmp_path, template, name, **kwargs):
    return render_notebook(template, {"seed": 3}, tmp_path / f"{name}.ipynb", tmp_path / f"{name}.html",
                           kernel_name="aoresearch", timeout=120, cwd=tmp_path, title="probe", **kwargs)


def test_preloading_changes_nothing_in_the_executed_notebook(tmp_path):
    body = ("import sys\nfrom IPython.display import HTML, display\n"
            f"print('{PROBE} loaded:', {PROBE!r} in sys.modules)\n"
            "print('bound:', sorted(n for n in globals() if n in ('pandas', 'pyarrow', 'name')))\n"
            "display(HTML(f'<p>seed {seed}</p>'))")
    template = _notebook(tmp_path / "probe.ipynb", body)
    _render(tmp_path, template, "cold", preload=())
    _render(tmp_path, template, "warm")  # the default PRELOAD
    cold, warm = (nbformat.read(tmp_path / f"{n}.ipynb", as_version=4) for n in ("cold", "warm"))
    text = [c.outputs[0]["text"] for c in (cold.cells[-1], warm.cells[-1])]
    assert f"{PROBE} loaded: False" in text[0] and f"{PROBE} loaded: True" in text[1], "the kernel did not preload"
    assert "bound: []" in text[0] and "bound: []" in text[1], "preloading bound names in the notebook"
    assert [c.get("execution_count") for c in warm.cells] == [c.get("execution_count") for c in cold.cells]
    assert (tmp_path / "cold.html").read_bytes() == (tmp_path / "warm.html").read_bytes()


def test_a_failing_cell_is_named_and_the_previous_report_kept(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "print(seed)")
    _render(tmp_path, good, "report")
    before = (tmp_path / "report.html").read_bytes()
    bad = _notebook(tmp_path / "bad.ipynb", "x = 1\nraise ValueError('no rows for Oulu')")
    with pytest.raises(ReportRenderError, match=r"failed in cell 2 .*starting 'x = 1'.*ValueError: no rows for Oulu"):
        _render(tmp_path, bad, "report")
    assert (tmp_path / "report.html").read_bytes() == before
    assert (tmp_path / "report.failed.ipynb").is_file()


def test_a_missing_kernel_is_named(tmp_path):
    template = _notebook(tmp_path / "t.ipynb", "print(seed)")
    with pytest.raises(ReportRenderError, match="could not be executed with kernel 'no-such-kernel'.*NoSuchKernel"):
        render_notebook(template, {}, tmp_path / "o.ipynb", tmp_path / "o.html", kernel_name="no-such-kernel", cwd=tmp_path)
    assert not (tmp_path / "o.html").exists()


def test_the_kernel_is_shut_down_when_the_run_fails(tmp_path):
    with pytest.raises(RuntimeError, match="stop"):
        with started_kernel("aoresearch", tmp_path) as manager:
            pid = manager.provisioner.process.pid
            os.kill(pid, 0)  # running
            raise RuntimeError("stop")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
