"""DVC stage `pilot_regions`: the regions every donor pool excludes (each pilot's region and the
regions linked to it), written to data/pilot_regions.json for the impact@<pilot> stages.

Usage: python pipelines/pilot_regions.py [--out data/pilot_regions.json]
"""

from __future__ import annotations

import argparse
import json

from _entry import run

from aoresearch.atomic import atomic_write_text
from aoresearch.config import load_params
from aoresearch.impact.pilot_regions import pilot_regions


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", default="data/pilot_regions.json")
    args = parser.parse_args(argv)
    atomic_write_text(json.dumps(pilot_regions(load_params(args.params).pilots), indent=2) + "\n", args.out)
    return 0


if __name__ == "__main__":
    run(main)
