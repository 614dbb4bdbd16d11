"""Report figures are byte-identical from run to run (``freeze_layout``) and saved without a second measuring pass."""

from __future__ import annotations

import hashlib
import io

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from PIL import Image

from aoresearch.reports.plots import figure_image, freeze_layout


def _figure() -> Figure:
    fig = Figure(figsize=(9, 6), dpi=100, layout="constrained")
    years = np.arange(1990, 2025)
    for k, subfig in enumerate(fig.subfigures(2, 1, height_ratios=[1.3, 1])):
        subfig.suptitle(f"block {k}", x=0.0, ha="left")
        for j, ax in enumerate(subfig.subplots(1, 3).flat):
            ax.plot(years, np.sin(years / (3.0 + j + k)) * 10 + 20, ls="--", lw=1.3)
            ax.plot(years, np.cos(years / (2.0 + j)) * 7 + 15, lw=2.0)
            ax.set_title(f"indicator {k}-{j} with a long title that wraps", wrap=True)
    fig.legend(["country", "region"], loc="outside upper center", ncols=2)
    return fig


def test_freeze_layout_rounds_every_position_and_stops_the_engine():
    fig = freeze_layout(_figure(), decimals=7)
    assert fig.get_layout_engine() is None, "a placeholder engine makes savefig draw the figure twice"
    for subfig in fig.findobj(SubFigure):
        points = subfig.bbox_relative.get_points()
        assert np.array_equal(points, np.round(points, 7)), "subfigure placed off the rounding grid"
    axes = fig.findobj(Axes)
    assert len(axes) == 6
    for ax in axes:
        bounds = np.array(ax.get_position().bounds)
        assert np.allclose(bounds, np.round(bounds, 7), rtol=0, atol=1e-15), f"{ax.get_title()}: {bounds}"
        assert bounds[2] > 0.1 and bounds[3] > 0.1, "the layout engine did not run before rounding"


def test_figure_without_layout_engine_is_left_alone():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_axes((0.123456789, 0.2, 0.5, 0.5))
    freeze_layout(fig)
    assert fig.get_layout_engine() is None
    assert ax.get_position().x0 == 0.123456789


def test_the_same_figure_gives_the_same_png_every_time():
    digests = {hashlib.md5(figure_image(_figure(), "alt").data).hexdigest() for _ in range(6)}
    assert len(digests) == 1


def test_a_frozen_figure_is_drawn_once_when_saved():
    # savefig first draws a figure that has any layout engine, even a placeholder, only to
    # measure it (issue 15; benchmarks/report_figures.py measures the cost).
    fig = _figure()
    draws = []
    draw = fig.draw
    fig.draw = lambda renderer: draws.append(renderer) or draw(renderer)
    figure_image(fig, "alt")
    assert len(draws) == 1


def _png(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_constrained_figure_is_saved_whole_with_a_white_margin():
    # Its layout already fits labels, legend and title inside the canvas: no second measuring
    # pass to crop it, the whole canvas plus 0.12 inch (12 px at 100 dpi) on every side.
    data = figure_image(_figure(), "alt").data
    assert _png(data).size == (900 + 2 * 12, 600 + 2 * 12)
    image = _png(data).convert("RGB")
    border = [image.getpixel((x, y)) for x in range(image.width) for y in (0, 5, image.height - 1)]
    assert set(border) == {(255, 255, 255)}, "the margin is not white"


def test_a_figure_without_layout_engine_is_cropped_to_what_is_drawn():
    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.add_axes((0.3, 0.3, 0.4, 0.4))
    ax.plot([0, 1], [0, 1])
    width, height = _png(figure_image(fig, "alt").data).size
    assert width < 600 and height < 400, "an unlaid-out figure keeps its empty canvas"
