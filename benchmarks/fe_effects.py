"""Accuracy of the fixed-effects baseline's region effects: closed form against pyfixest's ``fixef()``.

On the committed demo municipality panel (``data/panel``, from `make repro` or `make pull`), for
every outcome at the forecast horizon, the baseline is fitted on the rows whose target year is
before 2015 (a rolling-origin training set); the closed-form region effects of
:class:`aoresearch.factors.forecast.FixedEffectsLinear` are compared with pyfixest's ``fixef()`` at
its default solver tolerance (1e-6) and at 1e-14, and the number of regions with an effect.

Run: `.venv/bin/python benchmarks/fe_effects.py` (writes benchmarks/results/fe_effects.json).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.factors.forecast import FixedEffectsLinear, _fe_frame
from aoresearch.factors.stage import _design, select_columns
from aoresearch.panel.files import read_panel

REPO = Path(__file__).resolve().parents[1]
FIRST_TEST_YEAR = 2015


def compare(design) -> dict:
    target_year = design.meta["target_year"].to_numpy()
    train = np.flatnonzero(~np.isnan(design.target) & (target_year < FIRST_TEST_YEAR))
    fitted = FixedEffectsLinear.fit(design, train)
    frame = _fe_frame(design.X.iloc[train], fitted.columns).assign(
        y=design.target[train], region=design.meta["region"].to_numpy()[train], w=design.meta["weight"].to_numpy()[train])
    terms = " + ".join(f"x{i}" for i in range(len(fitted.columns)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.feols(f"y ~ {terms} | region", frame, weights="w", vcov="iid")
        out = {"regions": len(fitted.region_effects)}
        for name, tol in (("default_1e-6", 1e-6), ("1e-14", 1e-14)):
            effects = pd.Series(model.fixef(atol=tol, btol=tol)["C(region)"])
            effects.index = effects.index.astype(fitted.region_effects.index.dtype)
            if set(effects.index) != set(fitted.region_effects.index):
                raise AssertionError("pyfixest and the closed form estimate effects for different regions")
            out[f"max_abs_difference_{name}"] = float((effects - fitted.region_effects).abs().max())
        out["mean_abs_effect"] = float(fitted.region_effects.abs().mean())
    return out


def main() -> None:
    params = load_params(REPO / "params.yaml")
    config = params.factors
    panel = read_panel(REPO / "data" / "panel", "municipality").frame
    outcomes, factors, *_ = select_columns(panel, config, load_catalogue(REPO / "src/aoresearch/resources/indicators.yaml"))
    result = {"benchmark": "fixed-effects baseline: closed-form region effects vs pyfixest fixef()",
              "command": ".venv/bin/python benchmarks/fe_effects.py", "training_rows": f"target year < {FIRST_TEST_YEAR}",
              "outcomes": {o: compare(_design(panel, o, factors, config, config.horizon, config.min_children)) for o in outcomes}}
    out = REPO / "benchmarks" / "results" / "fe_effects.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
