"""Where the forecast and scenarios stages spend their time: a cProfile of one outcome, in process.

Runs :func:`aoresearch.factors.forecast_stage` and :func:`aoresearch.factors.scenarios_stage` on
the committed demo panels (``data/panel``, from `make repro` or `make pull`) for one outcome with
``n_jobs = 1`` (a profile cannot see into worker processes), and writes the functions with the
largest cumulative time to benchmarks/results/profile_forecast.json.

Run: `.venv/bin/python benchmarks/profile_forecast.py [--outcome oohc_per_1000] [--top 25]`
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import pstats
import time
from pathlib import Path

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.factors import forecast_stage, scenarios_stage
from aoresearch.panel.files import read_panel

REPO = Path(__file__).resolve().parents[1]


def _top(profile: cProfile.Profile, n: int) -> list[dict]:
    stats = pstats.Stats(profile)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)[:n]
    return [{"function": f"{Path(file).name}:{line}({name})", "calls": int(nc), "cumulative_s": round(ct, 2),
             "own_s": round(tt, 2)} for (file, line, name), (cc, nc, tt, ct, _) in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outcome", default="oohc_per_1000")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    params = load_params(REPO / "params.yaml")
    config = dataclasses.replace(params.factors, outcomes=(args.outcome,), n_jobs=1)
    categories = sorted({"municipality", *(p.category for p in params.pilots)})
    panels = {name: read_panel(REPO / "data" / "panel", name) for name in categories}
    catalogue = load_catalogue(REPO / "src/aoresearch/resources/indicators.yaml")
    result = {"benchmark": "profile of the forecast and scenarios stages, one outcome, one process",
              "command": f".venv/bin/python benchmarks/profile_forecast.py --outcome {args.outcome} --top {args.top}"}
    for name, call in (("forecast", lambda: forecast_stage(panels, config, catalogue, params.pilots)),
                       ("scenarios", lambda: scenarios_stage(panels, config, catalogue, params.pilots))):
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.runcall(call)
        result[name] = {"seconds": round(time.perf_counter() - start, 1), "top": _top(profile, args.top)}
        print(f"{name}: {result[name]['seconds']} s")
        for row in result[name]["top"][:12]:
            print(f"  {row['cumulative_s']:8.1f} s  {row['own_s']:7.1f} s own  {row['calls']:8d}  {row['function']}")
    out = REPO / "benchmarks" / "results" / "profile_forecast.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
