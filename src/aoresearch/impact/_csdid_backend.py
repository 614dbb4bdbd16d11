"""Calls into ``csdid`` (the Python port of R ``did``) and tidy results from its outputs.

``csdid`` 0.4.3 reproduces R ``did`` 2.5 on ``mpdta`` to machine precision for ATT(g,t),
analytic standard errors, the four aggregations and the pre-trend Wald test (checked in
``tests/impact/test_impact_did_reference.py``). Its summary objects print to stdout, so every
call is made with stdout captured (``contextlib.redirect_stdout`` is process-wide: do not call
these functions from several threads at once).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from aoresearch.errors import EstimationError

__all__ = ["AttGtFit", "AggregateFit", "run_att_gt", "run_aggregation"]


@dataclass(frozen=True)
class AttGtFit:
    """Group-time ATTs from ``csdid``.

    Attributes
    ----------
    group, time, att, se : ndarray, shape (n_cells,)
        Cohort, period, ATT(g,t) and analytic (influence-function) standard error, clustered
        by unit; ``se`` is NaN for a universal base period's reference cells.
    wald_statistic : float
        Pre-trend Wald statistic (NaN when not computable).
    mp : dict
        ``csdid``'s result object, needed for aggregation.
    """

    group: np.ndarray
    time: np.ndarray
    att: np.ndarray
    se: np.ndarray
    wald_statistic: float
    mp: dict


@dataclass(frozen=True)
class AggregateFit:
    """One aggregation from ``csdid``.

    Attributes
    ----------
    labels : ndarray, shape (n_rows,)
        Cohorts, event times or periods (empty for "simple").
    att, se : ndarray, shape (n_rows,)
    overall_att, overall_se : float
    """

    labels: np.ndarray
    att: np.ndarray
    se: np.ndarray
    overall_att: float
    overall_se: float


def _quietly(function, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def run_att_gt(
    frame: pd.DataFrame, n_covariates: int, control_group: str, est_method: str, base_period: str,
    anticipation: int, alpha: float,
) -> AttGtFit:
    """Estimate ATT(g,t) with ``csdid.ATTgt`` (analytic standard errors, no bootstrap).

    Parameters
    ----------
    frame : DataFrame
        Canonical balanced panel (columns ``unit``, ``time``, ``y``, ``g``, ``x0``...).

    Raises
    ------
    EstimationError
        If ``csdid`` fails (e.g. a singular propensity-score or outcome regression).
    """
    from csdid.att_gt import ATTgt

    formula = None if n_covariates == 0 else "y ~ " + " + ".join(f"x{i}" for i in range(n_covariates))
    try:
        model = _quietly(
            ATTgt, yname="y", tname="time", idname="unit", gname="g", data=frame, control_group=control_group,
            xformla=formula, anticipation=anticipation, alp=alpha, cband=False,
        )
        _quietly(model.fit, est_method=est_method, base_period=base_period, bstrap=False)
    except (ValueError, np.linalg.LinAlgError, ZeroDivisionError) as error:
        raise EstimationError(f"StaggeredDiD.fit: csdid could not estimate ATT(g,t): {error}") from error
    result = model.results
    wald = model.MP.get("W")
    return AttGtFit(
        group=np.asarray(result["group"], dtype=float),
        time=np.asarray(result["year"], dtype=float),
        att=np.asarray(result["att"], dtype=float),
        se=np.asarray(result["se"], dtype=float),
        wald_statistic=float("nan") if wald is None else float(wald),
        mp=model.MP,
    )


def run_aggregation(fit: AttGtFit, kind: str, min_e: float, max_e: float, balance_e: int | None) -> AggregateFit:
    """Aggregate ATT(g,t) with ``csdid``'s ``aggte`` (R ``did::aggte``), analytic SEs."""
    from csdid.aggte_fnc.aggte import aggte

    out = _quietly(aggte, fit.mp, typec=kind, balance_e=balance_e, min_e=min_e, max_e=max_e, bstrap=False)
    labels = np.asarray([] if out["egt"] is None else out["egt"], dtype=float)
    att = np.asarray([] if out["att_egt"] is None else out["att_egt"], dtype=float)
    se = np.asarray([] if out["se_egt"] is None else out["se_egt"], dtype=float)
    return AggregateFit(labels, att, se, _scalar(out["overall_att"]), _scalar(out["overall_se"]))


def pretest_p_value(statistic: float, df: int) -> float:
    """Chi-square upper tail of the Wald statistic (R ``did`` rounds it to 5 decimals; we do not)."""
    if not np.isfinite(statistic) or df == 0:
        return float("nan")
    return float(stats.chi2.sf(statistic, df))


def _scalar(value) -> float:
    if value is None:
        return float("nan")
    return float(np.asarray(value, dtype=float).ravel()[0])
