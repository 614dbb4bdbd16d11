"""DVC stage `pilot_regions`: the regions every donor pool excludes (each pilot's region and the
regions linked to it), written to data/pilot_regions.json for the impact@<pilot> stages.

Usage: python pipelines/pilot_regions.py [--out data/pilot_regions.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _entry import run

from aoresearch.config import load_params
from aoresearch.impact.evaluate import pilot_regions


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", default="data/pilot_regions.json")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.partial")
    staging.write_text(json.dumps(pilot_regions(load_params(args.params).pilots), indent=2) + "\n", encoding="utf-8")
    staging.replace(out)
    return 0


if __name__ == "__main__":
    run(main)
