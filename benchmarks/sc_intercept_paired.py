"""The synthetic control with and without an intercept on the same demo worlds (issue 12).

Reads the estimate rows that ``benchmarks/impact_quality.py --rows`` writes for two runs on the
same seeds, one with ``--intercept off`` and one with ``--intercept on``, and compares the
synthetic control's average effect world by world: bias in % of the cell's mean observed level
(per outcome, as ``impact_quality.reference_levels``), the paired difference of the errors with
two Monte Carlo standard errors (the world as the unit: its errors averaged over outcomes),
RMSE, coverage of the 95% interval, null rejection at 5%, and the median ratio of interval widths.
Pairing removes the worlds' common noise, so a shift far smaller than either bias's MCSE shows.

Commands (about 1 hour each on two idle cores)::

    .venv/bin/python benchmarks/impact_quality.py --datasets 200 --validate-every 0 --intercept off --rows off.csv --out off.json
    .venv/bin/python benchmarks/impact_quality.py --datasets 200 --validate-every 0 --intercept on --rows on.csv --out on.json
    .venv/bin/python benchmarks/sc_intercept_paired.py off.csv on.csv

writes ``benchmarks/results/sc_intercept_paired.json`` (``--out``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from impact_quality import reference_levels  # noqa: E402  (the % scale of the quality benchmark)

OUT = Path(__file__).resolve().parent / "results" / "sc_intercept_paired.json"
KEY = ["scenario", "seed", "pilot_type", "outcome", "estimator", "period", "kind"]


def _read(path: Path) -> pd.DataFrame:
    rows = pd.read_csv(path, keep_default_na=False, na_values=[""])  # scenario "null" is not NaN
    rows = rows[(rows["estimator"] == "synthetic_control") & (rows["kind"] == "average")].copy()
    rows["err"] = rows["effect"] - rows["truth"]
    rows["cover"] = (rows["lower"] <= rows["truth"]) & (rows["truth"] <= rows["upper"])
    return rows


def _band(values: pd.Series) -> dict:
    return {"mean": round(float(values.mean()), 3), "two_mcse": round(float(2 * values.std(ddof=1) / np.sqrt(len(values))), 3)}


def compare(off: pd.DataFrame, on: pd.DataFrame) -> list[dict]:
    off = off.assign(ref=reference_levels(off))  # the observed level does not depend on the fit
    m = off.merge(on, on=KEY, suffixes=("_off", "_on"), validate="one_to_one")
    if len(m) != len(off) or len(m) != len(on):
        raise SystemExit(f"the two runs do not hold the same worlds: {len(off)} and {len(on)} rows, {len(m)} paired")
    for side in ("off", "on"):
        m[f"pct_{side}"] = 100 * m[f"err_{side}"] / m["ref"]
    m["pct_diff"] = m["pct_on"] - m["pct_off"]
    cells = []
    for (scenario, pilot), g in m.groupby(["scenario", "pilot_type"]):
        world = g.groupby("seed")[["pct_off", "pct_on", "pct_diff"]].mean()
        cell = {"scenario": scenario, "pilot_type": pilot, "worlds": len(world),
                "bias_pct_off": _band(world["pct_off"]), "bias_pct_on": _band(world["pct_on"]),
                "paired_difference_pct": _band(world["pct_diff"]),
                "rmse_pct": {s: round(float(np.sqrt((g[f"pct_{s}"] ** 2).mean())), 2) for s in ("off", "on")},
                "coverage": {s: round(float(g[f"cover_{s}"].mean()), 3) for s in ("off", "on")},
                "median_width_ratio_on_off": round(float(((g["upper_on"] - g["lower_on"]) / (g["upper_off"] - g["lower_off"])).median()), 3)}
        if scenario == "null":
            cell["null_rejection"] = {s: round(float((g[f"p_value_{s}"] < 0.05).mean()), 3) for s in ("off", "on")}
        cells.append(cell)
    return cells


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("off", type=Path, help="rows CSV of the run with --intercept off")
    parser.add_argument("on", type=Path, help="rows CSV of the run with --intercept on")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    cells = compare(_read(args.off), _read(args.on))
    args.out.write_text(json.dumps({"benchmark": "synthetic control with and without an intercept, paired worlds",
                                    "estimate": "synthetic_control average effect, every outcome", "cells": cells}, indent=2) + "\n",
                        encoding="utf-8")
    for c in cells:
        print(c["scenario"], c["pilot_type"], "bias off", c["bias_pct_off"], "on", c["bias_pct_on"], "paired", c["paired_difference_pct"],
              "rmse", c["rmse_pct"], "coverage", c["coverage"], c.get("null_rejection", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
