"""DVC stage `ingest`: the configured data source to data/raw (Sotkanet long schema)."""

from __future__ import annotations

import argparse

from _entry import run

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.sources.ingest import ingest_to_folder


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--catalogue", default="src/aoresearch/resources/indicators.yaml")
    parser.add_argument("--out", default="data/raw")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    ingest_to_folder(params, load_catalogue(args.catalogue), args.out)
    return 0


if __name__ == "__main__":
    run(main)
