"""Shared pieces of the reliability tests: small catalogues, raw data sets and a local Sotkanet stub."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from aoresearch.catalogue import load_catalogue
from aoresearch.sources.raw import RawData

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))  # the Sotkanet stub server

from sotkanet_stub_server import StubSotkanet, indicator_meta  # noqa: E402

CATALOGUE_YAML = """
indicators:
  - {key: placements_0_17, sotkanet_id: 191, name: Children placed, value: absolute, unit: children, role: outcome, genders: [total, female, male]}
  - {key: social_assistance_pct, sotkanet_id: 493, name: Families on social assistance, value: primary, unit: "%", role: risk, genders: [total]}
"""


@pytest.fixture()
def catalogue(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_text(CATALOGUE_YAML, encoding="utf-8")
    return load_catalogue(path)


@pytest.fixture()
def stub():
    server = StubSotkanet({191: indicator_meta(191), 493: indicator_meta(493)}).start()
    yield server
    server.stop()




def small_raw(tag: str) -> RawData:
    """A tiny raw data set; ``tag`` makes its provenance (and so its bytes) distinct."""
    observations = pd.DataFrame({
        "indicator": [191, 191], "region": [1001, 1001], "year": [2019, 2020], "gender": ["total", "total"],
        "value": [1.0, 2.0], "abs_value": [10.0, 20.0],
    })
    regions = pd.DataFrame({"id": [1001], "title_fi": ["Esimerkkilä"], "category": ["KUNTA"], "code": ["901"]})
    return RawData(observations, regions, {"source": "test", "synthetic": False, "tag": tag})


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, to compare a folder before and after."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def analysis_sections() -> dict:
    """The ``factors``, ``impact``, ``reports`` and ``validation`` sections of the repository's
    params.yaml, for tests that write their own ``seed``, ``data``, ``panel`` and ``pilots``."""
    document = yaml.safe_load((Path(__file__).resolve().parents[2] / "params.yaml").read_text(encoding="utf-8"))
    return {key: document[key] for key in ("factors", "impact", "reports", "validation")}
