"""The work of the ``factor_figures`` stage: read the forecast stage's files, draw every PNG.

Per outcome a beeswarm of the factors' SHAP values on the held-out folds and a dependence plot of
the four factors with the largest mean |SHAP| (the outcome's own history left out); per pilot and
outcome a waterfall of the latest forecast's factor contributions. Inputs, all written by the
forecast stage under ``data/factors/forecast/``: ``shap_values.parquet`` (one row per held-out
region-year and factor: ``value``, ``shap``), ``factor_table.parquet`` (factors ranked per outcome),
``pilot_attributions.parquet`` and ``summary.json`` (``horizon``, ``synthetic``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from joblib import Parallel, delayed

from aoresearch.errors import InsufficientDataError
from aoresearch.progress import track

__all__ = ["FigureInputs", "read_figure_inputs", "figure_jobs", "write_factor_figures"]

log = logging.getLogger(__name__)
DEPENDENCE_FACTORS = 4
FILES = ("shap_values.parquet", "factor_table.parquet", "pilot_attributions.parquet", "summary.json")


@dataclass(frozen=True)
class FigureInputs:
    shap_values: pd.DataFrame
    factor_table: pd.DataFrame
    pilot_attributions: pd.DataFrame
    horizon: int
    synthetic: bool


def read_figure_inputs(forecast_dir: str | Path) -> FigureInputs:
    """The forecast stage's files under ``forecast_dir`` that the figures are drawn from.

    Raises
    ------
    InsufficientDataError
        If a file is missing (naming it and the stage that writes it).
    """
    forecast_dir = Path(forecast_dir)
    missing = [name for name in FILES if not (forecast_dir / name).is_file()]
    if missing:
        raise InsufficientDataError(f"{forecast_dir}: missing {missing}; run the forecast stage first (dvc repro forecast).")
    summary = json.loads((forecast_dir / "summary.json").read_text(encoding="utf-8"))
    return FigureInputs(
        pd.read_parquet(forecast_dir / "shap_values.parquet"), pd.read_parquet(forecast_dir / "factor_table.parquet"),
        pd.read_parquet(forecast_dir / "pilot_attributions.parquet"), int(summary["horizon"]), bool(summary["synthetic"]),
    )


def _wide(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """One outcome's long SHAP rows as (held-out region-years, factors): ``column`` per factor."""
    return rows.pivot(index=["fold", "region"], columns="factor", values=column).reset_index(drop=True).rename_axis(columns=None)


def figure_jobs(inputs: FigureInputs, figures: Path) -> list:
    """Every PNG as a joblib ``delayed`` call, one per file, in a fixed order."""
    from aoresearch.factor_figures import plots

    jobs = []
    for outcome, rows in inputs.shap_values.groupby("outcome", sort=True):
        grouped, current = _wide(rows, "shap"), _wide(rows, "value")
        title = f"SHAP by factor: {outcome}, {inputs.horizon} year(s) ahead (held-out folds)"
        jobs.append(delayed(plots.beeswarm_png)(grouped, current, title, inputs.synthetic, figures / f"beeswarm_{outcome}.png"))
        table = inputs.factor_table
        top = list(table.loc[(table["outcome"] == outcome) & (table["expected_role"] != "history"), "factor"].head(DEPENDENCE_FACTORS))
        jobs.append(delayed(plots.dependence_png)(grouped, current, top, f"SHAP dependence: {outcome}", inputs.synthetic,
                                                  figures / f"dependence_{outcome}.png"))
    attributions = inputs.pilot_attributions
    if len(attributions):
        for (pilot, outcome), rows in attributions[attributions["latest"]].groupby(["pilot", "outcome"], sort=True):
            first = rows.iloc[0]
            title = f"{first['pilot_name']}: predicted change of {outcome}, {first['origin_year']} to {first['year']}"
            jobs.append(delayed(plots.waterfall_png)(rows, title, inputs.synthetic, figures / f"waterfall_{pilot}_{outcome}.png"))
    return jobs


def write_factor_figures(forecast_dir: str | Path, figures: str | Path, n_jobs: int = 1) -> list[Path]:
    """Draw every PNG of :func:`figure_jobs` into ``figures`` in ``n_jobs`` processes (joblib) and
    return their paths. Each file's bytes depend only on its inputs (seeded plots), not on the
    process (tested)."""
    jobs = figure_jobs(read_figure_inputs(forecast_dir), Path(figures))
    log.info("factor figures: %d PNGs, %d process(es)", len(jobs), n_jobs)
    written = Parallel(n_jobs=max(1, min(n_jobs, len(jobs))), return_as="generator")(jobs)
    return [Path(p) for p in track(written, "factor figures", "figure", log, total=len(jobs), describe=lambda path: Path(path).name)]
