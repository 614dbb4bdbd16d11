"""The impact evaluation on the real Sotkanet extract (THL, CC BY 4.0), read at run time from
../shared/data/sotkanet: per pilot with post years, the synthetic control's average effect on
`oohc_per_1000` over 2020-2021 with its 95% interval, p-value, placebos and minimum detectable
effect, the Callaway-Sant'Anna DiD's average effect (``did``), and the pooled effects. Nothing of the extract is written to the repository but these
summary numbers.

Run: `.venv/bin/python benchmarks/impact_real.py [--extract ../shared/data/sotkanet]`
(writes benchmarks/results/impact_real.json).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

import yaml

from aoresearch.catalogue import load_catalogue
from aoresearch.config import parse_params
from aoresearch.impact.evaluate import evaluate_outcome
from aoresearch.impact.pooling import pool_pilots
from aoresearch.panel.stage import make_panel
from aoresearch.sources.ingest import ingest

REPO = Path(__file__).resolve().parents[1]
OUTCOME = "oohc_per_1000"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extract", type=Path, default=REPO.parent / "shared" / "data" / "sotkanet")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    start = time.perf_counter()
    document = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    document["data"] |= {"source": "file", "file": {"path": str(args.extract)}}
    document["data"]["years"]["end"] = 2021
    params = parse_params(document, base_dir=REPO)
    catalogue = load_catalogue()
    raw = ingest(params, catalogue)
    config = replace(params.impact, outcomes=(OUTCOME,))
    panels, pilots, fits = {}, {}, {}
    for pilot in params.pilots:
        panel = panels.setdefault(pilot.category, make_panel(raw, catalogue, params, pilot.category))
        result = evaluate_outcome(panel, pilot, params.pilots, OUTCOME, config, params.seed)
        pilots[pilot.key] = {"category": pilot.category, "adoption_year": pilot.adoption_year,
                             "effects": result.effects, "backtests": result.backtests}
        entry = {"status": result.status, **{k: result.info.get(k) for k in (
            "n_donors", "n_size_class", "fit_quality", "fit_to_noise", "n_backtests", "n_placebos", "placebo_p_rmspe_ratio",
            "placebo_is_test")}}
        if result.status == "effect":
            average = result.effects[(result.effects["estimator"] == "synthetic_control") & (result.effects["period"] == "average")].iloc[0]
            entry |= {k: float(average[k]) for k in ("effect", "lower", "upper", "percent", "percent_lower", "percent_upper", "p_value", "dof")}
            did = result.effects[(result.effects["estimator"] == "staggered_did") & (result.effects["period"] == "average")].iloc[0]
            entry["did"] = {k: float(did[k]) for k in ("effect", "lower", "upper", "p_value", "dof")}
        power = result.power.iloc[0] if result.status == "effect" else result.power[result.power["n_post"] == 3].iloc[0]
        entry |= {"mde_percent": float(power["mde_percent"]), "mde_n_post": int(power["n_post"])}
        fits[pilot.key] = entry
    pooled = pool_pilots(pilots, config.alpha, config.power, config.min_backtests)
    result = {"source": "THL Sotkanet extract (CC BY 4.0), years to 2021", "outcome": OUTCOME, "pilots": fits,
              "pooled": json.loads(pooled.drop(columns=["method"]).to_json(orient="records")),
              "seconds": round(time.perf_counter() - start, 1)}
    out = REPO / "benchmarks" / "results" / "impact_real.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
