"""The atomic write of data/raw survives being stopped: leftovers of an interrupted write are
repaired at the next start, and a stop between the two renames never loses the good data set."""

from __future__ import annotations

import logging
import os
import signal

import pytest

import aoresearch.sources.raw as raw_module
from aoresearch.config import parse_params
from aoresearch.errors import RawDataError
from aoresearch.sources.ingest import ingest_to_folder
from aoresearch.sources.raw import read_raw, recover_interrupted_write, write_raw
from conftest import analysis_sections, small_raw, snapshot

pytestmark = pytest.mark.timeout(60)


def _failing_params(tmp_path):
    """Parameters whose source fails at once (the extract folder does not exist)."""
    return parse_params({
        **analysis_sections(),
        "seed": 1,
        "data": {
            "source": "file", "years": {"start": 2019, "end": 2020}, "file": {"path": str(tmp_path / "no-extract")},
            "sotkanet": {"base_url": "http://127.0.0.1:9/rest/1.1"}, "demo": {},
        },
        "panel": {"categories": {"municipality": "KUNTA"}, "suppression": "midpoint"},
        "pilots": {},
    })


def _leftover_staging(parent, name="raw"):
    staging = parent / f".{name}.partial-k3x9q"
    staging.mkdir()
    (staging / "observations.parquet").write_bytes(b"half a parquet file")
    return staging


def test_leftover_staging_folder_is_removed_at_the_next_start(tmp_path, catalogue, caplog):
    out = tmp_path / "raw"
    write_raw(small_raw("good"), out)
    before = snapshot(out)
    staging = _leftover_staging(tmp_path)
    with caplog.at_level(logging.WARNING, logger="aoresearch.sources.raw"), pytest.raises(RawDataError, match="is not a folder"):
        ingest_to_folder(_failing_params(tmp_path), catalogue, out)  # the run fails, but only after the repair
    assert not staging.exists()
    assert f"removed staging folder {staging} left by an interrupted write" in caplog.text
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.yaml", "raw"]


def test_stop_between_the_two_renames_is_rolled_back(tmp_path, caplog):
    """The state a SIGKILL between the renames leaves: only .raw.old (the previous data set) and staging."""
    out = tmp_path / "raw"
    write_raw(small_raw("good"), out)
    before = snapshot(out)
    os.replace(out, tmp_path / ".raw.old")
    _leftover_staging(tmp_path)
    with caplog.at_level(logging.WARNING, logger="aoresearch.sources.raw"):
        actions = recover_interrupted_write(out)
    assert actions[0] == (f"restored {out} from .raw.old: an earlier write stopped between its two renames; "
                          f"rolled back to the previous data set")
    assert actions[0] in caplog.text and len(actions) == 2
    assert snapshot(out) == before and read_raw(out).provenance["tag"] == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]
    assert recover_interrupted_write(out) == [], "nothing left to repair"


def test_backup_left_after_the_second_rename_is_removed(tmp_path):
    out = tmp_path / "raw"
    write_raw(small_raw("new"), out)
    (tmp_path / ".raw.old").mkdir()
    (tmp_path / ".raw.old" / "provenance.json").write_text("{}")
    write_raw(small_raw("newer"), out)
    assert read_raw(out).provenance["tag"] == "newer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


def test_error_between_the_renames_restores_the_previous_data_set(tmp_path, monkeypatch):
    out = tmp_path / "raw"
    write_raw(small_raw("good"), out)
    before = snapshot(out)
    real_replace = os.replace
    calls = []

    def replace_then_stop(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the staging folder is about to become data/raw
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(raw_module.os, "replace", replace_then_stop)
    with pytest.raises(KeyboardInterrupt):
        write_raw(small_raw("new"), out)
    monkeypatch.setattr(raw_module.os, "replace", real_replace)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"], "no staging folder, no backup"


class _Stopped(Exception):
    pass


def test_termination_signal_waits_until_both_renames_are_done(tmp_path, monkeypatch):
    """SIGTERM arriving after the first rename is held back until the new data set is in place."""
    out = tmp_path / "raw"
    write_raw(small_raw("good"), out)
    real_replace = os.replace
    delivered = []

    def replace_and_signal(src, dst):
        real_replace(src, dst)
        if str(dst).endswith(".raw.old"):
            os.kill(os.getpid(), signal.SIGTERM)

    def on_term(signum, frame):
        delivered.append(sorted(p.name for p in tmp_path.iterdir()))
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        monkeypatch.setattr(raw_module.os, "replace", replace_and_signal)
        with pytest.raises(_Stopped):
            write_raw(small_raw("new"), out)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert delivered and "raw" in delivered[0], "the handler ran only once data/raw was back in place"
    assert read_raw(out).provenance["tag"] == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) in (["raw"], [".raw.old", "raw"])
    recover_interrupted_write(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]
