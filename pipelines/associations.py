"""DVC stage `associations`: fixed-effects regressions of outcomes on risk and protective factors.

Writes the coefficient table (`--out`), every model's summary (`--summary`) and the headline
counts per specification (`--metrics`; schemas: `aoresearch.factors.stage`).
"""

from __future__ import annotations

import argparse

from _entry import run

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.factors import associations_stage, write_json, write_table
from aoresearch.panel.files import read_panel
from aoresearch.validation.gate import PANELS_MARKER, panel_files, panels_gate, require_validated


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--catalogue", default="src/aoresearch/resources/indicators.yaml")
    parser.add_argument("--panel", default="data/panel", help="folder of the panel stage's output")
    parser.add_argument("--out", default="data/factors/associations.parquet")
    parser.add_argument("--summary", default="data/factors/associations.json", help="every model's N, R2 and coefficients")
    parser.add_argument("--metrics", default="metrics/associations.json", help="headline counts per specification")
    parser.add_argument("--validated", default=PANELS_MARKER, help="validate_panels' success marker")
    parser.add_argument("--validation-metrics", default="metrics/validation_panels.json", help="validate_panels' metrics (named in errors)")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    config = params.factors
    require_validated(panels_gate(args.panel, args.validated, args.validation_metrics), panel_files("municipality"))
    panel = read_panel(args.panel, "municipality")
    table, summary, headline = associations_stage(panel, config, load_catalogue(args.catalogue))
    write_table(table, args.out)
    write_json(summary, args.summary)
    write_json(headline, args.metrics)
    return 0


if __name__ == "__main__":
    run(main)
