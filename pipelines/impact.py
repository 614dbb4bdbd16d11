"""DVC stage `impact@<pilot>`: the impact evaluation of one pilot region (issue 5).

Reads the panel of the pilot's category, evaluates every outcome in `impact.outcomes` with
synthetic control, Callaway-Sant'Anna DiD and a TWFE event study (or gives a baseline and
monitoring plan when there are no post-adoption data), and writes `data/impact/<pilot>/`, the
headline metrics `metrics/impact/<pilot>.json` and the plot CSVs `plots/impact/<pilot>/`
(schemas: `aoresearch.impact.outputs`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _entry import run  # first: it may restart the interpreter (PYTHONHASHSEED) and checks params.yaml

from aoresearch.config import load_params
from aoresearch.errors import RawDataError
from aoresearch.impact.evaluate import evaluate_pilot, find_pilot
from aoresearch.impact.pilot_regions import check_pilot_regions
from aoresearch.impact.outputs import write_outputs
from aoresearch.panel.files import read_panel
from aoresearch.validation.gate import PANELS_MARKER, panel_files, panels_gate, require_validated


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pilot", help="a key of params.yaml 'pilots', e.g. tampere")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--panels", default="data/panel")
    parser.add_argument("--out", default=None, help="default data/impact/<pilot>")
    parser.add_argument("--metrics", default=None, help="default metrics/impact/<pilot>.json")
    parser.add_argument("--plots", default=None, help="folder of the plot CSVs, default plots/impact/<pilot>")
    parser.add_argument("--pilot-regions", default="data/pilot_regions.json", help="written by the pilot_regions stage")
    parser.add_argument("--validated", default=PANELS_MARKER, help="validate_panels' success marker")
    parser.add_argument("--validation-metrics", default="metrics/validation_panels.json", help="validate_panels' metrics (named in errors)")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    regions = Path(args.pilot_regions)
    if not regions.is_file():
        raise RawDataError(f"{regions} does not exist; run `dvc repro pilot_regions` first.")
    check_pilot_regions(json.loads(regions.read_text(encoding="utf-8")), params.pilots, str(regions))
    pilot = find_pilot(params.pilots, args.pilot)
    config = params.impact
    panel = read_panel(args.panels, pilot.category)  # a missing panel is named before the gate's verdict
    require_validated(panels_gate(args.panels, args.validated, args.validation_metrics), panel_files(pilot.category))
    result = evaluate_pilot(panel, pilot, params.pilots, config, params.seed)
    out = args.out or f"data/impact/{pilot.key}"
    write_outputs(result, config, out, args.metrics or f"metrics/impact/{pilot.key}.json",
                  args.plots or f"plots/impact/{pilot.key}")
    return 0


if __name__ == "__main__":
    run(main)
