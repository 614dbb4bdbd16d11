"""The factor_figures stage: PNGs from the forecast stage's files, with bytes that depend only on them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from aoresearch.errors import InsufficientDataError
from aoresearch.factor_figures import figure_jobs, read_figure_inputs
from aoresearch.factor_figures.stage import FigureInputs, _wide


def test_beeswarm_png_is_byte_identical_across_calls(tmp_path):
    from aoresearch.factor_figures.plots import beeswarm_png

    rng = np.random.default_rng(1)
    grouped = pd.DataFrame(rng.normal(size=(300, 3)), columns=list("abc"))
    values = pd.DataFrame(rng.normal(size=(300, 3)), columns=list("abc"))
    first = beeswarm_png(grouped, values, "t", True, tmp_path / "first.png").read_bytes()
    second = beeswarm_png(grouped, values, "t", True, tmp_path / "second.png").read_bytes()
    assert first == second


def test_saved_area_is_that_of_bbox_inches_tight(tmp_path):
    """A waterfall's labels reach past the canvas: the area measured without a draw saves the same
    bytes as savefig's "tight" (which draws first)."""
    import matplotlib.pyplot as plt
    import shap

    from aoresearch.factor_figures.plots import DPI, _tight_area

    def figure():
        explanation = shap.Explanation(values=np.array([0.4, -0.25, 0.1, 0.02]), base_values=1.5,
                                       data=np.array([12.5, 3.25, 40.0, 7.0]),
                                       feature_names=["child_low_income_pct", "leisure_participation_pct", "own_history", "x"])
        shap.plots.waterfall(explanation, show=False)
        fig = plt.gcf()
        fig.suptitle("A long title that is wider than the axes of the figure\n[SYNTHETIC DEMO DATA]", fontsize=10)
        return fig

    fig = figure()
    area = _tight_area(fig)
    assert area.x0 < 0  # the labels lie left of the canvas: an uncropped save would cut them
    fig.savefig(tmp_path / "measured.png", dpi=DPI, bbox_inches=area, metadata={"Software": None})
    plt.close(fig)
    fig = figure()
    fig.savefig(tmp_path / "tight.png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    assert (tmp_path / "measured.png").read_bytes() == (tmp_path / "tight.png").read_bytes()


def test_long_shap_rows_become_one_column_per_factor():
    rows = pd.DataFrame({"fold": [2013, 2012, 2012, 2013, 2012, 2012], "region": [5, 9, 5, 5, 9, 5],
                         "factor": ["a", "a", "a", "b", "b", "b"], "shap": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    wide = _wide(rows, "shap")
    assert list(wide.columns) == ["a", "b"]
    # rows ordered by fold, then region; the same region-year on one row for every factor
    assert wide.to_numpy().tolist() == [[3.0, 6.0], [2.0, 5.0], [1.0, 4.0]]


def test_jobs_cover_every_outcome_and_pilot_and_skip_own_history_in_dependence(tmp_path):
    shap_rows = pd.DataFrame({
        "outcome": "y", "fold": 2012, "region": np.repeat([1, 2], 3), "factor": ["own_history", "f1", "f2"] * 2,
        "value": 1.0, "shap": 0.5,
    })
    table = pd.DataFrame({"outcome": "y", "factor": ["own_history", "f2", "f1"], "expected_role": ["history", "risk", "protective"]})
    attributions = pd.DataFrame({
        "pilot": ["p", "p", "p"], "pilot_name": "P", "outcome": "y", "origin_year": 2020, "year": [2021, 2021, 2020],
        "latest": [True, True, False], "factor": ["f1", "f2", "f1"], "contribution": 0.1, "value": 1.0, "base_value": 0.0,
    })
    jobs = figure_jobs(FigureInputs(shap_rows, table, attributions, 1, True), tmp_path)
    names = [args[-1].name for _, args, _ in jobs]  # delayed calls: (function, args, kwargs); the path is last
    assert names == ["beeswarm_y.png", "dependence_y.png", "waterfall_p_y.png"]
    assert jobs[1][1][2] == ["f2", "f1"]  # dependence: ranked factors, own history left out
    assert len(jobs[2][1][0]) == 2  # waterfall: the latest forecast's rows only


def test_missing_forecast_file_is_named(tmp_path):
    (tmp_path / "summary.json").write_text(json.dumps({"horizon": 1, "synthetic": True}), encoding="utf-8")
    with pytest.raises(InsufficientDataError, match=r"shap_values\.parquet.*dvc repro forecast"):
        read_figure_inputs(tmp_path)
