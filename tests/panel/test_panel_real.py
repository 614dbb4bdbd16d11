"""The panel against rates computed by hand from the real extract (THL, Sotkanet).

The expected values are computed here with the csv module from the shared file at run time,
independently of the pandas code path under test; no real value is written in this file.
"""

import csv
import gzip

import pytest

from aoresearch.panel import build_panel
from aoresearch.sources.file import read_sotkanet_extract

TAMPERE, YEAR = 378, 2015


@pytest.fixture(scope="module")
def real_raw(sotkanet_extract, catalogue):
    return read_sotkanet_extract(sotkanet_extract, catalogue, range(1990, 2022))


@pytest.fixture(scope="module")
def municipalities(real_raw, catalogue):
    return build_panel(real_raw, catalogue, "KUNTA", "midpoint")


@pytest.fixture(scope="module")
def cells(sotkanet_extract):
    """(indicator, region, year) -> number, gender total, for municipalities only."""
    municipal = {
        int(row["id"]) for row in csv.DictReader((sotkanet_extract / "regions.csv").open(encoding="utf-8"))
        if row["category"] == "KUNTA"
    }
    out = {}
    with gzip.open(sotkanet_extract / "observations.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["gender"] == "total" and int(row["region"]) in municipal:
                number = row["abs_value"] or row["value"]
                out[int(row["indicator"]), int(row["region"]), int(row["year"])] = float(number)
    return out


def _row(panel, region, year):
    return panel[(panel["region"] == region) & (panel["year"] == year)].iloc[0]


def test_tampere_rates_by_hand(municipalities, cells):
    row = _row(municipalities, TAMPERE, YEAR)
    c = lambda i: cells[i, TAMPERE, YEAR]  # noqa: E731
    assert row["oohc_per_1000"] == pytest.approx(c(191) / c(1065) * 1000, rel=1e-12)
    assert row["oohc_per_100k_0_18"] == pytest.approx(c(191) / c(1066) * 1e5, rel=1e-12)
    assert row["social_assistance_pct"] == pytest.approx(c(423) / c(179) * 100, rel=1e-12)
    assert row["child_low_income_pct"] == pytest.approx(c(228) / c(1065) * 100, rel=1e-12)
    assert row["unemployment_pct"] == pytest.approx(c(181), rel=1e-12)
    children_0_6 = sum(c(i) for i in range(552, 559))
    children_13_17 = sum(c(i) for i in range(565, 570))
    assert row["oohc_0_6_per_1000"] == pytest.approx(c(5495) / children_0_6 * 1000, rel=1e-12)
    assert row["oohc_13_17_per_1000"] == pytest.approx(c(5496) / children_13_17 * 1000, rel=1e-12)
    assert row["region_name"] == "Tampere" and not row["placements_0_17_imputed"]


def test_suppressed_cell_is_filled_and_flagged(municipalities, cells):
    suppressed = [
        (region, year) for (indicator, region, year) in cells
        if indicator == 1065 and (5495, region, year) not in cells and (191, region, year) in cells
    ]
    assert suppressed, "the real extract has suppressed age-group counts"
    region, year = sorted(suppressed)[0]
    row = _row(municipalities, region, year)
    assert row["placements_0_6"] == 2.5 and row["placements_0_6_imputed"]
    assert row["oohc_0_6_per_1000_imputed"]
    denominator = sum(cells[i, region, year] for i in range(552, 559))
    assert row["oohc_0_6_per_1000"] == pytest.approx(2.5 / denominator * 1000)


@pytest.mark.parametrize(("method", "fill"), [("lower", 0.0), ("upper", 5.0)])
def test_suppression_methods(real_raw, catalogue, method, fill):
    panel = build_panel(real_raw, catalogue, "KUNTA", method)
    flagged = panel["placements_0_6_imputed"]
    assert flagged.any() and (panel.loc[flagged, "placements_0_6"] == fill).all()


def test_missing_method_keeps_cells_empty_but_flagged(real_raw, catalogue):
    panel = build_panel(real_raw, catalogue, "KUNTA", "missing")
    flagged = panel["placements_0_6_imputed"]
    assert flagged.any() and panel.loc[flagged, "placements_0_6"].isna().all()


def test_unpublished_years_are_missing_not_imputed(municipalities):
    # Indicator 228 (children in low-income households) starts in 1995 in the extract.
    early = municipalities[municipalities["year"] < 1995]
    assert early["child_low_income_pct"].isna().all()
    assert "children_low_income_imputed" not in municipalities


def test_one_row_per_region_year_for_each_category(real_raw, catalogue):
    for category, regions in (("KUNTA", 309), ("HYVINVOINTIALUE", 23), ("MAA", 1)):
        panel = build_panel(real_raw, catalogue, category, "midpoint")
        assert not panel.duplicated(["region", "year"]).any()
        assert panel["region"].nunique() == regions
