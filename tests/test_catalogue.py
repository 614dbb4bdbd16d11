import csv
from pathlib import Path

import pytest

from aoresearch.catalogue import REGION_CATEGORIES, load_catalogue
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


# Verified ids of ../shared/SOTKANET_IDS.md (issue 16): key -> (id, region categories left out).
VERIFIED = {
    "child_welfare_notifications": (1086, set()),
    "open_care_support": (1245, set()),
    "child_psych_outpatient": (2483, set()),
    "youth_psych_outpatient": (2484, set()),
    "child_psych_inpatient": (4, set()),
    "psych_inpatient_periods_0_6": (2557, {"KUNTA", "HYVINVOINTIALUE"}),
    "psych_inpatient_periods_7_12": (2558, {"KUNTA", "HYVINVOINTIALUE"}),
    "psych_inpatient_periods_13_17": (2559, {"KUNTA", "HYVINVOINTIALUE"}),
    "parental_mental_health": (2345, set()),
    "parental_substance_use": (1278, set()),
    "divorces": (304, set()),
    "chronic_illness": (209, set()),
    "single_parent_families": (74, set()),
    "family_counselling": (1243, set()),
    "early_childhood_education": (2955, set()),
}


@pytest.mark.parametrize("key", sorted(VERIFIED))
def test_seed_concepts_carry_their_verified_sotkanet_id_levels_and_source(catalogue, key):
    indicator = catalogue.by_key(key)
    ident, absent = VERIFIED[key]
    assert indicator.sotkanet_id == ident and indicator.demo_only is None
    assert {c for c in ("KUNTA", "HYVINVOINTIALUE", "MAA") if not indicator.published_for(c)} == absent
    assert indicator.source.startswith("[OSK]") or indicator.source.startswith("[OHC]")


@pytest.mark.parametrize("key", ["school_absence", "leisure_participation"])
def test_concepts_without_a_verified_id_stay_demo_only_and_say_why(catalogue, key):
    indicator = catalogue.by_key(key)
    assert indicator.sotkanet_id is None and 900001 <= indicator.demo_id <= 900999
    assert indicator.demo_only.startswith("no verified Sotkanet id")


def test_panel_columns_of_entries_that_got_an_id_are_kept(catalogue):
    for column in ("child_psych_outpatient_per_1000", "child_psych_inpatient_per_1000", "adult_psych_care_per_1000",
                   "substance_use_care_per_1000", "divorces_per_1000", "chronic_illness_pct"):
        assert catalogue.rate(column).indicator in VERIFIED


def test_levels_default_to_every_category_and_are_ordered(tmp_path):
    text = ("indicators:\n  - {key: a, name: A, value: primary, role: risk, sotkanet_id: 1}\n"
            "  - {key: b, name: B, value: primary, role: risk, sotkanet_id: 2, levels: [MAA, MAAKUNTA]}\n")
    catalogue = load_catalogue(_write(tmp_path, text))
    assert catalogue.by_key("a").levels == REGION_CATEGORIES
    assert catalogue.by_key("b").levels == ("MAAKUNTA", "MAA")
    assert [i.key for i in catalogue.not_published_for("KUNTA")] == ["b"]


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
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk, demo_id: 900001}", "say why in 'demo_only'"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk, sotkanet_id: 1, demo_only: x}", "remove 'demo_only'"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk, sotkanet_id: 1, levels: [KUNTA, County]}",
         "'levels' ['County'] are not Sotkanet region categories"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk, sotkanet_id: 1, levels: KUNTA}", "'levels' must be"),
        ("indicators:\n  - {key: a, name: A, value: primary, role: risk, sotkanet_id: 1, levels: [MAA, MAA]}", "lists a category twice"),
    ],
)
def test_malformed_catalogue_is_rejected_with_a_precise_message(tmp_path, text, message):
    with pytest.raises(CatalogueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_catalogue(_write(tmp_path, text))


def test_missing_catalogue_file(tmp_path):
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue(tmp_path / "nope.yaml")
