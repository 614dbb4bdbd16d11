"""Donor pools: same category, no pilots, nothing inside or around a pilot."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from aoresearch.errors import InsufficientDataError, ParameterError, PanelStructureError
from aoresearch.impact import donor_pool

PILOTS = [378, 261, 972, 964]
CONTAINS = {378: [970], 261: [973], 972: [5, 9]}


@pytest.fixture()
def regions() -> pd.DataFrame:
    rows = [
        (378, "KUNTA"), (261, "KUNTA"), (5, "KUNTA"), (7, "KUNTA"), (9, "KUNTA"), (11, "KUNTA"), (13, "KUNTA"),
        (970, "HYVINVOINTIALUE"), (973, "HYVINVOINTIALUE"), (972, "HYVINVOINTIALUE"), (964, "HYVINVOINTIALUE"),
        (975, "HYVINVOINTIALUE"), (976, "HYVINVOINTIALUE"), (1, "MAA"),
    ]
    return pd.DataFrame(rows, columns=["id", "category"])


def test_municipality_pool_excludes_pilots_and_units_inside_pilots(regions):
    assert donor_pool(regions, 378, PILOTS, "KUNTA", CONTAINS) == [7, 11, 13]


def test_county_pool_excludes_counties_containing_pilots(regions):
    assert donor_pool(regions, 972, PILOTS, "HYVINVOINTIALUE", CONTAINS) == [975, 976]


def test_treated_need_not_be_listed_among_pilots(regions):
    assert donor_pool(regions, 378, [261], "KUNTA", {261: [973]}) == [5, 7, 9, 11, 13]


def test_treated_must_belong_to_the_category(regions):
    with pytest.raises(ParameterError, match=re.escape("donor_pool: treated unit 972 is not a region of category 'KUNTA' in 'regions'.")):
        donor_pool(regions, 972, PILOTS, "KUNTA", CONTAINS)


def test_contains_map_must_be_keyed_by_pilots(regions):
    with pytest.raises(ParameterError, match=re.escape("'contains_map' has keys [970] that are not pilots; key it by pilot id.")):
        donor_pool(regions, 378, PILOTS, "KUNTA", {970: [378]})


def test_too_few_donors(regions):
    with pytest.raises(InsufficientDataError, match=re.escape("only 1 donors of category 'KUNTA' remain for 378")):
        donor_pool(regions, 378, PILOTS, "KUNTA", {**CONTAINS, 261: [973, 7, 11]})


def test_missing_column(regions):
    with pytest.raises(PanelStructureError, match=r"donor_pool: the category column 'category' is not in the regions table"):
        donor_pool(regions.drop(columns="category"), 378, PILOTS, "KUNTA", CONTAINS)
