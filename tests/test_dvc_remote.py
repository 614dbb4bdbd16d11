"""The committed default DVC remote serves a pushed run to fresh clones without recomputing.

A tiny DVC project carries this repository's ``.dvc/config``: its owner runs the stage and
pushes, then two fresh clones pull, one beside the first (the default folder remote) and one
elsewhere with the remote pointed at the same folder through ``dvc remote modify --local``
(README, "Getting the results without recomputing").
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dvc.repo import Repo

pytestmark = pytest.mark.filterwarnings("ignore:_NoneStep.value:DeprecationWarning")

BIN = Path(sys.executable).parent

STAGE_SCRIPT = """\
import json, pathlib, yaml
greeting = yaml.safe_load(open("params.yaml"))["greeting"]
out = pathlib.Path("out")
(out / "tree").mkdir(parents=True, exist_ok=True)
(out / "hello.txt").write_text(greeting + "\\n")
(out / "tree" / "a.bin").write_bytes(bytes(range(256)) * 64)
(out / "tree" / "b.txt").write_text("b\\n")
(out / "summary.json").write_text(json.dumps({"length": len(greeting)}))
with open("../runs.log", "a") as log:  # outside the project: counts every execution
    log.write("ran\\n")
"""

DVC_YAML = """\
stages:
  make:
    cmd: python make.py
    deps:
      - make.py
    params:
      - greeting
    outs:
      - out/hello.txt
      - out/tree
    metrics:
      - out/summary.json
"""

OUTPUTS = ("out/hello.txt", "out/tree/a.bin", "out/tree/b.txt", "out/summary.json")


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} exited {result.returncode} in {cwd}:\n{result.stderr}")


def _assert_served(origin: Path, clone: Path, monkeypatch) -> None:
    monkeypatch.chdir(clone)  # DVC's API resolves stage paths from the working directory
    with Repo(str(clone)) as repo:
        assert repo.status(), "a fresh clone without outputs must not report the pipeline up to date"
        repo.pull()
        assert repo.status() == {}, "after `dvc pull` the pipeline must be up to date"
    for name in OUTPUTS:
        assert filecmp.cmp(origin / name, clone / name, shallow=False), f"{name} differs after pull"


def test_default_remote_is_a_folder_beside_the_clone(repo_root):
    with Repo(str(repo_root)) as repo:
        config = repo.config.load_one("repo")
    name = config["core"].get("remote")
    assert name, ".dvc/config must name a default remote (core.remote)"
    url = config["remote"][name]["url"]
    assert Path(url) == (repo_root.parent / "aoresearch-dvc-store").resolve(), url


def test_push_then_pull_into_fresh_clones(repo_root, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")  # the stage runs `python`
    work = tmp_path / "work"
    origin = work / "project"
    origin.mkdir(parents=True)
    _git(origin, "init", "-q")
    Repo.init(str(origin)).close()
    shutil.copy(repo_root / ".dvc" / "config", origin / ".dvc" / "config")
    (origin / "params.yaml").write_text("greeting: hello\n", encoding="utf-8")
    (origin / "make.py").write_text(STAGE_SCRIPT, encoding="utf-8")
    (origin / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    monkeypatch.chdir(origin)  # restored after the test; DVC's API works from the working directory
    with Repo(str(origin)) as repo:
        repo.reproduce()
        _git(origin, "add", "-A")
        _git(origin, "commit", "-q", "-m", "run")
        assert repo.push() > 0
    store = work / "aoresearch-dvc-store"
    assert store.is_dir() and any(store.rglob("*")), f"`dvc push` wrote nothing to {store}"

    beside = work / "reviewer"
    _git(work, "clone", "-q", str(origin), str(beside))
    _assert_served(origin, beside, monkeypatch)

    elsewhere = tmp_path / "ci" / "checkout" / "project"
    _git(tmp_path, "clone", "-q", str(origin), str(elsewhere))
    with Repo(str(elsewhere)) as repo, repo.config.edit("local") as local:  # dvc remote modify --local
        local["remote"][repo.config["core"]["remote"]] = {"url": str(store)}
    _assert_served(origin, elsewhere, monkeypatch)

    assert (work / "runs.log").read_text().count("ran") == 1, "a clone recomputed the stage instead of pulling"
    assert not (tmp_path / "ci" / "checkout" / "runs.log").exists(), "a clone recomputed the stage"
