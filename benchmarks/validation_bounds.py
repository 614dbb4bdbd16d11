"""Where the plausibility bounds of params.yaml `validation` come from: the real extract's own
distribution (THL Sotkanet, CC BY 4.0, read at run time from ../shared/data/sotkanet).

Computed with the same derived frames the expectations check (aoresearch.validation.derived):
the largest count, the largest year-on-year change factor of population and family counts per
threshold of the previous count, the largest year-on-year change of a percentage, and the share
of empty value fields per indicator. Only these summary numbers are written.

Run: `.venv/bin/python benchmarks/validation_bounds.py [--extract ../shared/data/sotkanet]`
(writes benchmarks/results/validation_bounds.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from aoresearch.catalogue import load_catalogue
from aoresearch.sources.file import read_sotkanet_extract
from aoresearch.validation import derived
from aoresearch.validation.rules import is_count, is_percent

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "validation_bounds.json"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extract", type=Path, default=REPO.parent / "shared" / "data" / "sotkanet")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    raw = read_sotkanet_extract(args.extract, catalogue, range(1990, 2022))
    obs = raw.observations
    counts = derived.count_values(obs, catalogue)
    populations = [i.raw_id for i in catalogue.indicators if i.role == "denominator" and is_count(i)]
    percents = [i.raw_id for i in catalogue.indicators if is_percent(i) and i.value_column == "value"]
    largest = counts.loc[counts["count"].idxmax()]
    changes = {}
    for base in (10, 50, 100, 1000):
        factors = derived.count_changes(obs, catalogue, populations, base)["change_factor"]
        changes[f"previous>={base}"] = {"max": round(float(factors.max()), 3), "series": int(factors.size)}
    points = derived.percent_changes(obs, catalogue, percents)["change_points"]
    coverage = derived.indicator_coverage(obs, catalogue, frozenset(int(i) for i in obs["indicator"].unique()))
    result = {
        "source": "THL Sotkanet extract (CC BY 4.0), 1990-2021", "rows": int(len(obs)),
        "largest_count": {"value": float(largest["count"]), "indicator": int(largest["indicator"])},
        "count_change_factor_by_previous": changes, "population_indicators": populations,
        "percent_change_points_max": round(float(points.max()), 2), "percent_indicators": percents,
        "missing_share_max": float(np.nanmax(coverage["missing_share"])) if len(coverage) else None,
        "command": ".venv/bin/python benchmarks/validation_bounds.py",
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
