"""DVC stage `scenarios`: projections of outcome rates 1-3 years ahead under factor scenarios.

Projects each outcome and horizon with the forecast the forecast stage chose (`--selection`).
Writes the projection table (`--out`) and its summary (`--summary`: national means and the
pilots' projections); no metrics file (schemas: `aoresearch.factors.stage`).
"""

from __future__ import annotations

import argparse

from _entry import run

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
import pandas as pd

from aoresearch.errors import ParameterError
from aoresearch.factors import forecast_choices, scenarios_stage, write_json, write_table
from aoresearch.panel.files import read_panel
from aoresearch.validation.gate import PANELS_MARKER, panel_files, panels_gate, require_validated


def read_selection(path: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise ParameterError(f"--selection: {path} does not exist; run the forecast stage first (dvc repro forecast).") from None
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--catalogue", default="src/aoresearch/resources/indicators.yaml")
    parser.add_argument("--panel", default="data/panel", help="folder of the panel stage's output")
    parser.add_argument("--selection", default="data/factors/forecast_selection.csv",
                        help="the forecast stage's choice per outcome and horizon")
    parser.add_argument("--out", default="data/factors/scenarios.parquet")
    parser.add_argument("--summary", default="data/factors/scenarios.json", help="national means and pilots' projections")
    parser.add_argument("--validated", default=PANELS_MARKER, help="validate_panels' success marker")
    parser.add_argument("--validation-metrics", default="metrics/validation_panels.json", help="validate_panels' metrics (named in errors)")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    config = params.factors
    require_validated(panels_gate(args.panel, args.validated, args.validation_metrics), panel_files("municipality", "wellbeing_county"))
    panels = {name: read_panel(args.panel, name) for name in ("municipality", "wellbeing_county")}
    choices = forecast_choices(read_selection(args.selection))
    table, summary = scenarios_stage(panels, config, load_catalogue(args.catalogue), params.pilots, choices)
    write_table(table, args.out)
    write_json(summary, args.summary)
    return 0


if __name__ == "__main__":
    run(main)
