"""The difference-in-differences part of one pilot's evaluation (:mod:`aoresearch.impact.evaluate`, step 3).

Callaway & Sant'Anna (csdid) with the pilot as the only treated cohort and a two-way fixed-effects
event study (pyfixest) beside it, against every eligible never-treated region. Intervals and
p-values come from in-time placebo DiDs of the pilot's own history
(:mod:`aoresearch.impact._did_backtest`), since analytic standard errors under-cover with one
treated region and the cross-section of placebo regions over-rejects for a pilot whose drift
differs from theirs. With one cohort, no covariates and never-treated comparisons the two
estimators are the same 2x2 DiDs; ``twfe_equals_did`` records whether they coincided.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from aoresearch.config import Pilot
from aoresearch.impact._did_backtest import DidHistory
from aoresearch.impact._did_placebo import did_paths
from aoresearch.impact._results import effect_row
from aoresearch.impact._sc_backtest import TInference
from aoresearch.impact._staggered_did import StaggeredDiD
from aoresearch.impact._event_study import TwfeEventStudy
from aoresearch.config.impact import ImpactConfig

__all__ = ["did_estimates", "CS", "TWFE"]

CS, TWFE = "staggered_did", "twfe_event_study"
UNIT, TIME = "region", "year"


def _method(inference: TInference, min_backtests: int) -> str:
    if not inference.usable:
        return (f"no interval: {inference.n} in-time placebo DiDs in the pilot's history; "
                f"impact.min_backtests is {min_backtests}")
    return (f"in-time placebo DiDs: the same DiD at {inference.n} earlier base years of the pilot's own history, "
            f"relative to their counterfactual; t with {inference.dof:.1f} df")


def _interval(history: DidHistory, offsets, estimate: float, observed: float, config: ImpactConfig) -> tuple:
    """(lower, upper, p_value, se, dof, method) of a DiD ``estimate`` over the year ``offsets``
    after the base year, with ``observed`` the pilot's mean outcome over those years."""
    relative = history.inference(offsets, config.min_backtests)
    counterfactual = observed - estimate
    inference = relative.scaled(counterfactual) if np.isfinite(counterfactual) and counterfactual > 0 else TInference(float("nan"), 0.0, relative.n)
    lower, upper = inference.interval(estimate, config.alpha)
    return lower, upper, inference.p_value(estimate), inference.scale, inference.dof, _method(inference, config.min_backtests)


def did_estimates(window: pd.DataFrame, outcome: str, pilot: Pilot, config: ImpactConfig,
                  history: pd.DataFrame | None = None, first_base: int | None = None) -> dict:
    """Callaway & Sant'Anna and TWFE with the pilot as the only treated unit, in-time placebo intervals.

    Parameters
    ----------
    window : DataFrame
        Long rows (``region``, ``year``, outcome) of the pilot and every comparison region over
        the estimation window; balanced.
    history : DataFrame, optional
        The same regions' rows over their whole pre-adoption history (from
        ``impact.fit_start_year``): the gap's persistence; the window's when omitted.
    first_base : int, optional
        First base year of the in-time placebos (default: the history's first year).
    """
    frame = window.copy()
    frame["g"] = np.where(frame[UNIT] == pilot.region, pilot.adoption_year, 0)
    wide = frame.pivot(index=UNIT, columns=TIME, values=outcome)
    order = [pilot.region, *[u for u in wide.index if u != pilot.region]]
    Y, times = wide.loc[order].to_numpy(dtype=float), wide.columns.to_numpy()
    cs = StaggeredDiD(control_group=config.control_group, alpha=config.alpha)
    with warnings.catch_warnings():
        # csdid warns that a cohort is small; one treated region is the design here.
        warnings.filterwarnings("ignore", message="Be aware that there are some small groups")
        cs.fit(frame, unit=UNIT, time=TIME, outcome=outcome, group="g")
    own = _history(window if history is None else history, outcome, pilot, order, first_base)
    base = pilot.adoption_year - 1
    post = times >= pilot.adoption_year
    observed = pd.Series(Y[0, post], index=times[post])
    effects, events = [], []
    att_gt = cs.att_gt_.set_index("time")
    for i, year in enumerate(times):
        if year not in att_gt.index:
            continue
        est = float(att_gt.loc[year, "att"])
        offset = int(year - base) if year > base else 1  # pre periods compare year t with t - 1
        lower, upper, p, se, dof, method = _interval(own, [offset], est, float(Y[0, i]), config)
        events.append({"estimator": CS, "outcome": outcome, "event_time": int(year - pilot.adoption_year), "estimate": est,
                       "lower": lower, "upper": upper, "p_value": p})
        if year >= pilot.adoption_year:
            effects.append(effect_row(CS, outcome, int(year), est, lower, upper, observed[year], config.alpha, method, p, se, dof))
    simple = cs.aggregate("simple")
    lower, upper, p, se, dof, method = _interval(own, times[post] - base, simple.overall_att, float(observed.mean()), config)
    effects.append(effect_row(CS, outcome, "average", simple.overall_att, lower, upper, observed.mean(), config.alpha, method, p, se, dof))
    twfe_effects, twfe_events = _twfe(frame, outcome, pilot, config, own, times, Y[0], observed)
    same = _coincide(effects, twfe_effects)
    varying = did_paths(Y, times, pilot.adoption_year, "varying")
    return {"effects": pd.DataFrame(effects + twfe_effects), "events": pd.DataFrame(events + twfe_events), "twfe_equals_did": same,
            "pre_trend_p": _pre_trend_p(varying, times < pilot.adoption_year), "pre_trend_p_analytic": cs.pretest_.p_value,
            "noise": pd.Series(varying.scale, index=order)}


def _history(rows: pd.DataFrame, outcome: str, pilot: Pilot, order: list, first_base: int | None) -> DidHistory:
    pre = rows[rows[TIME] < pilot.adoption_year]
    wide = pre.pivot(index=UNIT, columns=TIME, values=outcome).reindex(order).sort_index(axis=1)
    start = 0 if first_base is None else int(np.searchsorted(wide.columns.to_numpy(), first_base))
    values = wide.to_numpy(dtype=float)
    return DidHistory(values[0], values[1:].mean(axis=0), start)


def _coincide(did_rows: list, twfe_rows: list) -> bool:
    """Whether the TWFE event study returned the Callaway-Sant'Anna estimates (one cohort, no
    covariates, never-treated controls: the same 2x2 DiDs by construction)."""
    a = {r["period"]: r["effect"] for r in did_rows}
    b = {r["period"]: r["effect"] for r in twfe_rows}
    if set(a) != set(b):
        return False
    scale = max(1.0, *(abs(v) for v in a.values() if np.isfinite(v)))
    return all(abs(a[k] - b[k]) <= 1e-8 * scale for k in a)


def _pre_trend_p(paths, pre: np.ndarray) -> float:
    """Placebo p-value of the mean squared studentised pre-period ATT(g,t) (joint pre-trend test
    among the comparison regions; a diagnostic, not the effect's test)."""
    values = paths.paths[:, pre]
    stat = np.nanmean(values**2, axis=1) / paths.scale**2
    return float((1 + np.sum(stat[1:] >= stat[0])) / stat.size)


def _twfe(frame, outcome, pilot, config, own: DidHistory, times, pilot_path, observed) -> tuple[list, list]:
    low, high = config.event_window
    high = min(high, int(times.max() - pilot.adoption_year))  # no dummies for event times beyond the data
    study = TwfeEventStudy(window=(low, high), reference=-1, alpha=config.alpha)
    study.fit(frame, unit=UNIT, time=TIME, outcome=outcome, group="g")
    base = pilot.adoption_year - 1
    event = np.clip(times - pilot.adoption_year, low, high)
    events, post_estimates, rows = [], {}, {}
    for row in study.coefficients_.itertuples():
        cols = event == row.event_time
        if row.event_time == -1 or not cols.any():
            events.append({"estimator": TWFE, "outcome": outcome, "event_time": int(row.event_time), "estimate": row.estimate,
                           "lower": np.nan, "upper": np.nan, "p_value": np.nan})
            continue
        lower, upper, p, se, dof, method = _interval(own, times[cols] - base, row.estimate, float(pilot_path[cols].mean()), config)
        events.append({"estimator": TWFE, "outcome": outcome, "event_time": int(row.event_time), "estimate": row.estimate,
                       "lower": lower, "upper": upper, "p_value": p})
        rows[int(row.event_time)] = (se, dof, method)
        if row.event_time >= 0:
            post_estimates[int(row.event_time)] = row.estimate
    effects = []
    by_event = {e["event_time"]: e for e in events}
    for year, value in observed.items():
        key = int(np.clip(year - pilot.adoption_year, low, high))
        e = by_event.get(key)
        if e is not None:
            se, dof, method = rows.get(key, (np.nan, np.nan, ""))
            effects.append(effect_row(TWFE, outcome, int(year), e["estimate"], e["lower"], e["upper"], value, config.alpha,
                                      method, e["p_value"], se, dof))
    post = times >= pilot.adoption_year
    post_events = np.clip(times[post] - pilot.adoption_year, low, high)
    estimate = float(np.mean([post_estimates.get(int(e), np.nan) for e in post_events]))
    lower, upper, p, se, dof, method = _interval(own, times[post] - base, estimate, float(observed.mean()), config)
    effects.append(effect_row(TWFE, outcome, "average", estimate, lower, upper, observed.mean(), config.alpha, method, p, se, dof))
    return effects, events
