"""DVC stage `forecast`: gradient-boosted forecasts, rolling-origin evaluation, SHAP attributions.

Writes tables, models and the full evaluation (`<out>/summary.json`), the headline skill per
outcome (`--metrics`), the `dvc plots` file `<plots>/accuracy.csv` and the forecast chosen per
outcome and horizon on validation years (`--selection`) (schemas: `aoresearch.factors.stage`).
The stage `factor_figures` draws the PNG figures from these files.
"""

from __future__ import annotations

import argparse

from _entry import run

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.factors import forecast_stage, write_forecast_outputs
from aoresearch.panel.files import read_panel
from aoresearch.validation.gate import PANELS_MARKER, panel_files, panels_gate, require_validated


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--catalogue", default="src/aoresearch/resources/indicators.yaml")
    parser.add_argument("--panel", default="data/panel", help="folder of the panel stage's output")
    parser.add_argument("--out", default="data/factors/forecast")
    parser.add_argument("--metrics", default="metrics/forecast.json", help="headline skill per outcome")
    parser.add_argument("--plots", default="plots/forecast", help="folder of the dvc plots CSV")
    parser.add_argument("--selection", default="data/factors/forecast_selection.csv", help="forecast chosen per outcome and horizon")
    parser.add_argument("--validated", default=PANELS_MARKER, help="validate_panels' success marker")
    parser.add_argument("--validation-metrics", default="metrics/validation_panels.json", help="validate_panels' metrics (named in errors)")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    config = params.factors
    categories = sorted({"municipality", *(p.category for p in params.pilots)})
    require_validated(panels_gate(args.panel, args.validated, args.validation_metrics), panel_files(*categories))
    panels = {name: read_panel(args.panel, name) for name in categories}
    outputs = forecast_stage(panels, config, load_catalogue(args.catalogue), params.pilots)
    write_forecast_outputs(outputs, args.out, args.metrics, args.plots, args.selection, n_jobs=config.n_jobs)
    return 0


if __name__ == "__main__":
    run(main)
