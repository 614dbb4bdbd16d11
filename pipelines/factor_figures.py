"""DVC stage `factor_figures`: PNG figures of the forecast stage's SHAP attributions.

Reads `<forecast>/` (shap_values, factor_table and pilot_attributions parquet files, summary.json)
and writes `<figures>/beeswarm_<outcome>.png`, `dependence_<outcome>.png` and
`waterfall_<pilot>_<outcome>.png` (`aoresearch.factor_figures`), in `factors.n_jobs` processes.
"""

from __future__ import annotations

import argparse

from _entry import run

from aoresearch.config import load_params
from aoresearch.factor_figures import write_factor_figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--forecast", default="data/factors/forecast", help="folder of the forecast stage's output")
    parser.add_argument("--figures", default="reports/figures/factors")
    args = parser.parse_args(argv)
    write_factor_figures(args.forecast, args.figures, n_jobs=load_params(args.params).factors.n_jobs)
    return 0


if __name__ == "__main__":
    run(main)
