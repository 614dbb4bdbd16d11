"""Benchmark (issue 15): importing the project's own modules with and without their bytecode.

With ``PYTHONDONTWRITEBYTECODE`` set (as on this machine) no process writes ``__pycache__``, so
every stage, kernel and test subprocess compiles each ``aoresearch`` module it imports from
source again (the libraries' bytecode is compiled by ``make env``). Should ``make test`` compile
``src/`` first? This copies ``src/`` to a temporary folder without bytecode and times a new
interpreter importing the modules the stages import, then the same after ``compileall``,
alternated (best of ``--repeats`` each). At stop 30 the difference was within the noise of the
libraries' own imports (source 5.94 s, bytecode 6.11 s, best of 5), so ``make test`` does not.

Run: `.venv/bin/python benchmarks/bytecode.py [--repeats 5]` (writes benchmarks/results/bytecode.json).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import machine, write_result  # benchmarks/, the script's folder

REPO = Path(__file__).resolve().parents[1]
MODULES = ("aoresearch.factors", "aoresearch.factor_figures.stage", "aoresearch.validation.stage",
           "aoresearch.impact.evaluate", "aoresearch.panel.stage", "aoresearch.reports")


def _import_s(src: Path) -> float:
    command = [sys.executable, "-c", "import " + ", ".join(MODULES)]
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "bytecode.json")
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {"source": [], "bytecode": []}
    with tempfile.TemporaryDirectory(prefix="bench_bytecode_") as tmp:
        plain, compiled = Path(tmp) / "plain", Path(tmp) / "compiled"
        for target in (plain, compiled):
            shutil.copytree(REPO / "src", target, ignore=shutil.ignore_patterns("__pycache__"))
        compileall.compile_dir(compiled, quiet=1)
        _import_s(compiled)  # warm the page cache of the libraries once
        for round_ in range(args.repeats):
            for name, src in (("source", plain), ("bytecode", compiled))[:: 1 if round_ % 2 == 0 else -1]:
                times[name].append(round(_import_s(src), 3))
    best = {name: min(t) for name, t in times.items()}
    result = {
        "benchmark": "a new interpreter importing the stages' aoresearch modules, from source against from bytecode",
        "command": "python benchmarks/bytecode.py " + " ".join(argv),
        "machine": machine(),
        "modules": list(MODULES),
        "runs_s": times,
        "best_s": best,
        "saved_per_process_s": round(best["source"] - best["bytecode"], 3),
    }
    write_result(args.out, result)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
