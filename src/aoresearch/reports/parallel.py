"""Draw a report's figures on several processes; the images are the same bytes as drawn in one.

Why: the situation room draws one figure of 25 small multiples per pilot region (constrained
layout and Agg drawing, all in Python on one core); its five regions took 10.6-12.9 s in one
process and 7.1-8.5 s in two (``benchmarks/report_figures.py``, issue 15).

The notebook's kernel keeps drawing the first share of the figures itself while the other
processes start; they are started with ``spawn``, not ``fork``: a forked copy of a Jupyter
kernel would inherit its messaging threads and sockets. A job's plotting function must
therefore be importable (a module-level function of this package), and its arguments
picklable.
"""

from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from matplotlib.figure import Figure

from aoresearch.errors import ParameterError
from aoresearch.reports.plots import figure_image

__all__ = ["FigureJob", "figure_images"]


@dataclass(frozen=True)
class FigureJob:
    """One figure to draw: ``plot(*args, **kwargs)`` returns it; ``alt`` is its alternative text."""

    plot: Callable[..., Figure]
    args: tuple[Any, ...]
    alt: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)


def figure_images(jobs: Sequence[FigureJob], n_jobs: int = 1) -> list:
    """Draw every job with :func:`~aoresearch.reports.plots.figure_image`; images in the order of ``jobs``.

    Parameters
    ----------
    jobs : sequence of FigureJob
    n_jobs : int
        Processes drawing, this one included; 1 draws everything here. The images do not
        depend on it (``tests/reports/test_reports_parallel.py``).

    Returns
    -------
    list of IPython.display.Image

    Raises
    ------
    ParameterError
        If ``n_jobs`` is not a whole number >= 1.
    RuntimeError
        If a figure cannot be drawn; the message gives its alternative text.
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ParameterError(f"figure_images: n_jobs must be a whole number >= 1. Got {n_jobs!r} instead.")
    jobs = list(jobs)
    workers = min(n_jobs, len(jobs)) - 1
    if workers < 1:
        return [_image(_draw(job)) for job in jobs]
    own = math.ceil(len(jobs) / (workers + 1))  # the workers first start Python and import
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_draw, job) for job in jobs[own:]]
        drawn = [_image(_draw(job)) for job in jobs[:own]]
        drawn += [_image(future.result()) for future in futures]
    return drawn


def _draw(job: FigureJob) -> tuple[bytes, dict]:
    try:
        image = figure_image(job.plot(*job.args, **job.kwargs), job.alt)
    except Exception as error:
        raise RuntimeError(f"drawing the figure '{job.alt}' failed: {type(error).__name__}: {error}") from error
    return image.data, dict(image.metadata)


def _image(drawn: tuple[bytes, dict]):
    from IPython.display import Image

    data, metadata = drawn
    return Image(data=data, format="png", metadata=metadata)
