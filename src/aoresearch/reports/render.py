"""Execute a parameterised notebook with papermill and export it as a funder-facing HTML page.

The funder view keeps rich outputs only (HTML, Markdown, images). Code, the parameters and
injected-parameters cells, Markdown cells (notes for researchers: funder-visible text comes
from code outputs so it can be translated), stdout, stderr, warnings and plain-text reprs stay
in the executed notebook, which is kept for researchers. Images are embedded as data URIs and
no script or stylesheet is loaded from the network.

Both outputs are staged beside their destinations and renamed into place only after both
exist, so a failed run leaves the previous report and executed notebook intact.
"""

from __future__ import annotations

import copy
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from aoresearch.errors import ParameterError, ReportRenderError
from aoresearch.reports.style import REPORT_CSS

__all__ = ["ReportRenderError", "RenderedReport", "HIDDEN_TAGS", "render_notebook", "export_html", "funder_view"]

logger = logging.getLogger(__name__)

HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove_cell", "remove-cell", "researchers-only"})
_RICH = ("text/html", "text/markdown", "image/png", "image/svg+xml", "image/jpeg")
_TEMPLATE_NAME = "aoresearch_report.html.j2"
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
{%- if resources.ao_description %}<meta name="description" content="{{ resources.ao_description | escape }}">{% endif %}
<meta name="generator" content="aoresearch">
{%- endblock extra_css -%}
{%- block html_head_css -%}<style type="text/css">{{ resources.ao_css }}</style>{%- endblock html_head_css -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ ((output | get_metadata('alt', 'image/png')) or '') | escape_html }}" data-ao-marks="{{ ((output | get_metadata('marks', 'image/png')) or '') | escape_html }}">
</div>
{%- endblock data_png %}
{%- block body_header -%}<body class="jp-Notebook ao-report" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light"><main>{%- endblock body_header -%}
"""


@dataclass(frozen=True)
class RenderedReport:
    """Where a rendered report was written and how long it took.

    Attributes
    ----------
    executed : Path
        The executed notebook (outputs kept, for researchers).
    html : Path
        The funder-facing HTML page.
    seconds : float
        Wall time of execution and export.
    """

    executed: Path
    html: Path
    seconds: float


def render_notebook(
    template: str | Path,
    parameters: Mapping[str, Any],
    executed_out: str | Path,
    html_out: str | Path,
    kernel_name: str = "aoresearch",
    timeout: float = 600,
    *,
    cwd: str | Path | None = None,
    title: str | None = None,
    description: str | None = None,
    language: str = "en",
    preload: Sequence[str] | None = None,
) -> RenderedReport:
    """Execute ``template`` with ``parameters`` and write the executed notebook and its HTML.

    Parameters
    ----------
    template : str or Path
        The parameterised notebook (a cell tagged ``parameters``).
    parameters : mapping
        Values injected by papermill; JSON-like values only.
    executed_out : str or Path
        Where the executed notebook is written.
    html_out : str or Path
        Where the HTML page is written.
    kernel_name : str
        Jupyter kernel to execute with (the project's ``aoresearch`` kernel).
    timeout : float
        Seconds allowed per cell.
    cwd : str or Path, optional
        Working directory of the kernel; the current directory by default.
    title, description : str, optional
        The page's ``<title>`` and ``<meta name="description">``.
    language : str
        ISO 639-1 code written to ``<html lang>``.
    preload : sequence of str, optional
        Modules the kernel imports while this process imports papermill and nbconvert
        (:mod:`aoresearch.reports.kernel`; default :data:`~aoresearch.reports.kernel.PRELOAD`).
        They change no output.

    Returns
    -------
    RenderedReport

    Raises
    ------
    ParameterError
        If ``template`` does not exist.
    ReportRenderError
        If a cell fails, the kernel dies or times out, or the export fails. The message names
        the notebook and the failing cell; the executed notebook with the traceback is kept
        at ``<executed_out stem>.failed.ipynb``. Previous outputs are left unchanged.
    """
    template, executed_out, html_out = Path(template), Path(executed_out), Path(html_out)
    if not template.is_file():
        raise ParameterError(f"report template {template} does not exist.")
    start = time.perf_counter()
    staged_nb = _staging_path(executed_out)
    staged_html = _staging_path(html_out)
    try:
        _execute(template, dict(parameters), staged_nb, executed_out, kernel_name, timeout, cwd, preload)
        _drop_run_metadata(staged_nb, executed_out)
        # The staging file has a random name: the default title is the final notebook's name.
        staged_html.write_text(export_html(staged_nb, title=title or executed_out.stem, description=description,
                                           language=language),
                               encoding="utf-8")
        os.replace(staged_nb, executed_out)
        os.replace(staged_html, html_out)
    finally:
        staged_nb.unlink(missing_ok=True)
        staged_html.unlink(missing_ok=True)
    _failed_path(executed_out).unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    logger.info("rendered %s to %s in %.1f s", template.name, html_out, seconds)
    return RenderedReport(executed_out, html_out, seconds)


def _staging_path(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".partial{target.suffix}", dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def _failed_path(executed_out: Path) -> Path:
    return executed_out.with_name(f"{executed_out.stem}.failed{executed_out.suffix}")


def _execute(template: Path, parameters: dict, staged: Path, executed_out: Path, kernel_name: str,
             timeout: float, cwd: str | Path | None, preload: Sequence[str] | None) -> None:
    from aoresearch.reports.kernel import PRELOAD, started_kernel

    try:
        # The kernel starts first and imports `preload` while papermill and nbconvert are imported here.
        with started_kernel(kernel_name, cwd, PRELOAD if preload is None else preload) as kernel:
            import nbconvert  # noqa: F401  (export_html needs it next)
            import papermill

            papermill.execute_notebook(
                str(template), str(staged), parameters=parameters, kernel_name=kernel_name,
                execution_timeout=timeout, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, cwd=str(cwd) if cwd is not None else None, km=kernel,
            )
    except Exception as exc:
        from papermill.exceptions import PapermillExecutionError

        failed = _keep_failed(staged, executed_out)
        if isinstance(exc, PapermillExecutionError):
            first_line = next((line for line in exc.source.splitlines() if line.strip()), "")
            raise ReportRenderError(
                f"notebook {template} failed in cell {exc.cell_index} (execution count {exc.exec_count}, "
                f"starting {first_line!r}): {exc.ename}: {exc.evalue}. The executed notebook with the "
                f"traceback is at {failed}; the previous report was left unchanged."
            ) from exc
        # kernel missing or dead, cell timeout, unreadable notebook
        raise ReportRenderError(
            f"notebook {template} could not be executed with kernel '{kernel_name}': "
            f"{type(exc).__name__}: {exc}. Partial output (if any): {failed}; the previous report was left unchanged."
        ) from exc


_RUN_KEYS = ("start_time", "end_time", "duration")


def _drop_run_metadata(staged: Path, executed_out: Path) -> None:
    """Remove wall-clock times from the executed notebook so the same inputs give the same bytes
    (papermill's start/end times and durations, the kernel's ``execution`` timestamps, the random
    id of the injected-parameters cell) and record the final path instead of the staging name."""
    import nbformat

    notebook = nbformat.read(staged, as_version=4)
    run = notebook.metadata.get("papermill", {})
    for key in _RUN_KEYS:
        run.pop(key, None)
    if run:
        run["output_path"] = str(executed_out)
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives the cell a random id
        cell.metadata.pop("execution", None)
        for key in _RUN_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(notebook, staged)


def _keep_failed(staged: Path, executed_out: Path) -> Path | None:
    if not staged.is_file() or staged.stat().st_size == 0:
        return None
    failed = _failed_path(executed_out)
    os.replace(staged, failed)
    return failed


def funder_view(notebook: Any) -> Any:
    """A copy of ``notebook`` with only what a funder sees: rich outputs of code cells.

    Drops Markdown and raw cells, cells tagged in :data:`HIDDEN_TAGS`, stream outputs (stdout,
    stderr, warnings), errors and plain-text-only results, then code cells left without output.
    """
    view = copy.deepcopy(notebook)
    cells = []
    for cell in view.cells:
        if cell.cell_type != "code" or HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        cell.outputs = [o for o in cell.get("outputs", []) if _is_rich(o)]
        if cell.outputs:
            cells.append(cell)
    view.cells = cells
    return view


def _is_rich(output: Mapping[str, Any]) -> bool:
    if output.get("output_type") not in ("display_data", "execute_result"):
        return False
    return any(kind in output.get("data", {}) for kind in _RICH)


def export_html(notebook_path: str | Path, title: str | None = None, description: str | None = None,
                language: str = "en") -> str:
    """The funder-facing HTML of an executed notebook (code hidden, images embedded).

    Raises
    ------
    ReportRenderError
        If the notebook cannot be read or converted.
    """
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    try:
        notebook = funder_view(nbformat.read(str(notebook_path), as_version=4))
        notebook.metadata["title"] = title or Path(notebook_path).stem
        exporter = HTMLExporter(
            template_name="lab", template_file=_TEMPLATE_NAME,
            extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
            embed_images=True, language_code=language,
        )
        resources = {"ao_css": REPORT_CSS, "ao_description": description or ""}
        body, _ = exporter.from_notebook_node(notebook, resources=resources)
    except Exception as exc:
        raise ReportRenderError(f"notebook {notebook_path} could not be exported to HTML: {type(exc).__name__}: {exc}") from exc
    return body
