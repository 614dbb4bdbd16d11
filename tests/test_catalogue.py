import csv
from pathlib import Path

import pytest

from aoresearch.catalogue import load_catalogue
from aoresearch.errors import CatalogueError


def _ids_in_shared_indicator_list(path: Path) -> set[int]:
    ids = set()
    for row in csv.DictReader(path.open(encoding="utf-8")):
        if "-" in row["id"]:
            low, high = (int(x) for x in row["id"].split("-"))
            ids.update(range(low, high + 1))
        else:
            ids.add(int(row["id"]))
    return ids


def test_catalogue_covers_every_indicator_of_the_shared_extract(catalogue, sotkanet_extract):
    expected = _ids_in_shared_indicator_list(sotkanet_extract / "indicators.csv")
    listed = {i.sotkanet_id for i in catalogue.fetchable}
    assert expected - listed == set()


def test_value_column_matches_the_extract_documentation(catalogue, sotkanet_extract):
    for row in csv.DictReader((sotkanet_extract / "indicators.csv").open(encoding="utf-8")):
        first = int(row["id"].split("-")[0])
        assert catalogue.by_raw_id(first).value_column == row["column"], row["id"]


@pytest.mark.parametrize(
    "key",
    ["school_absence", "child_psych_outpatient", "child_psych_inpatient", "parental_mental_health",
     "parental_substance_use", "divorces", "chronic_illness", "leisure_participation"],
)
def test_seed_indicators_without_sotkanet_id_are_listed_for_researchers(catalogue, key):
    indicator = catalogue.by_key(key)
    assert indicator.sotkanet_id is None and 900001 <= indicator.demo_id <= 900999


def test_roles_of_the_main_factors(catalogue):
    assert catalogue.rate("oohc_per_1000").role == "outcome"
    assert catalogue.rate("social_assistance_pct").role == "risk"
    assert catalogue.rate("leisure_participation_pct").role == "protective"
    assert catalogue.by_key("children_0_17").role == "denominator"


def test_rate_formation(catalogue):
    rate = catalogue.rate("oohc_0_6_per_1000")
    assert rate.denominators == tuple(range(552, 559)) and rate.per == 1000
    assert catalogue.rate("unemployment_pct").denominators == ()


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_researcher_adds_an_indicator_by_adding_an_entry(tmp_path, catalogue):
    source = Path(catalogue.source).read_text(encoding="utf-8")
    extra = """
  - key: teen_pregnancies
    sotkanet_id: 4242
    name: Births to mothers under 20
    value: absolute
    unit: births
    role: risk
    genders: [total]
    rates:
      - {column: teen_births_per_1000, denominator: [1065], per: 1000, bounds: [0, 50]}
"""
    extended = load_catalogue(_write(tmp_path, source + extra))
    assert extended.rate("teen_births_per_1000").role == "risk"
    assert 4242 in extended.raw_ids


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("indicators: []", "non-empty list"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: villain, sotkanet_id: 1}", "'role' must be one of"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk}", "needs a sotkanet_id"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk, sotkanet_id: 1}\n"
         "  - {key: a, name: B, value: primary, role: risk, sotkanet_id: 2}", "duplicate key"),
        ("indicators:\n  - key: a\n    name: A\n    value: absolute\n    role: risk\n    sotkanet_id: 1\n"
         "    rates: [{column: r, denominator: [99], per: 100, bounds: [0, 100]}]", "denominator ids [99]"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk, demo_id: 5}", "outside 900001-900999"),
        ("indicators: [", "not valid YAML"),
    ],
)
def test_malformed_catalogue_is_rejected_with_a_precise_message(tmp_path, text, message):
    with pytest.raises(CatalogueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_catalogue(_write(tmp_path, text))


def test_missing_catalogue_file(tmp_path):
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue(tmp_path / "nope.yaml")
