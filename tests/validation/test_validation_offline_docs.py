"""Data Docs read offline: a static run list on the index, our own stylesheet, idempotent post-processing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from aoresearch.validation import Target, load_site_config, run_targets, write_suites
from aoresearch.validation.docs import normalise_data_docs
from aoresearch.validation.offline_docs import BEGIN, add_offline_reading, index_lists
from aoresearch.validation.rules import critical, warning

REPO = Path(__file__).resolve().parents[2]
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_STATIC_LIST = re.compile(r'<section class="ao-offline-only" id="ao-offline-lists">.*?</section>', re.DOTALL)


def _targets() -> list[Target]:
    """One table that passes and one whose warning fails."""
    frame = pd.DataFrame({"region": range(20), "value": [float(v) for v in range(19)] + [250.0]})
    in_range = warning("column_values_to_be_between", "value_in_range", "values are percentages", column="value",
                       min_value=0, max_value=100)
    present = critical("column_values_to_not_be_null", "value_present", "every row has a value", column="value")
    return [Target("failing_table", frame, (present, in_range), row_label=("region",)),
            Target("passing_table", frame, (present,), row_label=("region",))]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A Data Docs site rendered (and post-processed) from the two small tables."""
    root = tmp_path_factory.mktemp("offline")
    gx_dir = root / "gx"
    gx_dir.mkdir()
    shutil.copy2(REPO / "gx" / "great_expectations.yml", gx_dir)
    write_suites({"raw": _targets()}, gx_dir)
    run_targets("raw", _targets(), load_site_config(gx_dir, "raw", root / "site"))
    return root / "site"


def test_index_lists_every_validation_with_working_relative_links(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    result_pages = sorted(p.relative_to(site).as_posix() for p in (site / "validations").rglob("*.html"))
    assert len(result_pages) == 2
    static = _STATIC_LIST.search(_SCRIPT.sub("", index))
    assert static, "the run list must be in the HTML itself, not built by a script"
    links = re.findall(r'href="([^"]+)"', static.group(0))
    assert sorted(link for link in links if link.startswith("validations/")) == result_pages
    assert {"expectations/failing_table.html", "expectations/passing_table.html"} <= set(links)
    assert all((site / link).is_file() for link in links), "every link of the static list opens a page of the site"
    rows = re.findall(r'<tr class="ao-(passed|failed)">.*?</tr>', static.group(0), re.DOTALL)
    assert rows == ["failed", "passed"], "sorted by suite name, with the failed warning's table marked failed"
    assert "&#10008; failed" in static.group(0) and "&#10004; passed" in static.group(0)


def test_no_page_needs_the_network_for_its_lists_or_styles(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.count(BEGIN) == (2 if page.name == "index.html" else 1), page
        assert "html:not(.ao-online) table" in text, f"{page} lacks the offline stylesheet"
        online_switch = text.index("document.documentElement.classList.add('ao-online')")
        assert online_switch > text.rindex("bootstrap-table.min.js"), "the switch must run after the CDN scripts"
        assert "great-expectations-web-assets.s3" not in re.sub(r"url\('[^']*'\)", "", text), "logo from the site"
        static = _STATIC_LIST.search(text)
        if static:
            assert "http" not in static.group(0)
    assert (site / "static" / "images" / "logo-long.png").is_file()


def test_post_processing_twice_changes_nothing(site):
    before = {p: p.read_bytes() for p in site.rglob("*.html")}
    assert normalise_data_docs(site) == 0
    assert {p: p.read_bytes() for p in site.rglob("*.html")} == before
    index = before[site / "index.html"].decode("utf-8")
    assert add_offline_reading(index, "") == index


def test_unreadable_data_array_falls_back_to_the_links_in_its_text():
    page = ("<html><head></head><body><div class=\"tab-content\"></div><script>\n"
            "$('#t').bootstrapTable(\n Object.assign(\n {\n columns: [],\n"
            " data: [{'run_name': 'r1', '_table_row_link_path': 'validations/a/r1.html', 'when': new Date()}],\n"
            " toolbar: '#x'\n }, {}));\n</script></body></html>")
    runs, suites, unreadable = index_lists(page)
    assert runs is None and suites is None and len(unreadable) == 1
    static = _STATIC_LIST.search(add_offline_reading(page)).group(0)
    assert "could not be read" in static and '<a href="validations/a/r1.html">' in static


def test_readable_array_gives_runs_and_suites():
    page = ("<script>\n$('#v').bootstrapTable(\n Object.assign(\n {\n columns: [],\n data: ["
            "{'run_name': 'b-1', '_table_row_link_path': 'validations/b.html', '_validation_success_text': 'Failed', "
            "'_expectation_suite_name_sort': 'b', 'expectation_suite_name': '<a href=\"expectations/b.html\">b</a>'}, "
            "{'run_name': 'a-1', '_table_row_link_path': 'validations/a.html', 'validation_success': "
            "'<i class=\"ge-success-icon\"></i>', 'expectation_suite_name': '\\n <a href=\"expectations/a.html\">\\n a\\n</a>'}],\n"
            " toolbar: '#x'\n }\n));\n$('#s').bootstrapTable(\n Object.assign(\n {\n columns: [],\n"
            " data: [{'expectation_suite_name': 'z', '_table_row_link_path': 'expectations/z.html'}, "
            "{'expectation_suite_name': 'a', '_table_row_link_path': 'expectations/a.html'}],\n toolbar: '#y'\n }\n));\n</script>")
    runs, suites, unreadable = index_lists(page)
    assert [(r.suite, r.success, r.run_name, r.result_link, r.suite_link) for r in runs] == [
        ("a", True, "a-1", "validations/a.html", "expectations/a.html"),
        ("b", False, "b-1", "validations/b.html", "expectations/b.html")]
    assert suites == [("a", "expectations/a.html"), ("z", "expectations/z.html")]
    assert unreadable == []
