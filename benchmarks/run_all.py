"""Run every benchmark under benchmarks/ (``make bench``), one process each, and summarise.

Each benchmark script writes its own ``benchmarks/results/<name>.json`` and exits non-zero when
it misses a target. Run: ``.venv/bin/python benchmarks/run_all.py [name ...]``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Scripts run more than once, with these arguments (each run writes its own results file).
RUNS = {"pipeline": [[], ["--real"]], "forecast_iterations": [[], ["--years", "test", "--variants", "100:0.05", "50:0.1"]]}


def benchmark_scripts(names: list[str]) -> list[Path]:
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_") and p.name != Path(__file__).name)
    if not names:
        return scripts
    known = {p.stem: p for p in scripts}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"error: unknown benchmark(s) {unknown}; known: {sorted(known)}")
    return [known[n] for n in names]


def main(argv: list[str]) -> int:
    failed = []
    for script in benchmark_scripts(argv):
        for args in RUNS.get(script.stem, [[]]):
            name = " ".join([script.stem, *args])
            start = time.perf_counter()
            code = subprocess.run([sys.executable, str(script), *args]).returncode
            print(f"== {name}: exit {code} in {time.perf_counter() - start:.0f} s", flush=True)
            if code != 0:
                failed.append(name)
    if failed:
        print(f"benchmarks that missed a target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
