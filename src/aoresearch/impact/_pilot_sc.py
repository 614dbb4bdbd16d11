"""The synthetic-control part of one pilot's evaluation: donors, fit, backtests, effects, power.

Steps (``params.yaml: impact``):

1. Comparable donors (:mod:`aoresearch.impact._comparable`): the size class of the pilot, then
   the ``donors.max_donors`` nearest pre-period paths over the fit window.
2. A penalised outcome-only synthetic control over the ``pre_years`` years before adoption
   (:func:`aoresearch.impact._sc_weights.fit_weights_outcome`); with ``intercept`` shifted by
   the fit window's mean gap (:func:`aoresearch.impact._sc_weights.intercept_shift`), as are its
   backtests, placebos and refits.
3. Backtests of the same procedure at every earlier origin from ``fit_start_year``
   (:mod:`aoresearch.impact._sc_backtest`): the per-year and average intervals, p-values and
   the minimum detectable effect all come from these out-of-sample errors.
4. The fit's quality against the pilot's own year-to-year noise: a pre-period RMSPE far below
   that noise means the synthetic control reproduces noise (overfitting), reported as such.
5. In-space placebos: the RMSPE-ratio rank of Abadie et al. (2010), reported as a test only with
   at least ``placebo.min_placebos`` placebos and when its smallest attainable p-value
   ``1/(n+1)`` is below ``alpha``. Every member of the pilot's size class is a placebo, and each
   gets its comparison by the pilot's own rule (:func:`placebo_in_size_class`): the
   ``donors.max_donors`` nearest pre-period paths among the other members, the same penalised
   weights. Refitting each placebo from the pilot's 20 chosen donors instead (the classic
   in-space placebo) gives the pilot, whose donors were chosen as *its* nearest paths, a better
   pre-period fit than any placebo, a smaller pre-RMSPE and so a larger ratio: for a Tampere-like
   pilot that test rejected a true null in 6.4% of 1,600 tests at the 5% level
   (``benchmarks/impact_quality.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aoresearch.impact._comparable import nearest_paths
from aoresearch.impact._sc_backtest import Backtests, TInference, run_backtests
from aoresearch.impact._sc_inference import PlaceboInSpace, permutation_p_value, rmspe_ratio
from aoresearch.impact._sc_weights import fit_weights_outcome, intercept_shift
from aoresearch.impact._synthetic_control import SyntheticControl
from aoresearch.config.impact import ImpactConfig

__all__ = ["ScRun", "fit_pilot_sc", "fit_quality", "power_rows", "placebo_in_size_class", "placebo_test", "inference_method"]

UNIT, TIME = "region", "year"
OVERFIT_RATIO, POOR_FIT_RATIO = 0.5, 2.0


@dataclass(frozen=True)
class ScRun:
    """The fitted synthetic control of a pilot and its backtests."""

    sc: SyntheticControl
    backtests: Backtests
    donors: list
    window: pd.DataFrame
    size_class: pd.DataFrame | None = None


def fit_pilot_sc(Y: pd.DataFrame, pool_frame: pd.DataFrame, treated: int, adoption: int, outcome: str,
                 config: ImpactConfig, seed: int) -> ScRun:
    """Steps 1-3 of the module docstring.

    Parameters
    ----------
    Y : DataFrame
        Outcome, one row per unit (the pilot first, then its size-class donors), one column per
        year from the first backtest year to the last year with data; complete.
    pool_frame : DataFrame
        Long rows (``region``, ``year``, ``region_name``, ``outcome``) of the same units and years.
    """
    years = Y.columns.to_numpy(dtype=int)
    # A pilot without post-adoption data (a baseline) is fitted on its last pre_years years.
    start = max(int(years[0]), min(adoption, int(years[-1]) + 1) - config.pre_years)
    fit_cols = (years >= start) & (years < adoption)
    values = Y.to_numpy(dtype=float)
    chosen = nearest_paths(values[0, fit_cols], values[1:, fit_cols], config.max_donors)
    donors = [int(u) for u in Y.index[1:][chosen]]
    window = pool_frame[(pool_frame[TIME] >= start) & pool_frame[UNIT].isin([treated, *donors])].reset_index(drop=True)
    sc = SyntheticControl(min_pre_periods=min(config.min_pre_years, int(fit_cols.sum())), random_state=seed,
                          n_jobs=config.n_jobs, penalty=config.penalty, intercept=config.intercept)
    sc.fit(window, unit=UNIT, time=TIME, outcome=outcome, treated=treated, treatment_time=adoption, donors=donors)
    max_lead = max([int((years >= adoption).sum()), *config.horizons])
    backtests = run_backtests(values, years, adoption, int(fit_cols.sum()), max_lead, config.penalty, config.max_donors,
                              config.intercept)
    return ScRun(sc, backtests, donors, window, Y)


def fit_quality(sc: SyntheticControl) -> dict:
    """Pre-period RMSPE against the pilot's year-to-year noise (module docstring, step 4).

    The noise is ``sqrt(mean((second difference of the outcome)^2) / 6)``: for a smooth path
    plus independent noise of variance ``s^2`` the second difference has variance ``6 s^2``.
    """
    pre = sc.gap_.index < sc.treatment_time_
    observed = (sc.gap_ + sc.synthetic_)[pre].to_numpy()
    second = np.diff(observed, n=2)
    noise = float(np.sqrt(np.mean(second**2) / 6)) if second.size else float("nan")
    ratio = sc.pre_rmspe_ / noise if noise > 0 else float("nan")
    if not np.isfinite(ratio):
        verdict = "unknown"
    elif ratio < OVERFIT_RATIO:
        verdict = "overfitted"
    elif ratio > POOR_FIT_RATIO:
        verdict = "poor"
    else:
        verdict = "within_noise"
    return {"pre_rmspe": float(sc.pre_rmspe_), "year_to_year_noise": noise, "fit_to_noise": float(ratio), "fit_quality": verdict}


def power_rows(backtests: Backtests, outcome: str, config: ImpactConfig, horizons, baseline: float) -> pd.DataFrame:
    """Minimum detectable effects (rate units and percent of ``baseline``) per number of post years."""
    rows = []
    for h in horizons:
        inference = backtests.average(int(h), config.min_backtests).scaled(baseline)
        mde = inference.mde(config.alpha, config.power)
        rows.append({"outcome": outcome, "n_post": int(h), "mde": mde,
                     "mde_percent": 100 * mde / baseline if baseline and np.isfinite(baseline) else float("nan"),
                     "sigma": inference.scale, "dof": inference.dof, "n_backtests": inference.n,
                     "alpha": config.alpha, "power": config.power, "baseline": baseline})
    return pd.DataFrame(rows)


def inference_method(inference: TInference, what: str, config: ImpactConfig) -> str:
    """How an SC interval was obtained (or why there is none), for the ``method`` column."""
    if not inference.usable:
        return (f"no interval: {inference.n} backtests of the pilot's synthetic control for {what}; "
                f"impact.min_backtests is {config.min_backtests}")
    return (f"prediction interval from {inference.n} backtests of the pilot's own synthetic control "
            f"({what}), t with {inference.dof:.1f} df")


def placebo_in_size_class(run: ScRun, config: ImpactConfig) -> PlaceboInSpace:
    """Every other member of the pilot's size class as if treated, each with its own nearest
    donors among the rest of the class (module docstring, step 5); the pilot's row is its fit.

    Returns
    -------
    PlaceboInSpace
        Gaps over the synthetic control's window (pilot first), statistics per unit and the
        RMSPE-ratio rank, with ``impact.placebo.pre_mspe_cutoff`` applied as in
        :meth:`SyntheticControl.placebo_in_space`.
    """
    sc, Y = run.sc, run.size_class
    adoption = int(sc.treatment_time_)
    window_years = sc.gap_.index.to_numpy(dtype=int)
    values = Y.loc[:, window_years].to_numpy(dtype=float)
    pre = window_years < adoption
    members = values[1:]
    gaps = [sc.gap_.to_numpy(dtype=float)]
    for j in range(members.shape[0]):
        others = np.delete(members, j, axis=0)
        chosen = nearest_paths(members[j, pre], others[:, pre], config.max_donors)
        weights = fit_weights_outcome(others[chosen][:, pre], members[j, pre], config.penalty).weights
        synthetic = weights @ others[chosen]
        gaps.append(members[j] - (synthetic + intercept_shift(members[j], synthetic, pre, config.intercept)))
    gaps = np.column_stack(gaps)
    pre_mspe = np.mean(gaps[pre] ** 2, axis=0)
    post_rmspe = np.sqrt(np.mean(gaps[~pre] ** 2, axis=0))
    units = list(Y.index)
    stats = pd.DataFrame({"pre_mspe": pre_mspe, "pre_rmspe": np.sqrt(pre_mspe), "post_rmspe": post_rmspe,
                          "rmspe_ratio": rmspe_ratio(post_rmspe, np.sqrt(pre_mspe)), "att": gaps[~pre].mean(axis=0),
                          "treated": np.arange(len(units)) == 0}, index=pd.Index(units, name="unit"))
    cutoff = config.placebo_pre_mspe_cutoff
    limit = np.inf if cutoff is None else cutoff * pre_mspe[0]
    stats["kept"] = stats["treated"] | (stats["pre_mspe"] <= limit)
    frame = pd.DataFrame(gaps, index=pd.Index(window_years, name="time"), columns=units)
    return PlaceboInSpace(frame, stats, permutation_p_value(stats.loc[stats["kept"], "rmspe_ratio"].to_numpy()), cutoff)


def placebo_test(placebo, config: ImpactConfig) -> dict:
    """The RMSPE-ratio rank among in-space placebos, with whether it can serve as a test."""
    n = int(placebo.stats["kept"].sum() - 1)
    floor = 1 / (n + 1)
    usable = n >= config.min_placebos and floor <= config.alpha
    if n < config.min_placebos:
        note = f"{n} placebos: fewer than impact.placebo.min_placebos ({config.min_placebos}); no p-value reported"
    elif floor > config.alpha:
        note = f"{n} placebos: the smallest attainable p-value is {floor:.3f} > alpha {config.alpha}: a rank, not a test"
    else:
        note = f"rank of the pilot's post/pre RMSPE ratio among {n} placebos"
    return {"n_placebos": n, "placebo_p_floor": floor, "placebo_p_rmspe_ratio": float(placebo.p_value) if n >= config.min_placebos else float("nan"),
            "placebo_is_test": bool(usable), "placebo_note": note}
