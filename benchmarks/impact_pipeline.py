"""Wall time of the impact evaluation of every pilot and outcome with full placebo inference.

Runs `pipelines/impact.py <pilot>` for every pilot in params.yaml, one after the other (as
`dvc repro impact` does), on the panels in data/panel, writing to a temporary folder.
Target (issue 5): under 120 s in total on this 2-core machine.

Run: `.venv/bin/python benchmarks/impact_pipeline.py` (writes benchmarks/results/impact_pipeline.json).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aoresearch.config import load_params

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 120.0


def main() -> int:
    params = load_params(REPO / "params.yaml")
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pilot in params.pilots:
            start = time.perf_counter()
            subprocess.run([sys.executable, "pipelines/impact.py", pilot.key, "--out", f"{tmp}/{pilot.key}",
                            "--metrics", f"{tmp}/{pilot.key}.json", "--plots", f"{tmp}/{pilot.key}_plots"], cwd=REPO, check=True, capture_output=True)
            times[pilot.key] = round(time.perf_counter() - start, 2)
            summary = json.loads(Path(tmp, pilot.key, "summary.json").read_text())
            times[pilot.key + "_outcomes"] = len(summary["outcomes"])
    total = round(sum(v for k, v in times.items() if not k.endswith("_outcomes")), 2)
    result = {"benchmark": "impact@<pilot> for every pilot, all outcomes, full placebo inference, sequential",
              "machine": {"cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0]},
              "n_jobs": params.impact.n_jobs, "per_pilot_s": times, "total_s": total, "target_s": TARGET_S,
              "meets_target": total < TARGET_S}
    (REPO / "benchmarks" / "results" / "impact_pipeline.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
