"""The validation gate: validated data is a product of validation.

A validate stage publishes a *success marker* (``data/validated/raw.json`` or
``data/validated/panels.json``) only when no critical expectation failed. The marker records the
SHA-256 of every file it validated. Every stage that consumes the data declares the marker as a
DVC dependency **and** calls :func:`require_validated` before it reads anything, so no stage runs
on data whose critical expectations failed: not through ``dvc repro``, not with
``dvc repro -s <stage>``, not by calling the stage script directly; and data changed after
validation (a stale marker) is refused too.

DVC records a stage's outputs as soon as that stage succeeds, so after ``ingest`` wrote a data
set that ``validate_raw`` then rejected, ``dvc.lock`` points at the rejected ``data/raw``. The
last good state is the committed one (``metrics/`` is kept in git, not in the DVC cache, so it
comes back with ``dvc.lock``); the error message says how to get it back:
``git checkout HEAD -- dvc.lock metrics && dvc checkout``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from aoresearch.errors import NotValidatedError
from aoresearch.atomic import atomic_write_text
from aoresearch.validation.report import ValidationReport

__all__ = [
    "Gate",
    "RAW_MARKER",
    "PANELS_MARKER",
    "RECOVERY",
    "raw_gate",
    "panels_gate",
    "panel_files",
    "fingerprint",
    "revoke",
    "publish",
    "require_validated",
]

RAW_MARKER = "data/validated/raw.json"
PANELS_MARKER = "data/validated/panels.json"
RECOVERY = "git checkout HEAD -- dvc.lock metrics && dvc checkout"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Gate:
    """What one validate stage guards.

    Attributes
    ----------
    stage : str
        The DVC stage that validates, e.g. ``validate_raw``.
    what : str
        Argument of ``pipelines/validate.py`` for that stage (``raw`` or ``panels``).
    data : Path
        The folder of the validated files (``data/raw``, ``data/panel``).
    marker : Path
        The success marker the stage writes.
    metrics : Path
        The stage's metrics JSON, named in messages (``failed_critical`` is read from it).
    """

    stage: str
    what: str
    data: Path
    marker: Path
    metrics: Path

    @property
    def rerun(self) -> str:
        return f"`dvc repro {self.stage}` (or `python pipelines/validate.py {self.what}`)"


def raw_gate(data: str | Path = "data/raw", marker: str | Path = RAW_MARKER, metrics: str | Path = "metrics/validation_raw.json") -> Gate:
    """The gate of ``validate_raw`` over the raw data set."""
    return Gate("validate_raw", "raw", Path(data), Path(marker), Path(metrics))


def panels_gate(data: str | Path = "data/panel", marker: str | Path = PANELS_MARKER, metrics: str | Path = "metrics/validation_panels.json") -> Gate:
    """The gate of ``validate_panels`` over the panel folder."""
    return Gate("validate_panels", "panels", Path(data), Path(marker), Path(metrics))


def panel_files(*names: str) -> tuple[str, ...]:
    """The files of panels ``names`` in the panel folder: ``<name>.parquet`` and its summary JSON."""
    return tuple(f for name in names for f in (f"{name}.parquet", f"{name}.summary.json"))


def fingerprint(folder: str | Path, names: Iterable[str] | None = None) -> dict[str, str]:
    """SHA-256 of files of ``folder``, keyed by their path relative to it (POSIX form).

    Parameters
    ----------
    folder : path
    names : iterable of str, optional
        Relative paths to hash; default every file below ``folder`` except hidden ones
        (``.``-prefixed staging files of an atomic write).

    Returns
    -------
    dict of str to str
        Path to hex digest; a named file that does not exist maps to ``"missing"``.
    """
    folder = Path(folder)
    if names is None:
        names = sorted(
            p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        )
    return {name: _sha256(folder / name) for name in names}


def _sha256(path: Path) -> str:
    if not path.is_file():
        return "missing"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def revoke(gate: Gate) -> None:
    """Remove the success marker (a validate stage does this before it validates anything)."""
    gate.marker.unlink(missing_ok=True)


def publish(gate: Gate, report: ValidationReport, names: Iterable[str] | None = None) -> Path | None:
    """Write the success marker if no critical expectation of ``report`` failed; else remove it.

    Parameters
    ----------
    gate : Gate
    report : ValidationReport
        The outcome of validating ``gate.data``.
    names : iterable of str, optional
        Files of ``gate.data`` that were validated (default: every file below it).

    Returns
    -------
    Path or None
        The marker written, or None when validation failed (the marker is then absent).
    """
    if not report.success:
        revoke(gate)
        return None
    document = {
        "stage": gate.stage,
        "data": gate.data.as_posix(),
        "files": fingerprint(gate.data, names),
        "metrics": gate.metrics.as_posix(),
        "expectations": report.expectations,
        "passed": report.passed,
        "failed_critical": 0,
        "failed_warning": report.failed_warning,
    }  # no timestamp: the marker's bytes change only with what was validated, so DVC reruns nothing else
    atomic_write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", gate.marker)
    return gate.marker


def require_validated(gate: Gate, names: Iterable[str] | None = None) -> dict:
    """Return the success marker of ``gate`` if it covers the current bytes of the files read.

    A consumer stage calls this before it reads ``gate.data``.

    Parameters
    ----------
    gate : Gate
    names : iterable of str, optional
        The files of ``gate.data`` the caller reads; default every file below ``gate.data``
        (and then no file may have been added or removed since validation).

    Raises
    ------
    NotValidatedError
        If the marker is missing or unreadable (validation failed or never ran), or a file read
        differs from the one validated (stale marker). The message names the data, the marker,
        the metrics file and its count of failed critical expectations, and how to recover.
    """
    try:
        marker = json.loads(gate.marker.read_text(encoding="utf-8"))
        recorded = dict(marker["files"])
    except FileNotFoundError:
        raise NotValidatedError(
            f"{gate.data} has not passed {gate.stage}: its success marker {gate.marker} is missing "
            f"({gate.stage} writes it only when no critical expectation failed). {_metrics_summary(gate)} "
            f"Refusing to use data whose validation failed or never ran. {_recovery(gate)}"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotValidatedError(f"the success marker {gate.marker} of {gate.stage} is unreadable ({exc}). {_recovery(gate)}") from exc
    wanted = sorted(recorded) if names is None else list(names)
    current = fingerprint(gate.data, wanted if names is not None else None)
    problems = _differences(recorded, current, wanted, names is None)
    if problems:
        raise NotValidatedError(
            f"{gate.data} changed after {gate.stage} validated it (marker {gate.marker}): " + "; ".join(problems[:5])
            + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            + f". Refusing to use data that was not validated as it is. {_recovery(gate)}"
        )
    return marker


def _differences(recorded: dict[str, str], current: dict[str, str], wanted: list[str], whole_folder: bool) -> list[str]:
    problems = []
    for name in wanted if not whole_folder else sorted(set(recorded) | set(current)):
        before, now = recorded.get(name), current.get(name, "missing")
        if before is None:
            problems.append(f"{name} was not validated (not in the marker)")
        elif now == "missing":
            problems.append(f"{name} was validated but is now missing")
        elif before != now:
            problems.append(f"{name} has sha256 {now[:12]}..., the validated file had {before[:12]}...")
    return problems


def _metrics_summary(gate: Gate) -> str:
    try:
        metrics = json.loads(gate.metrics.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{gate.metrics} does not exist or is unreadable: {gate.stage} has not run to its end."
    return (
        f"{gate.metrics} reports {metrics.get('failed_critical', '?')} failed critical expectation(s) of "
        f"{metrics.get('expectations', '?')} (the messages are in the log of {gate.stage}; Data Docs under "
        f"reports/validation/{gate.what}/index.html)."
    )


def _recovery(gate: Gate) -> str:
    return (
        f"Fix the input and run {gate.rerun}; or go back to the last committed good data: "
        f"`{RECOVERY}` (dvc.lock records the rejected data of the stage before {gate.stage}, so "
        f"`dvc checkout` alone would restore it)."
    )
