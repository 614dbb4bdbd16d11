"""DVC stage `panel@<name>`: data/raw to the region-year panel of one region category."""

from __future__ import annotations

import argparse

from _entry import run

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.panel.stage import make_panel, panel_summary, write_panel
from aoresearch.sources.raw import read_raw


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="a key of panel.categories, e.g. municipality")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--catalogue", default="src/aoresearch/resources/indicators.yaml")
    parser.add_argument("--raw", default="data/raw")
    parser.add_argument("--out", default="data/panel")
    args = parser.parse_args(argv)
    params, catalogue = load_params(args.params), load_catalogue(args.catalogue)
    raw = read_raw(args.raw)
    panel = make_panel(raw, catalogue, params, args.name)
    write_panel(panel, panel_summary(panel, raw, catalogue), args.out, args.name)
    return 0


if __name__ == "__main__":
    run(main)
