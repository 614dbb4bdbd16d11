"""The reports index's data-validation section: counts and warnings offline, links to the Data Docs."""

from __future__ import annotations

import json

import pytest

from aoresearch.reports.validation_index import validation_index_html
from aoresearch.validation.summary_file import read_validation_summary

SUMMARY = {"expectations": 37, "passed": 35, "failed_critical": 0, "failed_warning": 1, "synthetic": True,
           "warnings": [{"rule": "title_not_empty", "table": "raw_regions", "column": "title_fi",
                         "message": "warning: expect_column_value_lengths_to_be_between [title_not_empty] failed on "
                                    "column 'title_fi' of raw_regions: 1 of 462 rows, e.g. (id 730, title_fi '')"}]}


def test_counts_warnings_without_examples_and_relative_data_docs_links():
    page = validation_index_html({"raw": SUMMARY, "panels": None}, "en")
    assert "Data validation (raw data): 35 of 37 checks passed, 0 critical failures, 1 warnings." in page
    assert "[title_not_empty] failed on column &#x27;title_fi&#x27; of raw_regions: 1 of 462 rows" in page
    assert "id 730" not in page, "example rows name single regions: Data Docs only"
    assert 'href="../validation/raw/index.html"' in page
    assert "region-year panels: not validated yet" in page
    assert "Aineiston validointi" in validation_index_html({"raw": SUMMARY}, "fi")


def test_hand_edited_and_added_expectations_are_listed_when_the_summary_has_them():
    edited = {**SUMMARY, "edited_expectations": [{"table": "raw_counts", "rule": "count_at_most_max",
                                                  "file": "gx/expectations/raw_counts.json"}],
              "added_expectations": [{"table": "raw_regions", "rule": "expect_column_values_to_be_unique(id)",
                                      "file": "gx/expectations/raw_regions.json"}]}
    page = validation_index_html({"raw": edited}, "en")
    assert ("Checks edited by hand in the stored suites (they run instead of the rendering from params.yaml): "
            "raw_counts [count_at_most_max] (gx/expectations/raw_counts.json)</li>") in page
    assert ("Checks added by hand to the stored suites: raw_regions [expect_column_values_to_be_unique(id)] "
            "(gx/expectations/raw_regions.json)</li>") in page
    assert "käsin lisätyt tarkistukset: raw_regions" in validation_index_html({"raw": edited}, "fi")
    unchanged = validation_index_html({"raw": {**SUMMARY, "edited_expectations": [], "added_expectations": []}}, "en")
    assert "Checks edited by hand in" not in unchanged and "Checks added by hand to" not in unchanged
    assert unchanged == validation_index_html({"raw": SUMMARY}, "en"), "older summaries without the keys read the same"


def test_summary_reader_names_the_file_and_the_stage(tmp_path):
    assert read_validation_summary(tmp_path, "raw") is None
    (tmp_path / "panels.json").write_text(json.dumps({"expectations": 3}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"panels\.json lacks \['failed_critical', 'failed_warning', 'passed'\].*validate_panels"):
        read_validation_summary(tmp_path, "panels")
    (tmp_path / "raw.json").write_text(json.dumps(SUMMARY), encoding="utf-8")
    assert read_validation_summary(tmp_path, "raw")["failed_warning"] == 1
