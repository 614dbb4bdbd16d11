"""Stages pin OpenBLAS's AVX2 kernels where the CPU has them, so that outputs do not depend on
which x86-64 CPU ran the pipeline (pipelines/_entry.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "pipelines"))

import _entry  # noqa: E402

FLAGS = "processor\t: 0\nflags\t\t: fpu sse2 {extra}\n"


@pytest.mark.parametrize("extra, expected", [("avx avx2 fma", "Haswell"), ("avx512f avx2 fma", "Haswell"), ("avx", None)])
def test_kernel_pinned_only_where_the_cpu_has_avx2_and_fma(tmp_path, monkeypatch, extra, expected):
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(FLAGS.format(extra=extra))
    assert _entry._pin_blas_kernel(str(cpuinfo)) == expected


def test_a_kernel_set_by_the_user_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Prescott")
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(FLAGS.format(extra="avx2 fma"))
    assert _entry._pin_blas_kernel(str(cpuinfo)) == "Prescott"


def test_without_cpuinfo_openblas_chooses(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    assert _entry._pin_blas_kernel(str(tmp_path / "missing")) is None


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/cpuinfo")
def test_a_stage_runs_with_the_pinned_kernel_in_its_environment(tmp_path):
    has_avx2 = {"avx2", "fma"} <= set(next(l for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("flags")).split())
    script = tmp_path / "stage.py"
    script.write_text("import os\nimport _entry\nprint(os.environ.get('OPENBLAS_CORETYPE'))\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "pipelines")}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=REPO, check=True).stdout
    assert out.strip() == ("Haswell" if has_avx2 else "None")
