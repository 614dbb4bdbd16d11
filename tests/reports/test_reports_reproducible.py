"""Reports rendered twice from the same inputs are byte-identical and show no run date.

DVC hashes the executed notebooks and HTML pages (issue 14): a run date, papermill's execution
times or a random cell id in them would change the hashes on every `dvc repro`. The date a
report shows comes from the data's provenance (:mod:`aoresearch.reports.dating`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import nbformat
import pytest

from aoresearch.reports import index_html, provenance_html, render_notebook
from aoresearch.reports.dating import report_basis

REPO = Path(__file__).resolve().parents[2]
REPORT_NOTEBOOKS = ("impact_evaluation", "risk_factors", "situation_room")
DEMO = {"source": "demo", "synthetic": True, "seed": 20240601, "years": [1990, 2024]}
REAL = {"source": "sotkanet", "synthetic": False, "retrieved_at": "2025-03-01T08:00:00+00:00", "years": [1990, 2024]}
# Wall-clock stamps papermill and nbconvert would write (ISO times and durations).
RUN_STAMP = re.compile(r'"(start_time|end_time|duration)"|"execution":\s*\{|"iopub\.')


def _today() -> str:
    return dt.date.today().isoformat()


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_provenance_table_shows_the_demo_seed_not_the_run_date(lang):
    page = provenance_html(DEMO, lang)
    assert "20240601" in page
    assert _today() not in page


def test_provenance_table_of_real_data_shows_the_retrieval_date():
    assert report_basis(REAL, "en") == "from data retrieved 2025-03-01T08:00:00+00:00"
    assert _today() not in provenance_html(REAL, "en")


def test_index_has_no_run_date():
    page = index_html([], "en", synthetic=True, generated=report_basis(DEMO, "en"))
    assert "seed 20240601" in page
    assert _today() not in index_html([], "en", synthetic=True)


@pytest.mark.parametrize("name", REPORT_NOTEBOOKS)
def test_report_notebooks_do_not_read_the_clock(name):
    source = (REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
    assert not re.search(r"date\.today|datetime\.now|time\.time|strftime", source)


def _notebook(path: Path) -> Path:
    """A small parameterised notebook that shows a provenance table, text and an image."""
    cells = [
        nbformat.v4.new_code_cell("seed = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "from IPython.display import HTML, display\n"
            "from aoresearch.reports import provenance_html\n"
            f"display(HTML(provenance_html({DEMO!r}, 'en')))\n"
            "print('seed', seed)"
        ),
        nbformat.v4.new_code_cell(
            "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
            "from aoresearch.reports import figure_image\n"
            "fig, ax = plt.subplots(figsize=(2, 1.5))\nax.plot([0, 1], [seed, 2])\n"
            "display(figure_image(fig, 'a line'))"
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "aoresearch", "display_name": "aoresearch", "language": "python"}
    nbformat.write(notebook, path)
    return path


def test_rendering_twice_gives_the_same_bytes_without_run_times(tmp_path):
    template = _notebook(tmp_path / "small.ipynb")
    executed, page = tmp_path / "out" / "small.ipynb", tmp_path / "out" / "small.html"
    runs = []
    for _ in range(2):
        render_notebook(template, {"seed": 7}, executed, page, kernel_name="aoresearch", timeout=120, cwd=tmp_path)
        runs.append((executed.read_bytes(), page.read_bytes()))
    (notebook_1, html_1), (notebook_2, html_2) = runs
    text = notebook_1.decode("utf-8")
    assert not RUN_STAMP.search(text), "papermill or kernel execution times leaked into the executed notebook"
    assert _today() not in text and _today() not in html_1.decode("utf-8")
    assert "seed 7" in text and "20240601" in html_1.decode("utf-8")
    assert notebook_1 == notebook_2
    assert html_1 == html_2
    nbformat.validate(nbformat.reads(text, as_version=4))
