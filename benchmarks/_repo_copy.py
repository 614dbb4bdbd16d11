"""Run the DVC pipeline in a fresh copy of the repository (shared by the benchmarks)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def copy_repository(target: Path) -> Path:
    """Copy the files git tracks or would track (no venv, no DVC cache, no outputs) and git-init."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    return target


def environment(root: Path | None = None) -> dict[str, str]:
    """This environment with the venv first on PATH and, for a copy at ``root``, the copy's own
    ``src`` first on PYTHONPATH: the venv's editable install points at this checkout's ``src``, so
    without it a copy's stages would run this checkout's library code, not the copy's."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    if root is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(root) / "src"), os.environ.get("PYTHONPATH")]))
    return env


def timed(command: list[str], cwd: Path) -> float:
    """Wall-clock seconds of ``command``; raises if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment(cwd), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def peak_child_rss_mb() -> float:
    """Largest resident set of any finished child process so far, in MB (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def temporary_copy() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="aoresearch-bench-")
