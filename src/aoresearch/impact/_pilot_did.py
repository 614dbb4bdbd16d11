"""The difference-in-differences part of one pilot's evaluation (:mod:`aoresearch.impact.evaluate`, step 3).

Callaway & Sant'Anna (csdid) with the pilot as the only treated cohort and a two-way fixed-effects
event study (pyfixest) beside it; intervals and p-values from studentised placebo DiDs
(:mod:`aoresearch.impact._did_placebo`), since analytic standard errors under-cover with one
treated region. With one cohort, no covariates and never-treated comparisons the two estimators
are the same 2x2 DiDs; ``twfe_equals_did`` records whether they coincided.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from aoresearch.config import Pilot
from aoresearch.impact._did_placebo import did_paths, studentised_interval
from aoresearch.impact._event_study import TwfeEventStudy
from aoresearch.impact._results import effect_row
from aoresearch.impact._staggered_did import StaggeredDiD
from aoresearch.impact.config import ImpactConfig

__all__ = ["did_estimates", "CS", "TWFE"]

CS, TWFE = "staggered_did", "twfe_event_study"
UNIT, TIME = "region", "year"


def _method(n_placebos: int, alpha: float) -> str:
    if int(np.floor(alpha * (n_placebos + 1) - 1)) + 1 > 0:
        return (f"placebo DiDs with each of {n_placebos} comparison regions as if treated, studentised by each "
                "region's pre-period noise; rank test (Conley & Taber 2011; Ferman & Pinto 2019)")
    return (f"t({n_placebos - 1}) approximation: the spread of {n_placebos} studentised placebo DiDs as the noise "
            f"scale (too few placebos for a rank test at alpha {alpha:g})")


def did_estimates(window: pd.DataFrame, outcome: str, pilot: Pilot, config: ImpactConfig) -> dict:
    """Callaway & Sant'Anna and TWFE with the pilot as the only treated unit, placebo intervals."""
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
    varying = did_paths(Y, times, pilot.adoption_year, "varying")
    universal = did_paths(Y, times, pilot.adoption_year, "universal")
    post = times >= pilot.adoption_year
    observed = pd.Series(Y[0, post], index=times[post])
    effects, events = [], []
    method = _method(Y.shape[0] - 1, config.alpha)
    att_gt = cs.att_gt_.set_index("time")
    for i, year in enumerate(times):
        if year not in att_gt.index:
            continue
        est = float(att_gt.loc[year, "att"])
        lower, upper, p = studentised_interval(est, varying.scale[0], varying.paths[1:, i] / varying.scale[1:], config.alpha)
        events.append({"estimator": CS, "outcome": outcome, "event_time": int(year - pilot.adoption_year), "estimate": est,
                       "lower": lower, "upper": upper, "p_value": p})
        if year >= pilot.adoption_year:
            effects.append(effect_row(CS, outcome, int(year), est, lower, upper, observed[year], config.alpha, method, p))
    simple = cs.aggregate("simple")
    placebo_avg = varying.average(post)
    lower, upper, p = studentised_interval(simple.overall_att, varying.scale[0], placebo_avg[1:] / varying.scale[1:], config.alpha)
    effects.append(effect_row(CS, outcome, "average", simple.overall_att, lower, upper, observed.mean(), config.alpha, method, p))
    twfe_effects, twfe_events = _twfe(frame, outcome, pilot, config, universal, times, observed)
    same = _coincide(effects, twfe_effects)
    return {"effects": pd.DataFrame(effects + twfe_effects), "events": pd.DataFrame(events + twfe_events), "twfe_equals_did": same,
            "pre_trend_p": _pre_trend_p(varying, times < pilot.adoption_year), "pre_trend_p_analytic": cs.pretest_.p_value,
            "noise": pd.Series(varying.scale, index=order)}


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
    """Placebo p-value of the mean squared studentised pre-period ATT(g,t) (joint pre-trend test)."""
    values = paths.paths[:, pre]
    stat = np.nanmean(values**2, axis=1) / paths.scale**2
    return float((1 + np.sum(stat[1:] >= stat[0])) / stat.size)


def _twfe(frame, outcome, pilot, config, universal, times, observed) -> tuple[list, list]:
    low, high = config.event_window
    high = min(high, int(times.max() - pilot.adoption_year))  # no dummies for event times beyond the data
    study = TwfeEventStudy(window=(low, high), reference=-1, alpha=config.alpha)
    study.fit(frame, unit=UNIT, time=TIME, outcome=outcome, group="g")
    event = np.clip(times - pilot.adoption_year, low, high)
    method = _method(universal.paths.shape[0] - 1, config.alpha)
    events, post_estimates = [], {}
    for row in study.coefficients_.itertuples():
        cols = event == row.event_time
        if row.event_time == -1 or not cols.any():
            events.append({"estimator": TWFE, "outcome": outcome, "event_time": int(row.event_time), "estimate": row.estimate,
                           "lower": np.nan, "upper": np.nan, "p_value": np.nan})
            continue
        placebo = universal.paths[1:, cols].mean(axis=1) / universal.scale[1:]
        lower, upper, p = studentised_interval(row.estimate, universal.scale[0], placebo, config.alpha)
        events.append({"estimator": TWFE, "outcome": outcome, "event_time": int(row.event_time), "estimate": row.estimate,
                       "lower": lower, "upper": upper, "p_value": p})
        if row.event_time >= 0:
            post_estimates[int(row.event_time)] = row.estimate
    effects = []
    by_event = {e["event_time"]: e for e in events}
    for year, value in observed.items():
        e = by_event.get(int(np.clip(year - pilot.adoption_year, low, high)))
        if e is not None:
            effects.append(effect_row(TWFE, outcome, int(year), e["estimate"], e["lower"], e["upper"], value, config.alpha, method, e["p_value"]))
    post_events = np.clip(times[times >= pilot.adoption_year] - pilot.adoption_year, low, high)
    estimate = float(np.mean([post_estimates.get(int(e), np.nan) for e in post_events]))
    placebo_avg = universal.average(times >= pilot.adoption_year)
    lower, upper, p = studentised_interval(estimate, universal.scale[0], placebo_avg[1:] / universal.scale[1:], config.alpha)
    effects.append(effect_row(TWFE, outcome, "average", estimate, lower, upper, observed.mean(), config.alpha, method, p))
    return effects, events
