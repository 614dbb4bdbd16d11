"""A stage stopped by SIGTERM or SIGINT (an interrupted `dvc repro`) ends promptly, with code
128 + signum, and takes its joblib (loky) worker processes with it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.timeout(60), pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")]

REPO = Path(__file__).resolve().parents[2]
STAGE = '''"""A stage whose joblib workers sleep, as the forecast stage's work for a while."""
import os
import time
from pathlib import Path

from _entry import run
from joblib import Parallel, delayed


def work(folder, i):
    Path(folder, f"worker-{os.getpid()}").write_text(str(i))
    time.sleep(50)
    return i


def main(argv):
    Path(argv[0], "stage").write_text(f"{os.getpid()} {os.environ.get('PYTHONHASHSEED')}")
    Parallel(n_jobs=2)(delayed(work)(argv[0], i) for i in range(4))
    Path(argv[0], "finished").write_text("the stage ran to its end")
    return 0


if __name__ == "__main__":
    run(main)
'''


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (psutil if installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state not in ("Z", "X")
    try:
        return psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return False


def _session_members(session: int) -> list[int]:
    members = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def _wait_for(condition, timeout_s: float, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_stage_and_its_workers(tmp_path, signum):
    # Beside a copy of _entry.py, as in pipelines/: the script re-execs itself with PYTHONHASHSEED=0.
    shutil.copy(REPO / "pipelines" / "_entry.py", tmp_path / "_entry.py")
    (tmp_path / "stage.py").write_text(STAGE)
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "stage.py"), str(work)], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        assert _wait_for(lambda: len(list(work.glob("worker-*"))) == 2 or proc.poll() is not None, 40), "workers never started"
        assert proc.poll() is None, proc.communicate()[1]
        workers = [int(p.name.split("-")[1]) for p in work.glob("worker-*")]
        assert (work / "stage").read_text() == f"{proc.pid} 0", "exec'd in place: same pid, PYTHONHASHSEED=0"
        assert all(_running(pid) for pid in workers)
        sent = time.monotonic()
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=15)
        stopped_after = time.monotonic() - sent
        assert proc.returncode == 128 + signum, stderr
        assert stopped_after < 8, f"took {stopped_after:.1f} s to stop"
        assert f"stopped by {signum.name}: the stage did not finish" in stderr
        assert f"{signum.name}: stopped 2 worker process(es)" in stderr
        assert not (work / "finished").exists()
        assert _wait_for(lambda: not any(_running(pid) for pid in workers), 3), "a worker survived the stage"
        # Nothing the stage started survives it (loky's resource tracker ends by itself once the stage is gone).
        assert _wait_for(lambda: not _session_members(proc.pid), 5), f"left running: {_session_members(proc.pid)}"
    finally:
        if proc.poll() is None or _session_members(proc.pid):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)
