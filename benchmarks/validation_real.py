"""Benchmark: Great Expectations validation of the real Sotkanet extract and of demo data.

Validates the full real extract (../shared/data/sotkanet, about 1.2 million rows, 1990-2021)
and its municipality and wellbeing-services-county panels, then the demo data set and its three
panels, timing validation only (reading, ingesting and building panels are excluded).
Target: real extract + panels under 30 s (issue 13) on the project's 2-core machine.

    .venv/bin/python benchmarks/validation_real.py  ->  benchmarks/results/validation_real.json
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import yaml

from aoresearch.catalogue import load_catalogue
from aoresearch.config import parse_params
from aoresearch.panel.stage import make_panel
from aoresearch.sources.demo import generate_demo
from aoresearch.sources.file import read_sotkanet_extract
from aoresearch.validation import load_site_config, validate_panels, validate_raw, validation_config

REPO = Path(__file__).resolve().parents[1]
EXTRACT = REPO.parent / "shared" / "data" / "sotkanet"
TARGET_S = 30.0  # issue 13: nothing may slow validation of the real extract past 30 s


def _params(real: bool):
    document = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    if real:
        document["data"].update(source="file", file={"path": str(EXTRACT)})
        document["data"]["years"]["end"] = 2021
    return parse_params(document, base_dir=REPO)


def _measure(raw, panels_wanted, params, catalogue, out: Path) -> dict:
    config = validation_config(params)
    panels = {name: make_panel(raw, catalogue, params, name) for name in panels_wanted}
    start = time.perf_counter()
    raw_report = validate_raw(raw, catalogue, config, load_site_config(REPO / "gx", "raw", out / "raw"))
    middle = time.perf_counter()
    panel_report = validate_panels(panels, catalogue, config, load_site_config(REPO / "gx", "panels", out / "panels"))
    end = time.perf_counter()
    return {
        "rows": len(raw.observations),
        "panels": {name: len(panel) for name, panel in panels.items()},
        "raw_s": round(middle - start, 2),
        "panels_s": round(end - middle, 2),
        "total_s": round(end - start, 2),
        "raw": {k: v for k, v in raw_report.to_metrics(raw.is_synthetic).items() if k != "warnings"},
        "panels_result": {k: v for k, v in panel_report.to_metrics(raw.is_synthetic).items() if k != "warnings"},
        "warnings": {o.label: f"{o.unexpected_count} of {o.element_count}" for r in (raw_report, panel_report) for o in r.failures("warning")},
    }


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    catalogue = load_catalogue()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        if EXTRACT.is_dir():
            params = _params(real=True)
            raw = read_sotkanet_extract(EXTRACT, catalogue, params.data.years)
            results["real"] = _measure(raw, ("municipality", "wellbeing_county"), params, catalogue, Path(tmp) / "real")
            results["real"]["target_s"] = TARGET_S
            results["real"]["meets_target"] = results["real"]["total_s"] < TARGET_S
        params = _params(real=False)
        raw = generate_demo(catalogue, params.data.years, params.pilots, params.data.demo, params.seed)
        results["demo"] = _measure(raw, tuple(params.panel.categories), params, catalogue, Path(tmp) / "demo")
    out = REPO / "benchmarks" / "results" / "validation_real.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    json.dump(results, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
