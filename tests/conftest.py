"""Shared fixtures. Real data is read at run time from ../shared beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
import requests

from aoresearch.catalogue import load_catalogue
from aoresearch.config import load_params
from aoresearch.sources.demo import generate_demo

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def _shared_folder(name: str) -> Path:
    folder = SHARED / name
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{folder} is missing; CI must run with ../shared beside the repository.")
        pytest.skip(f"{folder} is not available on this machine")
    return folder


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sotkanet_extract() -> Path:
    """The real Sotkanet extract (THL, CC BY 4.0); never copied into the repository."""
    return _shared_folder("sotkanet")


@pytest.fixture(scope="session")
def reference_data() -> Path:
    return _shared_folder("reference")


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def params():
    return load_params(REPO / "params.yaml")


@pytest.fixture(scope="session")
def params_document():
    """``params.yaml`` as the unparsed mapping, for tests that break a section before parsing it."""
    return yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_raw(catalogue, params):
    """The default synthetic demo data set (generated once per test session)."""
    return generate_demo(catalogue, params.data.years, params.pilots, params.data.demo, params.seed)


@pytest.fixture()
def session():
    """An HTTP session for the stub servers on 127.0.0.1 (never through a proxy from the environment)."""
    with requests.Session() as s:
        s.trust_env = False
        yield s
