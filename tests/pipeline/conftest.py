"""A throw-away copy of the repository in which the real DVC pipeline runs, on a small world.

The tests check that the stages run, hand over, rerun and stop as they should; that needs every
stage but not every outcome, horizon, test year, lag and boosting iteration. The copy's
params.yaml therefore (:data:`SMALL_WORLD`) models two outcomes (the headline placements rate and
school absences, which the real extract lacks, so the "no data: skipped with a notice" path runs
too), one forecast test year instead of nine, two forecast and scenario horizons instead of three
(so both the reused and the refitted selection paths run), lags 0-1 instead of 0-2 and 20
boosting iterations instead of 100, with the outcomes in one process, and three of the five
pilots (:data:`SMALL_WORLD_PILOTS`: a city and a county adopting in 2020, whose pooled effect
runs, and Central Finland adopting in 2025, after the data end; Oulu and Central Ostrobothnia
would only repeat the city's and the county's stages). The full-size pipeline, with its time per
stage, is ``benchmarks/pipeline.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

NOT_COPIED = frozenset({"dvc.lock"})


class RepoCopy:
    """The repository's source files copied to ``root``, with git and DVC initialised.

    Without the committed dvc.lock (:data:`NOT_COPIED`): it records the full-size demo world, so
    every stage of a copy's own world reruns anyway, while DVC reads and rewrites that whole file
    after every stage it runs. Starting without it, the small world's pipeline runs faster with
    the same outputs (``benchmarks/test_world_pipeline.py``).
    """

    def __init__(self, source: Path, root: Path) -> None:
        self.root = root
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=source, check=True, capture_output=True, text=True,
        ).stdout.split("\0")
        for name in filter(None, listed):
            if (source / name).is_file() and name not in NOT_COPIED:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / name, root / name)
        self.env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        self.run("git", "init", "-q")

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(command, cwd=self.root, env=self.env, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def dvc(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(str(Path(sys.executable).parent / "dvc"), *args, check=check)

    @property
    def pilots(self) -> tuple[str, ...]:
        """The pilot keys in the copy's params.yaml."""
        return tuple(yaml.safe_load((self.root / "params.yaml").read_text(encoding="utf-8"))["pilots"])

    def set_params(self, **changes) -> None:
        """Set dotted keys in params.yaml, e.g. set_params(**{"data.source": "file"})."""
        path = self.root / "params.yaml"
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for dotted, value in changes.items():
            *parents, leaf = dotted.split(".")
            node = document
            for key in parents:
                node = node[key]
            node[leaf] = value
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


SMALL_WORLD = {
    "factors.outcomes": ["oohc_per_1000", "school_absence_pct"],
    "factors.test_years.start": 2020,
    "factors.selection_horizons": [1, 2],
    "factors.horizons": [1, 2],
    "factors.lags": [0, 1],
    "factors.model.max_iter": 20,
    # Outcomes in one process: two joblib workers would each import the stage's libraries again
    # (measured with warm bytecode: forecast 39 -> 29 s CPU, scenarios 26 -> 15 s); the outputs do
    # not depend on it and no stage lists it in dvc.yaml.
    "factors.n_jobs": 1,
    "impact.outcomes": ["oohc_per_1000", "school_absence_pct"],
}
SMALL_WORLD_PILOTS = ("tampere", "north_karelia", "central_finland")


@pytest.fixture(scope="module")
def repo_copy(repo_root, tmp_path_factory) -> RepoCopy:
    """A copy per test file, so that pytest-xdist runs the demo and the real-extract pipelines
    on two workers at once."""
    copy = RepoCopy(repo_root, tmp_path_factory.mktemp("repo"))
    copy.set_params(**SMALL_WORLD)
    pilots = yaml.safe_load((copy.root / "params.yaml").read_text(encoding="utf-8"))["pilots"]
    copy.set_params(pilots={key: pilots[key] for key in SMALL_WORLD_PILOTS})
    return copy
