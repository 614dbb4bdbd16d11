"""DVC stage `panel@<name>`: data/raw to the region-year panel of one region category.

Refuses to run unless validate_raw's success marker (`--validated`) covers data/raw as it is.
"""

from __future__ import annotations

import argparse

from _entry import run

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.panel.files import write_panel
from aoresearch.panel.stage import make_panel, panel_summary
from aoresearch.sources.raw import read_raw
from aoresearch.validation.gate import RAW_MARKER, raw_gate, require_validated


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="a key of panel.categories, e.g. municipality")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--catalogue", default="src/aoresearch/resources/indicators.yaml")
    parser.add_argument("--raw", default="data/raw")
    parser.add_argument("--out", default="data/panel")
    parser.add_argument("--validated", default=RAW_MARKER, help="validate_raw's success marker")
    parser.add_argument("--validation-metrics", default="metrics/validation_raw.json", help="validate_raw's metrics (named in errors)")
    args = parser.parse_args(argv)
    params, catalogue = load_params(args.params), load_catalogue(args.catalogue)
    require_validated(raw_gate(args.raw, args.validated, args.validation_metrics))
    raw = read_raw(args.raw)
    panel = make_panel(raw, catalogue, params, args.name)
    write_panel(panel, panel_summary(panel, raw, catalogue), args.out, args.name)
    return 0


if __name__ == "__main__":
    run(main)
