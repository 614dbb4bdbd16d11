"""Benchmark (issue 15): drawing the situation room's region trend figures, the report's slowest cell.

One figure of 25 small multiples per pilot region, drawn from the pipeline's panels in data/
(run `make repro` first) exactly as the notebook draws them, three ways, alternated round by
round because this machine's speed changes within minutes:

- ``placeholder``: one process, the layout engine replaced by a placeholder after the layout is
  frozen, as up to commit 74efda0 (savefig then draws each figure once more to measure it);
- ``one``: one process, the engine removed (``figure_images(jobs, n_jobs=1)``);
- ``two``: the notebook's setting, ``figure_images(jobs, n_jobs=2)`` (this process and one
  spawned worker, whose start is included).

Every way must give the same PNG bytes; the benchmark fails otherwise.

Run: `.venv/bin/python benchmarks/report_figures.py [--rounds 3]` (writes
benchmarks/results/report_figures.json).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

from matplotlib.layout_engine import PlaceHolderLayoutEngine

import aoresearch.reports.plots as plots
from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.reports import FigureJob, figure_images, load_situation, plot_region_trends, region_colours, region_label, select_pilots

from _results import machine, write_result  # benchmarks/, the script's folder

REPO = Path(__file__).resolve().parents[1]
_freeze = plots.freeze_layout


def _freeze_with_placeholder(fig, decimals: int = 7):
    """The layout frozen as before: a placeholder engine stays on the figure."""
    _freeze(fig, decimals)
    fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=False, colorbar_gridspec=False))
    return fig


def _jobs(data: Path) -> list[FigureJob]:
    params = load_params(REPO / "params.yaml")
    situation = load_situation(data / "panel", select_pilots(params.pilots, []), load_catalogue(), params.reports.min_children)
    labels = [region_label(r, "en") for r in situation.regions]
    colours = region_colours(labels)
    return [FigureJob(plot_region_trends, (r.rows, situation.national, situation.rates, r.pilot, "en", True),
                      alt=label, kwargs={"colour": colours[label]}) for r, label in zip(situation.regions, labels)]


def _run(way: str, jobs: list[FigureJob]) -> tuple[float, str]:
    plots.freeze_layout = _freeze_with_placeholder if way == "placeholder" else _freeze
    start = time.perf_counter()
    try:
        images = figure_images(jobs, n_jobs=2 if way == "two" else 1)
    finally:
        plots.freeze_layout = _freeze
    elapsed = time.perf_counter() - start
    return elapsed, hashlib.sha256(b"".join(i.data for i in images)).hexdigest()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=REPO / "data")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "report_figures.json")
    args = parser.parse_args(argv)
    if not (args.data / "panel" / "country.parquet").is_file():
        raise SystemExit(f"error: no panels under {args.data / 'panel'}; run `make repro` first.")
    jobs = _jobs(args.data)
    ways = ("placeholder", "one", "two")
    times: dict[str, list[float]] = {w: [] for w in ways}
    digests = set()
    for round_ in range(args.rounds):
        for way in ways if round_ % 2 == 0 else reversed(ways):
            elapsed, digest = _run(way, jobs)
            times[way].append(round(elapsed, 2))
            digests.add(digest)
            print(f"round {round_ + 1}: {way:11s} {elapsed:6.2f} s", flush=True)
    result = {
        "benchmark": "situation room: the region trend figures (one per pilot) drawn three ways, alternated",
        "machine": machine(),
        "figures": len(jobs),
        "runs_s": times,
        "median_s": {w: statistics.median(t) for w, t in times.items()},
        "same_png_bytes": len(digests) == 1,
    }
    write_result(args.out, result)
    print(json.dumps(result["median_s"]), "same bytes:", result["same_png_bytes"])
    return 0 if result["same_png_bytes"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
