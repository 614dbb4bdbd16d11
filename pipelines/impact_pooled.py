"""DVC stage `impact_pooled`: the pooled effect of the pilots that started in the same year,
per region category and overall (`aoresearch.impact.pooling`), from every `impact@<pilot>` output: every outcome in
`data/impact_pooled/pooled.parquet`, the headline outcome per group in the metrics file.

Usage: python pipelines/impact_pooled.py [--impact data/impact] [--out data/impact_pooled]
       [--metrics metrics/impact_pooled.json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _entry import run

from aoresearch.config import load_params
from aoresearch.impact.files import read_pilot_folder
from aoresearch.impact.outputs import write_pooled
from aoresearch.impact.pooling import pool_pilots


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--impact", default="data/impact")
    parser.add_argument("--out", default="data/impact_pooled")
    parser.add_argument("--metrics", default="metrics/impact_pooled.json")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    config = params.impact
    pilots = {p.key: read_pilot_folder(Path(args.impact) / p.key) for p in params.pilots}
    pooled = pool_pilots(pilots, config.alpha, config.power, config.min_backtests)
    synthetic = any(p["synthetic"] for p in pilots.values())
    write_pooled(pooled, synthetic, config.alpha, config.headline_outcome, args.out, args.metrics)
    return 0


if __name__ == "__main__":
    run(main)
