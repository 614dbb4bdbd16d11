"""Report figures drawn on several processes (``figure_images``) are the images drawn in one."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from aoresearch.errors import ParameterError
from aoresearch.reports.marks import mark_figure
from aoresearch.reports.parallel import FigureJob, figure_images


def sine_figure(period: float, title: str = "") -> Figure:
    """A constrained small-multiples figure; module-level, so a spawned worker can import it."""
    fig = Figure(figsize=(6, 3), dpi=100, layout="constrained")
    years = np.arange(1990, 2025)
    for j, ax in enumerate(fig.subplots(1, 2).flat):
        ax.plot(years, np.sin(years / (period + j)) * 10, ls="--")
        ax.set_title(f"{title} {j}")
    mark_figure(fig, synthetic=True, lang="en")
    return fig


def broken_figure(period: float) -> Figure:
    raise ValueError(f"no data for period {period}")


def _jobs(n: int) -> list[FigureJob]:
    return [FigureJob(sine_figure, (2.0 + k,), alt=f"figure {k}", kwargs={"title": f"region {k}"}) for k in range(n)]


@pytest.mark.parametrize("n_jobs", [2, 3])
def test_images_do_not_depend_on_the_number_of_processes(n_jobs):
    one = figure_images(_jobs(5), n_jobs=1)
    many = figure_images(_jobs(5), n_jobs=n_jobs)
    assert [i.metadata for i in many] == [i.metadata for i in one]
    assert [i.metadata["alt"] for i in many] == [f"figure {k}" for k in range(5)], "images out of order"
    assert [i.data for i in many] == [i.data for i in one]
    assert len({i.data for i in one}) == 5, "the jobs' arguments were not used"
    assert all("synthetic" in i.metadata["marks"] for i in many)


def test_more_processes_than_figures_and_no_figures():
    assert len(figure_images(_jobs(1), n_jobs=4)) == 1
    assert figure_images([], n_jobs=2) == []


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, True, "2"])
def test_bad_n_jobs_is_named(n_jobs):
    with pytest.raises(ParameterError, match="n_jobs must be a whole number >= 1"):
        figure_images(_jobs(2), n_jobs=n_jobs)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_failing_figure_is_named_here_and_in_a_worker(n_jobs):
    # With 2 processes the second job is drawn by the spawned worker.
    jobs = [*_jobs(1), FigureJob(broken_figure, (7.0,), alt="trends of Oulu")]
    with pytest.raises(RuntimeError, match=r"drawing the figure 'trends of Oulu' failed: ValueError: no data for period 7.0"):
        figure_images(jobs, n_jobs=n_jobs)
