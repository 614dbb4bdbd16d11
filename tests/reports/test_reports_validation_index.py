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


def test_summary_reader_names_the_file_and_the_stage(tmp_path):
    assert read_validation_summary(tmp_path, "raw") is None
    (tmp_path / "panels.json").write_text(json.dumps({"expectations": 3}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"panels\.json lacks \['failed_critical', 'failed_warning', 'passed'\].*validate_panels"):
        read_validation_summary(tmp_path, "panels")
    (tmp_path / "raw.json").write_text(json.dumps(SUMMARY), encoding="utf-8")
    assert read_validation_summary(tmp_path, "raw")["failed_warning"] == 1
