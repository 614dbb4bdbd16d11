"""Benchmark (issue 15): what the forecast model's boosting setting costs in pipeline time.

The pipeline's ``factors.model`` runs 50 boosting iterations at learning rate 0.1; before issue 15
it ran 100 at 0.05, which is slightly more accurate on some panels
(``benchmarks/forecast_iterations.py``). This runs the ``forecast`` and ``scenarios`` stage
scripts as ``dvc repro`` runs them (their dvc.yaml commands, on the committed demo panels in
``data/panel``, with ``factors.n_jobs`` of params.yaml), once with params.yaml's setting and once
with the other (``--other 100:0.05``), alternated over ``--rounds`` rounds, and reports each
stage's wall time. Outputs go to a temporary folder; the repository's files are not touched.

Run: `.venv/bin/python benchmarks/forecast_setting_cost.py [--other 100:0.05] [--rounds 2]
[--out FILE]` (writes benchmarks/results/forecast_setting_cost.json; about 6 minutes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _results import machine, write_result  # noqa: E402
from _repo_copy import REPO, timed  # noqa: E402


def _params(path: Path, setting: str | None) -> Path:
    """params.yaml, with ``factors.model``'s iterations and learning rate set to ``"N:RATE"``."""
    document = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    if setting:
        iterations, rate = setting.split(":")
        document["factors"]["model"].update(max_iter=int(iterations), learning_rate=float(rate))
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def _stages(params: Path, out: Path) -> dict[str, float]:
    """Wall seconds of the forecast then the scenarios stage script with ``params``, outputs in ``out``."""
    python = sys.executable
    forecast = [python, "pipelines/forecast.py", "--params", str(params), "--panel", "data/panel",
                "--out", str(out / "forecast"), "--metrics", str(out / "forecast.json"), "--plots", str(out / "plots"),
                "--selection", str(out / "selection.csv")]
    scenarios = [python, "pipelines/scenarios.py", "--params", str(params), "--panel", "data/panel",
                 "--selection", str(out / "selection.csv"), "--out", str(out / "scenarios.parquet"),
                 "--summary", str(out / "scenarios.json")]
    return {"forecast": round(timed(forecast, REPO), 2), "scenarios": round(timed(scenarios, REPO), 2)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--other", default="100:0.05", help="iterations:learning rate to compare with params.yaml's")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "forecast_setting_cost.json")
    args = parser.parse_args(argv)
    model = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))["factors"]["model"]
    settings = {f"{model['max_iter']}:{model['learning_rate']} (params.yaml)": None, args.other: args.other}
    runs: dict[str, list[dict]] = {name: [] for name in settings}
    with tempfile.TemporaryDirectory(prefix="bench_forecast_cost_") as tmp:
        for round_ in range(args.rounds):
            for name in list(settings)[:: 1 if round_ % 2 == 0 else -1]:
                out = Path(tmp) / f"{round_}_{len(runs[name])}_{name.split()[0].replace(':', '_')}"
                out.mkdir()
                runs[name].append(_stages(_params(out / "params.yaml", settings[name]), out))
                print(name, runs[name][-1], flush=True)
    medians = {name: {stage: round(statistics.median(r[stage] for r in rs), 2) for stage in ("forecast", "scenarios")}
               for name, rs in runs.items()}
    result = {
        "benchmark": "forecast and scenarios stage scripts on the demo panels, params.yaml's boosting setting against another",
        "command": "python benchmarks/forecast_setting_cost.py " + " ".join(argv),
        "machine": machine(),
        "runs_s": runs,
        "median_s": medians,
    }
    write_result(args.out, result)
    print(json.dumps(medians, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
