"""Benchmark (issue 15): building the three panels from the raw data, as the panel stages do.

Times :func:`aoresearch.panel.stage.make_panel` per category of ``panel.categories`` on the
pipeline's raw data in data/raw (run `make repro` first; median of ``--repeats``), and a digest
of each panel's parquet bytes, so that two versions of the library can be compared on the same
data: run it with ``PYTHONPATH`` pointing at another checkout's ``src`` for the other version.
The panels are built by the panel stages, by the property test of the demo generator (50 worlds,
three panels each) and by many other tests.

Run: `.venv/bin/python benchmarks/panel_build.py [--repeats 5] [--out FILE]` (writes
benchmarks/results/panel_build.json).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import logging
import statistics
import sys
import time
from pathlib import Path

from _results import machine, write_result  # benchmarks/, the script's folder

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "panel_build.json")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the notices of indicators a category does not publish, once per build
    import aoresearch
    from aoresearch.catalogue import load_catalogue
    from aoresearch.config import load_params
    from aoresearch.panel.stage import make_panel
    from aoresearch.sources.raw import read_raw

    if not (REPO / "data" / "raw" / "observations.parquet").is_file():
        raise SystemExit("error: no raw data in data/raw; run `make repro` first.")
    params, catalogue = load_params(REPO / "params.yaml"), load_catalogue()
    raw = read_raw(REPO / "data" / "raw")
    seconds, digests = {}, {}
    for name in params.panel.categories:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            panel = make_panel(raw, catalogue, params, name)
            times.append(time.perf_counter() - start)
        buffer = io.BytesIO()
        panel.to_parquet(buffer, index=False)
        seconds[name], digests[name] = round(statistics.median(times), 4), hashlib.md5(buffer.getvalue()).hexdigest()
        print(f"{name:18s} {seconds[name]:7.3f} s  {digests[name]}", flush=True)
    result = {
        "benchmark": "make_panel per category on the pipeline's raw data (median of repeats)",
        "command": "python benchmarks/panel_build.py " + " ".join(argv),
        "library": str(Path(aoresearch.__file__).resolve().parent),
        "machine": machine(),
        "repeats": args.repeats,
        "median_s": seconds,
        "total_median_s": round(sum(seconds.values()), 4),
        "parquet_md5": digests,
    }
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
