import copy

import pytest
import yaml

from aoresearch.config import parse_params
from aoresearch.errors import ParameterError


@pytest.fixture()
def document(repo_root):
    return yaml.safe_load((repo_root / "params.yaml").read_text(encoding="utf-8"))


def test_pilots_of_the_network(params):
    pilots = {p.key: p for p in params.pilots}
    assert (pilots["tampere"].region, pilots["tampere"].category) == (378, "municipality")
    assert (pilots["oulu"].region, pilots["oulu"].adoption_year) == (261, 2020)
    assert {pilots["north_karelia"].region, pilots["central_ostrobothnia"].region} == {972, 964}
    assert (pilots["central_finland"].region, pilots["central_finland"].adoption_a) == (965, 2025)


def test_default_source_is_the_offline_demo(params):
    assert params.data.source == "demo"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["data"].__setitem__("source", "ftp"), "'data.source' parameter .* must be one of"),
        (lambda d: d["panel"].__setitem__("suppression", "guess"), "'panel.suppression' parameter"),
        (lambda d: d["data"]["years"].__setitem__("start", 2030), "data.years.start \\(2030\\) is after"),
        (lambda d: d["pilots"]["oulu"].pop("region"), "missing key 'pilots.oulu.region'"),
        (lambda d: d.pop("seed"), "missing key 'seed'"),
    ],
)
def test_invalid_parameters_name_the_key(document, edit, message):
    broken = copy.deepcopy(document)
    edit(broken)
    with pytest.raises(ParameterError, match=message):
        parse_params(broken)
