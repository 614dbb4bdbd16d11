"""Progress reporting: log lines with counts and elapsed time when no bar is shown."""

from __future__ import annotations

import logging

from aoresearch.progress import track


def test_track_logs_one_line_per_finished_item_with_count_and_time(caplog):
    log = logging.getLogger("aoresearch.test_progress")
    with caplog.at_level(logging.INFO, logger=log.name):
        seen = list(track(["a", "b", "c"], "stage x", "outcome", log, bar=False))
    assert seen == ["a", "b", "c"]
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert messages[0].startswith("stage x: outcome 1/3 (a) done, ") and messages[0].endswith(" s")
    assert messages[2].startswith("stage x: outcome 3/3 (c) done, ")


def test_track_with_a_bar_yields_everything_and_logs_nothing(caplog, capsys):
    log = logging.getLogger("aoresearch.test_progress")
    with caplog.at_level(logging.INFO, logger=log.name):
        seen = list(track(iter(range(4)), "stage y", "fold", log, total=4, bar=True))
    assert seen == [0, 1, 2, 3]
    assert not caplog.records
    assert "stage y" in capsys.readouterr().err


def test_track_names_items_with_describe(caplog):
    log = logging.getLogger("aoresearch.test_progress")
    pairs = [("oohc_per_1000", {"big": "result"}), ("school_absence_pct", {"big": "result"})]
    with caplog.at_level(logging.INFO, logger=log.name):
        list(track(iter(pairs), "forecast", "outcome", log, total=2, bar=False, describe=lambda pair: pair[0]))
    messages = [r.getMessage() for r in caplog.records]
    assert messages[1].startswith("forecast: outcome 2/2 (school_absence_pct) done, ")
    assert "result" not in " ".join(messages)
